package rule

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/tripline/tripline/internal/duration"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// parseTOML loads an elastic/detection-rules TOML file: [metadata] and [rule].
func (o Options) parseTOML(file string, data []byte) ([]*Rule, []Problem) {
	var m map[string]any
	if _, err := toml.Decode(string(data), &m); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, []Problem{{File: file, Line: pe.Position.Line, Col: pe.Position.Col, Err: fmt.Errorf("cannot parse TOML: %s", pe.Message)}}
		}
		return nil, []Problem{{File: file, Err: fmt.Errorf("cannot parse TOML: %w", err)}}
	}
	top, _ := normalizeTOML(m).(map[string]any)
	f := newFields(top, nil, tomlKeyPos(string(data)))
	rf := f.sub("rule")
	if *f.err != nil {
		return nil, []Problem{problemOf(file, 1, *f.err)}
	}
	if rf == nil {
		return nil, []Problem{{File: file, Line: 1, Col: 1, Err: errors.New("cannot load Elastic rule: no [rule] table")}}
	}
	r := o.elasticRule(rf)
	meta := f.sub("metadata")
	if meta != nil {
		r.Status = meta.str("maturity")
		if rest := meta.rest(); len(rest) > 0 {
			if r.Extra == nil {
				r.Extra = map[string]any{}
			}
			r.Extra["metadata"] = rest
		}
	}
	if *f.err != nil {
		return nil, []Problem{problemOf(file, 1, *f.err)}
	}
	if r.Status == "deprecated" && r.Skip == "" {
		r.Skip = "the rule is deprecated"
	}
	r.File, r.Line, r.Format = file, 1, FormatElasticTOML
	return []*Rule{r}, nil
}

// tomlKeyPos finds where a key is assigned ("key = ...") in TOML text; the
// first assignment wins, which is right for the flat keys of a rule file.
func tomlKeyPos(src string) func(string) (int, int) {
	lines := strings.Split(src, "\n")
	return func(key string) (int, int) {
		if i := strings.LastIndexByte(key, ']'); i >= 0 {
			key = key[:strings.IndexByte(key, '[')]
		}
		for i, l := range lines {
			t := strings.TrimLeft(l, " \t")
			rest, ok := strings.CutPrefix(t, key)
			if !ok {
				continue
			}
			rest = strings.TrimLeft(rest, " \t")
			if strings.HasPrefix(rest, "=") {
				col := utf8.RuneCountInString(l[:len(l)-len(t)]) + 1
				return i + 1, col
			}
		}
		return 0, 0
	}
}

