package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tripline/tripline/internal/exception"
	"github.com/tripline/tripline/internal/metrics"
	"github.com/tripline/tripline/internal/store"
)

// DefaultListen is where the API listens when Options.Listen is empty.
const DefaultListen = "127.0.0.1:7700"

// DefaultMaxBodyBytes bounds an ingest request's body when
// Options.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 64 << 20

// ErrBusy is what Ingest returns when the engine cannot take more records
// now; the client is told to retry (429 with Retry-After).
var ErrBusy = errors.New("busy")

// IngestFunc hands one request body (decompressed) to the engine. It
// returns how many records were accepted and how many were bad, or ErrBusy
// when the engine's queue is full. The body is valid only until it returns.
type IngestFunc func(ctx context.Context, body io.Reader, meta IngestMeta) (IngestResult, error)

// IngestMeta is what an ingest request says about its body.
type IngestMeta struct {
	ContentType string
	// Stream names the client's stream of logs, from the stream query
	// parameter or the X-Tripline-Stream header ("ingest" when neither is
	// given): each stream keeps watermarks of its own, so a client that
	// runs behind others does not have its events counted late.
	Stream string
}

// DefaultIngestStream is the stream of ingest requests that name none.
const DefaultIngestStream = "ingest"

// IngestResult is the engine's account of one ingest request.
type IngestResult struct {
	// Accepted counts the records queued for the rules.
	Accepted int `json:"accepted"`
	// Duplicates and Late count records read but not queued: copies of
	// records the engine has read, and records older than every window
	// the rules of their kind still evaluate (they would count nowhere).
	Duplicates int      `json:"duplicates"`
	Late       int      `json:"late"`
	Bad        int      `json:"bad"`
	Problems   []string `json:"problems,omitempty"`
}

// RuleStatus is the health of one rule as the live engine sees it.
type RuleStatus struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Language string    `json:"language"`
	File     string    `json:"file,omitempty"`
	Severity string    `json:"severity"`
	Interval string    `json:"interval,omitempty"`
	LookBack string    `json:"look_back,omitempty"`
	Healthy  bool      `json:"healthy"`
	LastRun  time.Time `json:"last_run,omitzero"`
	// RunTime is how long the last run took, as a length of time ("12ms").
	RunTime   string `json:"run_time,omitempty"`
	LastError string `json:"last_error,omitempty"`
	Alerts    int    `json:"alerts"`
	Skipped   string `json:"skipped,omitempty"` // why the rule does not run, when it does not
	// Type is the rule's kind as its format names it (esql, query, eql,
	// threshold, new_terms, ...); Query is its query as written and Plan
	// the plan it runs, printed.
	Type  string `json:"type,omitempty"`
	Query string `json:"query,omitempty"`
	Plan  string `json:"plan,omitempty"`
	// Watermark is the event time up to which the rule's input is
	// complete. LateEvents counts events that came after the windows
	// holding them were evaluated, and LateWaitingOn names the stream the
	// rule waited on when the last of them came.
	Watermark     time.Time `json:"watermark,omitzero"`
	LateEvents    int       `json:"late_events"`
	LateWaitingOn string    `json:"late_waiting_on,omitempty"`
	// Tests are the results of the rule's tests, run when serve started;
	// TestsPending is set while they are still running.
	Tests        []RuleTest `json:"tests,omitempty"`
	TestsPending bool       `json:"tests_pending,omitempty"`
	// Reads are the record paths the rule's fields are read from, where a
	// field is a record path under another name (user.id is identity.arn),
	// so that a page can mark them in an evidence record.
	Reads []string `json:"reads,omitempty"`
}

// RuleTest is the result of one of a rule's tests.
type RuleTest struct {
	Name     string   `json:"name"`
	Passed   bool     `json:"passed"`
	Skipped  string   `json:"skipped,omitempty"` // why it did not run
	Failures []string `json:"failures,omitempty"`
	Elapsed  string   `json:"elapsed,omitempty"`
}

