package event

import (
	"encoding/json"
	"testing"
)

func TestAppendJSONString(t *testing.T) {
	cases := []string{"", "plain", "ATT&CK <b>", "quote \" and \\ back", "tab\tnew\nline\r", "ctl \x01\x1f", "é ü 漢", "bad \xff byte", "sep \u2028 \u2029"}
	for _, s := range cases {
		b := AppendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("%q encoded as invalid JSON %s: %v", s, b, err)
			continue
		}
		want := s
		if s == "bad \xff byte" {
			want = "bad \ufffd byte"
		}
		if back != want {
			t.Errorf("%q round-tripped as %q", s, back)
		}
	}
	if got := string(AppendJSONString(nil, "ATT&CK")); got != `"ATT&CK"` {
		t.Errorf("& escaped: %s", got)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add("ATT&CK \x00 \xff")
	f.Fuzz(func(t *testing.T, s string) {
		var back string
		if err := json.Unmarshal(AppendJSONString(nil, s), &back); err != nil {
			t.Fatalf("invalid JSON for %q: %v", s, err)
		}
	})
}
