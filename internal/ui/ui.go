package ui

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/tripline/tripline/internal/exception"
	"github.com/tripline/tripline/internal/server"
	"github.com/tripline/tripline/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// ContentSecurityPolicy is sent with every page: scripts, styles and
// images from this server alone (no inline script, no inline style, no
// eval), requests to this server alone, no framing, no plugins, and forms
// that post nowhere else.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Options configure the UI.
type Options struct {
	// Store holds the alerts, their history and risk; it must implement
	// store.Views too, as the stores store.Open returns do.
	Store store.Store
	// Rules lists the rules and their health, as the API's; nil lists none.
	Rules func() []server.RuleStatus
	// RiskThreshold and RiskWindow are the risk incident's rule: an entity
	// whose risk within RiskWindow exceeds RiskThreshold raises one. Zero
	// means 100 and 24 hours.
	RiskThreshold int
	RiskWindow    time.Duration
	// Search runs the search page's queries, and the entity page's
	// questions of the event archive (Bedrock usage, regions, source
	// addresses); nil offers no search. SearchTimeout bounds each (0
	// means server.DefaultSearchTimeout).
	Search        server.SearchFunc
	SearchTimeout time.Duration
	// FileExceptions lists the exceptions of the files beside the rules,
	// shown beside the store's; nil lists none.
	FileExceptions func() []exception.Exception
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives errors; nil discards them.
	Logger *slog.Logger
}

// UI renders the pages. Create it with New.
type UI struct {
	opt   Options
	views store.Views
	pages map[string]*template.Template
	log   *slog.Logger
}

// New checks the options and parses the templates.
func New(opt Options) (*UI, error) {
	if opt.Store == nil {
		return nil, errors.New("cannot serve the web UI without an alert store")
	}
	v, ok := opt.Store.(store.Views)
	if !ok {
		return nil, fmt.Errorf("cannot serve the web UI: the %T store cannot count and group alerts", opt.Store)
	}
	if opt.RiskThreshold <= 0 {
		opt.RiskThreshold = 100
	}
	if opt.RiskWindow <= 0 {
		opt.RiskWindow = 24 * time.Hour
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	u := &UI{opt: opt, views: v, pages: map[string]*template.Template{}, log: opt.Logger}
	if u.log == nil {
		u.log = slog.New(slog.DiscardHandler)
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("cannot parse the UI's layout: %w", err)
	}
	for _, name := range []string{"queue", "alert", "rules", "entity", "search", "login", "error"} {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("cannot parse the UI's %s page: %w", name, err)
		}
		u.pages[name] = t
	}
	return u, nil
}

// Pages returns the UI's routes for server.Options.Pages.
func (u *UI) Pages() map[string]http.Handler {
	static, _ := fs.Sub(staticFS, "static") // a constant, present directory
	files := http.FileServerFS(static)
	return map[string]http.Handler{
		"GET /{$}":         u.page(u.queue),
		"GET /alerts/{id}": u.page(u.alert),
		"GET /rules":       u.page(u.rules),
		"GET /entity":      u.page(u.entity),
		"GET /search":      u.page(u.search),
		"GET /login":       u.page(u.login),
		"GET /static/":     http.StripPrefix("/static/", staticHeaders(files)),
		"GET /favicon.ico": http.NotFoundHandler(),
	}
}

// view is what every page template gets.
type view struct {
	Title   string
	Nav     string // the menu entry to mark
	CSRF    string
	Session bool // logged in with a session: offer to log out
	Data    any
}

// pageFunc renders one page: it returns the template's name and its data,
// or an error for the error page.
type pageFunc func(r *http.Request) (name string, v view, err error)

// statusError is an error with the HTTP status of its page.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

func (u *UI) page(f pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		csrf := server.CSRFToken(w, r)
		name, v, err := f(r)
		code := http.StatusOK
		if err != nil {
			code = http.StatusInternalServerError
			var se *statusError
			switch {
			case errors.As(err, &se):
				code = se.code
			case errors.Is(err, store.ErrNotFound):
				code = http.StatusNotFound
			}
			if code >= 500 {
				u.log.Error("ui page failed", "path", r.URL.Path, "err", err)
			}
			name, v = "error", view{Title: http.StatusText(code), Data: err.Error()}
		}
		v.CSRF, v.Session = csrf, server.HasSession(r)
		var b bytes.Buffer
		if err := u.pages[name].Execute(&b, v); err != nil {
			u.log.Error("ui page failed to render", "path", r.URL.Path, "page", name, "err", err)
			code = http.StatusInternalServerError
			b.Reset()
			b.WriteString("cannot render this page; the server's log says why\n")
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		securityHeaders(w.Header())
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		_, _ = w.Write(b.Bytes()) // a browser that went away cannot be told
	})
}

func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
}

// staticHeaders serves the embedded script and style under the same
// policy as the pages.
func staticHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		w.Header().Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	})
}

func badRequest(format string, args ...any) error {
	return &statusError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}
