// Package timefmt reads and writes the date-time text of the query
// languages tripline runs: ISO 8601 date-times (ES|QL literals and
// casts), Splunk's strftime and strptime layouts (SPL), Java
// DateTimeFormatter patterns (ES|QL DATE_FORMAT and DATE_PARSE), the
// spans of both ("5m", "1mon") and Splunk's relative-time modifiers
// ("-1d@d").
//
// Times are UTC and instants are Unix nanoseconds, as event values hold
// them. Text that does not parse gives an *Error that says where and
// why.
//
// The standard strftime directives are written by
// github.com/ncruces/go-strftime. The rest is written here because no
// library reads or writes it as Splunk and Elasticsearch do; each file
// says why. timefmt imports the standard library and that module only:
// never event values, plans, the scalar registry or a front end.
package timefmt
