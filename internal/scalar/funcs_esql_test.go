package scalar

import (
	"math"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/plan"
)

func TestESQLFunctions(t *testing.T) { runCases(t, plan.ESQL, esqlFunctionCases()) }

// esqlFunctionCases lists at least one case per function of the table.
func esqlFunctionCases() []exprCase {
	ts := lit(vTime("2024-03-15T10:30:45.123Z"))
	null := nullLit()
	mv := fld("mv")
	mvn := fld("mvn")
	f := map[string]event.Value{
		"mv":    vSs("b", "a", "b"),
		"mvn":   vM(vL(3), vL(1), vL(2)),
		"mvd":   vM(vD(1.5), vL(2)),
		"s":     vS("Hello World"),
		"ip":    event.IPValue("035.249.253.232"),
		"ip6":   event.IPValue("2001:db8::1"),
		"tsStr": vS("2024-03-15T10:30:45Z"),
	}
	cases := []exprCase{
		// conditionals
		{e: call("coalesce", null, fld("missing"), sl("x"), sl("y")), want: vS("x")},
		{e: call("coalesce", null), want: vNull},
		{e: call("case", bl(false), sl("a"), null, sl("b"), sl("else")), want: vS("else")},
		{e: call("case", bl(false), sl("a"), bl(true), sl("b")), want: vS("b")},
		{e: call("case", bl(false), sl("a")), want: vNull},

		// strings
		{e: call("to_lower", fld("s")), fields: f, want: vS("hello world")},
		{e: call("to_upper", sl("abc")), want: vS("ABC")},
		{name: "to_upper multi", e: call("to_upper", mv), fields: f, want: vNull},
		{e: call("to_lower", null), want: vNull},
		{e: call("length", sl("héllo")), want: vL(5)},
		{e: call("length", null), want: vNull},
		{e: call("byte_length", sl("héllo")), want: vL(6)},
		{e: call("bit_length", sl("ab")), want: vL(16)},
		{e: call("substring", fld("s"), nl(7)), fields: f, want: vS("World")},
		{e: call("substring", fld("s"), nl(1), nl(5)), fields: f, want: vS("Hello")},
		{e: call("substring", fld("s"), nl(0), nl(2)), fields: f, want: vS("He")},
		{e: call("substring", fld("s"), nl(-5)), fields: f, want: vS("World")},
		{e: call("substring", fld("s"), nl(-5), nl(2)), fields: f, want: vS("Wo")},
		{e: call("substring", fld("s"), nl(50)), fields: f, want: vS("")},
		{e: call("substring", sl("héllo"), nl(2), nl(3)), want: vS("éll")},
		{name: "substring negative length", e: call("substring", sl("abc"), nl(1), nl(-1)), want: vNull},
		{e: call("substring", null, nl(1)), want: vNull},
		{e: call("concat", sl("a"), sl("b"), sl("c")), want: vS("abc")},
		{e: call("concat", sl("n="), nl(5)), want: vS("n=5")},
		{e: call("concat", sl("a"), null), want: vNull},
		{e: call("starts_with", fld("s"), sl("Hell")), fields: f, want: vT},
		{e: call("starts_with", fld("s"), sl("hell")), fields: f, want: vF},
		{e: call("ends_with", fld("s"), sl("World")), fields: f, want: vT},
		{e: call("ends_with", null, sl("x")), want: vNull},
		{e: call("contains", fld("s"), sl("lo W")), fields: f, want: vT},
		{e: call("contains", fld("s"), sl("lo w")), fields: f, want: vF},
		{e: call("contains", sl("abc"), sl("")), want: vT},
		{e: call("contains", null, sl("a")), want: vNull},
		{e: call("contains", mv, sl("a")), fields: f, want: vNull},
		{e: call("replace", fld("s"), sl("o"), sl("0")), fields: f, want: vS("Hell0 W0rld")},
		{e: call("replace", sl("abc-123"), sl(`([a-z]+)-(\d+)`), sl("$2:$1")), want: vS("123:abc")},
		{e: call("replace", sl("a.b"), sl(`\.`), sl(`\$`)), want: vS("a$b")},
		{name: "replace bad regex", e: call("replace", sl("abc"), sl("("), sl("x")), want: vNull},
		{e: call("replace", null, sl("a"), sl("b")), want: vNull},
		{e: call("trim", sl("  a b \t")), want: vS("a b")},
		{e: call("ltrim", sl("  a ")), want: vS("a ")},
		{e: call("rtrim", sl("  a ")), want: vS("  a")},
		{e: call("split", sl("a,b,,c"), sl(",")), want: vSs("a", "b", "", "c")},
		{e: call("split", sl("abc"), sl(",")), want: vS("abc")},
		{e: call("split", null, sl(",")), want: vNull},
		{e: call("locate", sl("hello"), sl("ll")), want: vL(3)},
		{e: call("locate", sl("hello"), sl("z")), want: vL(0)},
		{e: call("locate", sl("hello hello"), sl("hello"), nl(2)), want: vL(7)},
		{e: call("left", sl("héllo"), nl(2)), want: vS("hé")},
		{e: call("left", sl("ab"), nl(5)), want: vS("ab")},
		{e: call("right", sl("héllo"), nl(3)), want: vS("llo")},
		{e: call("right", sl("ab"), nl(-1)), want: vS("")},
		{e: call("reverse", sl("abç")), want: vS("çba")},
		{e: call("repeat", sl("ab"), nl(3)), want: vS("ababab")},
		{e: call("repeat", sl("ab"), nl(-1)), want: vNull},
		{e: call("space", nl(3)), want: vS("   ")},
		// Encodings, with the examples of the ES|QL function reference; text
		// that does not decode gives null.
		{e: call("url_decode", sl("https%3A%2F%2Fexample.com%2F%3Fx%3Dfoo+bar")), want: vS("https://example.com/?x=foo bar")},
		{e: call("url_decode", sl("%zz")), want: vNull},
		{e: call("url_encode", sl("https://example.com/?x=foo bar")), want: vS("https%3A%2F%2Fexample.com%2F%3Fx%3Dfoo+bar")},
		{e: call("url_encode_component", sl("a b/c")), want: vS("a%20b%2Fc")},
		{e: call("from_base64", sl("ZWxhc3RpYw==")), want: vS("elastic")},
		{e: call("from_base64", sl("not base64!")), want: vNull},
		{e: call("to_base64", sl("elastic")), want: vS("ZWxhc3RpYw==")},
		{e: call("json_extract", sl(`{"a":{"b":[1,{"c":"x"}]}}`), sl("a.b[1].c")), want: vS("x")},
		{e: call("json_extract", sl(`{"a":{"b":[1,{"c":"x"}]}}`), sl("$.a.b")), want: vS(`[1,{"c":"x"}]`)},
		{e: call("json_extract", sl(`{"a":1}`), sl("b")), want: vNull},
		{e: call("json_extract", sl("{"), sl("a")), want: vNull},
		{e: call("md5", sl("abc")), want: vS("900150983cd24fb0d6963f7d28e17f72")},
		{e: call("sha256", sl("")), want: vS("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")},
		{e: call("hash", sl("sha1"), sl("abc")), want: vS("a9993e364706816aba3e25717850c26c9cd0d89d")},

		// dates
		{e: call("now"), want: event.TimeNanos(testNow)},
		{e: call("date_trunc", lit(vL(int64(time.Hour))), ts), want: vTime("2024-03-15T10:00:00Z")},
		{e: call("date_trunc", &plan.Span{D: 15 * time.Minute}, ts), want: vTime("2024-03-15T10:30:00Z")},
		{e: call("date_trunc", &plan.Span{D: 24 * time.Hour}, ts), want: vTime("2024-03-15T00:00:00Z")},
		{name: "week starts monday", e: call("date_trunc", &plan.Span{D: 7 * 24 * time.Hour}, ts), want: vTime("2024-03-11T00:00:00Z")},
		{e: call("date_trunc", &plan.Span{Months: 1}, ts), want: vTime("2024-03-01T00:00:00Z")},
		{e: call("date_trunc", &plan.Span{Months: 3}, ts), want: vTime("2024-01-01T00:00:00Z")},
		{e: call("date_trunc", &plan.Span{Months: 12}, ts), want: vTime("2024-01-01T00:00:00Z")},
		{name: "date_trunc string date", e: call("date_trunc", &plan.Span{D: time.Hour}, fld("tsStr")), fields: f, want: vTime("2024-03-15T10:00:00Z")},
		{e: call("date_trunc", &plan.Span{D: time.Hour}, null), want: vNull},
		{e: call("date_diff", sl("seconds"), ts, lit(vTime("2024-03-15T10:31:45.123Z"))), want: vL(60)},
		{e: call("date_diff", sl("hour"), lit(vTime("2024-03-15T10:00:00Z")), lit(vTime("2024-03-15T07:30:00Z"))), want: vL(-2)},
		{e: call("date_diff", sl("month"), lit(vTime("2024-01-31T00:00:00Z")), lit(vTime("2024-02-29T00:00:00Z"))), want: vL(0)},
		{e: call("date_diff", sl("month"), lit(vTime("2024-01-15T00:00:00Z")), lit(vTime("2024-03-15T00:00:00Z"))), want: vL(2)},
		{e: call("date_diff", sl("years"), lit(vTime("2020-06-01T00:00:00Z")), lit(vTime("2024-05-31T00:00:00Z"))), want: vL(3)},
		{e: call("date_diff", sl("ms"), ts, ts), want: vL(0)},
		{e: call("date_diff", sl("fortnight"), ts, ts), want: vNull},
		{e: call("date_extract", sl("hour_of_day"), ts), want: vL(10)},
		{e: call("date_extract", sl("DAY_OF_WEEK"), ts), want: vL(5)},
		{e: call("date_extract", sl("year"), ts), want: vL(2024)},
		{e: call("date_extract", sl("month_of_year"), ts), want: vL(3)},
		{e: call("date_extract", sl("day_of_month"), ts), want: vL(15)},
		{e: call("date_extract", sl("minute_of_hour"), ts), want: vL(30)},
		{e: call("date_extract", sl("milli_of_second"), ts), want: vL(123)},
		{e: call("date_extract", sl("day_of_year"), ts), want: vL(75)},
		{e: call("date_extract", sl("no_such_field"), ts), want: vNull},
		{e: call("date_format", ts), want: vS("2024-03-15T10:30:45.123Z")},
		{e: call("date_format", sl("yyyy-MM-dd"), ts), want: vS("2024-03-15")},
		{e: call("date_format", sl("EEE, d MMM yyyy HH:mm:ss Z"), ts), want: vS("Fri, 15 Mar 2024 10:30:45 +0000")},
		{e: call("date_format", sl("hh:mm a"), ts), want: vS("10:30 AM")},
		{e: call("date_format", sl("yyyy-MM-dd"), fld("tsStr")), fields: f, want: vS("2024-03-15")},
		{name: "date_format bad pattern", e: call("date_format", sl("yyyy-bb"), ts), want: vNull},
		{e: call("date_format", null), want: vNull},
		{e: call("date_parse", sl("yyyy-MM-dd HH:mm:ss"), sl("2024-03-15 10:30:45")), want: vTime("2024-03-15T10:30:45Z")},
		{e: call("date_parse", sl("dd/MMM/yyyy:HH:mm:ss Z"), sl("30/Apr/1998:22:00:52 +0200")), want: vTime("1998-04-30T20:00:52Z")},
		{e: call("date_parse", sl("2024-03-15T10:30:45.5Z")), want: vTime("2024-03-15T10:30:45.5Z")},
		{e: call("date_parse", sl("yyyy-MM-dd"), sl("not a date")), want: vNull},
		{e: call("bucket", ts, &plan.Span{D: time.Hour}), want: vTime("2024-03-15T10:00:00Z")},
		{e: call("bucket", nl(1234), nl(100)), want: vD(1200)},
		{name: "bucket with count", e: call("bucket", ts, nl(24), sl("2024-03-15T00:00:00Z"), sl("2024-03-15T23:59:59Z")), want: vTime("2024-03-15T10:00:00Z")},
		{name: "bucket with count, inclusive end", e: call("bucket", ts, nl(24), sl("2024-03-15T00:00:00Z"), sl("2024-03-16T00:00:00Z")), want: vTime("2024-03-15T09:00:00Z")},
		{name: "numeric bucket with count", e: call("bucket", nl(1234), nl(20), nl(0), nl(2000)), want: vD(1200)},

		// conversions
		{e: call("to_string", nl(5)), want: vS("5")},
		{e: call("to_string", dl(5)), want: vS("5.0")},
		{e: call("to_string", ts), want: vS("2024-03-15T10:30:45.123Z")},
		{e: call("to_string", mvn), fields: f, want: vSs("3", "1", "2")},
		{e: call("to_string", null), want: vNull},
		{e: call("to_long", sl("42")), want: vL(42)},
		{e: call("to_long", sl("2147483648.2")), want: vL(2147483648)},
		{e: call("to_long", dl(2.5)), want: vL(3)},
		{e: call("to_long", sl("5b")), want: vNull},
		{e: call("to_long", bl(true)), want: vL(1)},
		{e: call("to_long", ts), want: vL(1710498645123)},
		{e: call("to_integer", sl("2147483648")), want: vNull},
		{e: call("to_integer", dl(-1.5)), want: vL(-1)},
		{e: call("to_double", sl("1.5")), want: vD(1.5)},
		{e: call("to_double", nl(2)), want: vD(2)},
		{e: call("to_double", sl("x")), want: vNull},
		{e: call("to_boolean", sl("TRUE")), want: vT},
		{e: call("to_boolean", sl("yes")), want: vF},
		{e: call("to_boolean", nl(0)), want: vF},
		{e: call("to_datetime", sl("2024-03-15T10:30:45.123Z")), want: vTime("2024-03-15T10:30:45.123Z")},
		{e: call("to_datetime", sl("2024-03-15")), want: vTime("2024-03-15T00:00:00Z")},
		{e: call("to_datetime", sl("2024-03-15T12:30:45+02:00")), want: vTime("2024-03-15T10:30:45Z")},
		{e: call("to_datetime", nl(1710498645123)), want: vTime("2024-03-15T10:30:45.123Z")},
		{e: call("to_datetime", sl("March 15")), want: vNull},
		{e: call("to_ip", fld("ip")), fields: f, want: event.IPValue("35.249.253.232")},
		{e: call("to_ip", sl("nope")), want: vNull},

		// math
		{e: call("round", dl(2.5)), want: vD(3)},
		{e: call("round", dl(-2.5)), want: vD(-3)},
		{e: call("round", dl(2.675), nl(2)), want: vD(2.68)},
		{e: call("round", dl(1234.5678), nl(-2)), want: vD(1200)},
		{e: call("round", nl(1250), nl(-2)), want: vL(1300)},
		{e: call("round", nl(-1250), nl(-2)), want: vL(-1300)},
		{e: call("round", nl(7)), want: vL(7)},
		{e: call("round", null), want: vNull},
		{e: call("abs", nl(-3)), want: vL(3)},
		{e: call("abs", dl(-3.5)), want: vD(3.5)},
		{e: call("ceil", dl(1.2)), want: vD(2)},
		{e: call("ceil", nl(4)), want: vL(4)},
		{e: call("floor", dl(-1.2)), want: vD(-2)},
		{e: call("pow", nl(2), nl(10)), want: vD(1024)},
		{e: call("pow", nl(-1), dl(0.5)), want: vNull},
		{e: call("sqrt", nl(16)), want: vD(4)},
		{e: call("sqrt", nl(-1)), want: vNull},
		{e: call("log10", nl(1000)), want: vD(3)},
		{e: call("log10", nl(0)), want: vNull},
		{e: call("log", nl(2), nl(8)), want: vD(3)},
		{e: call("exp", nl(0)), want: vD(1)},
		{e: call("signum", dl(-4)), want: vD(-1)},
		{e: call("pi"), want: vD(3.141592653589793)},
		{e: call("greatest", nl(1), nl(7), nl(3)), want: vL(7)},
		{e: call("greatest", nl(1), dl(7.5)), want: vD(7.5)},
		{e: call("greatest", sl("a"), sl("c"), sl("b")), want: vS("c")},
		{e: call("greatest", nl(1), null), want: vNull},
		{e: call("greatest", nl(1), sl("a")), want: vNull},
		{e: call("least", mvn, nl(2)), fields: f, want: vL(1)},

		// multi-values
		{e: call("mv_count", mv), fields: f, want: vL(3)},
		{e: call("mv_count", sl("x")), want: vL(1)},
		{e: call("mv_count", null), want: vNull},
		{e: call("mv_first", mv), fields: f, want: vS("b")},
		{e: call("mv_last", mvn), fields: f, want: vL(2)},
		{e: call("mv_dedupe", mv), fields: f, want: vSs("b", "a")},
		{e: call("mv_concat", mv, sl("|")), fields: f, want: vS("b|a|b")},
		{e: call("mv_concat", mv, null), fields: f, want: vNull},
		{e: call("mv_contains", mv, sl("a")), fields: f, want: vT},
		{e: call("mv_contains", mv, lit(vSs("a", "b"))), fields: f, want: vT},
		{e: call("mv_contains", mv, sl("z")), fields: f, want: vF},
		{e: call("mv_contains", mv, null), fields: f, want: vT},
		{e: call("mv_contains", null, sl("a")), want: vF},
		{e: call("mv_min", mvn), fields: f, want: vL(1)},
		{e: call("mv_max", mv), fields: f, want: vS("b")},
		{e: call("mv_sum", mvn), fields: f, want: vL(6)},
		{e: call("mv_sum", fld("mvd")), fields: f, want: vD(3.5)},
		{e: call("mv_sum", mv), fields: f, want: vNull},
		{e: call("mv_avg", mvn), fields: f, want: vD(2)},
		{e: call("mv_median", mvn), fields: f, want: vL(2)},
		{e: call("mv_median", lit(vM(vL(1), vL(4)))), want: vL(2)},
		{e: call("mv_slice", mvn, nl(1), nl(2)), fields: f, want: vM(vL(1), vL(2))},
		{e: call("mv_slice", mvn, nl(-1)), fields: f, want: vL(2)},
		{e: call("mv_slice", mvn, nl(5)), fields: f, want: vNull},
		{e: call("mv_sort", mvn), fields: f, want: vM(vL(1), vL(2), vL(3))},
		{e: call("mv_sort", mv, sl("DESC")), fields: f, want: vSs("b", "b", "a")},
		{e: call("mv_sort", mv, sl("sideways")), fields: f, want: vNull},
		{e: call("mv_append", sl("a"), mvn), fields: f, want: vM(vS("a"), vL(3), vL(1), vL(2))},
		{e: call("mv_append", null, sl("a")), want: vS("a")},
		{e: call("mv_zip", lit(vSs("a", "b")), lit(vSs("x")), sl("-")), want: vSs("a-x", "b")},
		// $keyed packs a value with its sort key for FIRST and LAST: the
		// number of key values, the keys, the values; null without a value.
		{e: call("$keyed", sl("v"), lit(vTime("2024-03-15T10:30:45Z"))), want: vM(vL(1), vTime("2024-03-15T10:30:45Z"), vS("v"))},
		{e: call("$keyed", mv, mvn), fields: f, want: vM(vL(3), vL(3), vL(1), vL(2), vS("b"), vS("a"), vS("b"))},
		{e: call("$keyed", sl("v"), null), want: vM(vL(0), vS("v"))},
		{e: call("$keyed", null, nl(1)), want: vNull},
		// mv_intersection: the first argument's values that the second
		// holds, once each, in the first's order; null when none or a null.
		{e: call("mv_intersection", lit(vM(vL(1), vL(2), vL(3), vL(4), vL(5))), lit(vM(vL(6), vL(5), vL(4), vL(3), vL(2)))), want: vM(vL(2), vL(3), vL(4), vL(5))},
		{e: call("mv_intersection", lit(vSs("one", "two", "three", "four")), lit(vSs("four", "one"))), want: vSs("one", "four")},
		{name: "mv_intersection dedupes", e: call("mv_intersection", lit(vM(vT, vF, vF, vF)), lit(vF)), want: vF},
		{e: call("mv_intersection", mv, lit(vSs("b", "z"))), fields: f, want: vS("b")},
		{e: call("mv_intersection", sl("a"), sl("a")), want: vS("a")},
		{name: "mv_intersection none shared", e: call("mv_intersection", mv, sl("z")), fields: f, want: vNull},
		{e: call("mv_intersection", null, mv), fields: f, want: vNull},
		{e: call("mv_intersection", mv, fld("missing")), fields: f, want: vNull},
		{name: "mv_intersection is case-sensitive", e: call("mv_intersection", lit(vSs("A", "b")), lit(vSs("a", "b"))), want: vS("b")},

		// networks
		{e: call("cidr_match", fld("ip"), sl("35.249.0.0/16")), fields: f, want: vT},
		{e: call("cidr_match", fld("ip"), sl("10.0.0.0/8"), sl("35.249.253.232/32")), fields: f, want: vT},
		{e: call("cidr_match", fld("ip"), sl("10.0.0.0/8")), fields: f, want: vF},
		{e: call("cidr_match", fld("ip6"), sl("2001:db8::/32")), fields: f, want: vT},
		// geo points are WKT text; distances are great-circle meters (the
		// reference's Copenhagen example gives 7339.57 m)
		{e: call("to_geopoint", sl("POINT(42.97109629958868 14.7552534006536)")), want: vS("POINT (42.97109629958868 14.7552534006536)")},
		{e: call("to_geopoint", sl(" point ( -1.5  2 10 ) ")), want: vS("POINT (-1.5 2)")},
		{e: call("to_geopoint", sl("LINESTRING (1 2, 3 4)")), want: vNull},
		{e: call("to_geopoint", sl("POINT (1)")), want: vNull},
		{e: call("to_geopoint", nl(1)), want: vNull},
		{e: call("st_x", sl("POINT(42.97109629958868 14.7552534006536)")), want: vD(42.97109629958868)},
		{e: call("st_y", call("to_geopoint", sl("POINT(42.97109629958868 14.7552534006536)"))), want: vD(14.7552534006536)},
		{e: call("st_x", sl("nowhere")), want: vNull},
		{e: call("round", call("st_distance", sl("POINT(12.649350855499506 55.62850170303136)"), sl("POINT(12.568299947306514 55.676099974662066)")), nl(3)), want: vD(7339.574)},
		{e: call("round", call("st_distance", sl("POINT(0 0)"), sl("POINT(180 0)")), nl(3)), want: vD(math.Round(math.Pi*6371008.7714*1000) / 1000)},
		{e: call("st_distance", sl("POINT(0 0)"), null), want: vNull},
		{e: call("cidr_match", fld("ip6"), sl("10.0.0.0/8")), fields: f, want: vF},
		{e: call("cidr_match", null, sl("10.0.0.0/8")), want: vNull},
		{e: call("cidr_match", sl("10.1.2.3"), lit(vSs("192.168.0.0/16", "010.0.0.0/8"))), want: vT},
		{e: call("ip_prefix", fld("ip"), nl(24), nl(112)), fields: f, want: event.IPValue("35.249.253.0")},
		{e: call("ip_prefix", fld("ip6"), nl(24), nl(32)), fields: f, want: event.IPValue("2001:db8::")},
	}
	return cases
}

// Every ES|QL function returns null for a multi-valued argument unless it
// is an mv_* function, a conversion or a conditional.
func TestESQLMultiValuedArgumentIsNull(t *testing.T) {
	mvOK := map[string]bool{"coalesce": true, "case": true, "greatest": true, "least": true, "cidr_match": true, "$keyed": true}
	for _, fn := range Funcs(plan.ESQL) {
		name := fn.Name
		if fn.MinArgs == 0 || mvOK[name] || len(name) > 3 && name[:3] == "mv_" || len(name) > 3 && name[:3] == "to_" {
			continue
		}
		args := []plan.Expr{fld("mv")}
		for len(args) < fn.MinArgs {
			args = append(args, sl("1"))
		}
		got := evalIn(t, plan.ESQL, call(name, args...), map[string]event.Value{"mv": vSs("1", "2")}, nil)
		if !got.IsNull() {
			t.Errorf("%s(multi-value) = %s, want null", name, show(got))
		}
	}
}
