package timefmt

import "fmt"

// Error reports text that cannot be read as a date-time, a span or a
// pattern. Pos is the byte offset in Text of what could not be read:
// 0 <= Pos <= len(Text).
type Error struct {
	Text   string // the text being read
	Pos    int
	As     string // what Text was read as: "an ISO 8601 date-time", "a span", ...
	Layout string // the layout or pattern Text was read with, if any
	Msg    string // what was wrong at Pos
}

// Error says what was read, as what, and what was wrong where.
func (e *Error) Error() string {
	if e.Layout != "" {
		return fmt.Sprintf("cannot parse %q as %s %q: %s at offset %d", e.Text, e.As, e.Layout, e.Msg, e.Pos)
	}
	return fmt.Sprintf("cannot parse %q as %s: %s at offset %d", e.Text, e.As, e.Msg, e.Pos)
}
