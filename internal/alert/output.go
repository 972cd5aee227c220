package alert

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
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

// WriteTable writes a human-readable table: one line per alert, then the
// evidence of each under it when verbose.
func WriteTable(w io.Writer, alerts []*Alert, verbose bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tRULE\tGROUP\tEVENTS\tFIRST SEEN\tLAST SEEN")
	for _, a := range alerts {
		var group []string
		for _, f := range a.Group {
			group = append(group, f.Name+"="+short(f.Value.String()))
		}
		if len(group) == 0 {
			group = append(group, a.Reason)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", a.Rule.Severity, clip(a.Rule.Name, 60),
			clip(strings.Join(group, " "), 100), a.EventCount,
			a.FirstSeen.Format("2006-01-02 15:04:05"), a.LastSeen.Format("2006-01-02 15:04:05"))
		if verbose {
			fmt.Fprintf(tw, "\t  %s\t\t\t\t\n", a.Reason)
			for _, e := range a.Evidence {
				loc := fmt.Sprintf("%s:%d", e.File, e.Line)
				if e.Line == 0 {
					loc = fmt.Sprintf("%s@%d", e.File, e.Offset)
				}
				fmt.Fprintf(tw, "\t  evidence %s\t\t\t\t\n", loc)
			}
		}
	}
	return tw.Flush()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
