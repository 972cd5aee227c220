package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/duration"
)

// The languages a search may be written in.
var SearchLanguages = []string{"esql", "spl", "kuery", "eql", "sigma"}

// Search bounds, when Options leave them zero.
const (
	// DefaultSearchLimit is how many rows a search returns when it asks
	// for no limit; MaxSearchLimit is the most it may ask for.
	DefaultSearchLimit = 1000
	MaxSearchLimit     = 10000
	// DefaultSearchTimeout bounds how long one search runs.
	DefaultSearchTimeout = 30 * time.Second
)

// SearchRequest is one ad hoc query over the event archive.
type SearchRequest struct {
	Query    string
	Language string   // one of SearchLanguages
	Index    []string // the index patterns a KQL or EQL query reads; none: every log
	// From and To bound the events' time; a zero From reads from the
	// start of the archive, a zero To up to now.
	From, To time.Time
	// Limit is the most rows returned; the rest are counted as Truncated.
	Limit int
}

// SearchResult is what a search found: the column names in order and the
// rows, with what was read.
type SearchResult struct {
	Columns []string       `json:"columns"`
	Rows    []alert.Fields `json:"rows"`
	// Truncated is set when the query gave more rows than the limit.
	Truncated bool `json:"truncated,omitempty"`
	// Sources counts the archived sources read, Records their records.
	Sources  int       `json:"sources"`
	Records  int       `json:"records"`
	From     time.Time `json:"from,omitzero"`
	To       time.Time `json:"to,omitzero"`
	Warnings []string  `json:"warnings,omitempty"`
	// Note says why there are no rows when the archive had nothing to
	// read.
	Note string `json:"note,omitempty"`
}

// SearchFunc runs a search. A query that cannot run as written is a
// *QueryError; ErrCannotRun says searching is not possible here (no
// archive).
type SearchFunc func(ctx context.Context, req SearchRequest) (SearchResult, error)

// QueryError is a query that does not parse or plan, with where: the API
// answers 400 with it, and the web UI shows Detail under the query.
type QueryError struct {
	Message string `json:"message"`
	// Detail is line:col and the message, the query's line, and a caret
	// under the fault; without a span, the message alone.
	Detail string `json:"detail"`
	// Line and Col (1-based, in characters) and Start and End (byte
	// offsets into the query, End exclusive) place the fault; zero
	// without a span.
	Line  int `json:"line,omitempty"`
	Col   int `json:"col,omitempty"`
	Start int `json:"start"`
	End   int `json:"end"`
}

func (e *QueryError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Message)
	}
	return e.Message
}

var errNoSearch = &httpError{http.StatusServiceUnavailable, "searching the event archive is not enabled"}

// stringList is a JSON string or list of strings.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = nil
		if one != "" {
			*l = stringList{one}
		}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// searchBody is the body of POST /api/v1/search.
type searchBody struct {
	Query    string     `json:"query"`
	Language string     `json:"language"`
	Index    stringList `json:"index"`
	From     string     `json:"from"`
	To       string     `json:"to"`
	Limit    int        `json:"limit"`
}

// ParseSearch checks a search's parameters as the API and the web UI take
// them: from and to as RFC 3339 times, dates, or lengths of time before
// now (24h); the language by name (kql is kuery); the limit within
// MaxSearchLimit (0 is DefaultSearchLimit).
func ParseSearch(query, language string, index []string, from, to string, limit int, now time.Time) (SearchRequest, error) {
	req := SearchRequest{Query: query, Index: index, Limit: limit}
	if strings.TrimSpace(query) == "" {
		return req, badParam("query", "the query is empty")
	}
	lang := strings.ToLower(strings.TrimSpace(language))
	switch lang {
	case "":
		lang = "esql"
	case "kql":
		lang = "kuery"
	}
	var err error
	if req.Language, err = oneOf("language", lang, SearchLanguages); err != nil {
		return req, err
	}
	if len(index) > 0 && req.Language != "kuery" && req.Language != "eql" {
		return req, badParam("index", "a %s query names its data itself: index is for kuery and eql", req.Language)
	}
	if req.From, err = parseTime("from", strings.TrimSpace(from), now); err != nil {
		return req, err
	}
	if req.To, err = parseTime("to", strings.TrimSpace(to), now); err != nil {
		return req, err
	}
	if !req.From.IsZero() && !req.To.IsZero() && req.From.After(req.To) {
		return req, badParam("to", "%s is before from (%s)", req.To.Format(time.RFC3339), req.From.Format(time.RFC3339))
	}
	switch {
	case limit < 0 || limit > MaxSearchLimit:
		return req, badParam("limit", "want 1 to %d rows, got %d", MaxSearchLimit, limit)
	case limit == 0:
		req.Limit = DefaultSearchLimit
	}
	return req, nil
}

// RunSearch runs req through search within timeout, turning an overrun
// into an error that says what to do.
func RunSearch(ctx context.Context, search SearchFunc, req SearchRequest, timeout time.Duration) (SearchResult, error) {
	if search == nil {
		return SearchResult{}, errNoSearch
	}
	if timeout <= 0 {
		timeout = DefaultSearchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := search(ctx, req)
	if err != nil && errors.Is(err, context.DeadlineExceeded) {
		return res, &httpError{http.StatusGatewayTimeout,
			fmt.Sprintf("the search ran longer than %s: narrow its time range or its query", duration.Format(timeout))}
	}
	if res.Columns == nil {
		res.Columns = []string{}
	}
	if res.Rows == nil {
		res.Rows = []alert.Fields{}
	}
	return res, err
}

// search answers POST /api/v1/search.
func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Search == nil {
		return errNoSearch
	}
	var b searchBody
	if err := decodeBody(w, r, &b, "search"); err != nil {
		return err
	}
	req, err := ParseSearch(b.Query, b.Language, b.Index, b.From, b.To, b.Limit, s.now())
	if err != nil {
		return err
	}
	res, err := RunSearch(r.Context(), s.opt.Search, req, s.opt.SearchTimeout)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
