package scalar

// multiContains reports whether a text contains any of several literals,
// in one pass over the text whatever their number (an Aho–Corasick
// automaton with every transition resolved). A rule that lists thirty
// jailbreak phrases as `x LIKE "*phrase*" OR ...` reads each prompt once
// instead of thirty times.
type multiContains struct {
	class  [256]uint8 // byte → column of next; 0 for bytes in no literal
	nclass int
	next   []int32 // while building: state*nclass + class → state
	hit    []bool  // while building: a literal ends at this state
	// step is next for scanning: entries hold the target state times
	// nclass, or -1 when a literal ends there.
	step []int32
	any  bool // an empty literal: every text matches
}

func newMultiContains(lits []string) *multiContains {
	m := &multiContains{nclass: 1}
	for _, l := range lits {
		for i := 0; i < len(l); i++ {
			if m.class[l[i]] == 0 {
				m.class[l[i]] = uint8(m.nclass)
				m.nclass++
			}
		}
	}
	// The trie, state 0 the root; -1 marks a missing edge.
	newState := func() int32 {
		for c := 0; c < m.nclass; c++ {
			m.next = append(m.next, -1)
		}
		m.hit = append(m.hit, false)
		return int32(len(m.hit) - 1)
	}
	newState()
	for _, l := range lits {
		s := int32(0)
		for i := 0; i < len(l); i++ {
			at := int(s)*m.nclass + int(m.class[l[i]])
			if m.next[at] < 0 {
				n := newState()
				m.next[at] = n
			}
			s = m.next[at]
		}
		m.hit[s] = true
	}
	// Breadth first, each state's missing edges take those of its failure
	// state, which is nearer the root and so already complete.
	fail := make([]int32, len(m.hit))
	queue := []int32{}
	for c := 0; c < m.nclass; c++ {
		if n := m.next[c]; n > 0 {
			fail[n] = 0
			queue = append(queue, n)
		} else {
			m.next[c] = 0
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		m.hit[s] = m.hit[s] || m.hit[fail[s]]
		for c := 0; c < m.nclass; c++ {
			at := int(s)*m.nclass + c
			if n := m.next[at]; n >= 0 {
				fail[n] = m.next[int(fail[s])*m.nclass+c]
				queue = append(queue, n)
			} else {
				m.next[at] = m.next[int(fail[s])*m.nclass+c]
			}
		}
	}
	m.any = m.hit[0]
	m.step = make([]int32, len(m.next))
	for i, t := range m.next {
		if m.hit[t] {
			m.step[i] = -1
		} else {
			m.step[i] = t * int32(m.nclass)
		}
	}
	m.next, m.hit = nil, nil // only building needs them
	return m
}

func (m *multiContains) match(s string) bool {
	if m.any {
		return true
	}
	step, class := m.step, &m.class
	at := int32(0)
	for i := 0; i < len(s); i++ {
		at = step[at+int32(class[s[i]])]
		if at < 0 {
			return true
		}
	}
	return false
}
