package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/tripline/tripline/internal/alert"
)

// ErrCannotRun is returned by a DrilldownFunc for a drilldown the service
// cannot run (one that searches raw logs rather than the risk store); the
// API answers 422.
var ErrCannotRun = errors.New("this drilldown cannot run here")

// DrilldownResult is what running one drilldown of an alert gave: the
// drilldown's name and filled search, the column names in order, and the
// rows.
type DrilldownResult struct {
	Name    string         `json:"name"`
	Search  string         `json:"search"`
	Columns []string       `json:"columns"`
	Rows    []alert.Fields `json:"rows"`
}

// DrilldownFunc runs drilldown n (1-based) of the stored alert id. An
// unknown alert or drilldown is an error wrapping store.ErrNotFound; a
// drilldown that cannot run here wraps ErrCannotRun.
type DrilldownFunc func(ctx context.Context, id string, n int) (DrilldownResult, error)

var errNoDrilldown = &httpError{http.StatusServiceUnavailable, "running drilldowns is not enabled"}

// drilldown answers GET /api/v1/alerts/{id}/drilldowns/{n}.
func (s *Server) drilldown(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Drilldown == nil {
		return errNoDrilldown
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return badParam("n", "want a drilldown number from 1, got %q", r.PathValue("n"))
	}
	id := r.PathValue("id")
	res, err := s.opt.Drilldown(r.Context(), id, n)
	if err != nil {
		return fmt.Errorf("cannot run drilldown %d of alert %s: %w", n, id, err)
	}
	if res.Columns == nil {
		res.Columns = []string{}
	}
	if res.Rows == nil {
		res.Rows = []alert.Fields{}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
