package aggregate

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/tripline/tripline/internal/event"
)

// Sets in many groups and panes that hold one value hold one copy of its
// text, whatever buffer each was given it from, and give back the value as
// it was written.
func TestValueSetsShareTheirText(t *testing.T) {
	model := "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-sonnet"
	var sets []*valueSet
	for i := 0; i < 3; i++ {
		s := &valueSet{}
		s.Add(event.StringValue(strings.Clone(model)), 0) // a fresh buffer each time
		s.Add(event.LongValue(int64(i)), 0)
		sets = append(sets, s)
	}
	text := func(s *valueSet) *byte {
		for _, v := range s.vals {
			if str, ok := v.Str(); ok {
				return unsafe.StringData(str)
			}
		}
		t.Fatal("the set lost its string")
		return nil
	}
	for _, s := range sets[1:] {
		if text(s) != text(sets[0]) {
			t.Errorf("two sets hold separate copies of %q", model)
		}
	}
	m := &valueSet{}
	for _, s := range sets {
		m.Merge(s)
	}
	got := m.Result().Values()
	if len(got) != 4 || got[len(got)-1].String() != model && got[0].String() != model {
		t.Errorf("merged values %v, want 0, 1, 2 and the model", got)
	}
}

func TestTextFrom(t *testing.T) {
	v := event.StringValue("us-east-1")
	k := string(v.Key(nil))
	got := v.TextFrom(k)
	if s, _ := got.Str(); s != "us-east-1" || unsafe.StringData(s) == unsafe.StringData(v.String()) {
		t.Errorf("TextFrom gave %q sharing %v, want the key's text", s, unsafe.StringData(s) == unsafe.StringData(v.String()))
	}
	if other := v.TextFrom("not its key"); other.String() != "us-east-1" {
		t.Errorf("TextFrom with a foreign key gave %q", other.String())
	}
	n := event.LongValue(7)
	if got := n.TextFrom(string(n.Key(nil))); !event.Equal(got, n) {
		t.Errorf("TextFrom changed a number: %v", got)
	}
}
