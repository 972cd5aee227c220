package notify

import (
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
)

// OCSF constants of the Detection Finding class.
const (
	ocsfVersion          = "1.1.0"
	ocsfCategoryFindings = 2
	ocsfClassDetection   = 2004
	// attackVersion is the MITRE ATT&CK matrix version claimed for ATT&CK
	// mappings; rules do not record the version they were mapped against.
	attackVersion = "v15"
)

type ocsfDetectionFinding struct {
	ActivityID   int    `json:"activity_id"`
	ActivityName string `json:"activity_name"`
	CategoryUID  int    `json:"category_uid"`
	CategoryName string `json:"category_name"`
	ClassUID     int    `json:"class_uid"`
	ClassName    string `json:"class_name"`
	TypeUID      int    `json:"type_uid"`
	TypeName     string `json:"type_name"`
	SeverityID   int    `json:"severity_id"`
	Severity     string `json:"severity"`
	StatusID     int    `json:"status_id"`
	Status       string `json:"status"`
	// Time is when the finding was created, in epoch milliseconds.
	Time        int64            `json:"time"`
	StartTime   int64            `json:"start_time"`
	EndTime     int64            `json:"end_time"`
	Count       int64            `json:"count"`
	Message     string           `json:"message"`
	RiskScore   int              `json:"risk_score"`
	FindingInfo ocsfFindingInfo  `json:"finding_info"`
	Metadata    ocsfMetadata     `json:"metadata"`
	Observables []ocsfObservable `json:"observables,omitempty"`
	Evidences   []ocsfEvidence   `json:"evidences,omitempty"`
	Unmapped    alert.Fields     `json:"unmapped,omitempty"`
}

type ocsfFindingInfo struct {
	UID           string       `json:"uid"`
	Title         string       `json:"title"`
	Desc          string       `json:"desc"`
	Types         []string     `json:"types"`
	CreatedTime   int64        `json:"created_time"`
	FirstSeenTime int64        `json:"first_seen_time"`
	LastSeenTime  int64        `json:"last_seen_time"`
	Analytic      ocsfAnalytic `json:"analytic"`
	Attacks       []ocsfAttack `json:"attacks,omitempty"`
}

type ocsfAnalytic struct {
	UID      string `json:"uid"`
	Name     string `json:"name"`
	TypeID   int    `json:"type_id"`
	Type     string `json:"type"`
	Category string `json:"category"`
	Version  string `json:"version"`
}

type ocsfAttack struct {
	Tactic       *ocsfNamed `json:"tactic,omitempty"`
	Technique    *ocsfNamed `json:"technique,omitempty"`
	SubTechnique *ocsfNamed `json:"sub_technique,omitempty"`
	Version      string     `json:"version,omitempty"`
}

type ocsfNamed struct {
	UID    string `json:"uid"`
	Name   string `json:"name,omitempty"`
	SrcURL string `json:"src_url,omitempty"`
}

