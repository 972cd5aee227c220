// Package clickhouse runs tripline's plans on a ClickHouse cluster: the
// tables events are shipped to (Layout), the shipper that inserts them
// idempotently (Shipper), and the compiler from a plan to one SELECT per
// tick (Compile).
//
// Columns hold the values the in-process engine sees: the shipper computes
// them with internal/schema's getters, so ClickHouse never re-derives a
// field from the raw record. The compiler spells out each dialect's
// semantics in the SQL (three-valued logic for ES|QL, two-valued for SPL,
// multi-valued fields as arrays) and refuses, naming the operator or
// function, what it cannot express. The SQL it writes runs on ClickHouse
// 18.16 (Debian's package) and on current releases: no JSONExtract, no
// DateTime64, no query parameters, no settings newer than 18.16.
//
// It imports plan, event, schema and exec (for a compiled program's field
// list), never a front end, the engine or the UI.
package clickhouse
