package timefmt

import (
	"errors"
	"testing"
	"time"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// checkError fails unless err is an *Error about text whose position
// lies inside it.
func checkError(t *testing.T, err error, text string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if e.Text != text || e.Pos < 0 || e.Pos > len(text) {
		t.Fatalf("error %q: position %d is not inside %q (text %q)", err, e.Pos, text, e.Text)
	}
}

func TestErrorSaysWhereAndWhat(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{second(ParseISO("2024-13-01")), `cannot parse "2024-13-01" as an ISO 8601 date-time: month out of range at offset 5`},
		{second(Strptime("2024/03", "%Y-%m")), `cannot parse "2024/03" as a time with layout "%Y-%m": want "-" at offset 4`},
		{second(Strptime("2024-02-30", "%Y-%m-%d")), `cannot parse "2024-02-30" as a time with layout "%Y-%m-%d": day 30 out of range at offset 8`},
		{second(CompileJava("yyyy-bb")), `cannot parse "yyyy-bb" as a Java date pattern: unknown pattern letter 'b' at offset 5`},
		{second(CompileJava("yyyy[MM")), `cannot parse "yyyy[MM" as a Java date pattern: unterminated '[' at offset 4`},
		{third(ParseSpan(" 5 parsecs")), `cannot parse " 5 parsecs" as a span: unknown unit "parsecs" at offset 3`},
		{second(RelativeTime(0, "-1d@w9")), `cannot parse "-1d@w9" as a relative time: weekday must be 0 to 6 at offset 5`},
	}
	for _, c := range cases {
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("got %v\nwant %s", c.err, c.want)
		}
	}
	jf, err := CompileJava("yyyy-MM-dd")
	if err != nil {
		t.Fatal(err)
	}
	_, err = jf.Parse("2024-03-5")
	if want := `cannot parse "2024-03-5" as a date with pattern "yyyy-MM-dd": want dd at offset 8`; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func second[T any](_ T, err error) error { return err }

func third[T, U any](_ T, _ U, err error) error { return err }
