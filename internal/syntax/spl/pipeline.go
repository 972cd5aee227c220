package spl

import (
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/schema"
)

// Rewrites of a parsed pipeline that need to see the commands after a
// command, or the columns before it.

// extractReferenced fills the evals that stand for "spath input=F" without
// a path. Splunk's spath then extracts every field of the JSON text in F,
// each named by its path (nested keys joined by ".", arrays as "{}"), over
// any field of the same name; keys the JSON does not have leave their
// fields alone. Which keys a JSON value has is known only per event, so
// tripline extracts the fields the rest of the pipeline reads (up to its
// first aggregation, which keeps only what it names): for each such field
// f, f = coalesce(spath(F, "f"), f). A later "table *" or values(*) does
// not see the other keys. Evals left with no field are removed.
func extractReferenced(pipeline []plan.Node, spathAll map[*plan.Eval]string) []plan.Node {
	if len(spathAll) == 0 {
		return pipeline
	}
	// Later ones first, so that an earlier spath sees what a later one reads.
	for i := len(pipeline) - 1; i >= 0; i-- {
		ev, ok := pipeline[i].(*plan.Eval)
		if !ok {
			continue
		}
		input, ok := spathAll[ev]
		if !ok {
			continue
		}
		for _, f := range readsAfter(pipeline[i+1:]) {
			if f == input || strings.HasPrefix(f, "_") || strings.Contains(f, "*") {
				continue
			}
			ev.Assigns = append(ev.Assigns, plan.Assign{Name: f, Expr: &plan.Call{Name: "coalesce", Args: []plan.Expr{
				&plan.Call{Name: "spath", Args: []plan.Expr{&plan.Field{Name: input}, &plan.Literal{Value: event.StringValue(f)}}},
				&plan.Field{Name: f},
			}}})
		}
	}
	out := pipeline[:0]
	for _, n := range pipeline {
		if ev, ok := n.(*plan.Eval); ok && len(ev.Assigns) == 0 {
			if _, pending := spathAll[ev]; pending {
				continue
			}
		}
		out = append(out, n)
	}
	return out
}

