package clickhouse

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/schema"
)

// Placeholders of a Query's template: the window's bounds in Unix
// nanoseconds, [from, to).
const (
	FromPlaceholder = "{from}"
	ToPlaceholder   = "{to}"
)

// OutColumn is one column of a query's result.
type OutColumn struct {
	Name string
	Kind Kind
}

// Query is a plan compiled to one ClickHouse SELECT per tick.
type Query struct {
	Dialect plan.Dialect
	LogType event.LogType
	// Columns are the result's columns, in the dialect's order.
	Columns []OutColumn
	// GroupBy names the keys of the aggregation.
	GroupBy  []string
	template string
}

// Template returns the SELECT with the window's bounds as FromPlaceholder
// and ToPlaceholder.
func (q *Query) Template() string { return q.template }

// SQL returns the SELECT for the window [from, to) of event time.
func (q *Query) SQL(from, to time.Time) string {
	return strings.NewReplacer(FromPlaceholder, strconv.FormatInt(from.UnixNano(), 10), ToPlaceholder, strconv.FormatInt(to.UnixNano(), 10)).Replace(q.template)
}

// scope is the columns an operator sees: named expressions, and, while
// open, every field of the event under its own name.
type scope struct {
	view  schema.View
	open  bool
	cols  map[string]sx
	order []string
}

func (s *scope) get(name string) sx {
	if x, ok := s.cols[name]; ok {
		return x
	}
	if !s.open {
		return sqlNull
	}
	k := KindOf(s.view, name)
	return sx{s: quoteIdent(ColumnName(s.view, name)), k: k, null: k != KindStrings}
}

func (s *scope) set(name string, x sx) {
	if _, ok := s.cols[name]; !ok {
		s.order = append(s.order, name)
	}
	s.cols[name] = x
}

func (s *scope) remove(name string) {
	delete(s.cols, name)
	for i, n := range s.order {
		if n == name {
			s.order = append(s.order[:i:i], s.order[i+1:]...)
			break
		}
	}
}

// names returns the scope's names matching a pattern with * wildcards.
func (s *scope) names(pattern string) []string {
	var out []string
	for _, n := range s.order {
		if schema.Glob(pattern, n) {
			out = append(out, n)
		}
	}
	return out
}

// level is one SELECT being built: its columns over a subquery (or over
// the table for the first), its filter, order and limit.
type level struct {
	from    string
	where   []string
	groupBy []string
	orderBy []string
	limit   int
}

