package scalar

import (
	"sort"
	"strings"
)

// Type is the type of an ES|QL value as ES|QL's checks name it: enough to
// find a query's type errors before it runs, as Elasticsearch's verifier
// does. The evaluator itself works on event.Value kinds and never needs it.
type Type uint8

// The types. Any is a value whose type is not known (a field of data
// tripline does not read, a subfield of a flattened object): it passes
// every check, so that only a mismatch between known types is an error.
const (
	Any Type = iota
	Null
	Boolean
	Integer
	Long
	Double
	UnsignedLong
	Keyword
	Text
	Datetime
	IP
	Version
	GeoPoint
	DatePeriod
	TimeDuration
	numTypes
)

var typeNames = [numTypes]string{
	Any: "any", Null: "null", Boolean: "boolean", Integer: "integer", Long: "long",
	Double: "double", UnsignedLong: "unsigned_long", Keyword: "keyword", Text: "text",
	Datetime: "datetime", IP: "ip", Version: "version", GeoPoint: "geo_point",
	DatePeriod: "date_period", TimeDuration: "time_duration",
}

// String returns the type's name as ES|QL's messages spell it.
func (t Type) String() string {
	if t < numTypes {
		return typeNames[t]
	}
	return "unknown"
}

// TypeOfMapping returns the type ES|QL reads a field of an Elasticsearch
// mapping type as ("date" is datetime, "float" is double, ...), and Any for
// a mapping type it does not know.
func TypeOfMapping(mapping string) Type {
	switch mapping {
	case "boolean":
		return Boolean
	case "byte", "short", "integer":
		return Integer
	case "long":
		return Long
	case "double", "float", "half_float", "scaled_float":
		return Double
	case "unsigned_long":
		return UnsignedLong
	case "keyword", "constant_keyword", "wildcard":
		return Keyword
	case "text", "match_only_text":
		return Text
	case "date", "date_nanos":
		return Datetime
	case "ip":
		return IP
	case "version":
		return Version
	case "geo_point":
		return GeoPoint
	}
	return Any
}

// IsNumeric reports whether t is a number.
func (t Type) IsNumeric() bool {
	return t == Integer || t == Long || t == Double || t == UnsignedLong
}

// IsString reports whether t is keyword or text.
func (t Type) IsString() bool { return t == Keyword || t == Text }

// Types is a set of types: what a parameter accepts.
type Types uint32

// Of returns the set holding ts.
func Of(ts ...Type) Types {
	var s Types
	for _, t := range ts {
		s |= 1 << t
	}
	return s
}

// Sets of types that parameters accept.
var (
	AnyType  = ^Types(0)
	Numeric  = Of(Integer, Long, Double, UnsignedLong)
	Integral = Of(Integer, Long)
	String   = Of(Keyword, Text)
	Date     = Of(Datetime)
	Bool     = Of(Boolean)
	Spans    = Of(DatePeriod, TimeDuration)
	IPs      = Of(IP)
	Geo      = Of(GeoPoint)
	// Ordered are the types that compare by order (greatest, min, max).
	Ordered = Numeric | String | Of(Boolean, Datetime, IP, Version)
)

// Has reports whether the set holds t.
func (s Types) Has(t Type) bool { return s&(1<<t) != 0 }

