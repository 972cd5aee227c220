package clickhouse

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/schema"
)

// Kind is how a column stores a field's values.
type Kind uint8

// The column kinds. Every kind but Strings is Nullable in ClickHouse; a
// Strings column is an Array(String), empty for null.
const (
	KindString  Kind = iota + 1 // Nullable(String)
	KindLong                    // Nullable(Int64)
	KindDouble                  // Nullable(Float64)
	KindBool                    // Nullable(UInt8)
	KindTime                    // Nullable(Int64): Unix nanoseconds
	KindIP                      // Nullable(String): the address as written
	KindStrings                 // Array(String): multi-valued text
	// KindEpoch is Splunk's _time, seconds since the epoch (a long when
	// whole, a double when not), stored as Nullable(Int64) nanoseconds.
	KindEpoch
)

// SQLType returns the ClickHouse type of a column of the kind.
func (k Kind) SQLType() string {
	switch k {
	case KindLong, KindTime, KindEpoch:
		return "Nullable(Int64)"
	case KindDouble:
		return "Nullable(Float64)"
	case KindBool:
		return "Nullable(UInt8)"
	case KindStrings:
		return "Array(String)"
	}
	return "Nullable(String)"
}

func (k Kind) String() string {
	return [...]string{"null", "string", "long", "double", "bool", "time", "ip", "strings", "epoch"}[k]
}

// fieldKinds are the fields whose values are not single strings, by view.
// Fields not named here hold strings (or nothing); the shipper counts a
// value that does not fit its column (Stats.Misfits), so that a field
// missing here shows up in tests rather than as a silent difference.
var fieldKinds = map[schema.View]map[string]Kind{
	schema.ECS: {
		"@timestamp":                           KindTime,
		"gen_ai.usage.prompt_tokens":           KindLong,
		"gen_ai.usage.completion_tokens":       KindLong,
		"gen_ai.request.max_tokens":            KindLong,
		"gen_ai.compliance.violation_detected": KindBool,
		"gen_ai.compliance.violation_code":     KindStrings,
		"gen_ai.policy.name":                   KindStrings,
		"gen_ai.policy.action":                 KindStrings,
		"gen_ai.policy.confidence":             KindStrings,
		"source.ip":                            KindIP,
	},
	schema.Raw: {
		"_time": KindEpoch,
	},
	schema.Paths: {
		"_time": KindEpoch,
	},
}

// KindOf returns the column kind of a field of a view: Strings for the
// multi-valued "{}" paths of Splunk's JSON flattening.
func KindOf(v schema.View, name string) Kind {
	if k, ok := fieldKinds[v][name]; ok {
		return k
	}
	if strings.Contains(name, "{}") {
		return KindStrings
	}
	return KindString
}

// Column is one shipped field: a field of a view, for one source type.
type Column struct {
	View  schema.View
	Field string
	Kind  Kind
	get   schema.Getter
}

// Name is the column's name in ClickHouse, unquoted: the view's prefix and
// the field's name ("ecs.user.id", "spl.eventSource").
func (c *Column) Name() string { return ColumnName(c.View, c.Field) }

// ColumnName is the ClickHouse column holding a field of a view.
func ColumnName(v schema.View, field string) string {
	return viewPrefix(v) + "." + field
}

func viewPrefix(v schema.View) string {
	switch v {
	case schema.ECS:
		return "ecs"
	case schema.Raw:
		return "spl"
	case schema.Paths:
		return "raw"
	}
	return "view"
}

// Table is the layout of one source type's tables.
type Table struct {
	LogType event.LogType
	Columns []*Column
	byName  map[string]*Column
}

// Name is the Distributed table's name; the shards' tables add "_local".
func (t *Table) Name() string { return t.LogType.String() }

// Column returns the column of a view's field, or nil when not shipped.
func (t *Table) Column(v schema.View, field string) *Column {
	return t.byName[ColumnName(v, field)]
}

// Layout is the tables of every source type the programs read, with a
// column for each field any of them reads in its view.
type Layout struct {
	Database string
	Tables   map[event.LogType]*Table
}

// NewLayout derives the tables from compiled programs: one per source type
// they read, a column per field (exec.Program.Fields) and view.
func NewLayout(database string, programs []*exec.Program) *Layout {
	l := &Layout{Database: database, Tables: map[event.LogType]*Table{}}
	for _, p := range programs {
		for _, lt := range p.LogTypes {
			t := l.Tables[lt]
			if t == nil {
				t = &Table{LogType: lt, byName: map[string]*Column{}}
				l.Tables[lt] = t
			}
			for _, f := range p.Fields() {
				l.add(t, p.View, f)
			}
		}
	}
	for _, t := range l.Tables {
		sort.Slice(t.Columns, func(i, j int) bool { return t.Columns[i].Name() < t.Columns[j].Name() })
	}
	return l
}

func (l *Layout) add(t *Table, v schema.View, field string) {
	name := ColumnName(v, field)
	if t.byName[name] != nil {
		return
	}
	g, _ := schema.Resolve(v, t.LogType, field)
	if g == nil {
		g = func(*event.Event) event.Value { return event.Value{} }
	}
	c := &Column{View: v, Field: field, Kind: KindOf(v, field), get: g}
	t.Columns = append(t.Columns, c)
	t.byName[name] = c
}

// sortKey is what each source type's tables are ordered by, after which
// the event time: the fields the rules filter on first. They are stored
// as plain strings (a sorting key may not be Nullable).
var sortKey = map[event.LogType][]struct{ col, path string }{
	event.CloudTrail:        {{"k_source", "eventSource"}, {"k_name", "eventName"}},
	event.BedrockInvocation: {{"k_source", "operation"}, {"k_name", "modelId"}},
}

// DDL returns the statements that create the database and, per source
// type, a MergeTree table on every shard and a
// Distributed table over them, for cluster. Each statement is run on
// every shard: the Distributed table is created on each, so that any
// shard can answer a query.
func (l *Layout) DDL(cluster string) []string {
	out := []string{"CREATE DATABASE IF NOT EXISTS " + quoteIdent(l.Database)}
	for _, lt := range l.logTypes() {
		t := l.Tables[lt]
		var cols []string
		cols = append(cols,
			"ts Int64",        // event time, Unix nanoseconds
			"id String",       // the record's own id
			"stream String",   // the shipping stream
			"batch UInt64",    // the stream's batch number: the high-water mark
			"raw String",      // the record as read
			"k_source String", // sort key parts
			"k_name String",
		)
		for _, c := range t.Columns {
			cols = append(cols, quoteIdent(c.Name())+" "+c.Kind.SQLType())
		}
		local := quoteIdent(l.Database) + "." + quoteIdent(t.Name()+"_local")
		out = append(out, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n\t%s\n) ENGINE = MergeTree()\nPARTITION BY toDate(intDiv(ts, 1000000000))\nORDER BY (k_source, k_name, ts)",
			local, strings.Join(cols, ",\n\t")))
		out = append(out, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s AS %s\nENGINE = Distributed(%s, %s, %s, cityHash64(id))",
			quoteIdent(l.Database), quoteIdent(t.Name()), local, quoteIdent(cluster), quoteIdent(l.Database), quoteIdent(t.Name()+"_local")))
	}
	return out
}

func (l *Layout) logTypes() []event.LogType {
	var lts []event.LogType
	for lt := range l.Tables {
		lts = append(lts, lt)
	}
	sort.Slice(lts, func(i, j int) bool { return lts[i] < lts[j] })
	return lts
}

// quoteIdent quotes a ClickHouse identifier in backticks.
func quoteIdent(s string) string {
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(s) + "`"
}
