package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/tripline/tripline/internal/store"
)

// paramError is a query or body parameter the API cannot use (400).
type paramError struct {
	param string
	err   error
}

func (e *paramError) Error() string { return fmt.Sprintf("invalid parameter %s: %v", e.param, e.err) }
func (e *paramError) Unwrap() error { return e.err }

func badParam(param, format string, args ...any) error {
	return &paramError{param: param, err: fmt.Errorf(format, args...)}
}

// httpError carries its own status.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

// ingestError is an ingest that failed after the engine had seen part of
// the body: the client learns what was accepted before the failure.
type ingestError struct {
	res IngestResult
	err error
}

func (e *ingestError) Error() string { return e.err.Error() }
func (e *ingestError) Unwrap() error { return e.err }

var (
	errUnauthorized = &httpError{http.StatusUnauthorized, "missing or invalid bearer token"}
	errNoStore      = &httpError{http.StatusServiceUnavailable, "no alert store is configured"}
	errNoIngest     = &httpError{http.StatusServiceUnavailable, "ingest is not enabled"}
	// errDecodedTooLarge is a compressed body that expands beyond its bound.
	errDecodedTooLarge = errors.New("decompressed request body is too large")
)

// errorBody is every error response.
type errorBody struct {
	Error  string        `json:"error"`
	Result *IngestResult `json:"result,omitempty"`
	// Query places a query's error in its text.
	Query *QueryError `json:"query,omitempty"`
}

// writeError turns an error into its HTTP status and a JSON body. It is
// the only place that decides statuses for errors.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := http.StatusInternalServerError
	msg := err.Error()
	var (
		pe  *paramError
		he  *httpError
		mbe *http.MaxBytesError
		ie  *ingestError
		qe  *QueryError
	)
	switch {
	case errors.As(err, &qe):
		code = http.StatusBadRequest
	case errors.As(err, &pe):
		code = http.StatusBadRequest
	case errors.As(err, &he):
		code = he.code
		if code == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tripline"`)
		}
	case errors.As(err, &mbe):
		code = http.StatusRequestEntityTooLarge
		msg = fmt.Sprintf("request body is larger than %d bytes", mbe.Limit)
	case errors.Is(err, errDecodedTooLarge):
		code = http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrBusy):
		code = http.StatusTooManyRequests
		w.Header().Set("Retry-After", "1")
		msg = "the engine is busy: retry later; nothing of this request was dropped silently"
	case errors.Is(err, store.ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, store.ErrExists):
		code = http.StatusConflict
	case errors.Is(err, ErrCannotRun):
		code = http.StatusUnprocessableEntity
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		code = http.StatusServiceUnavailable
	}
	body := errorBody{Error: msg}
	if qe != nil {
		body.Query = qe
	}
	if errors.As(err, &ie) && (ie.res.Accepted > 0 || ie.res.Bad > 0) {
		body.Result = &ie.res
		if code == http.StatusTooManyRequests {
			body.Error = fmt.Sprintf("the engine became busy after accepting %d records; send the rest again", ie.res.Accepted)
		}
	}
	if rec, ok := w.(*recorder); ok {
		rec.err = err // the access log line says why
	} else if code >= 500 {
		s.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "status", code, "err", err)
	}
	writeJSON(w, code, body)
}

// writeJSON writes v with a status; HTML characters stay as they are, as
// in tripline's NDJSON.
func writeJSON(w http.ResponseWriter, code int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		code = http.StatusInternalServerError
		b.Reset()
		m, _ := json.Marshal(errorBody{Error: "cannot encode response: " + err.Error()}) // a string always encodes
		b.Write(m)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(b.Bytes()) // a client that went away cannot be told
}