// String lists the set as ES|QL's messages do: "numeric" for all the
// numbers, "string" for keyword and text, the rest by name, joined with
// commas and a final "or".
func (s Types) String() string {
	if s == AnyType {
		return "any"
	}
	var parts []string
	if s&Numeric == Numeric {
		parts = append(parts, "numeric")
		s &^= Numeric
	}
	if s&String == String {
		parts = append(parts, "string")
		s &^= String
	}
	var rest []string
	for t := Type(0); t < numTypes; t++ {
		if s.Has(t) {
			rest = append(rest, t.String())
		}
	}
	sort.Strings(rest)
	parts = append(parts, rest...)
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// Arg is what a type rule knows of one argument: its type, and whether it
// is a string constant, which ES|QL casts implicitly to a date, an ip, a
// version, a boolean or a time span where one of those is expected (ES|QL
// reference, "Implicit casting").
type Arg struct {
	Type        Type
	StringConst bool
}

// castsTo are the types a string constant casts to implicitly.
var castsTo = Date | IPs | Bool | Spans | Of(Version)

// Accepts reports whether a parameter that takes s accepts a. Null and
// Any are accepted everywhere.
func (s Types) Accepts(a Arg) bool {
	switch {
	case a.Type == Any, a.Type == Null, s.Has(a.Type):
		return true
	case a.StringConst && s&castsTo != 0:
		return true
	}
	return false
}

// TypeError is why a type rule rejects its arguments.
type TypeError struct {
	// Arg is the argument at fault (0-based); Want is what it must be.
	Arg  int
	Want Types
	// Mismatch, when set, says that each argument is fine alone but they
	// do not go together (a comparison of a keyword with a number): Arg
	// is the one that does not match the first.
	Mismatch bool
}

// Result computes a function's result type from its arguments' types.
type Result func(args []Arg) Type

// Returns is a Result of a fixed type.
func Returns(t Type) Result { return func([]Arg) Type { return t } }

// SameAs is a Result of the type of argument i (Any when absent).
func SameAs(i int) Result {
	return func(args []Arg) Type {
		if i < len(args) {
			return args[i].Type
		}
		return Any
	}
}

// Common is a Result of the type the arguments from i on have in common,
// every step of two: (case's values), widening numbers to the widest.
func Common(from, step int) Result {
	return func(args []Arg) Type {
		t := Null
		for i := from; i < len(args); i += step {
			t = common(t, args[i].Type)
		}
		if t == Null && len(args) > from {
			return Null
		}
		return t
	}
}

// common returns the type two values of types a and b have together: the
// wider number, keyword for two strings, Any when they do not agree.
func common(a, b Type) Type {
	switch {
	case a == Null:
		return b
	case b == Null, a == b:
		return a
	case a == Any || b == Any:
		return Any
	case a.IsNumeric() && b.IsNumeric():
		if a == Double || b == Double {
			return Double
		}
		if a == Long || b == Long {
			return Long
		}
		return a
	case a.IsString() && b.IsString():
		return Keyword
	}
	return Any
}

// Sig is a function's type rule: Params[i] is the set of types argument
// i takes (for a variadic function the last entry repeats), Result its
// result type. A function without a Sig is not checked.
type Sig struct {
	Params []Types
	Result Result
	// Same lists arguments that must agree with the first of them (a
	// comparison's sides, coalesce's values): numbers with numbers,
	// strings with strings, dates with dates.
	Same []int
}

// Check applies the rule to the arguments' types.
func (s *Sig) Check(args []Arg) (Type, *TypeError) {
	for i, a := range args {
		if len(s.Params) == 0 {
			break
		}
		p := s.Params[len(s.Params)-1]
		if i < len(s.Params) {
			p = s.Params[i]
		}
		if !p.Accepts(a) {
			return Any, &TypeError{Arg: i, Want: p}
		}
	}
	if len(s.Same) > 1 {
		first := -1
		for _, i := range s.Same {
			if i >= len(args) {
				continue
			}
			if first < 0 {
				if k := args[i].Type; k != Null && k != Any {
					first = i
				}
				continue
			}
			if !Comparable(args[first], args[i]) {
				return Any, &TypeError{Arg: i, Want: Of(args[first].Type), Mismatch: true}
			}
		}
	}
	if s.Result == nil {
		return Any, nil
	}
	return s.Result(args), nil
}

// Comparable reports whether two values can be compared as ES|QL's binary
// comparisons require: numbers with numbers, strings with strings, dates
// with dates, a type with itself; null and unknown types with anything; a
// string constant with the types it casts to.
func Comparable(a, b Arg) bool {
	switch {
	case a.Type == Any, b.Type == Any, a.Type == Null, b.Type == Null, a.Type == b.Type:
		return true
	case a.Type == UnsignedLong || b.Type == UnsignedLong:
		return false
	case a.Type.IsNumeric() && b.Type.IsNumeric(), a.Type.IsString() && b.Type.IsString():
		return true
	case a.StringConst && castsTo.Has(b.Type), b.StringConst && castsTo.Has(a.Type):
		return true
	}
	return false
}

// ArithType returns the type of l op r for + - * / %, or a TypeError as
// ES|QL's verifier reports it: an argument that no arithmetic takes, or
// two that do not go together.
func ArithType(op string, l, r Arg) (Type, *TypeError) {
	takes := Numeric | Date | Spans
	if op == "*" || op == "/" || op == "%" {
		takes = Numeric
	}
	if !takes.Accepts(l) {
		return Any, &TypeError{Arg: 0, Want: takes}
	}
	if !takes.Accepts(r) {
		return Any, &TypeError{Arg: 1, Want: takes}
	}
	lt, rt := l.Type, r.Type
	switch {
	case lt == Any || rt == Any:
		return Any, nil
	case lt == Null || rt == Null:
		return Null, nil
	case lt.IsNumeric() && rt.IsNumeric():
		if (lt == UnsignedLong) != (rt == UnsignedLong) {
			return Any, &TypeError{Arg: 1, Mismatch: true}
		}
		return common(lt, rt), nil
	case lt == Datetime && Spans.Has(rt), Spans.Has(lt) && rt == Datetime && op == "+":
		return Datetime, nil
	case Spans.Has(lt) && lt == rt:
		return lt, nil
	case l.StringConst || r.StringConst:
		return Any, nil
	}
	return Any, &TypeError{Arg: 1, Mismatch: true}
}

// typed gives f the type rule: params, as Sig.Params, and the result.
func (f *Func) typed(result Result, params ...Types) *Func {
	f.Sig = &Sig{Params: params, Result: result}
	return f
}

// sig gives f the type rule s.
func (f *Func) sig(s *Sig) *Func {
	f.Sig = s
	return f
}

// allArgs makes Sig.Same cover every argument of a variadic function.
var allArgs = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}

// caseResult is case()'s result: the common type of its values, the
// arguments after each condition and the trailing default.
func caseResult(args []Arg) Type {
	t := Null
	for i := 1; i < len(args); i += 2 {
		t = common(t, args[i].Type)
	}
	if len(args)%2 == 1 {
		t = common(t, args[len(args)-1].Type)
	}
	return t
}
