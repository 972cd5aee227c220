package server

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// trackReader remembers the first error other than io.EOF that its reader
// returned, whatever the engine made of it, and counts bytes.
type trackReader struct {
	r   io.Reader
	n   int64
	err error
}

func (t *trackReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.n += int64(n)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}

// limitReader fails with errDecodedTooLarge past its bound, where
// io.LimitReader would end quietly and truncate the last record.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, errDecodedTooLarge
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1] // one byte more tells "exactly at the bound" from "over"
	}
	n, err := l.r.Read(p)
	if int64(n) > l.left {
		n, l.left = int(l.left), -1
		return n, errDecodedTooLarge
	}
	l.left -= int64(n)
	return n, err
}

func (s *Server) ingest(w http.ResponseWriter, r *http.Request) (err error) {
	outcome := "error"
	defer func() {
		if err == nil {
			outcome = "accepted"
		}
		s.m.ingestRequests.WithLabelValues(outcome).Inc()
	}()
	if s.opt.Ingest == nil {
		return errNoIngest
	}
	stream := cmp.Or(r.URL.Query().Get("stream"), r.Header.Get("X-Tripline-Stream"), DefaultIngestStream)
	if !validStream(stream) {
		outcome = "bad_request"
		return badParam("stream", "%q is not a stream name: use 1 to 64 letters, digits, '.', '_' or '-'", stream)
	}
	max := s.opt.MaxBodyBytes
	if r.ContentLength > max {
		outcome = "too_large"
		return &http.MaxBytesError{Limit: max}
	}
	raw := &trackReader{r: http.MaxBytesReader(w, r.Body, max)}
	body := io.Reader(raw)
	var decoded *trackReader
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		decoded = raw
	case "gzip", "x-gzip":
		zr, zerr := gzip.NewReader(raw)
		if zerr != nil {
			if raw.err != nil {
				return s.ingestFailed(&outcome, raw.err, nil, IngestResult{}, nil)
			}
			outcome = "bad_request"
			return badParam("body", "cannot read the gzip body: %v", zerr)
		}
		defer zr.Close()
		// The bound applies to what the body inflates to, as it streams:
		// a small gzip bomb is cut off, not held.
		decoded = &trackReader{r: &limitReader{r: zr, left: max}}
		body = decoded
	default:
		outcome = "bad_request"
		return &httpError{http.StatusUnsupportedMediaType,
			fmt.Sprintf("unsupported Content-Encoding %q: send the body plain or gzip", enc)}
	}

	res, err := s.opt.Ingest(r.Context(), body, IngestMeta{ContentType: r.Header.Get("Content-Type"), Stream: stream})
	s.m.ingestBytes.Add(float64(decoded.n))
	s.m.ingestRecords.WithLabelValues("accepted").Add(float64(res.Accepted))
	s.m.ingestRecords.WithLabelValues("bad").Add(float64(res.Bad))
	// A failure to read the body decides the answer, whatever the engine
	// made of the truncated stream.
	if raw.err != nil {
		return s.ingestFailed(&outcome, raw.err, err, res, nil)
	}
	if decoded != raw && decoded.err != nil {
		return s.ingestFailed(&outcome, decoded.err, err, res, decoded)
	}
	if err != nil {
		if errors.Is(err, ErrBusy) {
			outcome = "busy"
		}
		return &ingestError{res: res, err: fmt.Errorf("cannot ingest: %w", err)}
	}
	if res.Accepted == 0 && res.Bad > 0 {
		outcome = "bad_request"
		return &ingestError{res: res, err: badParam("body", "no record in the body could be read (%d bad); see result.problems", res.Bad)}
	}
	writeJSON(w, http.StatusAccepted, res)
	return nil
}

// ingestFailed classifies an error met while reading the body: too large
// (413), or unreadable (400).
func (s *Server) ingestFailed(outcome *string, readErr, ingestErr error, res IngestResult, decoded *trackReader) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(readErr, &mbe), errors.Is(readErr, errDecodedTooLarge):
		*outcome = "too_large"
		return &ingestError{res: res, err: readErr}
	case decoded != nil:
		*outcome = "bad_request"
		return &ingestError{res: res, err: badParam("body", "cannot decompress the gzip body: %v", readErr)}
	}
	*outcome = "bad_request"
	if ingestErr != nil {
		s.log.Debug("ingest stopped by a body that could not be read", "err", ingestErr)
	}
	return &ingestError{res: res, err: badParam("body", "cannot read the request body: %v", readErr)}
}

// validStream reports whether a client's stream name is one the engine
// may use in file names and logs.
func validStream(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return s != "." && s != ".."
}
