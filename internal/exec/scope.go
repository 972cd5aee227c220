package exec

import (
	"strings"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/schema"
)

// streamScope maps column names to slots of the stream stage while the
// stream operators compile. An open scope still sees every field of the
// event (minus hidden ones); keep closes it.
type streamScope struct {
	view     schema.View
	logTypes []event.LogType
	open     bool
	visible  []string
	slotOf   map[string]int
	fieldOf  map[string]int // event field name -> slot
	hidden   []string       // patterns removed from an open scope
	// wild are the wildcard renames of an open scope, latest last: a name
	// the "to" pattern matches reads the field "from" gives it, or itself
	// when the record lacks that field.
	wild     []wildRename
	fields   []string // slot -> event field name, "" for computed slots
	nullSlot int
}

func newStreamScope(view schema.View, logTypes []event.LogType) *streamScope {
	s := &streamScope{view: view, logTypes: logTypes, open: true, slotOf: map[string]int{}, fieldOf: map[string]int{}}
	s.nullSlot = s.newSlot("")
	return s
}

func (s *streamScope) newSlot(field string) int {
	s.fields = append(s.fields, field)
	return len(s.fields) - 1
}

// resolve implements scalar.Resolver.
func (s *streamScope) resolve(name string) int {
	if slot, ok := s.slotOf[name]; ok {
		return slot
	}
	for i := len(s.wild) - 1; s.open && i >= 0; i-- {
		w := s.wild[i]
		if src, ok := w.source(name); ok {
			names := []string{src}
			if !matchAny(s.hidden, name) {
				names = append(names, name) // kept when the record lacks src
			}
			slot := s.newSlot(coalesceFields(names...))
			s.slotOf[name] = slot
			return slot
		}
	}
	if !s.open || matchAny(s.hidden, name) {
		return s.nullSlot
	}
	if slot, ok := s.fieldOf[name]; ok {
		return slot
	}
	slot := s.newSlot(name)
	s.fieldOf[name] = slot
	return slot
}

// define makes name a computed column with a fresh slot and returns it.
func (s *streamScope) define(name string) int {
	slot := s.newSlot("")
	s.bind(name, slot)
	return slot
}

func (s *streamScope) bind(name string, slot int) {
	if _, ok := s.slotOf[name]; !ok {
		s.visible = append(s.visible, name)
	}
	s.slotOf[name] = slot
	s.unhide(name)
}

func (s *streamScope) unhide(name string) {
	out := s.hidden[:0]
	for _, h := range s.hidden {
		if h != name {
			out = append(out, h)
		}
	}
	s.hidden = out
}

func (s *streamScope) remove(name string) {
	delete(s.slotOf, name)
	for i, v := range s.visible {
		if v == name {
			s.visible = append(s.visible[:i:i], s.visible[i+1:]...)
			break
		}
	}
}

// candidates lists the names a wildcard can match now.
func (s *streamScope) candidates() []string {
	out := append([]string(nil), s.visible...)
	if !s.open {
		return out
	}
	seen := map[string]bool{}
	for _, v := range out {
		seen[v] = true
	}
	for _, lt := range s.logTypes {
		for _, f := range schema.Fields(s.view, lt) {
			if !seen[f] && !matchAny(s.hidden, f) {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

func (s *streamScope) drop(patterns []string) {
	for _, name := range s.candidates() {
		if matchAny(patterns, name) {
			s.remove(name)
		}
	}
	if s.open {
		s.hidden = append(s.hidden, patterns...)
	}
}

// wildRename is "rename from as to" with one * in each pattern.
type wildRename struct{ from, to string }

// source returns the field a renamed name reads: to's * matched in name,
// put in from's place.
func (w wildRename) source(name string) (string, bool) {
	tp, ts, _ := strings.Cut(w.to, "*")
	if len(name) < len(tp)+len(ts) || !strings.HasPrefix(name, tp) || !strings.HasSuffix(name, ts) {
		return "", false
	}
	star := name[len(tp) : len(name)-len(ts)]
	fp, fs, _ := strings.Cut(w.from, "*")
	return fp + star + fs, true
}

// coalesceSep joins the fields of a slot that reads the first of them the
// record has (a wildcard rename's source, then the name itself).
const coalesceSep = "\x00"

func coalesceFields(names ...string) string { return strings.Join(names, coalesceSep) }

// renameWild records a wildcard rename. In an open scope it applies to
// every name resolved from here on; the source fields are hidden.
func (s *streamScope) renameWild(from, to string) {
	if !s.open {
		for _, name := range append([]string(nil), s.visible...) {
			if src, ok := (wildRename{from: to, to: from}).source(name); ok {
				s.rename(name, src)
			}
		}
		return
	}
	s.wild = append(s.wild, wildRename{from: from, to: to})
	s.hidden = append(s.hidden, from)
}

func (s *streamScope) rename(from, to string) {
	slot := s.resolve(from)
	pos := -1
	for i, v := range s.visible {
		if v == from {
			pos = i
		}
	}
	s.remove(from)
	if s.open {
		s.hidden = append(s.hidden, from)
	}
	s.remove(to)
	if pos >= 0 && pos <= len(s.visible) {
		s.visible = append(s.visible[:pos], append([]string{to}, s.visible[pos:]...)...)
		s.slotOf[to] = slot
		s.unhide(to)
		return
	}
	s.bind(to, slot)
}

func (s *streamScope) keep(patterns []string) {
	var names []string
	seen := map[string]bool{}
	cands := s.candidates()
	for _, p := range patterns {
		if !strings.Contains(p, "*") || contains(cands, p) {
			// A name such as "COUNT(*)" that exists is kept as itself.
			if !seen[p] {
				seen[p] = true
				names = append(names, p)
			}
			continue
		}
		for _, c := range cands {
			if !seen[c] && globMatch(p, c) {
				seen[c] = true
				names = append(names, c)
			}
		}
	}
	slots := make([]int, len(names))
	for i, n := range names {
		slots[i] = s.resolve(n)
	}
	s.open = false
	s.visible = names
	s.slotOf = map[string]int{}
	for i, n := range names {
		s.slotOf[n] = slots[i]
	}
	s.hidden = nil
}

// tailScope names the columns of the tail stage. It grows while the tail
// compiles; once the tail is finished, every tail row has one value slot
// per name, and names it lacks are held by name (tRow.extra).
type tailScope struct {
	names []string
	index map[string]int
}

func newTailScope() *tailScope { return &tailScope{index: map[string]int{}} }

func (t *tailScope) resolve(name string) int {
	if i, ok := t.index[name]; ok {
		return i
	}
	t.names = append(t.names, name)
	t.index[name] = len(t.names) - 1
	return len(t.names) - 1
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if globMatch(p, name) {
			return true
		}
	}
	return false
}

// globMatch matches a column name against a pattern whose only wildcard is "*".
func globMatch(pattern, s string) bool { return schema.Glob(pattern, s) }
