package spl

// arity is how many arguments a function takes; max < 0 means any number.
type arity struct{ min, max int }

// evalFuncs are the eval/where functions the parser accepts, with their
// arity. true(), false() and null() become literals and in() becomes an
// IN expression; the rest become plan.Call with the lower-case name.
var evalFuncs = map[string]arity{
	// comparison and conditional
	"case": {2, -1}, "cidrmatch": {2, 2}, "coalesce": {1, -1}, "if": {3, 3},
	"in": {2, -1}, "like": {2, 2}, "match": {2, 2}, "null": {0, 0}, "nullif": {2, 2},
	"searchmatch": {1, 1}, "validate": {2, -1}, "true": {0, 0}, "false": {0, 0},
	// informational
	"isbool": {1, 1}, "isint": {1, 1}, "isnotnull": {1, 1}, "isnull": {1, 1},
	"isnum": {1, 1}, "isstr": {1, 1}, "typeof": {1, 1},
	// conversion
	"printf": {1, -1}, "tonumber": {1, 2}, "tostring": {1, 2},
	// text
	"len": {1, 1}, "lower": {1, 1}, "ltrim": {1, 2}, "replace": {3, 3}, "rtrim": {1, 2},
	"split": {2, 2}, "substr": {2, 3}, "trim": {1, 2}, "upper": {1, 1}, "urldecode": {1, 1},
	// cryptographic
	"md5": {1, 1}, "sha1": {1, 1}, "sha256": {1, 1}, "sha512": {1, 1},
	// mathematical
	"abs": {1, 1}, "ceil": {1, 1}, "ceiling": {1, 1}, "exact": {1, 1}, "exp": {1, 1},
	"floor": {1, 1}, "ln": {1, 1}, "log": {1, 2}, "pi": {0, 0}, "pow": {2, 2},
	"random": {0, 0}, "round": {1, 2}, "sigfig": {1, 1}, "sqrt": {1, 1},
	"max": {1, -1}, "min": {1, -1},
	// multivalue
	"mvappend": {1, -1}, "mvcount": {1, 1}, "mvdedup": {1, 1}, "mvfilter": {1, 1},
	"mvfind": {2, 2}, "mvindex": {2, 3}, "mvjoin": {2, 2}, "mvrange": {2, 3},
	"mvsort": {1, 1}, "mvzip": {2, 3},
	// date and time
	"now": {0, 0}, "relative_time": {2, 2}, "strftime": {2, 2}, "strptime": {2, 2}, "time": {0, 0},
	// JSON
	"json_extract": {1, -1}, "spath": {2, 2},
}

// aggFuncs are the stats/eventstats functions, mapped to the name the
// plan carries (aliases folded: c is count, distinct_count is dc, mean is
// avg).
var aggFuncs = map[string]string{
	"count": "count", "c": "count", "dc": "dc", "distinct_count": "dc",
	"values": "values", "list": "list", "min": "min", "max": "max", "sum": "sum",
	"avg": "avg", "mean": "avg", "median": "median", "earliest": "earliest",
	"latest": "latest", "first": "first", "last": "last", "range": "range", "stdev": "stdev",
}
