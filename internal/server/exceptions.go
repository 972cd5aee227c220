package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/duration"
	"github.com/tripline/tripline/internal/exception"
	"github.com/tripline/tripline/internal/store"
)

// Exception sources, as the API names them.
const (
	SourceStore = "store" // added from an alert, the CLI or the API; kept with its history
	SourceFile  = "file"  // read from an exceptions file beside the rules; changed by editing it
)

// ExceptionView is an exception as the API shows it: where it comes from,
// and, for one the store kept, whether and why it was removed.
type ExceptionView struct {
	exception.Exception
	Source  string                 `json:"source"`
	Removed *store.ExceptionChange `json:"removed,omitempty"`
	// Active is false for a removed or expired exception.
	Active bool `json:"active"`
}

// ExceptionsChangedFunc is called after the store's exceptions changed,
// so that the engine judges the next events and results by them.
type ExceptionsChangedFunc func(ctx context.Context) error

var errNoExceptions = &httpError{http.StatusNotImplemented, "this store keeps no exceptions"}

func (s *Server) exceptionStore() (store.Exceptions, error) {
	if s.opt.Store == nil {
		return nil, errNoStore
	}
	x, ok := s.opt.Store.(store.Exceptions)
	if !ok {
		return nil, errNoExceptions
	}
	return x, nil
}

// ListExceptions returns the exceptions of the files and of the store
// (with the removed ones when removed is set), files first: the list the
// API and the web UI show.
func ListExceptions(ctx context.Context, st store.Store, files func() []exception.Exception, removed bool, now time.Time) ([]ExceptionView, error) {
	var out []ExceptionView
	if files != nil {
		for _, e := range files() {
			out = append(out, ExceptionView{Exception: e, Source: SourceFile, Active: e.Active(now)})
		}
	}
	x, ok := st.(store.Exceptions)
	if !ok {
		return out, nil
	}
	stored, err := x.ListExceptions(ctx, removed)
	if err != nil {
		return nil, err
	}
	for _, e := range stored {
		out = append(out, ExceptionView{Exception: e.Exception, Source: SourceStore, Removed: e.Removed,
			Active: e.Removed == nil && e.Active(now)})
	}
	return out, nil
}

// listExceptions answers GET /api/v1/exceptions[?removed=true].
func (s *Server) listExceptions(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Store == nil {
		return errNoStore
	}
	removed := r.URL.Query().Get("removed")
	if removed != "" && removed != "true" && removed != "false" {
		return badParam("removed", "want true or false, got %q", removed)
	}
	list, err := ListExceptions(r.Context(), s.opt.Store, s.opt.FileExceptions, removed == "true", s.now())
	if err != nil {
		return fmt.Errorf("cannot list exceptions: %w", err)
	}
	if list == nil {
		list = []ExceptionView{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"exceptions": list})
	return nil
}

// ExceptionRequest is the body of POST /api/v1/exceptions, and what the
// CLI asks for.
type ExceptionRequest struct {
	// Rule is the rule's id; empty or "*" for every rule.
	Rule   string   `json:"rule"`
	Field  string   `json:"field"`
	Values []string `json:"values"`
	Value  string   `json:"value"` // one value, instead of values
	Match  string   `json:"match"`
	Reason string   `json:"reason"`
	Author string   `json:"author"`
	// Expires is an RFC 3339 time, or a length of time from now (30d);
	// empty never expires.
	Expires string `json:"expires"`
	// Note goes into the history (the alert it was added from).
	Note string `json:"note"`
}