// readsAfter lists the fields the nodes read, in order of first
// appearance, up to and including the first aggregation.
func readsAfter(nodes []plan.Node) []string {
	var out []string
	seen := map[string]bool{}
	add := func(names ...string) {
		for _, n := range names {
			if n != "" && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	exprs := func(es ...plan.Expr) {
		for _, e := range es {
			add(plan.Fields(e)...)
		}
	}
	for _, n := range nodes {
		switch t := n.(type) {
		case *plan.Where:
			exprs(t.Cond)
		case *plan.Eval:
			for _, a := range t.Assigns {
				exprs(a.Expr)
			}
		case *plan.Stats:
			for _, a := range t.Aggs {
				exprs(a.Args...)
			}
			for _, b := range t.By {
				exprs(b.Expr)
			}
			if !t.Inline {
				return out
			}
		case *plan.Rename:
			for _, p := range t.Pairs {
				add(p.From)
			}
		case *plan.Keep:
			add(t.Fields...)
		case *plan.Drop:
			add(t.Fields...)
		case *plan.Sort:
			for _, k := range t.Keys {
				exprs(k.Expr)
			}
		case *plan.Dedup:
			add(t.Fields...)
		case *plan.FillNull:
			add(t.Fields...)
		case *plan.MvExpand:
			add(t.Field)
		case *plan.Extract:
			exprs(t.Field)
		case *plan.Dissect:
			exprs(t.Field)
		}
	}
	return out
}

// expandWildRenames turns a wildcard rename whose input columns are known
// (after a stats: its by-fields and aggregates, and what later commands
// add, rename or keep) into the renames of the columns it matches, so
// that "| tstats ... by All_Changes.user | rename All_Changes.* as *" (the
// CIM's drop_dm_object_name) renames All_Changes.user to user. Before any
// stats the columns are the events' fields, and the rename stays a
// wildcard one, which the executor applies to the event stream. A rename
// that then renames nothing is removed.
func expandWildRenames(pipeline []plan.Node) []plan.Node {
	var cols []string
	known := false
	out := pipeline[:0]
	for _, n := range pipeline {
		switch t := n.(type) {
		case *plan.Stats:
			if !t.Inline {
				cols, known = nil, true
				for _, b := range t.By {
					cols = append(cols, b.Name)
				}
			}
			if known {
				for _, a := range t.Aggs {
					cols = addCol(cols, a.Name)
				}
			}
		case *plan.Eval:
			for _, a := range t.Assigns {
				cols = addCol(cols, a.Name)
			}
		case *plan.Extract:
			for _, name := range t.Names {
				if name != "" {
					cols = addCol(cols, name)
				}
			}
		case *plan.Dissect:
			known = false
		case *plan.Keep:
			if known {
				cols = keepCols(cols, t.Fields, true)
			}
		case *plan.Drop:
			if known {
				cols = keepCols(cols, t.Fields, false)
			}
		case *plan.Rename:
			if !known {
				break
			}
			r := &plan.Rename{MissingRemoves: t.MissingRemoves}
			for _, p := range t.Pairs {
				if !strings.Contains(p.From, "*") {
					r.Pairs = append(r.Pairs, p)
					cols = renameCol(cols, p.From, p.To)
					continue
				}
				for _, c := range append([]string(nil), cols...) {
					if to, ok := wildTarget(p.From, p.To, c); ok && to != c {
						r.Pairs = append(r.Pairs, plan.RenamePair{From: c, To: to})
						cols = renameCol(cols, c, to)
					}
				}
			}
			if st, ok := out[len(out)-1].(*plan.Stats); ok && !st.Inline {
				// Right after the aggregation: name its columns so (see
				// foldRename), which keeps its keys' names those of the result.
				out[len(out)-1], r.Pairs = foldRename(st, r.Pairs)
			}
			if len(r.Pairs) == 0 {
				continue
			}
			n = r
		}
		out = append(out, n)
	}
	return out
}

// foldRename applies the leading renames of a rename that directly
// follows an aggregation to the names of its by-keys and aggregates, so
// that "stats ... by All_Changes.user | rename All_Changes.user as user"
// becomes "stats ... by user = All_Changes.user": the same rows, with the
// group's keys named as the result names them (an alert's group is read
// by the aggregation's key names). It stops at the first pair it cannot
// fold (a wildcard, a name the aggregation does not make, a target that is
// another of its columns) and returns the rest.
func foldRename(st *plan.Stats, pairs []plan.RenamePair) (*plan.Stats, []plan.RenamePair) {
	out := &plan.Stats{Aggs: append([]plan.Agg(nil), st.Aggs...), By: append([]plan.Assign(nil), st.By...), Inline: st.Inline}
	for k, p := range pairs {
		cols := statsCols(out)
		if strings.Contains(p.From, "*") || !contains(cols, p.From) || p.To != p.From && contains(cols, p.To) {
			return out, pairs[k:]
		}
		for i := range out.By {
			if out.By[i].Name == p.From {
				out.By[i].Name = p.To
			}
		}
		for i := range out.Aggs {
			if out.Aggs[i].Name == p.From {
				out.Aggs[i].Name = p.To
			}
		}
	}
	return out, nil
}

// statsCols are the columns an aggregation makes: its keys, then its
// aggregates.
func statsCols(st *plan.Stats) []string {
	var cols []string
	for _, b := range st.By {
		cols = append(cols, b.Name)
	}
	for _, a := range st.Aggs {
		cols = addCol(cols, a.Name)
	}
	return cols
}

func contains(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

func addCol(cols []string, name string) []string {
	for _, c := range cols {
		if c == name {
			return cols
		}
	}
	return append(cols, name)
}

// renameCol renames a column; the target's old column goes. A missing
// source removes the target, as SPL's rename does.
func renameCol(cols []string, from, to string) []string {
	out := make([]string, 0, len(cols))
	for _, c := range cols {
		switch {
		case c == to && c != from:
		case c == from:
			out = append(out, to)
		default:
			out = append(out, c)
		}
	}
	return out
}

// keepCols keeps (or, with keep false, drops) the columns that match any
// of the patterns.
func keepCols(cols, patterns []string, keep bool) []string {
	var out []string
	for _, c := range cols {
		m := false
		for _, p := range patterns {
			if schema.Glob(p, c) {
				m = true
				break
			}
		}
		if m == keep {
			out = append(out, c)
		}
	}
	return out
}

// wildTarget matches name against a pattern with at most one * and returns
// to with the * replaced by what it matched.
func wildTarget(from, to, name string) (string, bool) {
	i := strings.IndexByte(from, '*')
	if i < 0 {
		return to, from == name
	}
	pre, suf := from[:i], from[i+1:]
	if len(name) < len(pre)+len(suf) || !strings.HasPrefix(name, pre) || !strings.HasSuffix(name, suf) {
		return "", false
	}
	return strings.Replace(to, "*", name[len(pre):len(name)-len(suf)], 1), true
}