type ocsfMetadata struct {
	Product ocsfProduct `json:"product"`
	Version string      `json:"version"`
	UID     string      `json:"uid"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
}

type ocsfObservable struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
	Value  string `json:"value"`
}

type ocsfEvidence struct {
	UID  string         `json:"uid,omitempty"`
	Name string         `json:"name"`
	Data map[string]any `json:"data"`
}

// ocsfFinding maps an alert onto a Detection Finding. The result row (and
// any group field missing from it) goes under unmapped, so observables
// point at "unmapped.<field>".
func ocsfFinding(a *alert.Alert) *ocsfDetectionFinding {
	activity, activityName := 1, "Create"
	switch {
	case a.Status == "closed":
		activity, activityName = 3, "Close"
	case a.Matches > 1:
		activity, activityName = 2, "Update"
	}
	sevID, sev := ocsfSeverity(a.Rule.Severity)
	statusID, status := ocsfStatus(a.Status)
	f := &ocsfDetectionFinding{
		ActivityID:   activity,
		ActivityName: activityName,
		CategoryUID:  ocsfCategoryFindings,
		CategoryName: "Findings",
		ClassUID:     ocsfClassDetection,
		ClassName:    "Detection Finding",
		TypeUID:      ocsfClassDetection*100 + activity,
		TypeName:     "Detection Finding: " + activityName,
		SeverityID:   sevID,
		Severity:     sev,
		StatusID:     statusID,
		Status:       status,
		Time:         a.Timestamp.UnixMilli(),
		StartTime:    a.FirstSeen.UnixMilli(),
		EndTime:      a.LastSeen.UnixMilli(),
		Count:        a.EventCount,
		Message:      a.Reason,
		RiskScore:    a.Rule.RiskScore,
		FindingInfo: ocsfFindingInfo{
			UID:           a.ID,
			Title:         a.Rule.Name,
			Desc:          a.Reason,
			Types:         ocsfTypes(a),
			CreatedTime:   a.Timestamp.UnixMilli(),
			FirstSeenTime: a.FirstSeen.UnixMilli(),
			LastSeenTime:  a.LastSeen.UnixMilli(),
			Analytic: ocsfAnalytic{
				UID:      a.Rule.ID,
				Name:     a.Rule.Name,
				TypeID:   1,
				Type:     "Rule",
				Category: ruleCategory(a.Rule.Language),
				Version:  strconv.Itoa(a.Rule.Version),
			},
			Attacks: ocsfAttacks(a.Rule.Threat),
		},
		Metadata: ocsfMetadata{
			Product: ocsfProduct{Name: "tripline", VendorName: "tripline"},
			Version: ocsfVersion,
			UID:     a.ID,
		},
	}
	unmapped := append(alert.Fields(nil), a.Row...)
	for _, g := range a.Group {
		if a.Row.Get(g.Name).IsNull() {
			unmapped = append(unmapped, g)
		}
		for _, v := range g.Value.Values() {
			if v.IsNull() {
				continue
			}
			typeID, typeName := observableType(g.Name, v)
			f.Observables = append(f.Observables, ocsfObservable{
				Name: "unmapped." + g.Name, Type: typeName, TypeID: typeID, Value: v.String(),
			})
		}
	}
	f.Unmapped = unmapped
	for _, e := range a.Evidence {
		data := map[string]any{"file": e.File, "offset": e.Offset, "time": ts(e.Time)}
		if e.Line > 0 {
			data["line"] = e.Line
		}
		if e.EventID != "" {
			data["event_id"] = e.EventID
		}
		f.Evidences = append(f.Evidences, ocsfEvidence{UID: e.EventID, Name: "source event", Data: data})
	}
	return f
}

func ocsfSeverity(s string) (int, string) {
	switch severityRank(s) {
	case 1:
		return 2, "Low"
	case 2:
		return 3, "Medium"
	case 3:
		return 4, "High"
	case 4:
		return 5, "Critical"
	}
	return 0, "Unknown"
}

func ocsfStatus(s string) (int, string) {
	switch s {
	case "acknowledged":
		return 2, "In Progress"
	case "closed":
		return 4, "Resolved"
	}
	return 1, "New"
}

// ocsfTypes names the finding's types: one "TTPs/<tactic>" per mapped
// tactic, in the style AWS Security Hub uses, or the rule's category.
func ocsfTypes(a *alert.Alert) []string {
	var types []string
	seen := map[string]bool{}
	for _, t := range a.Rule.Threat {
		name := t.Tactic.Name
		if name == "" {
			name = t.Tactic.ID
		}
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		types = append(types, "TTPs/"+name)
	}
	if len(types) == 0 {
		types = []string{ruleCategory(a.Rule.Language)}
	}
	return types
}

func ocsfAttacks(threats []alert.Threat) []ocsfAttack {
	var out []ocsfAttack
	for _, t := range threats {
		version := ""
		if t.Framework == "MITRE ATT&CK" {
			version = attackVersion
		}
		tactic := named(t.Tactic)
		if len(t.Technique) == 0 {
			if tactic != nil {
				out = append(out, ocsfAttack{Tactic: tactic, Version: version})
			}
			continue
		}
		for _, tech := range t.Technique {
			at := ocsfAttack{Tactic: tactic, Technique: named(tech.Ref), Version: version}
			if len(tech.Subtechnique) == 0 {
				out = append(out, at)
				continue
			}
			for _, sub := range tech.Subtechnique {
				at.SubTechnique = named(sub)
				out = append(out, at)
			}
		}
	}
	return out
}

func named(r alert.Ref) *ocsfNamed {
	if r.ID == "" && r.Name == "" {
		return nil
	}
	return &ocsfNamed{UID: r.ID, Name: r.Name, SrcURL: r.Reference}
}

// observableType guesses an OCSF observable type from a field's name (in
// any of the views: ECS, CIM or raw CloudTrail) and its value's kind.
func observableType(name string, v event.Value) (int, string) {
	lower := strings.ToLower(name)
	switch {
	case v.Kind() == event.IP, lower == "src", lower == "dest_ip", lower == "sourceipaddress",
		strings.HasSuffix(lower, ".ip"), strings.HasSuffix(lower, "_ip"):
		return 2, "IP Address"
	case lower == "user_agent", lower == "useragent", strings.HasPrefix(lower, "user_agent."):
		return 16, "HTTP User-Agent"
	case lower == "user", lower == "user_name", lower == "username",
		strings.HasPrefix(lower, "user.") && !strings.HasPrefix(lower, "user_agent"),
		strings.HasPrefix(lower, "useridentity."), strings.HasPrefix(lower, "identity."):
		return 4, "User Name"
	case lower == "host.name", lower == "hostname", lower == "host":
		return 1, "Hostname"
	case strings.HasSuffix(lower, "arn"), strings.HasSuffix(lower, "account.id"),
		lower == "vendor_account", lower == "recipientaccountid",
		strings.HasSuffix(lower, "model.id"), strings.HasSuffix(lower, "modelid"):
		return 10, "Resource UID"
	}
	return 99, "Other"
}