// Options configure a Server. Only Store-backed endpoints need Store;
// without Ingest the ingest endpoint answers 503.
type Options struct {
	// Listen is host:port; empty means DefaultListen.
	Listen string
	// Token is the bearer token every endpoint but /healthz and /readyz
	// requires when set. It must be set when Listen is not a loopback
	// address (127.0.0.0/8, ::1, localhost).
	Token string
	// Store holds alerts, their status and risk.
	Store store.Store
	// Ingest receives the bodies posted to /api/v1/ingest.
	Ingest IngestFunc
	// Rules lists the rules and their health; nil lists none.
	Rules func() []RuleStatus
	// Hosts are further names (or addresses) the server may be reached by,
	// beyond loopback and the listen address: requests naming any other
	// Host are refused, against DNS rebinding.
	Hosts []string
	// Ready says whether the service is ready; nil means always ready.
	Ready func() error
	// Degraded, when set, says why results may be incomplete (events
	// dropped as late, records rejected): /readyz stays 200 but answers
	// "degraded" with the reasons, for an operator's eyes rather than a
	// load balancer's.
	Degraded func() []string
	// Drilldown runs an alert's drilldown searches for
	// /api/v1/alerts/{id}/drilldowns/{n}; nil answers 503.
	Drilldown DrilldownFunc
	// Search runs ad hoc queries over the event archive for
	// POST /api/v1/search; nil answers 503. SearchTimeout bounds each
	// (0 means DefaultSearchTimeout).
	Search        SearchFunc
	SearchTimeout time.Duration
	// FileExceptions lists the exceptions read from files beside the
	// rules, shown beside the store's (which the store must keep: see
	// store.Exceptions); nil lists none.
	FileExceptions func() []exception.Exception
	// ExceptionsChanged is called after each change of the store's
	// exceptions, so that the engine judges the next events by them.
	ExceptionsChanged ExceptionsChangedFunc
	// Pages are the web UI's routes, pattern to handler ("GET /rules"),
	// served behind the same guard, authentication and CSRF check as the
	// API; a person without a session is sent to /login. nil serves no UI.
	Pages map[string]http.Handler
	// Metrics is where the server registers its own metrics and what
	// /metrics serves; nil gives the server a registry of its own.
	Metrics *metrics.Registry
	// Logger receives the access log and errors; nil discards them.
	Logger *slog.Logger
	// MaxBodyBytes bounds an ingest body, as sent and, for a gzip body, as
	// it inflates; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// ShutdownTimeout bounds the graceful shutdown; 0 means 10 seconds.
	ShutdownTimeout time.Duration
}

// Server is the HTTP API. Create it with New.
type Server struct {
	opt      Options
	listen   string
	log      *slog.Logger
	token    [sha256.Size]byte
	hasToken bool
	// sessionKey signs session cookies; it derives from the token.
	sessionKey [sha256.Size]byte
	handler    http.Handler
	now        func() time.Time
	m          serverMetrics
}

type serverMetrics struct {
	requests       *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	ingestRequests *prometheus.CounterVec
	ingestBytes    prometheus.Counter
	ingestRecords  *prometheus.CounterVec
}

// requestBuckets are the upper bounds, in seconds, of
// tripline_http_request_duration_seconds: from 1 ms to a minute.
var requestBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// newServerMetrics registers the server's metrics in reg, or finds them
// there when another server on the same registry registered them first.
func newServerMetrics(reg *metrics.Registry) serverMetrics {
	counterVec := func(name, help string, labels ...string) *prometheus.CounterVec {
		return metrics.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels))
	}
	return serverMetrics{
		requests: counterVec("tripline_http_requests_total",
			"HTTP requests to the API, by route and status code.", "handler", "code"),
		duration: metrics.Register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tripline_http_request_duration_seconds", Help: "Time to answer an API request, by route.",
			Buckets: requestBuckets,
		}, []string{"handler"})),
		ingestRequests: counterVec("tripline_http_ingest_requests_total",
			"Ingest requests by outcome (accepted, busy, too_large, bad_request, error).", "outcome"),
		ingestBytes: metrics.Register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tripline_http_ingest_bytes_total", Help: "Bytes of (decompressed) ingest bodies handed to the engine.",
		})),
		ingestRecords: counterVec("tripline_http_ingest_records_total",
			"Records received on the ingest endpoint, by result (accepted, bad).", "result"),
	}
}