// Compile turns a plan into a Query. Parts of plans it cannot express
// are an error naming the operator or function; nothing is run in Go.
// database names the database the tables are in.
func Compile(q *plan.Query, database string) (*Query, error) {
	from, ok := q.Pipeline[0].(*plan.From)
	if !ok {
		return nil, fmt.Errorf("BUG: plan does not start with from")
	}
	if q.Dialect != plan.ESQL && q.Dialect != plan.SPL {
		return nil, unsupported("%s queries", q.Dialect)
	}
	if from.Datamodel != "" || len(from.Metadata) > 0 {
		return nil, unsupported("from %s", from)
	}
	lts, _ := schema.Select(from)
	if len(lts) != 1 {
		return nil, unsupported("a query over %d source types", len(lts))
	}
	view := schema.ViewFor(q.Dialect)
	out := &Query{Dialect: q.Dialect, LogType: lts[0]}
	sc := &scope{view: view, open: true, cols: map[string]sx{}}
	ec := &exprCompiler{d: q.Dialect, scope: sc}
	lv := &level{from: quoteIdent(database) + "." + quoteIdent(lts[0].String())}
	lv.where = append(lv.where, "ts >= "+FromPlaceholder, "ts < "+ToPlaceholder)
	nodes := q.Pipeline[1:]
	// The stream: filters and evaluations substituted into one SELECT.
	i := 0
stream:
	for ; i < len(nodes); i++ {
		switch t := nodes[i].(type) {
		case *plan.Where:
			cond, err := ec.expr(t.Cond)
			if err != nil {
				return nil, fmt.Errorf("where: %w", err)
			}
			b, err := ec.boolean(cond, "where")
			if err != nil {
				return nil, fmt.Errorf("where: %w", err)
			}
			lv.where = append(lv.where, truth(b))
		case *plan.Eval:
			for _, a := range t.Assigns {
				x, err := ec.expr(a.Expr)
				if err != nil {
					return nil, fmt.Errorf("eval %s: %w", a.Name, err)
				}
				sc.set(a.Name, x)
			}
		case *plan.Keep, *plan.Drop, *plan.Rename:
			if err := shape(sc, t, q.Dialect); err != nil {
				return nil, err
			}
		case *plan.Stats:
			break stream
		default:
			return nil, unsupported("%s before an aggregation", opName(t))
		}
	}
	if i == len(nodes) {
		return nil, unsupported("a query without stats (rows per event)")
	}
	st := nodes[i].(*plan.Stats)
	if st.Inline {
		return nil, unsupported("inline stats")
	}
	// Every level names its columns afresh (tl_1, tl_2...): ClickHouse
	// takes "f(x) AS x" for a cyclic alias, so no SELECT reads a column
	// under the name it defines.
	seq := 0
	fresh := func() string { seq++; return "tl_" + strconv.Itoa(seq) }
	cols, selects, err := aggregate(ec, st, lv, fresh)
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	for _, b := range st.By {
		out.GroupBy = append(out.GroupBy, b.Name)
	}
	sql := render(selects, lv)
	// After the aggregation, each operator reads the columns of the one
	// before, by name.
	sc = &scope{view: view, cols: map[string]sx{}}
	for _, c := range cols {
		sc.set(c.Name, sx{s: c.alias, k: c.k, null: c.null})
	}
	ec = &exprCompiler{d: q.Dialect, scope: sc}
	lv = &level{from: "(" + sql + ")"}
	rest := nodes[i+1:]
	if q.Dialect == plan.ESQL {
		if len(rest) == 0 {
			rest = []plan.Node{&plan.Limit{N: 1000}}
		} else if _, ok := rest[len(rest)-1].(*plan.Limit); !ok {
			rest = append(rest[:len(rest):len(rest)], &plan.Limit{N: 1000}) // ES|QL's implicit limit
		}
	}
	// wrap closes the level being built into a subquery of a new one.
	wrap := func(keepOrder bool) {
		var selects []string
		renamed := map[string]string{}
		for _, n := range sc.order {
			x := sc.cols[n]
			a := fresh()
			selects = append(selects, x.s+" AS "+a)
			renamed[x.s] = a
			sc.cols[n] = sx{s: a, k: x.k, null: x.null}
		}
		sql := render(selects, lv)
		var order []string
		for _, o := range lv.orderBy {
			// Sort terms name a column of the level (see Sort below).
			term, dir, _ := strings.Cut(o, " ")
			if a, ok := renamed[term]; ok && keepOrder {
				order = append(order, a+" "+dir)
			}
		}
		lv = &level{from: "(" + sql + ")", orderBy: order}
	}
	for _, n := range rest {
		switch t := n.(type) {
		case *plan.Where:
			if lv.limit > 0 {
				wrap(true)
			}
			cond, err := ec.expr(t.Cond)
			if err != nil {
				return nil, fmt.Errorf("where: %w", err)
			}
			b, err := ec.boolean(cond, "where")
			if err != nil {
				return nil, fmt.Errorf("where: %w", err)
			}
			lv.where = append(lv.where, truth(b))
		case *plan.Eval:
			for _, a := range t.Assigns {
				x, err := ec.expr(a.Expr)
				if err != nil {
					return nil, fmt.Errorf("eval %s: %w", a.Name, err)
				}
				if _, replaced := sc.cols[a.Name]; replaced && len(lv.orderBy) > 0 {
					return nil, unsupported("eval replacing a column after sort")
				}
				sc.set(a.Name, x)
				// Later expressions read it by name.
				wrap(true)
			}
		case *plan.Keep, *plan.Drop, *plan.Rename:
			if len(lv.orderBy) > 0 {
				if _, ok := n.(*plan.Rename); ok {
					return nil, unsupported("rename after sort")
				}
			}
			if err := shape(sc, n, q.Dialect); err != nil {
				return nil, err
			}
			wrap(true)
		case *plan.Sort:
			if lv.limit > 0 {
				wrap(false)
			}
			lv.orderBy = nil
			for _, k := range t.Keys {
				f, ok := k.Expr.(*plan.Field)
				if !ok {
					return nil, unsupported("sort by an expression")
				}
				x := sc.get(f.Name)
				if x.k == kindNull {
					continue // sorting by a missing column changes nothing
				}
				lv.orderBy = append(lv.orderBy, sortTerm(x, k, q.Dialect))
			}
		case *plan.Limit:
			if t.Tail {
				return nil, unsupported("tail")
			}
			if lv.limit == 0 || t.N < lv.limit {
				lv.limit = t.N
			}
			if t.N == 0 {
				return nil, unsupported("limit 0")
			}
		default:
			return nil, unsupported("%s after an aggregation", opName(n))
		}
	}
	// The result: every column cast to the type its kind reads back as.
	var final []string
	for _, name := range sc.order {
		x := sc.cols[name]
		final = append(final, castOut(x)+" AS "+quoteIdent(name))
		out.Columns = append(out.Columns, OutColumn{Name: name, Kind: outKind(x.k)})
	}
	out.template = render(final, lv)
	return out, nil
}

