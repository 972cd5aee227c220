package lint

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tripline/tripline/internal/plan"
)

// Thresholds warns about conditions a query can never meet, as far as that
// is decidable from the plan alone:
//
//   - a count or distinct count compared with a bound it can never reach:
//     counts are never negative, and count(*) (SPL: count) is at least 1 in
//     every group of a STATS ... BY, so "where n < 1" after it is never true
//     (without BY, STATS over no rows returns one row with 0, so it is not
//     flagged);
//   - comparisons of one column with numbers that contradict each other in
//     the same or successive WHERE clauses ("n > 5 and n < 3"); in SPL this
//     is only decided for aggregate columns, since a multi-valued event field
//     may satisfy both;
//   - LIMIT 0, which returns no row.
//
// Only conjunctions are used (a condition under OR or NOT adds nothing), and
// a column loses what is known about it when an EVAL, RENAME, extraction or
// new STATS assigns it. Upper limits (a threshold above any count the data
// could give) are not decidable here and are not reported.
func Thresholds(q *plan.Query) []Warning {
	if q == nil {
		return nil
	}
	t := &thresholds{d: q.Dialect, cols: map[string]*bound{}}
	for _, n := range q.Pipeline {
		t.node(n)
	}
	return t.out
}

// bound is what is known of a numeric column: lo <= x <= hi (strict when
// marked), why, and whether x is a whole number.
type bound struct {
	lo, hi             float64
	loStrict, hiStrict bool
	integer, scalar    bool
	why                []string
}

func unbounded() *bound { return &bound{lo: math.Inf(-1), hi: math.Inf(1)} }

type thresholds struct {
	d    plan.Dialect
	cols map[string]*bound
	out  []Warning
}

func (t *thresholds) node(n plan.Node) {
	switch x := n.(type) {
	case *plan.Stats:
		if x.Inline {
			for _, a := range x.Aggs {
				delete(t.cols, a.Name)
			}
			return
		}
		t.cols = map[string]*bound{}
		for _, a := range x.Aggs {
			b := unbounded()
			b.scalar = true
			if why, lo, ok := countFloor(a, len(x.By) > 0); ok {
				b.lo, b.integer, b.why = lo, true, []string{why}
			}
			t.cols[a.Name] = b
		}
	case *plan.Eval:
		for _, a := range x.Assigns {
			delete(t.cols, a.Name)
		}
	case *plan.Rename:
		for _, p := range x.Pairs {
			b := t.cols[p.From]
			delete(t.cols, p.From)
			delete(t.cols, p.To)
			if b != nil {
				t.cols[p.To] = b
			}
		}
	case *plan.MvExpand:
		delete(t.cols, x.Field)
	case *plan.FillNull:
		if len(x.Fields) == 0 {
			t.cols = map[string]*bound{}
		}
		for _, f := range x.Fields {
			delete(t.cols, f)
		}
	case *plan.Extract:
		for _, f := range x.Names {
			delete(t.cols, f)
		}
	case *plan.Dissect:
		t.cols = map[string]*bound{} // the pattern names the columns it sets
	case *plan.Limit:
		if x.N == 0 {
			t.warn("limit 0 returns no rows: the rule can never alert")
		}
	case *plan.Where:
		for _, c := range conjuncts(x.Cond) {
			t.cond(c)
		}
	}
}

// countFloor returns the least value an aggregate can take when it is a
// count: 1 for a count of rows in a group, 0 for other counts.
func countFloor(a plan.Agg, grouped bool) (why string, lo float64, ok bool) {
	switch a.Func {
	case "count", "c":
		rows := len(a.Args) == 0
		if len(a.Args) == 1 {
			_, rows = a.Args[0].(*plan.Star)
		}
		if rows && grouped {
			return fmt.Sprintf("%s counts at least 1 row in every group", a.Name), 1, true
		}
		return fmt.Sprintf("%s is a count, never negative", a.Name), 0, true
	case "count_distinct", "dc", "distinct_count":
		return fmt.Sprintf("%s is a distinct count, never negative", a.Name), 0, true
	}
	return "", 0, false
}

