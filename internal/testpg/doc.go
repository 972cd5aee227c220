// Package testpg starts a throw-away PostgreSQL server for tests: a fresh
// cluster in a temporary directory, listening on a free port of 127.0.0.1,
// stopped when the test ends. Tests skip when Debian's postgresql package
// is not installed.
//
// Only tests import it. It imports the standard library and pgx, and must
// not import any of tripline's packages.
package testpg
