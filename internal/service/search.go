package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/logs"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/syntax"
	"github.com/tripline/tripline/internal/syntax/spl"
)

// SearchFunc runs searches for the API and the web UI with the engine,
// over the archived sources of each search's range (sources; open reads
// S3 objects again): only the events of the range count. A query that
// does not compile is a *server.QueryError placed in its text. macros
// expand SPL macros (nil: none). Without an archive (nil sources) every
// search is server.ErrCannotRun.
func SearchFunc(sources func(from, to time.Time) []string, open func(ctx context.Context, name string) (io.ReadCloser, error), macros *spl.Macros) server.SearchFunc {
	return func(ctx context.Context, req server.SearchRequest) (server.SearchResult, error) {
		lang := req.Language
		if lang == "kuery" {
			lang = rule.LangKQL
		}
		r := &rule.Rule{ID: "search", Name: "search", Language: lang, Query: req.Query, Indices: req.Index,
			Interval: engine.QuerySpec.Interval, LookBack: engine.QuerySpec.LookBack}
		c := engine.Compile(r, macros)
		if c.Err != nil {
			return server.SearchResult{}, queryError(c.Err)
		}
		if !c.Runnable() {
			return server.SearchResult{}, &server.QueryError{Message: "the query cannot run", Detail: "the query cannot run"}
		}
		if sources == nil {
			return server.SearchResult{}, fmt.Errorf("the event archive is disabled: %w", server.ErrCannotRun)
		}
		to := req.To
		if to.IsZero() {
			to = time.Now().UTC()
		}
		res := server.SearchResult{From: req.From, To: to, Warnings: c.Warnings}
		paths := sources(req.From, to)
		res.Sources = len(paths)
		if len(paths) == 0 {
			res.Note = "the event archive holds no events in this range"
			return res, nil
		}
		rows, stats, err := engine.Query(ctx, c, paths, engine.HuntOptions{From: req.From, To: to, Stdin: logs.Options{Open: open}})
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			return res, fmt.Errorf("cannot run the search: %w", err)
		}
		res.Records = stats.Total()
		if req.Limit > 0 && len(rows) > req.Limit {
			rows, res.Truncated = rows[:req.Limit], true
		}
		res.Columns, res.Rows = table(rows)
		return res, nil
	}
}

// queryError places a compile error in the query's text when it has a
// span.
func queryError(err error) *server.QueryError {
	var se *syntax.Error
	if !errors.As(err, &se) {
		return &server.QueryError{Message: err.Error(), Detail: err.Error()}
	}
	line, col := syntax.LineCol(se.Src, se.Span.Start)
	start, end := int(se.Span.Start), int(se.Span.End)
	start, end = min(max(start, 0), len(se.Src)), min(max(end, 0), len(se.Src))
	end = max(end, start)
	return &server.QueryError{Message: se.Msg, Detail: se.Detail(), Line: line, Col: col, Start: start, End: end}
}
