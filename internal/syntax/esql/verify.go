package esql

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/aggregate"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/scalar"
	"github.com/tripline/tripline/internal/schema"
	"github.com/tripline/tripline/internal/syntax"
)

// verify checks a parsed query the way Elasticsearch's verifier does
// before a query runs, so that a mistake that would make a rule silently
// never fire is an error with its place in the query:
//
//   - a column the query itself removed: dropped by DROP, renamed away by
//     RENAME, not kept by KEEP, or not among what STATS outputs (its
//     aggregates and BY keys);
//   - a column no data could hold: the FROM reads only data streams
//     tripline knows (logs-aws.cloudtrail-*, logs-aws_bedrock.invocation-*),
//     the view does not define the name, and the name lies under no ECS
//     field set or integration namespace (no_such.field, nope);
//   - a KEEP or DROP pattern that matches no column, on the same terms;
//   - a type mismatch between known types: a comparison of a keyword with
//     a number, arithmetic on a string, a function given an argument of a
//     type it does not take, a WHERE condition that is not a boolean.
//
// What verify leaves alone, on purpose: a field under an ECS or
// integration namespace that tripline's view does not derive
// (source.geo.country_name): an Elastic user's data may hold it, so the
// rule loads, the field reads null, and `rules validate` warns about it
// (internal/lint). A field whose type the view does not know (a subfield
// of a flattened object) is of any type. Every field of a FROM that reads
// data tripline does not know is of any type. As in ES|QL, null literals
// compare with anything, and a string constant is cast implicitly to a
// date, ip, version, boolean or time span where one is expected.
func verify(src string, q *plan.Query, at *spans) *syntax.Error {
	if len(q.Pipeline) == 0 {
		return nil
	}
	from, ok := q.Pipeline[0].(*plan.From)
	if !ok {
		return nil
	}
	v := &verifier{src: src, at: at, cols: map[string]scalar.Type{}, gone: map[string]string{}, base: true}
	v.lts, _ = schema.Select(from)
	v.closed = closedFrom(from, v.lts)
	for _, n := range q.Pipeline[1:] {
		if err := v.node(n); err != nil {
			return err
		}
	}
	return nil
}

// closedFrom reports whether every index pattern of a FROM names one of
// the data streams tripline reads (logs-aws.cloudtrail-*, not logs-*):
// whether tripline's view is all the FROM can hold.
func closedFrom(f *plan.From, lts []event.LogType) bool {
	if len(lts) == 0 || len(f.Indices) == 0 {
		return false
	}
	for _, pat := range f.Indices {
		named := false
		for _, lt := range lts {
			idx := schema.IndexName(lt)
			ds := idx[:strings.LastIndexByte(idx, '-')] // logs-aws.cloudtrail
			if strings.HasPrefix(strings.ToLower(pat), ds) {
				named = true
			}
		}
		if !named {
			return false
		}
	}
	return true
}

type verifier struct {
	src    string
	at     *spans
	cmd    string      // the command being checked, for messages
	cmdAt  syntax.Span // where it was written
	lts    []event.LogType
	closed bool // tripline's view is all the FROM can hold

	// cols are the columns the query made (EVAL, STATS, RENAME, DISSECT,
	// GROK) or kept, with their types.
	cols map[string]scalar.Type
	// gone says why a name is no longer a column.
	gone map[string]string
	// base says that the source's own fields are still columns: until
	// STATS, which outputs only its own (baseGone says so), or as far as
	// KEEP kept them (keeps: every list must match) and DROP did not
	// remove them (drops).
	base     bool
	baseGone string
	keeps    [][]string
	keepWhy  []string
	drops    []dropped
}

type dropped struct{ pattern, why string }

func (v *verifier) errorf(sp syntax.Span, format string, args ...any) *syntax.Error {
	if int(sp.End) > len(v.src) {
		sp.End = syntax.Pos(len(v.src))
	}
	if sp.Start > sp.End {
		sp.Start = sp.End
	}
	return &syntax.Error{Src: v.src, Span: sp, Msg: "cannot check " + v.cmd + " command: " + fmt.Sprintf(format, args...)}
}

