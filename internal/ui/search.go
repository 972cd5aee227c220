package ui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/server"
)

// searchData is the search page: the form as sent, and what the search
// gave.
type searchData struct {
	Query, Language, Index, From, To, Limit string
	Languages                               []string
	Enabled                                 bool // a search function is set
	Ran                                     bool
	// Err is why the search did not run; Fault places a query's error in
	// its text (line:col, the line, a caret).
	Err   string
	Fault *server.QueryError
	Res   server.SearchResult
	Rows  [][]string // the cells, by Res.Columns
}

// maxSearchCell bounds a cell of the search page; the API has it whole.
const maxSearchCell = 4000

func (u *UI) search(r *http.Request) (string, view, error) {
	q := r.URL.Query()
	d := &searchData{Query: q.Get("query"), Language: q.Get("language"), Index: q.Get("index"),
		From: q.Get("from"), To: q.Get("to"), Limit: q.Get("limit"),
		Languages: server.SearchLanguages, Enabled: u.opt.Search != nil}
	if d.Language == "" {
		d.Language = "esql"
	}
	if d.From == "" && d.Query == "" {
		d.From = "24h"
	}
	v := view{Title: "Search", Nav: "search", Data: d}
	if strings.TrimSpace(d.Query) == "" || !d.Enabled {
		return "search", v, nil
	}
	limit := 0
	if d.Limit != "" {
		n, err := strconv.Atoi(d.Limit)
		if err != nil {
			d.Err = "limit: " + strconv.Quote(d.Limit) + " is not a number of rows"
			return "search", v, nil
		}
		limit = n
	}
	var index []string
	for _, p := range strings.Split(d.Index, ",") {
		if p = strings.TrimSpace(p); p != "" {
			index = append(index, p)
		}
	}
	req, err := server.ParseSearch(d.Query, d.Language, index, d.From, d.To, limit, u.opt.Now())
	if err != nil {
		d.Err = err.Error()
		return "search", v, nil
	}
	d.Ran = true
	res, err := server.RunSearch(r.Context(), u.opt.Search, req, u.opt.SearchTimeout)
	if err != nil {
		if !errors.As(err, &d.Fault) {
			d.Err = err.Error()
		}
		return "search", v, nil
	}
	d.Res = res
	d.Rows = cells(res.Columns, res.Rows)
	return "search", v, nil
}

// cells lays rows out by columns, each value as text; a row without a
// column has an empty cell.
func cells(cols []string, rows []alert.Fields) [][]string {
	at := make(map[string]int, len(cols))
	for i, c := range cols {
		at[c] = i
	}
	out := make([][]string, len(rows))
	for i, row := range rows {
		line := make([]string, len(cols))
		for _, f := range row {
			if j, ok := at[f.Name]; ok {
				line[j] = clip(maxSearchCell, visibleLine(formatValue(f.Value)))
			}
		}
		out[i] = line
	}
	return out
}
