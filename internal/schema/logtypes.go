package schema

import (
	"fmt"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// IndexName is the data stream an Elastic agent would write a log type to;
// ES|QL index patterns are matched against it.
func IndexName(lt event.LogType) string {
	switch lt {
	case event.CloudTrail:
		return "logs-aws.cloudtrail-default"
	case event.BedrockInvocation:
		return "logs-aws_bedrock.invocation-default"
	}
	return ""
}

// Sourcetype is the Splunk sourcetype of a log type.
func Sourcetype(lt event.LogType) string {
	switch lt {
	case event.CloudTrail:
		return "aws:cloudtrail"
	case event.BedrockInvocation:
		return "aws:bedrock:invocation"
	}
	return ""
}

// Select returns the log types a From reads. Patterns that match nothing
// tripline reads are valid and give a warning; an empty result means the
// query runs over no events. An SPL search with no sourcetype reads every
// raw log; index terms are not used to select (index names are the
// user's). A data model selects the log type that holds its records (see
// Datamodel); only a data model search reads risk events.
func Select(f *plan.From) (lts []event.LogType, warnings []string) {
	switch {
	case f.Datamodel != "":
		d, ok := LookupDataset(f.Datamodel)
		if !ok {
			return nil, []string{fmt.Sprintf("data model %q is not one tripline holds (it holds %s)", f.Datamodel, DatasetNames())}
		}
		lt, why := d.LogType()
		if lt == event.UnknownLogType {
			return nil, []string{fmt.Sprintf("data model %q holds no events: %s", f.Datamodel, why)}
		}
		return []event.LogType{lt}, nil
	case len(f.Indices) > 0 && len(f.Sourcetypes) == 0:
		return match(f.Indices, IndexName, "index pattern")
	case len(f.Sourcetypes) > 0:
		return match(f.Sourcetypes, Sourcetype, "sourcetype")
	}
	return rawLogTypes(), nil
}

// RiskDatamodel is the Splunk data model dataset whose records are
// tripline's risk events.
const RiskDatamodel = "Risk.All_Risk"

// Datamodel returns the log type holding the records of a Splunk data model
// dataset (see LookupDataset): "Risk.All_Risk" (or the data model "Risk"
// alone, whose root dataset it is) is event.Risk; the CIM's Change and
// Authentication datasets are CloudTrail. Names compare without case.
func Datamodel(name string) (event.LogType, bool) {
	d, ok := LookupDataset(name)
	if !ok {
		return event.UnknownLogType, false
	}
	lt, _ := d.LogType()
	return lt, lt != event.UnknownLogType
}

// rawLogTypes are the log types of raw logs: every log type but risk events.
func rawLogTypes() []event.LogType {
	out := make([]event.LogType, 0, len(event.LogTypes))
	for _, lt := range event.LogTypes {
		if lt != event.Risk {
			out = append(out, lt)
		}
	}
	return out
}

func match(patterns []string, name func(event.LogType) string, what string) ([]event.LogType, []string) {
	var out []event.LogType
	var warnings []string
	excluded := map[event.LogType]bool{}
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if strings.HasPrefix(p, "-") {
			for _, s := range rawLogTypes() {
				if globMatch(p[1:], name(s)) {
					excluded[s] = true
				}
			}
		}
	}
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if strings.HasPrefix(p, "-") {
			continue
		}
		if i := strings.IndexByte(p, ':'); i >= 0 && what == "index pattern" {
			p = p[i+1:] // cross-cluster "remote:index" reads the local copy
		}
		hit := false
		for _, s := range rawLogTypes() {
			if globMatch(p, name(s)) && !excluded[s] {
				hit = true
				if !contains(out, s) {
					out = append(out, s)
				}
			}
		}
		if !hit {
			warnings = append(warnings, fmt.Sprintf("%s %q matches no data tripline reads (it reads %s, %s)",
				what, p, name(event.CloudTrail), name(event.BedrockInvocation)))
		}
	}
	return out, warnings
}

// globMatch matches s against a pattern whose only wildcard is "*",
// ignoring case.
func globMatch(pattern, s string) bool {
	return Glob(strings.ToLower(pattern), strings.ToLower(s))
}

// Glob matches s against a pattern whose only wildcard is "*" (any run of
// characters), case-sensitively, as index patterns and field lists use it.
func Glob(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

func contains(lts []event.LogType, lt event.LogType) bool {
	for _, x := range lts {
		if x == lt {
			return true
		}
	}
	return false
}

// LogTypeMarkers are texts one of which every raw record of a log type
// contains: the keys its classification requires (see internal/logs). A
// record with none of them cannot be of that log type, so prefilters may
// skip it unparsed for rules that read only other log types.
func LogTypeMarkers(lt event.LogType) []string {
	switch lt {
	case event.CloudTrail:
		return []string{`"eventSource"`, `"eventName"`}
	case event.BedrockInvocation:
		return []string{`"schemaType"`, `"modelId"`}
	case event.Risk:
		return []string{`"normalized_risk_object"`}
	}
	return nil
}