// where returns "NAME at line:col" for the command being checked.
func (v *verifier) where() string {
	line, col := syntax.LineCol(v.src, v.cmdAt.Start)
	return fmt.Sprintf("%s at %d:%d", strings.ToUpper(v.cmd), line, col)
}

func (v *verifier) node(n plan.Node) *syntax.Error {
	v.cmdAt = v.at.nodes[n]
	v.cmd = commandName(v.src, v.cmdAt)
	names := v.at.names[n]
	nameAt := func(i int) syntax.Span {
		if i < len(names) {
			return names[i]
		}
		return v.cmdAt
	}
	switch t := n.(type) {
	case *plan.Where:
		ty, err := v.typeOf(t.Cond, v.cmdAt)
		if err != nil {
			return err
		}
		if ty != scalar.Boolean && ty != scalar.Null && ty != scalar.Any {
			return v.errorf(v.spanOf(t.Cond, v.cmdAt), "condition expression needs to be boolean, found [%s]", ty)
		}
	case *plan.Eval:
		for _, a := range t.Assigns {
			ty, err := v.typeOf(a.Expr, v.cmdAt)
			if err != nil {
				return err
			}
			v.set(a.Name, ty)
		}
	case *plan.Stats:
		return v.stats(t)
	case *plan.Sort:
		for _, k := range t.Keys {
			if _, err := v.typeOf(k.Expr, v.cmdAt); err != nil {
				return err
			}
		}
	case *plan.Keep:
		return v.keep(t.Fields, nameAt)
	case *plan.Drop:
		return v.drop(t.Fields, nameAt)
	case *plan.Rename:
		for i, p := range t.Pairs {
			if strings.Contains(p.From, "*") || strings.Contains(p.To, "*") {
				continue
			}
			ty, err := v.column(p.From, nameAt(i))
			if err != nil {
				return err
			}
			delete(v.cols, p.From)
			v.gone[p.From] = fmt.Sprintf("%s renamed it to [%s]", v.where(), p.To)
			v.set(p.To, ty)
		}
	case *plan.MvExpand:
		if _, err := v.column(t.Field, nameAt(0)); err != nil {
			return err
		}
	case *plan.Dissect:
		if err := v.stringInput("dissect", t.Field); err != nil {
			return err
		}
		if d, err := scalar.CompileDissect(t.Pattern, t.AppendSeparator); err == nil {
			for _, name := range d.Names() {
				v.set(name, scalar.Keyword)
			}
		}
	case *plan.Extract:
		if err := v.stringInput(t.Kind, t.Field); err != nil {
			return err
		}
		for _, name := range t.Names {
			if name != "" {
				v.set(name, scalar.Keyword)
			}
		}
	case *plan.Completion:
		ty, err := v.typeOf(t.Prompt, v.cmdAt)
		if err != nil {
			return err
		}
		if !scalar.String.Accepts(scalar.Arg{Type: ty}) {
			return v.errorf(v.spanOf(t.Prompt, v.cmdAt), "prompt of [%s] must be [string], found value [%s] type [%s]",
				v.text(v.cmdAt), v.exprText(t.Prompt), ty)
		}
		v.set(t.Target, scalar.Keyword)
	}
	return nil
}

// commandName returns the command written at sp, lower case ("where",
// "inline stats").
func commandName(src string, sp syntax.Span) string {
	if int(sp.End) > len(src) || sp.Start >= sp.End {
		return "query"
	}
	fields := strings.Fields(src[sp.Start:sp.End])
	if len(fields) == 0 {
		return "query"
	}
	name := strings.ToLower(fields[0])
	if name == "inline" && len(fields) > 1 {
		name += " " + strings.ToLower(fields[1])
	}
	return name
}

// set makes name a column of type t.
func (v *verifier) set(name string, t scalar.Type) {
	v.cols[name] = t
	delete(v.gone, name)
}

