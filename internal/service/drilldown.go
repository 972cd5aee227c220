package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/store"
)

// DrilldownFunc runs the drilldowns of stored alerts for the API: risk
// searches against the store at the end of each alert's window, log
// searches over the archived sources of the drilldown's range (sources,
// with open for S3 objects) when there is an archive.
func DrilldownFunc(st store.Store, sources func(from, to time.Time) []string, open func(ctx context.Context, name string) (io.ReadCloser, error)) server.DrilldownFunc {
	return func(ctx context.Context, id string, n int) (server.DrilldownResult, error) {
		a, _, err := st.Get(ctx, id)
		if err != nil {
			return server.DrilldownResult{}, err
		}
		run, err := engine.RunDrilldown(ctx, st, a, n, engine.DrilldownOptions{Sources: sources, Open: open})
		res := server.DrilldownResult{Name: run.Drilldown.Name, Search: run.Drilldown.Search}
		if errors.Is(err, engine.ErrNeedsLogs) {
			return res, fmt.Errorf("it searches logs and the event archive is disabled (run it with tripline alerts drilldown --logs): %w", server.ErrCannotRun)
		}
		if err != nil {
			return res, err
		}
		res.Columns, res.Rows = table(run.Rows)
		return res, nil
	}
}

// table turns query rows into the API's shape: every column once, in the
// order the rows first name them, and each row as named fields.
func table(rows []exec.Result) (cols []string, out []alert.Fields) {
	seen := map[string]bool{}
	for _, r := range rows {
		f := make(alert.Fields, len(r.Columns))
		for i, c := range r.Columns {
			f[i] = alert.Field{Name: c, Value: r.Values[i]}
			if !seen[c] {
				seen[c] = true
				cols = append(cols, c)
			}
		}
		out = append(out, f)
	}
	return cols, out
}
