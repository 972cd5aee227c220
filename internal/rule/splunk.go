package rule

import (
	"errors"
	"strings"

	"gopkg.in/yaml.v3"
)

// severityForScore maps a Splunk risk score to a severity when a detection
// names none: 80-100 critical, 60-79 high, 40-59 medium, 1-39 low; 0 (no
// score) gives def.
func severityForScore(score int, def string) string {
	switch {
	case score >= 80:
		return "critical"
	case score >= 60:
		return "high"
	case score >= 40:
		return "medium"
	case score > 0:
		return "low"
	}
	return def
}

// splunkRule reads one splunk/security_content detection: the classic schema
// (rba or tags.observable) and the newer one with finding and
// intermediate_findings.
func (o Options) splunkRule(n *yaml.Node) (*Rule, error) {
	v, err := plainValue(n)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	f := newFields(m, n, nil)
	r := &Rule{Format: FormatSplunkYAML, Language: LangSPL, Version: 1}
	r.Name = f.str("name")
	r.ID = f.str("id")
	if ver, ok := f.integer("version"); ok {
		r.Version = ver
	}
	if a := f.str("author"); a != "" {
		r.Authors = []string{a}
	}
	r.Status = f.str("status")
	r.Type = strings.ToLower(f.str("type"))
	r.Description = f.str("description")
	r.Query = f.str("search")
	r.HowToImplement = f.str("how_to_implement")
	if fp := f.str("known_false_positives"); fp != "" {
		r.FalsePositives = []string{fp}
	}
	r.References = f.strs("references")
	for _, d := range f.list("drilldown_searches") {
		r.Drilldowns = append(r.Drilldowns, Drilldown{
			Name: d.str("name"), Search: d.str("search"),
			EarliestOffset: d.str("earliest_offset"), LatestOffset: d.str("latest_offset"),
		})
	}
	extra := map[string]any{}
	for _, ds := range f.strs("data_source") {
		r.Tags = append(r.Tags, "Data Source: "+ds)
	}

	score := 0 // the detection's own risk score, when it states one
	message := ""
	if rba := f.sub("rba"); rba != nil {
		message = rba.str("message")
		r.Risk = append(r.Risk, riskObjects(rba, "risk_objects", false)...)
		r.Risk = append(r.Risk, riskObjects(rba, "threat_objects", true)...)
	}
	severity := strings.ToLower(f.str("severity"))
	if fd := f.sub("finding"); fd != nil {
		if t := fd.str("title"); t != "" {
			extra["finding_title"] = t
		}
		if msg := fd.str("message"); msg != "" && message == "" {
			message = msg
		}
		if s := strings.ToLower(fd.str("severity")); s != "" && severity == "" {
			severity = s
		}
		for _, k := range []string{"risk_score", "score"} {
			if s, ok := fd.integer(k); ok {
				score = s
			}
		}
		for _, k := range []string{"entity", "entities", "risk_objects"} {
			r.Risk = append(r.Risk, riskObjects(fd, k, false)...)
		}
		r.Risk = append(r.Risk, riskObjects(fd, "threat_objects", true)...)
		if rest := fd.rest(); len(rest) > 0 {
			extra["finding"] = rest
		}
	}
	for _, im := range f.list("intermediate_findings") {
		if msg := im.str("message"); msg != "" && message == "" {
			message = msg
		}
		for _, k := range []string{"entity", "entities", "risk_objects"} {
			r.Risk = append(r.Risk, riskObjects(im, k, false)...)
		}
		r.Risk = append(r.Risk, riskObjects(im, "threat_objects", true)...)
	}

	var mitre []string
	if tags := f.sub("tags"); tags != nil {
		for _, s := range tags.strs("analytic_story") {
			r.Tags = append(r.Tags, "Analytic Story: "+s)
		}
		for _, s := range tags.strs("asset_type") {
			r.Tags = append(r.Tags, "Asset Type: "+s)
		}
		if s := tags.str("security_domain"); s != "" {
			r.Tags = append(r.Tags, "Security Domain: "+s)
		}
		mitre = tags.strs("mitre_attack_id")
		if s, ok := tags.integer("risk_score"); ok && score == 0 {
			score = s
		}
		conf, okc := tags.integer("confidence")
		imp, oki := tags.integer("impact")
		if okc && oki && score == 0 {
			score = conf * imp / 100
		}
		if msg := tags.str("message"); msg != "" && message == "" {
			message = msg
		}
		r.Risk = append(r.Risk, observables(tags, score)...)
		if rest := tags.rest(); len(rest) > 0 {
			extra["tags"] = rest
		}
	}
	r.Threat = attackThreats(mitre)
	r.Risk = mergeRisk(r.Risk)
	if score == 0 {
		for _, ro := range r.Risk {
			if !ro.Threat && ro.Score > score {
				score = ro.Score
			}
		}
	}
	r.RiskScore = score
	if severity == "" {
		severity = severityForScore(score, o.SplunkSeverity)
	}
	if severity == "informational" || severity == "info" {
		severity = "low"
	}
	r.Severity = severity
	if message != "" {
		extra["risk_message"] = message
	}

	sched := o.Splunk
	if s := f.sub("deployment"); s != nil {
		if sc := s.sub("scheduling"); sc != nil {
			splunkSchedule(sc, &sched)
		}
	}
	if f.has("schedule") {
		if _, isMap := f.m["schedule"].(map[string]any); isMap {
			splunkSchedule(f.sub("schedule"), &sched)
		} else {
			extra["schedule"] = f.str("schedule") // a named schedule object; not resolved
		}
	}
	r.Interval, r.LookBack, r.WindowEnd = sched.Interval, sched.LookBack, sched.WindowEnd

	// Correlation searches read the risk index (the Risk data model):
	// they run over the risk events tripline's own alerts raise (see the
	// engine), and raise no risk themselves.
	if strings.EqualFold(r.Status, "deprecated") || strings.EqualFold(r.Status, "removed") {
		r.Skip = "the detection is " + strings.ToLower(r.Status)
	}
	if *f.err != nil {
		return nil, *f.err
	}
	for k, v := range f.rest() {
		extra[k] = v
	}
	if len(extra) > 0 {
		r.Extra = extra
	}
	return r, nil
}