// column returns the type of the column name, written at sp, or the error
// that it is not a column.
func (v *verifier) column(name string, sp syntax.Span) (scalar.Type, *syntax.Error) {
	if t, ok := v.cols[name]; ok {
		return t, nil
	}
	if why, ok := v.gone[name]; ok {
		return scalar.Any, v.errorf(sp, "unknown column [%s]: %s", name, why)
	}
	if !v.base {
		return scalar.Any, v.errorf(sp, "unknown column [%s]: %s", name, v.baseGone)
	}
	for i, keep := range v.keeps {
		if !matchAny(keep, name) {
			return scalar.Any, v.errorf(sp, "unknown column [%s]: %s", name, v.keepWhy[i])
		}
	}
	for _, d := range v.drops {
		if schema.Glob(d.pattern, name) {
			return scalar.Any, v.errorf(sp, "unknown column [%s]: %s", name, d.why)
		}
	}
	t, known := v.sourceType(name)
	if !known {
		return scalar.Any, v.errorf(sp, "unknown column [%s]", name)
	}
	return t, nil
}

// sourceType returns the type of a field of the FROM's data, and false
// when that data cannot hold it (see verify).
func (v *verifier) sourceType(name string) (scalar.Type, bool) {
	for _, lt := range v.lts {
		if mapping, ok := schema.MappingType(lt, name); ok {
			return scalar.TypeOfMapping(mapping), true
		}
	}
	if !v.closed || schema.InECSNamespace(name) {
		return scalar.Any, true
	}
	return scalar.Any, false
}

func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if schema.Glob(p, name) {
			return true
		}
	}
	return false
}

// sourceMatches reports whether a KEEP or DROP pattern may match a field
// of the FROM's data still visible: one of the view's, or any when the
// data is not all tripline's or the pattern lies under an ECS namespace.
func (v *verifier) sourceMatches(pattern string) bool {
	if !v.base {
		return false
	}
	if !v.closed || schema.InECSNamespace(pattern) {
		return true
	}
	for _, lt := range v.lts {
		for _, f := range schema.Fields(schema.ECS, lt) {
			if !schema.Glob(pattern, f) {
				continue
			}
			if _, err := v.column(f, syntax.Span{}); err == nil {
				return true
			}
		}
	}
	return false
}

func (v *verifier) keep(items []string, nameAt func(int) syntax.Span) *syntax.Error {
	kept := map[string]scalar.Type{}
	for i, item := range items {
		if !strings.Contains(item, "*") {
			t, err := v.column(item, nameAt(i))
			if err != nil {
				return err
			}
			kept[item] = t
			continue
		}
		matched := false
		for name, t := range v.cols {
			if schema.Glob(item, name) {
				kept[name], matched = t, true
			}
		}
		if !matched && !v.sourceMatches(item) {
			return v.errorf(nameAt(i), "no matches found for pattern [%s]", item)
		}
	}
	why := v.where() + " did not keep it"
	for name := range v.cols {
		if _, ok := kept[name]; !ok {
			v.gone[name] = why
		}
	}
	v.cols = kept
	if v.base {
		v.keeps = append(v.keeps, items)
		v.keepWhy = append(v.keepWhy, why)
	}
	return nil
}

func (v *verifier) drop(items []string, nameAt func(int) syntax.Span) *syntax.Error {
	why := v.where() + " dropped it"
	for i, item := range items {
		if !strings.Contains(item, "*") {
			if _, err := v.column(item, nameAt(i)); err != nil {
				return err
			}
			delete(v.cols, item)
			v.gone[item] = why
			continue
		}
		matched := v.sourceMatches(item)
		for name := range v.cols {
			if schema.Glob(item, name) {
				delete(v.cols, name)
				v.gone[name] = why
				matched = true
			}
		}
		if !matched {
			return v.errorf(nameAt(i), "no matches found for pattern [%s]", item)
		}
		if v.base {
			v.drops = append(v.drops, dropped{item, why})
		}
	}
	return nil
}

