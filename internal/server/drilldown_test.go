package server

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/store"
)

// fakeDrilldown knows alert a1 with two drilldowns: 1 searches raw logs,
// 2 searches risk and gives one row.
func fakeDrilldown(_ context.Context, id string, n int) (DrilldownResult, error) {
	switch {
	case id != "a1":
		return DrilldownResult{}, fmt.Errorf("alert %s: %w", id, store.ErrNotFound)
	case n == 1:
		return DrilldownResult{}, fmt.Errorf("it searches raw logs: %w", ErrCannotRun)
	case n == 2:
		return DrilldownResult{Name: "risk of alice", Search: "| from datamodel Risk.All_Risk",
			Columns: []string{"normalized_risk_object", "count"},
			Rows: []alert.Fields{{{Name: "normalized_risk_object", Value: event.StringValue("alice")},
				{Name: "count", Value: event.LongValue(2)}}}}, nil
	case n == 3:
		return DrilldownResult{Name: "empty"}, nil
	}
	return DrilldownResult{}, fmt.Errorf("alert %s has no drilldown %d: %w", id, n, store.ErrNotFound)
}

func TestDrilldownEndpoint(t *testing.T) {
	tests := []struct {
		name string
		opt  Options
		path string
		code int
		want string // substring of the body
	}{
		{"risk rows", Options{Drilldown: fakeDrilldown}, "/api/v1/alerts/a1/drilldowns/2", 200,
			`{"name":"risk of alice","search":"| from datamodel Risk.All_Risk","columns":["normalized_risk_object","count"],"rows":[{"normalized_risk_object":"alice","count":2}]}`},
		{"no rows is a list", Options{Drilldown: fakeDrilldown}, "/api/v1/alerts/a1/drilldowns/3", 200, `"columns":[],"rows":[]`},
		{"raw log drilldown", Options{Drilldown: fakeDrilldown}, "/api/v1/alerts/a1/drilldowns/1", 422, "searches raw logs"},
		{"unknown drilldown", Options{Drilldown: fakeDrilldown}, "/api/v1/alerts/a1/drilldowns/9", 404, "no drilldown 9"},
		{"unknown alert", Options{Drilldown: fakeDrilldown}, "/api/v1/alerts/zz/drilldowns/1", 404, "alert zz"},
		{"bad number", Options{Drilldown: fakeDrilldown}, "/api/v1/alerts/a1/drilldowns/0", 400, "invalid parameter n"},
		{"not a number", Options{Drilldown: fakeDrilldown}, "/api/v1/alerts/a1/drilldowns/x", 400, "invalid parameter n"},
		{"not enabled", Options{}, "/api/v1/alerts/a1/drilldowns/1", 503, "not enabled"},
		{"token required", Options{Drilldown: fakeDrilldown, Token: "s3cret"}, "/api/v1/alerts/a1/drilldowns/2", 401, "bearer token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, newTest(t, tc.opt).Handler(), "GET", tc.path, nil)
			if r.code != tc.code || !strings.Contains(string(r.body), tc.want) {
				t.Errorf("GET %s: %d %s\nwant %d containing %s", tc.path, r.code, r.body, tc.code, tc.want)
			}
		})
	}
}