// riskObjects reads [{field, type, score}] (or one mapping) under key.
func riskObjects(f *fields, key string, threat bool) []RiskObject {
	var out []RiskObject
	for _, x := range f.list(key) {
		ro := RiskObject{Field: x.str("field"), Type: strings.ToLower(x.str("type")), Threat: threat}
		if !threat {
			ro.Score, _ = x.integer("score")
			ro.Type = riskType(ro.Type)
		}
		out = append(out, ro)
	}
	return out
}

// riskType folds entity types onto Splunk's risk object types.
func riskType(t string) string {
	switch strings.ToLower(strings.ReplaceAll(t, " ", "_")) {
	case "user", "username", "email", "email_address":
		return "user"
	case "system", "hostname", "host", "endpoint", "device", "ip_address", "ip":
		return "system"
	case "":
		return ""
	}
	return "other"
}

// observables reads the older tags.observable list: victims are risk
// objects with the detection's score, attackers are threat objects.
func observables(tags *fields, score int) []RiskObject {
	var out []RiskObject
	for _, ob := range tags.list("observable") {
		field := ob.str("name")
		typ := ob.str("type")
		roles := ob.strs("role")
		attacker := false
		for _, role := range roles {
			if strings.EqualFold(role, "attacker") {
				attacker = true
			}
		}
		if attacker {
			out = append(out, RiskObject{Field: field, Type: strings.ToLower(strings.ReplaceAll(typ, " ", "_")), Threat: true})
			continue
		}
		out = append(out, RiskObject{Field: field, Type: riskType(typ), Score: score})
	}
	return out
}

// splunkSchedule reads {cron_schedule, earliest_time, latest_time} into s.
func splunkSchedule(f *fields, s *Schedule) {
	if f == nil {
		return
	}
	for _, k := range []string{"cron_schedule", "cron"} {
		if c := f.str(k); c != "" {
			d, err := cronInterval(c)
			if err != nil {
				f.fail(k, "%v", err)
				return
			}
			s.Interval = d
		}
	}
	earliest, latest := -1*s.LookBack-s.WindowEnd, -1*s.WindowEnd
	if e := f.str("earliest_time"); e != "" {
		d, err := parseSplunkRelative(e)
		if err != nil {
			f.fail("earliest_time", "%v", err)
			return
		}
		earliest = -d
	}
	if l := f.str("latest_time"); l != "" {
		d, err := parseSplunkRelative(l)
		if err != nil {
			f.fail("latest_time", "%v", err)
			return
		}
		latest = -d
	}
	if latest <= earliest {
		f.fail("earliest_time", "%s", errors.New("the window is empty: earliest_time is not before latest_time"))
		return
	}
	s.LookBack, s.WindowEnd = latest-earliest, -latest
}

// mergeRisk keeps one entry per field, type and role, with the highest score:
// the newer schema may name the same entity in finding and intermediate_findings.
func mergeRisk(in []RiskObject) []RiskObject {
	var out []RiskObject
	for _, ro := range in {
		dup := false
		for i := range out {
			if out[i].Field == ro.Field && out[i].Type == ro.Type && out[i].Threat == ro.Threat {
				out[i].Score = max(out[i].Score, ro.Score)
				dup = true
			}
		}
		if !dup {
			out = append(out, ro)
		}
	}
	return out
}
