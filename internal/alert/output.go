package alert

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tripline/tripline/internal/table"
	"github.com/tripline/tripline/internal/visible"
)

// WriteNDJSON writes one JSON object per alert.
func WriteNDJSON(w io.Writer, alerts []*Alert) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, a := range alerts {
		if err := enc.Encode(a); err != nil {
			return fmt.Errorf("cannot write alert %s: %w", a.ID, err)
		}
	}
	return bw.Flush()
}

// WriteTable writes a human-readable table, one line per alert, at most
// width runes wide (0: any); verbose adds, below the table, each alert's
// reason and where its first source events are.
func WriteTable(w io.Writer, alerts []*Alert, verbose bool, width int) error {
	w = visible.Writer(w)
	tab := table.New(width, "#", "SEVERITY", "RULE", "GROUP", "EVENTS", "FIRST SEEN", "LAST SEEN")
	for i, a := range alerts {
		var group []string
		for _, f := range a.Group {
			group = append(group, f.Name+"="+short(f.Value.String()))
		}
		g := strings.Join(group, " ")
		if g == "" {
			g = "-"
		}
		tab.Row(fmt.Sprint(i+1), a.Rule.Severity, clip(a.Rule.Name, 60), clip(g, 90), fmt.Sprint(a.EventCount),
			a.FirstSeen.Format("2006-01-02 15:04:05"), a.LastSeen.Format("2006-01-02 15:04:05"))
	}
	if err := tab.Write(w); err != nil {
		return err
	}
	if !verbose {
		return nil
	}
	for i, a := range alerts {
		fmt.Fprintf(w, "\n#%d %s\n", i+1, visible.String(a.Reason))
		const shown = 3
		for j, e := range a.Evidence {
			if j == shown {
				fmt.Fprintf(w, "   ... and %d more source events\n", a.EventCount-int64(shown))
				break
			}
			fmt.Fprintf(w, "   %s\n", visible.String(e.Location()))
			if len(e.Raw) > 0 {
				fmt.Fprintf(w, "     %s\n", clip(visible.String(string(e.Raw)), 300))
			}
		}
	}
	return nil
}

// Location renders where a source event is: file:line, plus the byte
// offset when the file holds many records on one line (CloudTrail's own
// delivery files).
func (e Evidence) Location() string {
	switch {
	case e.Line > 0 && e.Offset > 0 && e.Line == 1:
		return fmt.Sprintf("%s:%d (byte %d)", e.File, e.Line, e.Offset)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return fmt.Sprintf("%s (byte %d)", e.File, e.Offset)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
