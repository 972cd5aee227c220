package store

import (
	"context"
	"errors"
	"time"

	"github.com/tripline/tripline/internal/alert"
)

// ErrNotFound is returned when an alert id is unknown.
var ErrNotFound = errors.New("not found")

// Status values of an alert.
const (
	StatusOpen         = "open"
	StatusAcknowledged = "acknowledged"
	StatusClosed       = "closed"
)

// Filter selects alerts. Zero fields do not filter. Since/Until compare
// with the alert's Timestamp (when it was first raised): Since is
// inclusive, Until exclusive.
type Filter struct {
	Since, Until time.Time
	// Severity keeps alerts at this severity or above (low < medium < high < critical).
	Severity string
	RuleID   string
	Status   string
	// Entity keeps alerts that attribute risk to this entity (exact match).
	Entity string
	// Language keeps alerts of rules in this language (esql, spl, ...).
	Language string
	// Technique keeps alerts of rules mapped to this MITRE ATT&CK or ATLAS
	// technique id (T1078, AML.T0040); a technique's id also finds the
	// alerts mapped to its sub-techniques.
	Technique string
	// Text keeps alerts whose document holds this text anywhere (reason,
	// rule, group values, row, evidence), ignoring ASCII case.
	Text   string
	Limit  int // 0: no limit
	Offset int // alerts to skip, after ordering
}

// StatusChange is who changed an alert's status, to what, when and why.
type StatusChange struct {
	Status string    `json:"status"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
}

// RiskEvent is risk that an alert attributes to one entity (a Splunk RBA
// risk object, or the user entity of an Elastic rule), or a threat object.
type RiskEvent struct {
	Time       time.Time `json:"time"`
	Entity     string    `json:"entity"`      // normalized_risk_object
	EntityType string    `json:"entity_type"` // user, system, other; for threat objects e.g. ip_address
	Score      int       `json:"score"`
	Threat     bool      `json:"threat,omitempty"`
	AlertID    string    `json:"alert_id"`
	RuleID     string    `json:"rule_id"`
	RuleName   string    `json:"rule_name"` // search_name
	Message    string    `json:"message"`   // risk_message
	Tactics    []string  `json:"tactics,omitempty"`
	Techniques []string  `json:"techniques,omitempty"`
	Stories    []string  `json:"analytic_stories,omitempty"`
}

// EntityRisk is the risk of one entity over a window.
type EntityRisk struct {
	Entity     string    `json:"entity"`
	EntityType string    `json:"entity_type"`
	Score      int       `json:"score"`
	Count      int       `json:"count"`
	Rules      []string  `json:"rules"`
	AlertIDs   []string  `json:"alert_ids"`
	First      time.Time `json:"first"`
	Last       time.Time `json:"last"`
}

// RiskFilter selects risk events by time (the event's Time; Since
// inclusive, Until exclusive) and entity (exact match). Limit caps events
// for RiskEvents and entities for Risk; 0 means no limit.
type RiskFilter struct {
	Since, Until time.Time
	Entities     []string
	// AlertIDs keeps the risk events of these alerts.
	AlertIDs []string
	Limit    int
}

// GroupBy names what Views.Groups counts alerts by.
type GroupBy string

// The groupings of Views.Groups.
const (
	ByRule   GroupBy = "rule"   // Group.Key is the rule id
	ByEntity GroupBy = "entity" // Group.Key is an entity that alerts attribute risk to
)

// Group is how many of the alerts a Filter selects share one key.
type Group struct {
	Key    string    `json:"key"`
	Count  int       `json:"count"`
	Latest time.Time `json:"latest"` // the newest alert's Timestamp
}

// Views are the questions a triage screen asks beyond Store's: how many
// alerts a filter selects, how they group, and a status change of many
// alerts at once. The stores Open returns implement it.
type Views interface {
	// Count returns how many alerts f selects, ignoring its Limit and Offset.
	Count(ctx context.Context, f Filter) (int, error)
	// Groups counts the alerts f selects (its Limit and Offset ignored) by
	// rule or by entity, most alerts first; an alert with several
	// entities counts once for each.
	Groups(ctx context.Context, f Filter, by GroupBy) ([]Group, error)
	// SetStatuses changes the status of every alert in ids in one
	// transaction: all of them or, when one is unknown (ErrNotFound),
	// none.
	SetStatuses(ctx context.Context, ids []string, ch StatusChange) error
}

// Store is where alerts and risk live. Implementations are safe for
// concurrent use.
type Store interface {
	// Upsert inserts alerts, or updates those whose id exists: the content
	// fields (row, last seen, event count, evidence, matches, window end)
	// are replaced; status and its history are kept. Upsert of the same
	// alert twice leaves one alert.
	Upsert(ctx context.Context, alerts []*alert.Alert) error
	// Get returns one alert with its current status.
	Get(ctx context.Context, id string) (*alert.Alert, []StatusChange, error)
	// List returns the alerts matching f, newest first by Timestamp.
	List(ctx context.Context, f Filter) ([]*alert.Alert, error)
	// SetStatus changes an alert's status and records who did it.
	SetStatus(ctx context.Context, id string, ch StatusChange) error
	// AddRisk records risk events; an event with the same alert, entity
	// and threat flag as a stored one replaces it (so replays do not add
	// risk twice).
	AddRisk(ctx context.Context, events []RiskEvent) error
	// RiskEvents returns the risk events matching f, oldest first.
	RiskEvents(ctx context.Context, f RiskFilter) ([]RiskEvent, error)
	// Risk sums risk per entity (threat objects excluded) over f, highest first.
	Risk(ctx context.Context, f RiskFilter) ([]EntityRisk, error)
	// Prune deletes alerts last seen, and risk events, before t. It returns how many alerts went.
	Prune(ctx context.Context, before time.Time) (int, error)
	// PutCheckpoint and GetCheckpoint keep small named blobs (the live
	// engine's read positions and window state); a missing name gives nil, nil.
	PutCheckpoint(ctx context.Context, name string, data []byte) error
	GetCheckpoint(ctx context.Context, name string) ([]byte, error)
	Close() error
}
