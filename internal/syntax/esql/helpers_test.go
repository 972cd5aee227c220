package esql

import (
	"errors"
	"github.com/tripline/tripline/internal/testutil"
	"testing"

	"github.com/tripline/tripline/internal/syntax"
)

// mustParse parses src or fails the test with the error's detail.
func mustParse(t *testing.T, src string) string {
	t.Helper()
	q, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %s", src, detail(err))
	}
	return q.String()
}

func detail(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return se.Detail()
	}
	return err.Error()
}

// checkSpan fails unless err is a *syntax.Error whose span lies inside src.
func checkSpan(t testing.TB, src string, err error) *syntax.Error {
	t.Helper()
	var se *syntax.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *syntax.Error", err, err)
	}
	if se.Src != src {
		t.Fatalf("error source %q is not the input %q", se.Src, src)
	}
	if se.Span.Start < 0 || se.Span.Start > se.Span.End || int(se.Span.End) > len(src) {
		t.Fatalf("error span %v is outside the input (len %d): %v", se.Span, len(src), se)
	}
	return se
}

// sharedDir returns ../shared/<name> relative to the module root, or skips.
func sharedDir(t *testing.T, name string) string { return testutil.Shared(t, name) }