func (v *verifier) stats(s *plan.Stats) *syntax.Error {
	aggAt := v.at.aggs[s]
	out := map[string]scalar.Type{}
	var order []string
	for i, a := range s.Aggs {
		sp := v.cmdAt
		if i < len(aggAt) && aggAt[i].End > aggAt[i].Start {
			sp = aggAt[i]
		}
		args := make([]scalar.Arg, len(a.Args))
		for j, e := range a.Args {
			t, err := v.typeOf(e, sp)
			if err != nil {
				return err
			}
			args[j] = v.arg(e, t)
		}
		t := scalar.Any
		if f, ok := aggregate.Lookup(plan.ESQL, a.Func); ok && f.Sig != nil {
			var terr *scalar.TypeError
			if t, terr = f.Sig.Check(args); terr != nil {
				return v.argError(v.text(sp), sp, a.Args, args, terr)
			}
		}
		out[a.Name] = t
		order = append(order, a.Name)
	}
	for _, b := range s.By {
		t, err := v.typeOf(b.Expr, v.cmdAt)
		if err != nil {
			return err
		}
		out[b.Name] = t
	}
	if s.Inline {
		for name, t := range out {
			v.set(name, t)
		}
		return nil
	}
	v.cols, v.gone = out, map[string]string{}
	v.base, v.baseGone = false, v.where()+" outputs only its aggregates and BY keys"
	v.keeps, v.keepWhy, v.drops = nil, nil, nil
	return nil
}

// stringInput checks that DISSECT's or GROK's input is a string.
func (v *verifier) stringInput(kind string, e plan.Expr) *syntax.Error {
	t, err := v.typeOf(e, v.cmdAt)
	if err != nil {
		return err
	}
	if !scalar.String.Accepts(scalar.Arg{Type: t}) {
		return v.errorf(v.spanOf(e, v.cmdAt), "%s only supports keyword or text values, found expression [%s] type [%s]",
			strings.ToUpper(kind), v.exprText(e), t)
	}
	return nil
}

// spanOf returns where e was written, or sp when the parser made e up.
func (v *verifier) spanOf(e plan.Expr, sp syntax.Span) syntax.Span { return v.at.spanOr(e, sp) }

// text returns the source written at sp.
func (v *verifier) text(sp syntax.Span) string {
	if sp.Start < 0 || int(sp.End) > len(v.src) || sp.Start >= sp.End {
		return ""
	}
	return shorten(v.src[sp.Start:sp.End])
}

// shorten prints source text in a message as ES|QL's messages do, between
// brackets and unquoted: on one line, and cut short when long.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return s
}

// exprText returns e as written, or as the plan prints it when the parser
// made it up.
func (v *verifier) exprText(e plan.Expr) string {
	if sp, ok := v.at.exprs[e]; ok {
		return v.text(sp)
	}
	return shorten(e.String())
}

// arg describes e, of type t, to a type rule.
func (v *verifier) arg(e plan.Expr, t scalar.Type) scalar.Arg {
	lit, ok := e.(*plan.Literal)
	return scalar.Arg{Type: t, StringConst: ok && lit.Value.Kind() == event.String}
}

