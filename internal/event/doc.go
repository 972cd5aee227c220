// Package event holds the unit tripline works on: one log record with its
// log type, event time and origin, and the typed values that rules see
// when they read its fields.
//
// It imports nothing of tripline's own; every other package may import it.
package event