// sortTerm orders by an expression with the dialect's placement of nulls:
// ES|QL puts them last ascending and first descending, SPL first.
func sortTerm(x sx, k plan.SortKey, d plan.Dialect) string {
	s := x.s
	if k.Desc {
		s += " DESC"
	} else {
		s += " ASC"
	}
	nullsFirst := k.Desc
	if d != plan.ESQL {
		nullsFirst = true
	}
	switch k.Nulls {
	case plan.NullsFirst:
		nullsFirst = true
	case plan.NullsLast:
		nullsFirst = false
	}
	if nullsFirst {
		return s + " NULLS FIRST"
	}
	return s + " NULLS LAST"
}

// shape applies keep, drop and rename to a scope.
func shape(sc *scope, n plan.Node, d plan.Dialect) error {
	switch t := n.(type) {
	case *plan.Keep:
		var keep []string
		seen := map[string]bool{}
		for _, f := range t.Fields {
			names := []string{f}
			if strings.Contains(f, "*") {
				if sc.open {
					return unsupported("keep %s over every field of the event", f)
				}
				names = sc.names(f)
			}
			for _, name := range names {
				if !seen[name] {
					seen[name] = true
					keep = append(keep, name)
				}
			}
		}
		cols := map[string]sx{}
		for _, name := range keep {
			cols[name] = sc.get(name)
		}
		sc.cols, sc.order, sc.open = cols, keep, false
	case *plan.Drop:
		for _, f := range t.Fields {
			if strings.Contains(f, "*") && sc.open {
				return unsupported("drop %s over every field of the event", f)
			}
			names := []string{f}
			if strings.Contains(f, "*") {
				names = sc.names(f)
			}
			for _, name := range names {
				if sc.open {
					sc.cols[name] = sqlNull // dropped: null from here on
					continue
				}
				sc.remove(name)
			}
		}
	case *plan.Rename:
		for _, p := range t.Pairs {
			if strings.Contains(p.From, "*") {
				return unsupported("rename with a wildcard")
			}
			x := sc.get(p.From)
			if x.k == kindNull && !t.MissingRemoves {
				continue // ES|QL: renaming a missing column changes nothing
			}
			if sc.open {
				sc.cols[p.From] = sqlNull
			} else {
				sc.remove(p.From)
			}
			sc.set(p.To, x)
		}
	}
	return nil
}

// aggregate compiles a stats into the first level's select list, and
// returns the columns it makes.
func aggregate(ec *exprCompiler, st *plan.Stats, lv *level, fresh func() string) ([]namedCol, []string, error) {
	var aggs, keys []namedCol
	names := map[string]bool{}
	for _, b := range st.By {
		x, err := ec.expr(b.Expr)
		if err != nil {
			return nil, nil, fmt.Errorf("by %s: %w", b.Name, err)
		}
		if x.k == KindStrings {
			return nil, nil, unsupported("grouping by the multi-valued field %s", b.Name)
		}
		if x.k == kindNull {
			return nil, nil, unsupported("grouping by %s, which is always null", b.Name)
		}
		if ec.d != plan.ESQL && x.null {
			// SPL drops the events whose by-field is missing; ES|QL
			// groups them under null.
			lv.where = append(lv.where, "isNotNull("+x.s+")")
			x.null = false
			x.s = "assumeNotNull(" + x.s + ")"
		}
		keys = append(keys, namedCol{Name: b.Name, alias: fresh(), sx: x})
		names[b.Name] = true
		lv.groupBy = append(lv.groupBy, x.s)
	}
	for _, a := range st.Aggs {
		if names[a.Name] {
			return nil, nil, unsupported("an aggregate named as a by-field (%s)", a.Name)
		}
		x, err := aggCall(ec, a)
		if err != nil {
			return nil, nil, err
		}
		aggs = append(aggs, namedCol{Name: a.Name, alias: fresh(), sx: x})
	}
	cols := append(append([]namedCol{}, aggs...), keys...)
	if ec.d != plan.ESQL {
		cols = append(append([]namedCol{}, keys...), aggs...)
	}
	var selects []string
	for _, c := range cols {
		selects = append(selects, c.s+" AS "+c.alias)
	}
	return cols, selects, nil
}