// normalizeTOML turns the decoder's []map[string]any (arrays of tables) into
// []any and dates into strings, so TOML reads like JSON.
func normalizeTOML(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeTOML(e)
		}
		return x
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeTOML(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = normalizeTOML(e)
		}
		return x
	case int64, float64, string, bool:
		return x
	case int:
		return int64(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// parseNDJSON loads a Kibana rule export: one JSON object per line. Lines
// without a rule_id (the export summary, exception lists) are not rules and
// are passed over.
func (o Options) parseNDJSON(file string, data []byte) ([]*Rule, []Problem) {
	var rules []*Rule
	var probs []Problem
	for i, line := range strings.Split(string(data), "\n") {
		lineNo := i + 1
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		v, err := jsonValue([]byte(line))
		if err != nil {
			col := 0
			var se *json.SyntaxError
			if errors.As(err, &se) {
				off := int(se.Offset)
				if off > len(line) {
					off = len(line)
				}
				col = utf8.RuneCountInString(line[:off])
				if col == 0 {
					col = 1
				}
			}
			probs = append(probs, Problem{File: file, Line: lineNo, Col: col, Err: fmt.Errorf("cannot parse JSON: %v", err)})
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			probs = append(probs, Problem{File: file, Line: lineNo, Col: 1, Err: errors.New("cannot load rule: the line is not a JSON object")})
			continue
		}
		if _, ok := m["rule_id"]; !ok {
			continue
		}
		f := newFields(m, nil, func(string) (int, int) { return lineNo, 0 })
		r := o.elasticRule(f)
		if *f.err != nil {
			probs = append(probs, problemOf(file, lineNo, *f.err))
			continue
		}
		r.File, r.Line, r.Format = file, lineNo, FormatKibanaNDJSON
		rules = append(rules, r)
	}
	return rules, probs
}

// elasticRule reads the keys Kibana and detection-rules share.
func (o Options) elasticRule(f *fields) *Rule {
	r := &Rule{Version: 1}
	r.ID = f.str("rule_id")
	r.Name = f.str("name")
	r.Description = f.str("description")
	if v, ok := f.integer("version"); ok {
		r.Version = v
	}
	r.Type = strings.ToLower(f.str("type"))
	r.Language = strings.ToLower(f.str("language"))
	if r.Language == "" {
		switch r.Type {
		case "esql":
			r.Language = LangESQL
		case "eql":
			r.Language = LangEQL
		case "query", "saved_query", "threshold", "threat_match", "new_terms":
			r.Language = "kuery"
		}
	}
	r.Query = f.str("query")
	r.Indices = f.strs("index")
	r.Interval = o.Elastic.Interval
	if s := f.str("interval"); s != "" {
		d, err := duration.Parse(s)
		if err != nil {
			f.fail("interval", "%v", err)
		}
		r.Interval = d
	}
	from := o.Elastic.LookBack
	if s := f.str("from"); s != "" {
		d, err := parseElasticFrom(s)
		if err != nil {
			f.fail("from", "%v", err)
		}
		from = d
	}
	if s := f.str("to"); s != "" && s != "now" {
		d, err := parseElasticFrom(s)
		if err != nil {
			f.fail("to", "%v", err)
		}
		r.WindowEnd = d
	}
	r.LookBack = from - r.WindowEnd
	r.MaxAlerts = o.ElasticMaxAlerts
	if v, ok := f.integer("max_signals"); ok {
		r.MaxAlerts = v
	}
	r.RiskScore, _ = f.integer("risk_score")
	r.Severity = strings.ToLower(f.str("severity"))
	r.Tags = f.strs("tags")
	r.Guide = f.str("note")
	r.Setup = f.str("setup")
	r.References = f.strs("references")
	r.Authors = f.strs("author")
	r.License = f.str("license")
	r.FalsePositives = f.strs("false_positives")
	r.TimestampOverride = f.str("timestamp_override")
	for _, t := range f.list("threat") {
		th := Threat{Framework: t.str("framework")}
		if tac := t.sub("tactic"); tac != nil {
			th.Tactic = Ref{ID: tac.str("id"), Name: tac.str("name"), Reference: tac.str("reference")}
		}
		for _, te := range t.list("technique") {
			tq := Technique{Ref: Ref{ID: te.str("id"), Name: te.str("name"), Reference: te.str("reference")}}
			for _, st := range te.list("subtechnique") {
				tq.Subtechniques = append(tq.Subtechniques, Ref{ID: st.str("id"), Name: st.str("name"), Reference: st.str("reference")})
			}
			th.Techniques = append(th.Techniques, tq)
		}
		completeThreat(&th)
		r.Threat = append(r.Threat, th)
	}
	r.Threat = append(r.Threat, atlasFromTags(r.Tags, r.Threat)...)
	if s := f.sub("alert_suppression"); s != nil {
		sup := &Suppression{GroupBy: s.strs("group_by"), MissingFields: s.str("missing_fields_strategy")}
		if d := s.sub("duration"); d != nil {
			n, _ := d.integer("value")
			unit := d.str("unit")
			dur, err := duration.Parse(fmt.Sprintf("%d%s", n, unit))
			if err != nil {
				s.fail("duration", "%v", err)
			}
			sup.Duration = dur
		}
		r.Suppression = sup
	}
	switch r.Type {
	case "threshold":
		r.Threshold = elasticThreshold(f)
	case "new_terms":
		r.NewTerms = elasticNewTerms(f)
	}
	r.Skip = elasticSkip(r.Type, r.Language)
	if rest := f.rest(); len(rest) > 0 {
		r.Extra = rest
	}
	return r
}

// elasticThreshold reads a threshold rule's [rule.threshold] table (the
// same object in a Kibana export): field (a name or a list), value, and
// cardinality, a list of {field, value}.
func elasticThreshold(f *fields) *Threshold {
	t := f.sub("threshold")
	if t == nil {
		f.fail("threshold", "a threshold rule needs a threshold")
		return nil
	}
	th := &Threshold{Fields: t.strs("field")}
	th.Value, _ = t.integer("value")
	for _, c := range t.list("cardinality") {
		n, _ := c.integer("value")
		th.Cardinality = append(th.Cardinality, Cardinality{Field: c.str("field"), Value: n})
	}
	return th
}

// elasticNewTerms reads a new_terms rule's fields and history window:
// detection-rules writes them as [rule.new_terms] field =
// "new_terms_fields", value = [...] with a [[rule.new_terms.history_window_start]]
// entry; a Kibana export as the keys new_terms_fields and
// history_window_start.
func elasticNewTerms(f *fields) *NewTerms {
	nt := &NewTerms{}
	history := ""
	if t := f.sub("new_terms"); t != nil {
		if k := t.str("field"); k != "new_terms_fields" {
			t.fail("field", "want new_terms_fields, got %q", k)
		}
		nt.Fields = t.strs("value")
		for _, h := range t.list("history_window_start") {
			history = h.str("value")
		}
	} else {
		nt.Fields = f.strs("new_terms_fields")
		history = f.str("history_window_start")
	}
	if history == "" {
		f.fail("history_window_start", "a new_terms rule needs a history_window_start")
		return nt
	}
	d, err := parseElasticFrom(history)
	if err != nil {
		f.fail("history_window_start", "%v", err)
	}
	nt.History = d
	return nt
}

// elasticSkip says why tripline does not run an Elastic rule of a type
// and language, or "" when it does: ES|QL rules, query, threshold and
// new_terms rules in KQL, and EQL rules.
func elasticSkip(typ, lang string) string {
	switch typ {
	case "esql":
		if lang == LangESQL {
			return ""
		}
	case "query", "threshold", "new_terms":
		if lang == LangKQL {
			return ""
		}
		if lang == "lucene" {
			return fmt.Sprintf("Elastic %s rules in Lucene syntax are not supported; tripline runs them in KQL (kuery)", typ)
		}
	case "machine_learning":
		return "Elastic machine learning rules need Elastic's anomaly detection jobs, which tripline does not run"
	case "eql":
		if lang == LangEQL {
			return "" // sequences are found, and skipped, when the query parses
		}
	case "threat_match":
		return "Elastic indicator match rules need threat intelligence indices, which tripline does not read"
	}
	if lang == "" {
		lang = "no language"
	}
	return fmt.Sprintf("Elastic %s rules in %s are not supported; tripline runs ES|QL rules and KQL query, threshold and new_terms rules", typ, lang)
}
