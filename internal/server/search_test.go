package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
)

// The search endpoint checks what it is asked, hands the search over with
// its range and limit, answers a bad query with 400 and its span, and a
// search that runs too long with 504.
func TestSearchAPI(t *testing.T) {
	var got SearchRequest
	search := func(ctx context.Context, req SearchRequest) (SearchResult, error) {
		got = req
		switch req.Query {
		case "bad":
			return SearchResult{}, &QueryError{Message: "unknown command bad", Detail: "1:1: unknown command bad\n  bad\n  ^~~", Line: 1, Col: 1, Start: 0, End: 3}
		case "slow":
			<-ctx.Done()
			return SearchResult{}, ctx.Err()
		}
		return SearchResult{Columns: []string{"user_agent"}, Rows: []alert.Fields{{{Name: "user_agent", Value: event.StringValue(hostileReason)}}}}, nil
	}
	srv := newTest(t, Options{Search: search, SearchTimeout: 50 * time.Millisecond})
	h := srv.Handler()

	r := do(t, h, "POST", "/api/v1/search", strings.NewReader(`{"query":"from logs-* | limit 1","from":"24h","to":"2025-03-10T12:00:00Z","limit":5}`))
	if r.code != 200 {
		t.Fatalf("search: %d %s", r.code, r.body)
	}
	if got.Language != "esql" || got.Limit != 5 || !got.From.Equal(testNow.Add(-24*time.Hour)) || !got.To.Equal(testNow) {
		t.Errorf("handed over %+v", got)
	}
	var res SearchResult
	r.json(t, &res)
	if len(res.Rows) != 1 || res.Rows[0][0].Value.String() != hostileReason {
		t.Errorf("rows: %s", r.body)
	}
	r = do(t, h, "POST", "/api/v1/search", strings.NewReader(`{"query":"x : y","language":"kql","index":"logs-aws.cloudtrail-*"}`))
	if r.code != 200 || got.Language != "kuery" || len(got.Index) != 1 || got.Limit != DefaultSearchLimit {
		t.Errorf("kql with an index: %d %+v", r.code, got)
	}

	r = do(t, h, "POST", "/api/v1/search", strings.NewReader(`{"query":"bad"}`))
	var body struct {
		Error string     `json:"error"`
		Query QueryError `json:"query"`
	}
	r.json(t, &body)
	if r.code != 400 || body.Error != "1:1: unknown command bad" || body.Query.End != 3 || !strings.Contains(body.Query.Detail, "^~~") {
		t.Errorf("a bad query: %d %s", r.code, r.body)
	}
	if r := do(t, h, "POST", "/api/v1/search", strings.NewReader(`{"query":"slow"}`)); r.code != 504 || !strings.Contains(r.errMsg(t), "narrow") {
		t.Errorf("a slow search: %d %s", r.code, r.body)
	}
	for _, bad := range []string{
		`{"query":""}`,
		`{"query":"x","language":"sql"}`,
		`{"query":"x","index":"logs-*"}`, // ES|QL names its data
		`{"query":"x","from":"soon"}`,
		`{"query":"x","from":"1h","to":"2h"}`,
		`{"query":"x","limit":100000}`,
		`{"query":"x","limit":-1}`,
	} {
		if r := do(t, h, "POST", "/api/v1/search", strings.NewReader(bad)); r.code != 400 {
			t.Errorf("%s: %d %s", bad, r.code, r.body)
		}
	}
	if r := do(t, newTest(t, Options{}).Handler(), "POST", "/api/v1/search", strings.NewReader(`{"query":"x"}`)); r.code != 503 {
		t.Errorf("without search: %d %s", r.code, r.body)
	}
}
