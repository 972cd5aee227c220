package scalar

import "github.com/tripline/tripline/internal/event"

// SPLText renders a value as SPL reads it as text: numbers in their
// shortest form, times as epoch seconds, multi-values joined by spaces.
// Operators that match values as text (lookups, subsearch results) use
// it.
func SPLText(v event.Value) string { return splText(v) }