// New checks the options and builds a server. It refuses to listen beyond
// loopback without a token.
func New(opt Options) (*Server, error) {
	s := &Server{opt: opt, listen: opt.Listen, log: opt.Logger, now: time.Now}
	if s.listen == "" {
		s.listen = DefaultListen
	}
	loopback, err := isLoopback(s.listen)
	if err != nil {
		return nil, err
	}
	if !loopback && opt.Token == "" {
		return nil, fmt.Errorf("cannot serve the API on %s without a token: set one, or listen on 127.0.0.1", s.listen)
	}
	if opt.Token != "" {
		s.token, s.hasToken = sha256.Sum256([]byte(opt.Token)), true
		s.sessionKey = sessionKey(opt.Token)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.opt.MaxBodyBytes <= 0 {
		s.opt.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if s.opt.ShutdownTimeout <= 0 {
		s.opt.ShutdownTimeout = 10 * time.Second
	}
	if s.opt.Metrics == nil {
		s.opt.Metrics = metrics.NewRegistry()
	}
	s.m = newServerMetrics(s.opt.Metrics)
	s.handler = s.routes()
	return s, nil
}

// isLoopback reports whether a host:port names only the loopback
// interface. An empty host (":7700") listens everywhere.
func isLoopback(listen string) (bool, error) {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false, fmt.Errorf("cannot parse listen address %q: %w", listen, err)
	}
	if strings.EqualFold(host, "localhost") {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

// Handler returns the API's handler: authentication, access log and
// metrics around every route.
func (s *Server) Handler() http.Handler { return s.handler }

// ListenAndServe listens on Options.Listen and serves until ctx is
// cancelled, then shuts down gracefully: it stops accepting, lets requests
// in flight finish (within ShutdownTimeout) and returns nil.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		return fmt.Errorf("cannot listen for the API: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve is ListenAndServe on a listener the caller opened; it closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("api listening", "addr", ln.Addr().String(), "auth", s.hasToken)
	select {
	case err := <-errc:
		return fmt.Errorf("cannot serve the API: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.opt.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		_ = hs.Close()
		return fmt.Errorf("cannot shut the API down gracefully: %w", err)
	}
	<-errc // http.ErrServerClosed
	s.log.Info("api stopped")
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", s.api(s.healthz))
	mux.Handle("GET /readyz", s.api(s.readyz))
	mux.Handle("GET /metrics", s.opt.Metrics.Handler())
	mux.Handle("GET /api/v1/alerts", s.api(s.listAlerts))
	mux.Handle("GET /api/v1/alerts/{id}", s.api(s.getAlert))
	mux.Handle("GET /api/v1/alerts/{id}/drilldowns/{n}", s.api(s.drilldown))
	mux.Handle("PATCH /api/v1/alerts/{id}/status", s.api(s.setStatus))
	mux.Handle("POST /api/v1/alerts/{id}/status", s.api(s.setStatus))
	mux.Handle("GET /api/v1/risk", s.api(s.risk))
	mux.Handle("GET /api/v1/risk/events", s.api(s.riskEvents))
	mux.Handle("GET /api/v1/rules", s.api(s.rules))
	mux.Handle("POST /api/v1/ingest", s.api(s.ingest))
	mux.Handle("GET /api/v1/alerts/groups", s.api(s.alertGroups))
	mux.Handle("POST /api/v1/alerts/status", s.api(s.setStatuses))
	mux.Handle("POST /api/v1/search", s.api(s.search))
	mux.Handle("GET /api/v1/exceptions", s.api(s.listExceptions))
	mux.Handle("POST /api/v1/exceptions", s.api(s.addException))
	mux.Handle("GET /api/v1/exceptions/history", s.api(s.exceptionHistory))
	mux.Handle("POST /api/v1/exceptions/{id}/remove", s.api(s.removeException))
	mux.Handle("POST /api/v1/session", s.api(s.login))
	mux.Handle("POST /api/v1/session/end", s.api(s.logout))
	for pattern, h := range s.opt.Pages {
		mux.Handle(pattern, h)
	}
	return s.observe(s.guard(s.authenticate(s.csrf(mux))))
}

// handlerFunc is an endpoint; the error it returns is written by writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) api(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// openPath reports whether r is answered without a token: probes must
// work for orchestrators that hold no secret, and a person must reach the
// login page, its assets and the login itself.
func openPath(r *http.Request) bool {
	p := r.URL.Path
	switch {
	case p == "/healthz" || p == "/readyz":
		return true
	case r.Method == http.MethodGet && (p == "/login" || strings.HasPrefix(p, "/static/")):
		return true
	case r.Method == http.MethodPost && p == "/api/v1/session":
		return true
	}
	return false
}

// authenticate lets through requests with the bearer token, or with a
// valid session cookie (marked for HasSession), and the open paths. A
// person's browser asking for a page without either is sent to log in.
func (s *Server) authenticate(next http.Handler) http.Handler {
	if !s.hasToken {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if openPath(r) {
			next.ServeHTTP(w, r)
			return
		}
		if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok {
			sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
			if strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare(sum[:], s.token[:]) == 1 {
				next.ServeHTTP(w, r)
				return
			}
		} else if c, err := r.Cookie(SessionCookie); err == nil && s.validSession(c.Value) {
			next.ServeHTTP(w, withSession(r))
			return
		}
		if s.opt.Pages != nil && pagePath(r) && r.Header.Get("Authorization") == "" {
			loginRedirect(w, r)
			return
		}
		s.writeError(w, r, errUnauthorized)
	})
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	err    error // what writeError answered with
}

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 {
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// observe writes the access log and the request metrics, and turns a
// handler's panic into a 500 with its stack in the log.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// No answer of this server, JSON or page, is to be sniffed into
		// another type or framed by another site.
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		rec := &recorder{ResponseWriter: w}
		defer func() {
			p := recover()
			panicked := p != nil
			if panicked {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("api handler panicked", "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if rec.status == 0 {
					s.writeError(rec, r, fmt.Errorf("handler panicked: %v", p))
				}
			}
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			d := time.Since(start)
			route := r.Pattern
			if route == "" {
				route = "none"
			}
			s.m.requests.WithLabelValues(route, strconv.Itoa(rec.status)).Inc()
			s.m.duration.WithLabelValues(route).Observe(d.Seconds())
			if panicked {
				return // logged above, once
			}
			// One line a request, at DEBUG: a busy API would bury
			// everything else at INFO. Failures of our own show at ERROR,
			// with their cause.
			level := slog.LevelDebug
			attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", rec.status), slog.Duration("duration", d),
				slog.Int64("bytes", rec.bytes), slog.String("remote", r.RemoteAddr)}
			if rec.status >= 500 {
				level = slog.LevelError
				if rec.err != nil {
					attrs = append(attrs, slog.String("err", rec.err.Error()))
				}
			}
			s.log.LogAttrs(r.Context(), level, "http request", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}