// typeOf infers e's type, checking it and every expression below it; sp
// is where e was written when the parser made it up.
func (v *verifier) typeOf(e plan.Expr, sp syntax.Span) (scalar.Type, *syntax.Error) {
	sp = v.spanOf(e, sp)
	if v.at.opaque[e] {
		return scalar.Boolean, nil
	}
	switch t := e.(type) {
	case *plan.Field:
		return v.column(t.Name, sp)
	case *plan.Literal:
		return literalType(t.Value), nil
	case *plan.Span:
		if t.Months != 0 {
			return scalar.DatePeriod, nil
		}
		return scalar.TimeDuration, nil
	case *plan.Star:
		return scalar.Any, nil
	case *plan.Match:
		if _, err := v.column(t.Field, sp); err != nil {
			return scalar.Any, err
		}
		return scalar.Boolean, nil
	case *plan.IsNull:
		if _, err := v.typeOf(t.X, sp); err != nil {
			return scalar.Any, err
		}
		return scalar.Boolean, nil
	case *plan.Like:
		x, err := v.typeOf(t.X, sp)
		if err != nil {
			return scalar.Any, err
		}
		if !scalar.String.Accepts(scalar.Arg{Type: x}) {
			return scalar.Any, v.errorf(v.spanOf(t.X, sp), "first argument of [%s] must be [string], found value [%s] type [%s]", v.text(sp), v.exprText(t.X), x)
		}
		return scalar.Boolean, nil
	case *plan.In:
		x, err := v.typeOf(t.X, sp)
		if err != nil {
			return scalar.Any, err
		}
		xa := v.arg(t.X, x)
		for i, item := range t.List {
			it, err := v.typeOf(item, sp)
			if err != nil {
				return scalar.Any, err
			}
			if !scalar.Comparable(xa, v.arg(item, it)) {
				return scalar.Any, v.errorf(v.spanOf(item, sp), "%s argument of [%s] must be [%s], found value [%s] type [%s]",
					shortOrdinal(i+1), v.text(sp), x, v.exprText(item), it)
			}
		}
		return scalar.Boolean, nil
	case *plan.Unary:
		x, err := v.typeOf(t.X, sp)
		if err != nil {
			return scalar.Any, err
		}
		want := scalar.Bool
		if t.Op == "-" {
			want = scalar.Numeric | scalar.Spans
		}
		if !want.Accepts(v.arg(t.X, x)) {
			return scalar.Any, v.errorf(v.spanOf(t.X, sp), "argument of [%s] must be [%s], found value [%s] type [%s]", v.text(sp), want, v.exprText(t.X), x)
		}
		if t.Op == "-" {
			return x, nil
		}
		return scalar.Boolean, nil
	case *plan.Binary:
		return v.binary(t, sp)
	case *plan.Call:
		return v.call(t, sp)
	}
	return scalar.Any, nil
}

func (v *verifier) binary(b *plan.Binary, sp syntax.Span) (scalar.Type, *syntax.Error) {
	l, err := v.typeOf(b.L, sp)
	if err != nil {
		return scalar.Any, err
	}
	r, err := v.typeOf(b.R, sp)
	if err != nil {
		return scalar.Any, err
	}
	la, ra := v.arg(b.L, l), v.arg(b.R, r)
	exprs := []plan.Expr{b.L, b.R}
	args := []scalar.Arg{la, ra}
	switch op := strings.ToUpper(b.Op); op {
	case "AND", "OR":
		for i, a := range args {
			if !scalar.Bool.Accepts(a) {
				return scalar.Any, v.errorf(v.spanOf(exprs[i], sp), "%s argument of [%s] must be [boolean], found value [%s] type [%s]",
					ordinal(i), v.text(sp), v.exprText(exprs[i]), a.Type)
			}
		}
		return scalar.Boolean, nil
	case "==", "!=", "<", "<=", ">", ">=":
		if !scalar.Comparable(la, ra) {
			lt := l.String()
			if l.IsNumeric() {
				lt = "numeric"
			}
			return scalar.Any, v.errorf(sp, "first argument of [%s] is [%s] so second argument must also be [%s] but was [%s]",
				v.text(sp), lt, lt, r)
		}
		return scalar.Boolean, nil
	case "=~":
		for i, a := range args {
			if !scalar.String.Accepts(a) {
				return scalar.Any, v.errorf(v.spanOf(exprs[i], sp), "%s argument of [%s] must be [string], found value [%s] type [%s]",
					ordinal(i), v.text(sp), v.exprText(exprs[i]), a.Type)
			}
		}
		return scalar.Boolean, nil
	default:
		t, terr := scalar.ArithType(op, la, ra)
		if terr == nil {
			return t, nil
		}
		if terr.Mismatch {
			return scalar.Any, v.errorf(sp, "[%s] has arguments with incompatible types [%s] and [%s]", op, l, r)
		}
		return scalar.Any, v.errorf(v.spanOf(exprs[terr.Arg], sp), "%s argument of [%s] must be [%s], found value [%s] type [%s]",
			ordinal(terr.Arg), v.text(sp), terr.Want, v.exprText(exprs[terr.Arg]), args[terr.Arg].Type)
	}
}

