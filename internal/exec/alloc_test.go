package exec

import (
	"testing"
	"time"
)

// Pushing an event that the rule's WHERE drops must not allocate: most
// events of a day reach a rule only to be refused by it.
func TestPushOfDroppedEventDoesNotAllocate(t *testing.T) {
	in := compileDenials(t, 0).NewInstance(10 * time.Minute)
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	ev := invocation(t, at, "arn:aws:iam::111:user/a", "m", "ThrottlingException")
	in.Push(ev) // warm up
	if n := testing.AllocsPerRun(200, func() { in.Push(ev) }); n != 0 {
		t.Fatalf("pushing a dropped event allocates %.1f times", n)
	}
	if in.Groups() != 0 {
		t.Fatalf("the dropped event made %d groups", in.Groups())
	}
}

// Pushing an event into a group that exists must not allocate either.
func TestPushIntoExistingGroupDoesNotAllocate(t *testing.T) {
	in := compileDenials(t, 0).NewInstance(10 * time.Minute)
	at := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	ev := invocation(t, at, "arn:aws:iam::111:user/a", "m", "AccessDeniedException")
	for i := 0; i < maxEvidence; i++ {
		in.Push(ev) // the group exists and its evidence is full
	}
	if n := testing.AllocsPerRun(200, func() { in.Push(ev) }); n > 0 {
		t.Fatalf("pushing into an existing group allocates %.1f times", n)
	}
}
