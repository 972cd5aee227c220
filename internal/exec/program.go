package exec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
	"github.com/tripline/tripline/internal/schema"
)

// Options tune how a plan compiles.
type Options struct {
	// TimeField, when set, is read for each event's time instead of the
	// record's own (Elastic's timestamp_override); events without it fall
	// back to their own time, as Kibana does.
	TimeField string
	// Lookups resolves the lookup tables an SPL query names (lookup,
	// inputlookup); nil: none is configured, and the rule loads with a
	// warning.
	Lookups Lookups
	// GeoIP locates addresses for iplocation; nil: no database is
	// configured, and the fields it would add stay unset.
	GeoIP GeoIP
	// Enrich holds the databases the ECS view's source.geo.* and
	// source.as.* fields read; nil or without a database, those fields
	// are null and the program warns that they are.
	Enrich *schema.Enrich
	// Complete answers the prompts of ES|QL's COMPLETION; without it the
	// target column is null.
	Complete CompleteFunc
	// CompleteLimit caps the COMPLETION calls of one evaluation of a
	// window, per COMPLETION command (0: DefaultCompleteLimit).
	CompleteLimit int
}

// DefaultCompleteLimit is Options.CompleteLimit's default.
const DefaultCompleteLimit = 100

// Program is a compiled query, shared read-only by its Instances.
type Program struct {
	Query *plan.Query
	View  schema.View
	// LogTypes are the logs the query reads (see schema.Select).
	LogTypes []event.LogType
	Warnings []string
	// GroupBy names the keys of the first aggregation: the columns that
	// identify a result row. Empty for queries that return events.
	GroupBy []string

	fields  []string
	enrich  *schema.Enrich
	reads   [event.NumLogTypes]bool
	nslots  int
	getters [event.NumLogTypes][]schema.Getter
	timeOf  [event.NumLogTypes]schema.Getter
	steps   []step
	stats   *statsSpec
	seq     *seqSpec
	visible []string
	slots   []int // stream slot of each visible column
	tslots  []int // tail slot of each visible column
	open    bool
	hidden  []string
	tail    *tailPlan
	pre     Prefilter
	prune   *pruner
	// layout places each operator of the plan after its from, for explain
	// mode; stepTerms holds, by stream step, the AND terms of a WHERE of
	// more than one, compiled one by one so that explain mode can count
	// what passes each. Neither is read when explain mode is off.
	layout    []stageLoc
	stepTerms map[int][]scalar.Evaluator
	// own marks the log types the program's own stream reads; reads adds
	// those of its subsearches (see sub).
	own [event.NumLogTypes]bool
	sub subPrograms
}

// stageLoc says where one operator of the plan runs.
type stageLoc struct {
	node plan.Node
	at   stageAt
	idx  int // the stream step or tail operator
	// implicit marks an operator the language adds (ES|QL's LIMIT 1000).
	implicit bool
}

type stageAt uint8

const (
	// atScope: keep, drop or rename in the stream, which only change the
	// names later operators compile against and cost nothing per event.
	atScope stageAt = iota
	atStep          // a stream step
	atStats         // the stream's aggregation into panes
	atTail          // an operator of the tail, run per window
)

// step is one stream operator: a row operator, or an mv_expand of a slot.
type step struct {
	op       rowOp
	expand   bool
	slot     int
	fillAll  bool
	fillWith scalar.Evaluator
}