func conjuncts(e plan.Expr) []plan.Expr {
	if b, ok := e.(*plan.Binary); ok && strings.EqualFold(b.Op, "AND") {
		return append(conjuncts(b.L), conjuncts(b.R)...)
	}
	return []plan.Expr{e}
}

// cond narrows a column by one comparison with a number and warns when
// nothing is left.
func (t *thresholds) cond(e plan.Expr) {
	name, op, v, text, ok := comparison(e)
	if !ok {
		return
	}
	b := t.cols[name]
	if b == nil {
		if t.d != plan.ESQL {
			return // an SPL event field may be multi-valued
		}
		b = unbounded()
		t.cols[name] = b
	}
	if !b.scalar && t.d != plan.ESQL {
		return
	}
	switch op {
	case ">":
		b.raiseLo(v, true)
	case ">=":
		b.raiseLo(v, false)
	case "<":
		b.lowerHi(v, true)
	case "<=":
		b.lowerHi(v, false)
	case "==", "=":
		if b.integer && v != math.Trunc(v) {
			b.lo, b.hi = 1, 0 // a whole number never equals a fraction
		}
		b.raiseLo(v, false)
		b.lowerHi(v, false)
	default:
		return
	}
	if b.empty() {
		why := strings.Join(b.why, "; ")
		t.out = append(t.out, Warning{Check: CheckThreshold, Subject: text,
			Msg: fmt.Sprintf("condition %q can never be true (%s)", text, why)})
		delete(t.cols, name)
		return
	}
	b.why = append(b.why, "earlier condition "+strconv.Quote(text))
}

func (t *thresholds) warn(msg string) {
	t.out = append(t.out, Warning{Check: CheckThreshold, Msg: msg})
}

func (b *bound) raiseLo(v float64, strict bool) {
	if v > b.lo || (v == b.lo && strict) {
		b.lo, b.loStrict = v, strict
	}
}

func (b *bound) lowerHi(v float64, strict bool) {
	if v < b.hi || (v == b.hi && strict) {
		b.hi, b.hiStrict = v, strict
	}
}

// empty reports whether no value meets the bound.
func (b *bound) empty() bool {
	lo, hi := b.lo, b.hi
	if b.integer {
		if b.loStrict {
			lo = math.Floor(lo) + 1
		} else {
			lo = math.Ceil(lo)
		}
		if b.hiStrict {
			hi = math.Ceil(hi) - 1
		} else {
			hi = math.Floor(hi)
		}
		return lo > hi
	}
	return lo > hi || (lo == hi && (b.loStrict || b.hiStrict))
}

// flipped turns "3 < x" into "x > 3".
var flipped = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "=": "=", "!=": "!="}

// comparison reads "column op number" (either way round) from a WHERE or
// SPL search condition.
func comparison(e plan.Expr) (name, op string, v float64, text string, ok bool) {
	switch x := e.(type) {
	case *plan.Binary:
		if _, known := flipped[x.Op]; !known {
			return "", "", 0, "", false
		}
		if f, isField := x.L.(*plan.Field); isField {
			if n, isNum := number(x.R); isNum {
				return f.Name, x.Op, n, x.String(), true
			}
		}
		if f, isField := x.R.(*plan.Field); isField {
			if n, isNum := number(x.L); isNum {
				return f.Name, flipped[x.Op], n, x.String(), true
			}
		}
	case *plan.SearchCmp:
		n, err := strconv.ParseFloat(x.Value, 64)
		if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
			return "", "", 0, "", false
		}
		return x.Field, x.Op, n, x.String(), true
	}
	return "", "", 0, "", false
}

// number returns the value of a numeric literal (possibly negated).
func number(e plan.Expr) (float64, bool) {
	switch x := e.(type) {
	case *plan.Literal:
		if n, ok := x.Value.Long(); ok {
			return float64(n), true
		}
		if f, ok := x.Value.Double(); ok {
			return f, true
		}
	case *plan.Unary:
		if x.Op == "-" {
			if n, ok := number(x.X); ok {
				return -n, true
			}
		}
	}
	return 0, false
}