type namedCol struct {
	Name  string
	alias string
	sx
}

// aggCall compiles one aggregate.
func aggCall(ec *exprCompiler, a plan.Agg) (sx, error) {
	fn := a.Func
	if len(a.Args) == 0 || len(a.Args) == 1 && isStar(a.Args[0]) {
		if fn == "count" {
			return sx{s: "toInt64(count())", k: KindLong}, nil
		}
		return sx{}, unsupported("%s()", fn)
	}
	if len(a.Args) != 1 {
		return sx{}, unsupported("%s with %d arguments", fn, len(a.Args))
	}
	x, err := ec.expr(a.Args[0])
	if err != nil {
		return sx{}, fmt.Errorf("%s: %w", a.Name, err)
	}
	if x.k == kindNull {
		return sx{}, unsupported("%s of a null", fn)
	}
	arr := x.k == KindStrings
	switch fn {
	case "count":
		if arr {
			return sx{s: "toInt64(sum(length(" + x.s + ")))", k: KindLong}, nil
		}
		return sx{s: "toInt64(count(" + x.s + "))", k: KindLong}, nil
	case "dc", "distinct_count", "count_distinct":
		if arr {
			return sx{s: "toInt64(uniqExactArray(" + x.s + "))", k: KindLong}, nil
		}
		return sx{s: "toInt64(uniqExact(" + x.s + "))", k: KindLong}, nil
	case "values":
		if arr {
			return sx{s: "arraySort(groupUniqArrayArray(" + x.s + "))", k: KindStrings}, nil
		}
		if !x.text() {
			return sx{}, unsupported("values of a %s field", x.k)
		}
		return sx{s: "arraySort(groupUniqArray(" + x.s + "))", k: KindStrings}, nil
	case "sum":
		if x.k == KindLong || x.k == KindDouble {
			return sx{s: "sum(" + x.s + ")", k: x.k, null: true}, nil
		}
	case "avg", "mean":
		if x.numeric() {
			return sx{s: "avg(" + x.s + ")", k: KindDouble, null: true}, nil
		}
	case "min", "max":
		if x.numeric() || x.k == KindTime || x.k == KindEpoch {
			return sx{s: fn + "(" + x.s + ")", k: x.k, null: true}, nil
		}
	}
	return sx{}, unsupported("%s of a %s value", fn, x.k)
}

func isStar(e plan.Expr) bool {
	_, ok := e.(*plan.Star)
	return ok
}

func render(selects []string, lv *level) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(strings.Join(selects, ",\n\t"))
	b.WriteString("\nFROM ")
	b.WriteString(lv.from)
	if len(lv.where) > 0 {
		b.WriteString("\nWHERE ")
		b.WriteString(strings.Join(lv.where, "\n\tAND "))
	}
	if len(lv.groupBy) > 0 {
		b.WriteString("\nGROUP BY ")
		b.WriteString(strings.Join(lv.groupBy, ", "))
	}
	if len(lv.orderBy) > 0 {
		b.WriteString("\nORDER BY ")
		b.WriteString(strings.Join(lv.orderBy, ", "))
	}
	if lv.limit > 0 {
		b.WriteString("\nLIMIT ")
		b.WriteString(strconv.Itoa(lv.limit))
	}
	return b.String()
}

// outKind is the kind a result column reads back as: a null column as text.
func outKind(k Kind) Kind {
	if k == kindNull {
		return KindString
	}
	return k
}

// castOut casts a result column to the one type each kind reads back as.
func castOut(x sx) string {
	k := outKind(x.k)
	if k == KindStrings {
		return x.s
	}
	return "CAST(" + x.s + " AS " + k.SQLType() + ")"
}

func opName(n plan.Node) string {
	if st, ok := n.(*plan.Stats); ok && st.Inline {
		return "inline stats"
	}
	s := n.String()
	if i := strings.IndexByte(s, ' '); i > 0 {
		s = s[:i]
	}
	return s
}

// DefaultDatabase is the database tripline's tables are in.
const DefaultDatabase = "tripline"

// CompileRule compiles a rule's plan; timeField is the rule's timestamp
// override, which the tables do not hold yet (their time is the record's).
func CompileRule(q *plan.Query, timeField, database string) (*Query, error) {
	if timeField != "" {
		return nil, unsupported("timestamp_override (%s)", timeField)
	}
	return Compile(q, database)
}
