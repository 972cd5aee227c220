package lint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/schema"
)

// UnknownFields warns about each event field the program reads that no
// log type it reads knows in its view: an ECS name the integrations never
// map, or a raw path whose top-level key the records never have. A field
// that one of several log types knows is fine. The warning suggests the
// closest known name when there is one.
func UnknownFields(p *exec.Program) []Warning {
	if p == nil || len(p.LogTypes) == 0 {
		return nil
	}
	var out []Warning
	var cands []string
	for _, name := range p.Fields() {
		known := false
		for _, lt := range p.LogTypes {
			if _, ok := schema.Resolve(p.View, lt, name); ok {
				known = true
				break
			}
		}
		if known {
			continue
		}
		if cands == nil {
			cands = Candidates(p.View, p.LogTypes)
		}
		msg := fmt.Sprintf("field %q is not a field of %s in the %s view", name, logTypeList(p.LogTypes), viewName(p.View))
		if s := Suggest(name, cands); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		out = append(out, Warning{Check: CheckField, Msg: msg, Subject: name})
	}
	return out
}

// Candidates lists the field names a view knows for the log types, sorted
// and without duplicates: the view's own fields and, in the raw view, the
// raw paths those fields read.
func Candidates(v schema.View, lts []event.LogType) []string {
	seen := map[string]bool{}
	for _, lt := range lts {
		for _, f := range schema.Fields(v, lt) {
			seen[f] = true
			if v == schema.Raw {
				if raw, ok := schema.RawPath(v, lt, f); ok && raw != f {
					seen[raw] = true
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Suggest returns the candidate closest to name, or "" when none is close
// enough to be a likely typo (edit distance, ignoring case, of at most a
// quarter of the name's length and at least 2). Ties go to the candidate
// whose case differs least, then to the first in sort order.
func Suggest(name string, candidates []string) string {
	limit := len(name) / 4
	if limit < 2 {
		limit = 2
	}
	lower := strings.ToLower(name)
	best, bestD, bestCase := "", limit+1, 0
	for _, c := range candidates {
		if c == name {
			continue
		}
		d := Distance(lower, strings.ToLower(c))
		if d > bestD {
			continue
		}
		cd := Distance(name, c)
		if d < bestD || cd < bestCase || (cd == bestCase && c < best) {
			best, bestD, bestCase = c, d, cd
		}
	}
	return best
}

// Distance is the optimal-string-alignment edit distance between a and b,
// in bytes: insertions, deletions, substitutions and swaps of neighbours
// each cost 1.
func Distance(a, b string) int {
	if a == b {
		return 0
	}
	// Three rows: two back, one back, current.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func logTypeList(lts []event.LogType) string {
	names := make([]string, len(lts))
	for i, lt := range lts {
		names[i] = LogTypeName(lt)
	}
	return strings.Join(names, " or ")
}

func viewName(v schema.View) string {
	if v == schema.ECS {
		return "ECS"
	}
	return "raw/CIM"
}