// Compile turns a plan into a Program. Errors name the operator.
func Compile(q *plan.Query, opt Options) (*Program, error) {
	if len(q.Pipeline) == 0 {
		return nil, fmt.Errorf("BUG: empty plan")
	}
	from, ok := q.Pipeline[0].(*plan.From)
	if !ok {
		return nil, fmt.Errorf("BUG: plan does not start with from")
	}
	p := &Program{Query: q, View: schema.ViewFor(q.Dialect), enrich: opt.Enrich}
	rs := &resources{opt: opt, subs: &p.sub}
	if from.Lookup != "" {
		// "| inputlookup NAME": the table's rows, no events.
		p.sub.source = rs.table(from.Lookup)
	} else {
		p.LogTypes, p.Warnings = schema.Select(from)
	}
	for _, lt := range p.LogTypes {
		p.reads[lt] = true
		p.own[lt] = true
	}
	sc := newStreamScope(p.View, p.LogTypes)
	pb := &prefilterBuilder{d: q.Dialect, view: p.View, logTypes: p.LogTypes, isField: func(name string) bool {
		_, computed := sc.slotOf[name]
		return !computed && sc.open && !matchAny(sc.hidden, name)
	}}
	nodes := q.Pipeline[1:]
	i := 0
	// While the stream holds only filters and evals, an eval whose
	// expression reads only the record's own fields gives the same value
	// in every rule of the same dialect and view: it is computed once per
	// record (see event.Memo). assigned holds the names evals have set.
	memoable, assigned := true, map[string]bool{}
stream:
	for ; i < len(nodes) && from.Lookup == ""; i++ {
		n := nodes[i]
		nsteps := len(p.steps)
		if usesNow(n) || perWindow(n) {
			// now() is the tick's time, unknown while events stream into
			// panes: from here on, rows are kept and evaluated per tick.
			break stream
		}
		switch t := n.(type) {
		case *plan.Keep:
			sc.keep(t.Fields)
		case *plan.Drop:
			sc.drop(t.Fields)
		case *plan.Rename:
			for _, pr := range t.Pairs {
				if strings.Contains(pr.From, "*") {
					sc.renameWild(pr.From, pr.To)
					continue
				}
				sc.rename(pr.From, pr.To)
			}
		case *plan.MvExpand:
			p.steps = append(p.steps, step{expand: true, slot: sc.resolve(t.Field)})
		case *plan.FillNull:
			val, err := scalar.Compile(t.Value, q.Dialect, sc.resolve)
			if err != nil {
				return nil, fmt.Errorf("fillnull: %w", err)
			}
			fields := t.Fields
			if len(fields) == 0 {
				if sc.open {
					break stream // "every field" of an open event is only known per row
				}
				fields = append([]string(nil), sc.visible...)
			}
			slots := make([]int, len(fields))
			for j, f := range fields {
				slots[j] = sc.resolve(f)
				if _, ok := sc.slotOf[f]; !ok {
					sc.bind(f, slots[j])
				}
			}
			p.steps = append(p.steps, step{op: &fillNullOp{slots: slots, value: val}})
		case *plan.Sequence:
			if i != len(nodes)-1 {
				return nil, fmt.Errorf("sequence: nothing may follow a sequence")
			}
			seq, err := compileSequence(t, q.Dialect, sc.resolve)
			if err != nil {
				return nil, err
			}
			p.seq = seq
		case *plan.Stats, *plan.Sort, *plan.Limit, *plan.Dedup, *plan.Completion:
			// COMPLETION calls an endpoint per row: only for the rows
			// of a window that reach it, never per event streaming by.
			break stream
		case *plan.Lookup:
			op, err := compileLookup(t, sc, rs)
			if err != nil {
				return nil, err
			}
			p.steps = append(p.steps, step{op: op})
		case *plan.IPLocation:
			p.steps = append(p.steps, step{op: compileIPLocation(t, sc, rs)})
		default:
			if w, ok := n.(*plan.Where); ok {
				p.pre.Clauses = append(p.pre.Clauses, pb.clauses(w.Cond)...)
			}
			op, err := compileRowOp(n, q.Dialect, sc)
			if err != nil {
				return nil, err
			}
			if op == nil {
				return nil, fmt.Errorf("BUG: unhandled operator %T", n)
			}
			if e, ok := n.(*plan.Eval); ok && memoable {
				op.(*evalOp).memoize(e, p.View, q.Dialect, assigned)
			}
			if wh, ok := n.(*plan.Where); ok && memoable {
				if err := op.(*whereOp).memoize(wh.Cond, p.View, q.Dialect, sc.resolve, assigned); err != nil {
					return nil, err
				}
			}
			if wh, ok := n.(*plan.Where); ok {
				terms, err := compileTerms(wh.Cond, q.Dialect, sc.resolve)
				if err != nil {
					return nil, err
				}
				if terms != nil {
					if p.stepTerms == nil {
						p.stepTerms = map[int][]scalar.Evaluator{}
					}
					p.stepTerms[len(p.steps)] = terms
				}
			}
			p.steps = append(p.steps, step{op: op})
		}
		switch n.(type) {
		case *plan.Where, *plan.Eval:
		default:
			memoable = false
		}
		if len(p.steps) > nsteps {
			p.layout = append(p.layout, stageLoc{node: n, at: atStep, idx: len(p.steps) - 1})
		} else {
			p.layout = append(p.layout, stageLoc{node: n, at: atScope})
		}
	}
	rest := nodes[i:]
	var cols, lead []string
	if len(rest) > 0 && from.Lookup == "" {
		if st, ok := rest[0].(*plan.Stats); ok && !st.Inline {
			if !sc.open {
				// The fields are known: a wildcard aggregate is one
				// aggregate per matching field. Over open events it is
				// expanded per event (bindStream).
				var err error
				if st, err = expandWildAggs(st, sc.visible); err != nil {
					return nil, fmt.Errorf("stats: %w", err)
				}
			}
			spec, err := compileStats(st, q.Dialect, sc.resolve)
			if err != nil {
				return nil, fmt.Errorf("stats: %w", err)
			}
			spec.bindStream(st, sc, p.View)
			p.stats = spec
			p.GroupBy = spec.keyNames
			cols = spec.outCols
			if spec.hasWild() {
				// Columns vary by group: the known ones lead.
				cols, lead = nil, spec.outCols
			}
			rest = rest[1:]
			p.layout = append(p.layout, stageLoc{node: st, at: atStats})
		}
	}
	if p.stats == nil {
		p.visible = append([]string(nil), sc.visible...)
		p.open = sc.open || from.Lookup != ""
		p.hidden = append([]string(nil), sc.hidden...)
		for _, v := range p.visible {
			p.slots = append(p.slots, sc.slotOf[v])
		}
		if !p.open {
			cols = p.visible
		}
		for _, n := range rest {
			if st, ok := n.(*plan.Stats); ok && !st.Inline && p.GroupBy == nil {
				for _, b := range st.By {
					p.GroupBy = append(p.GroupBy, b.Name)
				}
			}
		}
	}
	written := len(rest)
	if q.Dialect == plan.ESQL {
		if len(rest) == 0 || !isLimit(rest[len(rest)-1]) {
			rest = append(rest[:len(rest):len(rest)], &plan.Limit{N: 1000}) // ES|QL's implicit limit
		}
	}
	for j, n := range rest {
		p.layout = append(p.layout, stageLoc{node: n, at: atTail, idx: j, implicit: j >= written})
	}
	tail, err := compileTailLead(rest, q.Dialect, cols, lead, rs)
	if err == nil {
		tail.bindCompletion(opt)
	}
	if err != nil {
		return nil, err
	}
	p.tail = tail
	if p.stats != nil {
		p.stats.bindTail(tail.scope)
	} else {
		p.tslots = make([]int, len(p.visible))
		for i, v := range p.visible {
			p.tslots[i] = tail.scope.resolve(v)
		}
	}
	tail.finish()
	if p.stats != nil && !tail.cacheable && !p.stats.hasWild() {
		p.prune = compilePruner(p.stats, tail, tail.prefixLen, q.Dialect)
	}
	p.pre.Clauses = append(logTypeClause(p.LogTypes), p.pre.Clauses...)
	p.Warnings = append(p.Warnings, rs.warnings...)
	p.sub.finish(p)
	p.nslots = len(sc.fields)
	for _, f := range sc.fields {
		if f != "" {
			p.fields = append(p.fields, strings.Split(f, coalesceSep)...)
		}
	}
	for _, lt := range p.LogTypes {
		gs := make([]schema.Getter, p.nslots)
		for slot, f := range sc.fields {
			if f != "" {
				gs[slot] = sharedGetter(p.View, lt, f, opt.Enrich)
			}
		}
		p.getters[lt] = gs
		if opt.TimeField != "" {
			p.timeOf[lt] = sharedGetter(p.View, lt, opt.TimeField, opt.Enrich)
		}
	}
	if w := opt.Enrich.Missing(p.View, p.LogTypes, p.fields); w != "" {
		p.Warnings = append(p.Warnings, w)
	}
	return p, nil
}

