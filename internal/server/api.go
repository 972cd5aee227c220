package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/store"
)

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) error {
	if s.opt.Ready != nil {
		if err := s.opt.Ready(); err != nil {
			return &httpError{http.StatusServiceUnavailable, "not ready: " + err.Error()}
		}
	}
	if s.opt.Degraded != nil {
		if reasons := s.opt.Degraded(); len(reasons) > 0 {
			writeJSON(w, http.StatusOK, map[string]any{"status": "degraded", "reasons": reasons})
			return nil
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

// alertList is the answer of GET /api/v1/alerts.
type alertList struct {
	Alerts []*alert.Alert `json:"alerts"`
}

// alertDetail is one alert with the history of its status.
type alertDetail struct {
	Alert   *alert.Alert         `json:"alert"`
	History []store.StatusChange `json:"history"`
}

func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Store == nil {
		return errNoStore
	}
	f, err := AlertFilter(r.URL.Query(), s.now())
	if err != nil {
		return err
	}
	alerts, err := s.opt.Store.List(r.Context(), f)
	if err != nil {
		return fmt.Errorf("cannot list alerts: %w", err)
	}
	if alerts == nil {
		alerts = []*alert.Alert{}
	}
	writeJSON(w, http.StatusOK, alertList{Alerts: alerts})
	return nil
}

func (s *Server) detail(r *http.Request, id string) (alertDetail, error) {
	a, hist, err := s.opt.Store.Get(r.Context(), id)
	if err != nil {
		return alertDetail{}, fmt.Errorf("cannot get alert %s: %w", id, err)
	}
	if hist == nil {
		hist = []store.StatusChange{}
	}
	return alertDetail{Alert: a, History: hist}, nil
}

func (s *Server) getAlert(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Store == nil {
		return errNoStore
	}
	d, err := s.detail(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// statusRequest is the body of a status change.
type statusRequest struct {
	Status string `json:"status"`
	By     string `json:"by"`
	Note   string `json:"note"`
}

// maxStatusBody bounds a status change's body.
const maxStatusBody = 64 << 10

func (s *Server) setStatus(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Store == nil {
		return errNoStore
	}
	id := r.PathValue("id")
	var req statusRequest
	if err := decodeBody(w, r, &req, "status change"); err != nil {
		return err
	}
	ch, err := s.statusChange(req)
	if err != nil {
		return err
	}
	if err := s.opt.Store.SetStatus(r.Context(), id, ch); err != nil {
		return fmt.Errorf("cannot set the status of alert %s: %w", id, err)
	}
	s.log.Info("alert status changed", "alert", id, "status", ch.Status, "by", ch.By)
	d, err := s.detail(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// decodeBody reads one JSON value of a small request body into v; what
// names the body for errors.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, what string) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxStatusBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badParam("body", "cannot decode %s: %v", what, err)
	}
	if dec.More() {
		return badParam("body", "more than one JSON value")
	}
	return nil
}

// statusChange checks a requested change and stamps it with the time.
func (s *Server) statusChange(req statusRequest) (store.StatusChange, error) {
	st, err := oneOf("status", req.Status, statuses)
	if err != nil {
		return store.StatusChange{}, err
	}
	by := strings.TrimSpace(req.By)
	if by == "" {
		by = "api"
	}
	return store.StatusChange{Status: st, By: by, At: s.now().UTC(), Note: req.Note}, nil
}

// bulkStatusRequest is the body of a status change of several alerts.
type bulkStatusRequest struct {
	IDs []string `json:"ids"`
	statusRequest
}

// maxBulkStatus bounds the alerts one bulk status change names.
const maxBulkStatus = 500

// setStatuses answers POST /api/v1/alerts/status: one status change for
// several alerts, all of them or none.
func (s *Server) setStatuses(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Store == nil {
		return errNoStore
	}
	var req bulkStatusRequest
	if err := decodeBody(w, r, &req, "status change"); err != nil {
		return err
	}
	if len(req.IDs) == 0 || len(req.IDs) > maxBulkStatus {
		return badParam("ids", "want 1 to %d alert ids, got %d", maxBulkStatus, len(req.IDs))
	}
	ch, err := s.statusChange(req.statusRequest)
	if err != nil {
		return err
	}
	v, ok := s.opt.Store.(store.Views)
	if !ok {
		return &httpError{http.StatusNotImplemented, "this store cannot change several alerts at once"}
	}
	if err := v.SetStatuses(r.Context(), req.IDs, ch); err != nil {
		return fmt.Errorf("cannot set the status of %d alerts: %w", len(req.IDs), err)
	}
	s.log.Info("alert statuses changed", "alerts", len(req.IDs), "status", ch.Status, "by", ch.By)
	writeJSON(w, http.StatusOK, map[string]any{"changed": len(req.IDs), "status": ch.Status})
	return nil
}

// alertGroups answers GET /api/v1/alerts/groups?by=rule|entity with the
// list's filters: how many alerts each rule or entity has.
func (s *Server) alertGroups(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Store == nil {
		return errNoStore
	}
	v, ok := s.opt.Store.(store.Views)
	if !ok {
		return &httpError{http.StatusNotImplemented, "this store cannot group alerts"}
	}
	q := r.URL.Query()
	by, err := oneOf("by", q.Get("by"), []string{string(store.ByRule), string(store.ByEntity)})
	if err != nil {
		return err
	}
	f, err := AlertFilter(q, s.now())
	if err != nil {
		return err
	}
	groups, err := v.Groups(r.Context(), f, store.GroupBy(by))
	if err != nil {
		return fmt.Errorf("cannot group alerts: %w", err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"by": by, "groups": groups})
	return nil
}

func (s *Server) risk(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Store == nil {
		return errNoStore
	}
	f, err := riskFilter(r.URL.Query(), s.now())
	if err != nil {
		return err
	}
	risk, err := s.opt.Store.Risk(r.Context(), f)
	if err != nil {
		return fmt.Errorf("cannot sum risk: %w", err)
	}
	if risk == nil {
		risk = []store.EntityRisk{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"risk": risk})
	return nil
}

func (s *Server) riskEvents(w http.ResponseWriter, r *http.Request) error {
	if s.opt.Store == nil {
		return errNoStore
	}
	f, err := riskFilter(r.URL.Query(), s.now())
	if err != nil {
		return err
	}
	evs, err := s.opt.Store.RiskEvents(r.Context(), f)
	if err != nil {
		return fmt.Errorf("cannot list risk events: %w", err)
	}
	if evs == nil {
		evs = []store.RiskEvent{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": evs})
	return nil
}

func (s *Server) rules(w http.ResponseWriter, _ *http.Request) error {
	rules := []RuleStatus{}
	if s.opt.Rules != nil {
		if rs := s.opt.Rules(); rs != nil {
			rules = rs
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": rules})
	return nil
}
