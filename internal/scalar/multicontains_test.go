package scalar

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestMultiContains compares the automaton with strings.Contains over
// random texts from a small alphabet, where literals overlap and share
// prefixes and suffixes.
func TestMultiContains(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcab\"{"[r.IntN(7)]
		}
		return string(b)
	}
	for round := 0; round < 300; round++ {
		lits := make([]string, 1+r.IntN(6))
		for i := range lits {
			lits[i] = word(1 + r.IntN(5))
		}
		m := newMultiContains(lits)
		for j := 0; j < 50; j++ {
			s := word(r.IntN(40))
			want := false
			for _, l := range lits {
				want = want || strings.Contains(s, l)
			}
			if got := m.match(s); got != want {
				t.Fatalf("literals %q in %q: got %v, want %v", lits, s, got, want)
			}
		}
	}
	if !newMultiContains([]string{"ignore previous instructions", "dan mode"}).match("please enter DAN mode... no: dan mode") {
		t.Error("a phrase is not found")
	}
}
