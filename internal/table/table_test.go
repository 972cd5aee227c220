package table

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFitsTheWidth(t *testing.T) {
	long := strings.Repeat("arn:aws:sts::123456789012:assumed-role/x/", 4)
	for _, width := range []int{40, 60, 80, 120} {
		tab := New(width, "ID", "NAME", "GROUP", "EVENTS")
		tab.Row("1", "AWS Bedrock Guardrail Deleted", long, "12")
		tab.Row("2", "Short", "user.id=bob", "3")
		var b strings.Builder
		if err := tab.Write(&b); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
		if len(lines) != 3 {
			t.Fatalf("width %d: %d lines", width, len(lines))
		}
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n > width {
				t.Errorf("width %d: a line of %d runes: %q", width, n, l)
			}
		}
		// The short columns keep their text; the long one is cut.
		if !strings.Contains(lines[2], "user.id=bob") || !strings.Contains(lines[1], "…") {
			t.Errorf("width %d:\n%s", width, b.String())
		}
		// Columns stay aligned: EVENTS starts at the same rune in each line.
		at := strings.Index(lines[0], "EVENTS")
		if r := []rune(lines[2]); len(r) <= at || r[at] != '3' {
			t.Errorf("width %d: columns not aligned:\n%s", width, b.String())
		}
	}
}

func TestNoWidthKeepsEverything(t *testing.T) {
	tab := New(0, "A", "B")
	tab.Row("x\x1b[2Jy", strings.Repeat("z", 300))
	var b strings.Builder
	tab.Write(&b)
	if !strings.Contains(b.String(), strings.Repeat("z", 300)) {
		t.Error("an unlimited table cut a cell")
	}
	if strings.Contains(b.String(), "\x1b") {
		t.Errorf("a terminal escape reached the output: %q", b.String())
	}
}