// sharedGetter resolves a field and reads it through the record's memo,
// so that the rules reading the same field of a record in the same view
// look it up once between them. It is nil for a field the view does not
// have. en holds the databases enriched fields read (nil: none).
func sharedGetter(view schema.View, lt event.LogType, field string, en *schema.Enrich) schema.Getter {
	if names := strings.Split(field, coalesceSep); len(names) > 1 {
		var gs []schema.Getter
		for _, n := range names {
			if g := sharedGetter(view, lt, n, en); g != nil {
				gs = append(gs, g)
			}
		}
		return func(ev *event.Event) event.Value {
			for _, g := range gs {
				if v := g(ev); !v.IsNull() {
					return v
				}
			}
			return event.Value{}
		}
	}
	g, _ := schema.ResolveWith(view, lt, field, en)
	if g == nil {
		return nil
	}
	key := fmt.Sprintf("field %d %d %s", view, lt, field)
	if _, enriched := schema.FieldDatabase(view, lt, field); enriched {
		// Rules compiled with other databases read other values.
		key += fmt.Sprintf(" %p", en)
	}
	slot := event.MemoSlot(key)
	return func(ev *event.Event) event.Value {
		if v, ok := ev.Memo.Get(slot); ok {
			return v
		}
		v := g(ev)
		ev.Memo.Put(slot, v)
		return v
	}
}

