package aggregate

import (
	"unique"
	"unsafe"
)

// multiset holds distinct value keys with their multiplicities, in a
// slice while few (most groups see one or two values) and indexed by a map
// once there are more than smallSet.
//
// A key is held as a unique handle: the same value kept by many groups and
// panes (a model id in every hour of a week's look-back) is one string,
// and the handle lets it go when the last set holding it does.
type multiset struct {
	items []msItem
	idx   map[string]int32
}

type msItem struct {
	h unique.Handle[string]
	n int32
	// mixed says values written differently share this key (2 and 2.0):
	// which one a set shows depends on which panes it holds.
	mixed bool
}

const smallSet = 8

// find returns the index of key k, or -1.
func (m *multiset) find(k []byte) int {
	if m.idx != nil {
		if i, ok := m.idx[string(k)]; ok {
			return int(i)
		}
		return -1
	}
	for i := range m.items {
		if m.items[i].key() == string(k) {
			return i
		}
	}
	return -1
}

func (m *multiset) findString(k string) int {
	if m.idx != nil {
		if i, ok := m.idx[k]; ok {
			return int(i)
		}
		return -1
	}
	for i := range m.items {
		if m.items[i].key() == k {
			return i
		}
	}
	return -1
}

// key returns the item's key, the canonical copy its handle holds.
func (it *msItem) key() string { return it.h.Value() }

// insert appends a key that is not held and returns its index.
func (m *multiset) insert(k string, n int32) int {
	return m.insertHandle(unique.Make(k), n)
}

// insertBytes is insert for a key in a scratch buffer, which is copied
// only when no set holds the key yet.
func (m *multiset) insertBytes(k []byte, n int32) int {
	return m.insertHandle(unique.Make(unsafe.String(unsafe.SliceData(k), len(k))), n)
}

func (m *multiset) insertHandle(h unique.Handle[string], n int32) int {
	i := len(m.items)
	m.items = append(m.items, msItem{h: h, n: n})
	switch {
	case m.idx != nil:
		m.idx[h.Value()] = int32(i)
	case len(m.items) > smallSet:
		m.idx = make(map[string]int32, 2*len(m.items))
		for j := range m.items {
			m.idx[m.items[j].key()] = int32(j)
		}
	}
	return i
}

// put adds n to the multiplicity of k, inserting it when new; it reports
// the index and whether k is new.
func (m *multiset) put(k string, n int32) (int, bool) {
	if i := m.findString(k); i >= 0 {
		m.items[i].n += n
		return i, false
	}
	return m.insert(k, n), true
}

// putHandle is put for a key another set holds.
func (m *multiset) putHandle(h unique.Handle[string], n int32) (int, bool) {
	if i := m.findString(h.Value()); i >= 0 {
		m.items[i].n += n
		return i, false
	}
	return m.insertHandle(h, n), true
}

// take subtracts n from the multiplicity of k. When none is left, k is
// removed by moving the last item into its place: take returns the index
// freed and that of the item moved there (equal when none moved), or -1.
func (m *multiset) take(k string, n int32) (at, from int) {
	i := m.findString(k)
	if i < 0 {
		return -1, -1
	}
	if m.items[i].n -= n; m.items[i].n > 0 {
		return -1, -1
	}
	last := len(m.items) - 1
	if i != last {
		m.items[i] = m.items[last]
		if m.idx != nil {
			m.idx[m.items[i].key()] = int32(i)
		}
	}
	if m.idx != nil {
		delete(m.idx, k)
	}
	m.items[last] = msItem{}
	m.items = m.items[:last]
	return i, last
}
