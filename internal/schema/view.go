package schema

import (
	"sort"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

// View is a naming of fields.
type View uint8

// The views.
const (
	// ECS is Elastic Common Schema plus the integrations' aws.* fields.
	ECS View = iota + 1
	// Raw is the record's own JSON paths plus the CIM fields of the Splunk
	// Add-on for AWS (SPL).
	Raw
	// Paths is the record's own JSON paths alone, with Splunk's metadata
	// fields (_raw, _time): Sigma, whose AWS rules name CloudTrail's own
	// fields, and must not find a CIM field (status, action, user) where
	// the record has none.
	Paths
)

// ViewFor returns the view a dialect reads.
func ViewFor(d plan.Dialect) View {
	switch d {
	case plan.ESQL, plan.KQL, plan.EQL:
		return ECS
	case plan.Sigma:
		return Paths
	}
	return Raw
}

// pathsMeta are the names Paths reads as Raw does: Splunk's metadata, not
// the record's.
var pathsMeta = map[string]bool{"_raw": true, "_time": true, "index": true, "_indextime": true, "sourcetype": true}

// Getter reads one field of an event. It never keeps the event.
type Getter func(ev *event.Event) event.Value

// Resolve returns how a named field is read from events of log type lt in
// view v, and whether the view knows the field for that log type. An unknown
// name still gets a getter: null in ECS, a raw JSON path lookup in Raw.
// Fields that need a database (see FieldDatabase) are null.
func Resolve(v View, lt event.LogType, name string) (Getter, bool) {
	return ResolveWith(v, lt, name, nil)
}

// ResolveWith is Resolve with the databases fields of the ECS view may
// read besides the record (source.geo.*, source.as.*); en may be nil.
func ResolveWith(v View, lt event.LogType, name string, en *Enrich) (Getter, bool) {
	switch v {
	case ECS:
		if lt == event.CloudTrail {
			if g := enrichedGetter(en, name); g != nil {
				return g, true
			}
		}
		return resolveECS(lt, name)
	case Raw:
		return resolveRaw(lt, name)
	case Paths:
		if pathsMeta[name] {
			return resolveRaw(lt, name)
		}
		keys := event.SplitPath(name)
		return func(ev *event.Event) event.Value { return ev.PathLeaves(keys) }, knownRawPath(lt, name)
	}
	return nullGetter, false
}

// fieldsOf returns the named fields a view defines for a log type.
func fieldsOf(v View, lt event.LogType) map[string]field {
	switch {
	case v == ECS && lt == event.CloudTrail:
		return ecsCloudTrail
	case v == ECS && lt == event.BedrockInvocation:
		return ecsInvocation
	case v == Raw && lt == event.CloudTrail:
		return cimCloudTrail
	case v == Raw && lt == event.BedrockInvocation:
		return cimInvocation
	case v == Raw && lt == event.Risk:
		return riskFields
	}
	return nil
}

// RawPath returns the raw JSON path a field of a view reads unchanged, and
// false for computed fields (constants, coalesced or reshaped values).
func RawPath(v View, lt event.LogType, name string) (string, bool) {
	m := fieldsOf(v, lt)
	if v == Raw {
		name = trimDataset(lt, name)
	}
	if f, ok := m[name]; ok {
		return f.raw, f.raw != ""
	}
	if v == Raw && lt == event.CloudTrail {
		if _, ok := datamodelField(name); ok {
			return "", false
		}
	}
	if (v == Raw || v == Paths) && name != "index" && name != "_indextime" && name != "_time" && name != "_raw" {
		return name, true
	}
	return "", false
}

// Fields lists the field names a view knows for a log type, sorted. It is the
// column set of "keep *" and of a rendered event row.
func Fields(v View, lt event.LogType) []string {
	m := fieldsOf(v, lt)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Document renders the fields of an event in a view as a name→value map,
// leaving out nulls: for ECS the mapped document, for Raw the record's own
// leaves (dotted paths) plus the CIM fields. The values do not alias the event.
func Document(v View, ev *event.Event) map[string]event.Value {
	return DocumentWith(v, ev, nil)
}

// DocumentWith is Document with the databases of ResolveWith; en may be nil.
func DocumentWith(v View, ev *event.Event, en *Enrich) map[string]event.Value {
	out := map[string]event.Value{}
	if (v == Raw || v == Paths) && ev.Doc != nil {
		flattenJSON(ev, out)
	}
	for _, name := range Fields(v, ev.LogType) {
		g, _ := ResolveWith(v, ev.LogType, name, en)
		if val := g(ev); !val.IsNull() {
			out[name] = val
		}
	}
	return out
}

func nullGetter(*event.Event) event.Value { return event.Value{} }

// field is how a view defines one field: its getter, and the raw JSON path
// when the field is that path's value unchanged (so that literal prefilters
// may look for its values in the raw record).
type field struct {
	get Getter
	raw string
}

// path defines a field that is a raw JSON path's value.
func path(name string) field { return field{get: pathGet(name), raw: name} }

// fn defines a computed field.
func fn(g Getter) field { return field{get: g} }

func pathGet(name string) Getter {
	keys := event.SplitPath(name)
	return func(ev *event.Event) event.Value { return ev.Path(keys) }
}

func constant(s string) Getter {
	v := event.StringValue(s)
	return func(*event.Event) event.Value { return v }
}

// coalesce returns the first non-null of the getters.
func coalesce(gs ...Getter) Getter {
	return func(ev *event.Event) event.Value {
		for _, g := range gs {
			if v := g(ev); !v.IsNull() {
				return v
			}
		}
		return event.Value{}
	}
}

func eventTime(ev *event.Event) event.Value {
	if ev.Time.IsZero() {
		return event.Value{}
	}
	return event.TimeValue(ev.Time)
}

// asTime parses an RFC 3339 string field into a date-time value.
func asTime(g Getter) Getter {
	return func(ev *event.Event) event.Value {
		v := g(ev)
		s, ok := v.Str()
		if !ok {
			return v
		}
		t, err := parseTime(s)
		if err != nil {
			return event.Value{}
		}
		return event.TimeValue(t)
	}
}

// lastSegment returns the text after the last "/" of a string field.
func lastSegment(g Getter) Getter {
	return func(ev *event.Event) event.Value {
		s, ok := g(ev).Str()
		if !ok || s == "" {
			return event.Value{}
		}
		return event.StringValue(s[strings.LastIndexByte(s, '/')+1:])
	}
}
