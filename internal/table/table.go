// Package table writes text tables that fit a terminal: columns aligned,
// and when the rows are wider than the screen the widest columns are cut
// with an ellipsis rather than wrapped into a mess. Every cell is passed
// through visible.String, so attacker-controlled text (user agents, role
// names, prompts) is shown, never obeyed by the terminal.
package table

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tripline/tripline/internal/visible"
)

// gap is the space between columns; minCol is the narrowest a column is
// cut to (its header may be cut too).
const (
	gap    = 2
	minCol = 6
)

// Table collects rows and writes them aligned.
type Table struct {
	rows  [][]string
	width int
}

// New starts a table whose lines are at most width runes wide (0: any
// width), with a header row.
func New(width int, header ...string) *Table {
	t := &Table{width: width}
	t.Row(header...)
	return t
}

// Row adds a row; cells past the header's count are dropped, missing ones
// are empty. A cell's first line alone is shown.
func (t *Table) Row(cells ...string) {
	row := make([]string, len(cells))
	for i, c := range cells {
		if j := strings.IndexByte(c, '\n'); j >= 0 {
			c = c[:j]
		}
		row[i] = visible.String(c)
	}
	if len(t.rows) > 0 {
		n := len(t.rows[0])
		row = append(row, make([]string, max(0, n-len(row)))...)[:n]
	}
	t.rows = append(t.rows, row)
}

// widths returns each column's width, cut so that the table fits.
func (t *Table) widths() []int {
	if len(t.rows) == 0 {
		return nil
	}
	w := make([]int, len(t.rows[0]))
	for _, r := range t.rows {
		for i, c := range r {
			w[i] = max(w[i], utf8.RuneCountInString(c))
		}
	}
	if t.width <= 0 {
		return w
	}
	total := gap * (len(w) - 1)
	for _, x := range w {
		total += x
	}
	// Take a rune at a time from the widest column still above the
	// floor: the columns that fit keep their text, the long ones share
	// the cut.
	for total > t.width {
		widest := -1
		for i, x := range w {
			if x > minCol && (widest < 0 || x > w[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break // every column at its floor: the line stays too wide
		}
		w[widest]--
		total--
	}
	return w
}

// Write writes the table, each line without trailing spaces.
func (t *Table) Write(w io.Writer) error {
	widths := t.widths()
	var b strings.Builder
	for _, r := range t.rows {
		b.Reset()
		for i, c := range r {
			c = cut(c, widths[i])
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+gap))
			}
		}
		line := strings.TrimRight(b.String(), " ") + "\n"
		if _, err := io.WriteString(w, line); err != nil {
			return err
		}
	}
	return nil
}

// cut shortens s to n runes, its last an ellipsis.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