// NewException checks a requested exception and gives it its id, the
// time it was created (now) and its expiry.
func NewException(req ExceptionRequest, now time.Time) (exception.Exception, error) {
	e := exception.Exception{Rule: strings.TrimSpace(req.Rule), Field: strings.TrimSpace(req.Field), Values: req.Values,
		Match: strings.TrimSpace(req.Match), Reason: strings.TrimSpace(req.Reason), Author: strings.TrimSpace(req.Author),
		Created: now.UTC()}
	if e.Rule == "*" {
		e.Rule = ""
	}
	if req.Value != "" {
		e.Values = append(e.Values, req.Value)
	}
	if v := strings.TrimSpace(req.Expires); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			d, derr := duration.Parse(v)
			if derr != nil {
				return e, badParam("expires", "%q is neither an RFC 3339 time nor a length of time like 30d", v)
			}
			t = now.Add(d)
		}
		if !t.After(now) {
			return e, badParam("expires", "%s is not in the future", t.UTC().Format(time.RFC3339))
		}
		e.Expires = t.UTC()
	}
	if err := e.Check(); err != nil {
		return e, badParam("body", "%v", err)
	}
	e.ID = exception.DeriveID(&e)
	return e, nil
}

// addException answers POST /api/v1/exceptions: the exception is stored
// and applies to the next events and results at once.
func (s *Server) addException(w http.ResponseWriter, r *http.Request) error {
	x, err := s.exceptionStore()
	if err != nil {
		return err
	}
	var req ExceptionRequest
	if err := decodeBody(w, r, &req, "exception"); err != nil {
		return err
	}
	now := s.now()
	e, err := NewException(req, now)
	if err != nil {
		return err
	}
	if s.opt.FileExceptions != nil {
		for _, f := range s.opt.FileExceptions() {
			if f.ID == e.ID || exception.DeriveID(&f) == e.ID {
				return fmt.Errorf("cannot add exception %s: an exceptions file holds it as %s: %w", e.ID, f.ID, store.ErrExists)
			}
		}
	}
	if err := x.AddException(r.Context(), e, store.ExceptionChange{By: e.Author, At: now.UTC(), Note: req.Note}); err != nil {
		return fmt.Errorf("cannot add exception %s: %w", e.ID, err)
	}
	s.log.Info("exception added", "id", e.ID, "rule", e.Rule, "field", e.Field, "by", e.Author)
	if err := s.exceptionsChanged(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ExceptionView{Exception: e, Source: SourceStore, Active: true})
	return nil
}

// removeRequest is the body of POST /api/v1/exceptions/{id}/remove.
type removeRequest struct {
	By  string `json:"by"`
	Why string `json:"why"`
}

// removeException answers POST /api/v1/exceptions/{id}/remove.
func (s *Server) removeException(w http.ResponseWriter, r *http.Request) error {
	x, err := s.exceptionStore()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	var req removeRequest
	if err := decodeBody(w, r, &req, "removal"); err != nil {
		return err
	}
	by, why := strings.TrimSpace(req.By), strings.TrimSpace(req.Why)
	if by == "" {
		return badParam("by", "say who removes the exception")
	}
	if why == "" {
		return badParam("why", "say why the exception goes")
	}
	if s.opt.FileExceptions != nil {
		for _, f := range s.opt.FileExceptions() {
			if f.ID == id {
				return &httpError{http.StatusConflict, "exception " + id + " is read from an exceptions file: remove it there"}
			}
		}
	}
	if err := x.RemoveException(r.Context(), id, store.ExceptionChange{By: by, At: s.now().UTC(), Note: why}); err != nil {
		return fmt.Errorf("cannot remove exception %s: %w", id, err)
	}
	s.log.Info("exception removed", "id", id, "by", by)
	if err := s.exceptionsChanged(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"removed": id})
	return nil
}

func (s *Server) exceptionsChanged(ctx context.Context) error {
	if s.opt.ExceptionsChanged == nil {
		return nil
	}
	if err := s.opt.ExceptionsChanged(ctx); err != nil {
		return fmt.Errorf("the change is stored but the engine has not applied it yet: %w", err)
	}
	return nil
}

// exceptionHistory answers GET /api/v1/exceptions/history[?id=...]: every
// change of the stored exceptions, oldest first.
func (s *Server) exceptionHistory(w http.ResponseWriter, r *http.Request) error {
	x, err := s.exceptionStore()
	if err != nil {
		return err
	}
	hist, err := x.ExceptionHistory(r.Context(), r.URL.Query().Get("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"changes": hist})
	return nil
}