// logTypeClause is the prefilter clause that a record is of one of the
// log types a program reads; none when it reads every kind of log, or none.
func logTypeClause(lts []event.LogType) [][]Literal {
	if len(lts) == 0 || len(lts) >= len(event.LogTypes) {
		return nil
	}
	var alts []Literal
	for _, lt := range lts {
		for _, m := range schema.LogTypeMarkers(lt) {
			alts = append(alts, NewLiteral(m, false))
		}
	}
	if len(alts) == 0 {
		return nil
	}
	return [][]Literal{alts}
}

// usesNow reports whether a node's expressions call now().
func usesNow(n plan.Node) bool {
	var exprs []plan.Expr
	switch t := n.(type) {
	case *plan.Where:
		exprs = append(exprs, t.Cond)
	case *plan.Eval:
		for _, a := range t.Assigns {
			exprs = append(exprs, a.Expr)
		}
	case *plan.FillNull:
		exprs = append(exprs, t.Value)
	case *plan.Dissect:
		exprs = append(exprs, t.Field)
	case *plan.Extract:
		exprs = append(exprs, t.Field)
	}
	found := false
	for _, e := range exprs {
		plan.Walk(e, func(x plan.Expr) bool {
			if c, ok := x.(*plan.Call); ok && c.Name == "now" {
				found = true
			}
			return !found
		})
	}
	return found
}

func isLimit(n plan.Node) bool {
	_, ok := n.(*plan.Limit)
	return ok
}

// Prefilter returns the literals a raw record must contain to produce a
// row; records without them need not be parsed.
func (p *Program) Prefilter() Prefilter { return p.pre }

// Reads reports whether the program reads events of log type lt.
func (p *Program) Reads(lt event.LogType) bool { return int(lt) < len(p.reads) && p.reads[lt] }

// Aggregates reports whether results are groups rather than events.
func (p *Program) Aggregates() bool { return len(p.GroupBy) > 0 || p.stats != nil }

// RecordPaths lists, once each and sorted, the record paths the program's
// fields read unchanged (user.id is identity.arn in an invocation
// record), so that what a rule read can be pointed out in a record.
func (p *Program) RecordPaths() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range p.fields {
		for _, lt := range p.LogTypes {
			if raw, ok := schema.RawPath(p.View, lt, f); ok && !seen[raw] {
				seen[raw] = true
				out = append(out, raw)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Enrich returns the databases the program's view reads geo and ASN
// fields from (nil without them), for other readers of the same fields.
func (p *Program) Enrich() *schema.Enrich { return p.enrich }

// Fields lists the event fields the program reads, in order of first use,
// for validation against the view.
func (p *Program) Fields() []string { return p.fields }

// eventTime returns an event's time in Unix nanoseconds for this program.
func (p *Program) eventTime(ev *event.Event) int64 {
	if g := p.timeOf[ev.LogType]; g != nil {
		v := g(ev)
		if ns, ok := v.Nanos(); ok {
			return ns
		}
		if n, ok := v.Long(); ok && (p.View == schema.Raw || p.View == schema.Paths) {
			return n * 1e9
		}
	}
	return ev.Time.UnixNano()
}

// columnsOf returns the output column order of a result row.
func (p *Program) columnsOf(r *tRow) []string {
	if p.tail.cols != nil {
		return p.tail.cols
	}
	cols := r.names(p.tail.scope)
	sortStrings(cols)
	return leadFirst(p.tail.lead, cols)
}

// Describe returns a short account of how the program runs, for `rules show`.
func (p *Program) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sources: ")
	for i, s := range p.LogTypes {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.String())
	}
	fmt.Fprintf(&b, "\nstream operators: %d", len(p.steps))
	if p.seq != nil {
		fmt.Fprintf(&b, "\nsequence: %d steps, events kept per pane and matched per window", len(p.seq.order))
	} else if p.stats != nil {
		fmt.Fprintf(&b, "\naggregation: incremental, in time panes, by %s", strings.Join(p.stats.keyNames, ", "))
	} else {
		b.WriteString("\nrows: buffered per pane")
	}
	fmt.Fprintf(&b, "\ntail operators: %d", len(p.tail.makers))
	return b.String()
}
