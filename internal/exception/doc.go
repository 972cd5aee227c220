// Package exception is how a team tunes rules without editing them: an
// exception says a field value is expected (a CI role, a scanner's
// address) for one rule or for all, with a reason, an author and an
// optional expiry. Exceptions are read from files kept beside the rules,
// and a Matcher applies them to a rule's events before aggregation and to
// its result rows after.
//
// It must not import the engine, the store or the server.
package exception
