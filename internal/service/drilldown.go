package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/store"
)

// DrilldownFunc runs the risk drilldowns of stored alerts for the API, at
// the end of each alert's window.
func DrilldownFunc(st store.Store) server.DrilldownFunc {
	return func(ctx context.Context, id string, n int) (server.DrilldownResult, error) {
		a, _, err := st.Get(ctx, id)
		if err != nil {
			return server.DrilldownResult{}, err
		}
		run, err := engine.RunDrilldown(ctx, st, a, n, engine.DrilldownOptions{})
		res := server.DrilldownResult{Name: run.Drilldown.Name, Search: run.Drilldown.Search}
		if errors.Is(err, engine.ErrNeedsLogs) {
			return res, fmt.Errorf("it searches logs, not the risk store (run it with tripline alerts drilldown --logs): %w", server.ErrCannotRun)
		}
		if err != nil {
			return res, err
		}
		rows := run.Rows
		seen := map[string]bool{}
		for _, r := range rows {
			f := make(alert.Fields, len(r.Columns))
			for i, c := range r.Columns {
				f[i] = alert.Field{Name: c, Value: r.Values[i]}
				if !seen[c] {
					seen[c] = true
					res.Columns = append(res.Columns, c)
				}
			}
			res.Rows = append(res.Rows, f)
		}
		return res, nil
	}
}
