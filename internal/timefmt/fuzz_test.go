package timefmt

import (
	"testing"
	"time"
)

func FuzzTimeParsers(f *testing.F) {
	f.Add("2024-03-05T21:07:03.045+01:00", "%Y-%m-%dT%H:%M:%S", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
	f.Add("05/Mar/2024:09:07:03 -0100", "%d/%b/%Y:%H:%M:%S %z", "dd/MMM/yyyy:HH:mm:ss Z")
	f.Add("March 5, 2024 9:07 PM", "%B %d, %Y %I:%M %p", "[yyyy]'x'''")
	f.Fuzz(func(t *testing.T, s, strf, java string) {
		if ns, err := ParseISO(s); err == nil {
			// Whatever parses must format back to an equal instant.
			back := time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
			if ns2, err := ParseISO(back); err != nil || ns2 != ns {
				t.Fatalf("ISO %q -> %s does not read back (%v)", s, back, err)
			}
		}
		Strptime(s, strf)
		_ = AppendStrftime(nil, time.Unix(0, 0), strf)
		if jf, err := CompileJava(java); err == nil {
			jf.Parse(s)
			_ = jf.Append(nil, time.Unix(1e9, 5e8))
		}
	})
}