func (v *verifier) call(c *plan.Call, sp syntax.Span) (scalar.Type, *syntax.Error) {
	f, ok := scalar.Lookup(plan.ESQL, c.Name)
	if !ok {
		if _, isAgg := aggregate.Lookup(plan.ESQL, c.Name); isAgg {
			return scalar.Any, v.errorf(sp, "aggregate function [%s] is only valid in STATS", v.text(sp))
		}
		return scalar.Any, v.errorf(sp, "unknown function [%s]", c.Name)
	}
	if len(c.Args) < f.MinArgs || f.MaxArgs >= 0 && len(c.Args) > f.MaxArgs {
		return scalar.Any, v.errorf(sp, "%s() takes %s, got %d", c.Name, arity(f.MinArgs, f.MaxArgs), len(c.Args))
	}
	args := make([]scalar.Arg, len(c.Args))
	for i, a := range c.Args {
		t, err := v.typeOf(a, sp)
		if err != nil {
			return scalar.Any, err
		}
		args[i] = v.arg(a, t)
	}
	if c.Name == "case" {
		for i := 0; i+1 < len(c.Args); i += 2 {
			if !scalar.Bool.Accepts(args[i]) {
				return scalar.Any, v.errorf(v.spanOf(c.Args[i], sp), "%s argument of [%s] must be [boolean], found value [%s] type [%s]",
					ordinal(i), v.text(sp), v.exprText(c.Args[i]), args[i].Type)
			}
		}
	}
	if f.Sig == nil {
		return scalar.Any, nil
	}
	t, terr := f.Sig.Check(args)
	if terr != nil {
		return scalar.Any, v.argError(v.text(sp), sp, c.Args, args, terr)
	}
	return t, nil
}

// argError reports a function's or aggregate's argument of the wrong type
// as ES|QL's verifier words it.
func (v *verifier) argError(call string, sp syntax.Span, exprs []plan.Expr, args []scalar.Arg, terr *scalar.TypeError) *syntax.Error {
	i := terr.Arg
	if terr.Mismatch {
		want := args[0].Type
		for _, a := range args {
			if a.Type != scalar.Null && a.Type != scalar.Any {
				want = a.Type
				break
			}
		}
		return v.errorf(v.spanOf(exprs[i], sp), "%s argument of [%s] must be [%s], found value [%s] type [%s]",
			ordinal(i), call, want, v.exprText(exprs[i]), args[i].Type)
	}
	ord := ordinal(i) + " "
	if len(exprs) == 1 {
		ord = ""
	}
	return v.errorf(v.spanOf(exprs[i], sp), "%sargument of [%s] must be [%s], found value [%s] type [%s]",
		ord, call, terr.Want, v.exprText(exprs[i]), args[i].Type)
}

func literalType(val event.Value) scalar.Type {
	switch val.Kind() {
	case event.Null:
		return scalar.Null
	case event.Bool:
		return scalar.Boolean
	case event.Long:
		if n, _ := val.Long(); n >= -1<<31 && n < 1<<31 {
			return scalar.Integer
		}
		return scalar.Long
	case event.Double:
		return scalar.Double
	case event.String:
		return scalar.Keyword
	case event.Time:
		return scalar.Datetime
	case event.IP:
		return scalar.IP
	case event.Multi:
		t := scalar.Null
		for _, e := range val.Values() {
			if et := literalType(e); t == scalar.Null {
				t = et
			} else if et != t && et != scalar.Null {
				return scalar.Any
			}
		}
		return t
	}
	return scalar.Any
}

var ordinals = []string{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"}

// ordinal names the i-th (0-based) argument as ES|QL's messages do.
func ordinal(i int) string {
	if i < len(ordinals) {
		return ordinals[i]
	}
	return shortOrdinal(i + 1)
}

// shortOrdinal writes n (1-based) as 1st, 2nd, 3rd, 4th...
func shortOrdinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}
