package lint

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/syntax"
)

// Located is a rule's error placed in its file.
type Located struct {
	File      string
	Line, Col int // Col is 0 when only the line is known
	// Msg is the error's message, without a position.
	Msg string
	// Excerpt is the query line at fault and a caret under the fault, each
	// indented by two spaces; empty for errors without a place in the query.
	Excerpt string
}

// String renders "file:line:col: msg", then the excerpt on its own lines.
func (l Located) String() string {
	var b strings.Builder
	b.WriteString(l.File)
	if l.Line > 0 {
		fmt.Fprintf(&b, ":%d", l.Line)
		if l.Col > 0 {
			fmt.Fprintf(&b, ":%d", l.Col)
		}
	}
	b.WriteString(": ")
	b.WriteString(l.Msg)
	if l.Excerpt != "" {
		b.WriteString("\n")
		b.WriteString(l.Excerpt)
	}
	return b.String()
}

// Locate places a rule's compile error in the rule's file. data is the
// file's content (nil when unknown). A syntax error whose query line can be
// found in the file, at or after the rule's own line and with every query
// line following it as written, gets the file's line and column; otherwise
// the error is placed at the rule's line and its message keeps the query's
// own line:col. Queries changed before parsing (SPL macros expanded) or
// escaped in the file (JSON strings) are therefore placed at the rule.
func Locate(r *rule.Rule, data []byte, err error) Located {
	loc := Located{File: r.File, Line: r.Line, Msg: err.Error()}
	var se *syntax.Error
	if !errors.As(err, &se) {
		return loc
	}
	detail := se.Detail()
	if i := strings.IndexByte(detail, '\n'); i >= 0 {
		loc.Excerpt = detail[i+1:]
	}
	qline, qcol := syntax.LineCol(se.Src, se.Span.Start)
	loc.Msg = fmt.Sprintf("query %d:%d: %s", qline, qcol, se.Msg)
	if data == nil || se.Src != r.Query {
		return loc
	}
	if line, col, ok := queryPos(r.Query, string(data), r.Line, qline, qcol); ok {
		loc.Line, loc.Col, loc.Msg = line, col, se.Msg
	}
	return loc
}

// queryPos maps line:col of a query to line:col of the file holding it,
// searching from file line from (1-based).
func queryPos(query, file string, from, qline, qcol int) (line, col int, ok bool) {
	ql := strings.Split(query, "\n")
	fl := strings.Split(file, "\n")
	if qline < 1 || qline > len(ql) || strings.TrimSpace(ql[0]) == "" {
		return 0, 0, false
	}
	if from < 1 {
		from = 1
	}
	for s := from - 1; s+len(ql) <= len(fl); s++ {
		match := true
		for j, q := range ql {
			if !strings.Contains(fl[s+j], q) {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		target := fl[s+qline-1]
		at := strings.Index(target, ql[qline-1])
		return s + qline, utf8.RuneCountInString(target[:at]) + qcol, true
	}
	return 0, 0, false
}

// Find places the first occurrence of text in a rule's query in the rule's
// file, as Locate places errors; ok is false when the text is not in the
// query or the query cannot be found in the file.
func Find(r *rule.Rule, data []byte, text string) (line, col int, ok bool) {
	i := strings.Index(r.Query, text)
	if i < 0 || text == "" || data == nil {
		return 0, 0, false
	}
	qline, qcol := syntax.LineCol(r.Query, syntax.Pos(i))
	return queryPos(r.Query, string(data), r.Line, qline, qcol)
}
