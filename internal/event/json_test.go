package event

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

func TestAppendJSONString(t *testing.T) {
	cases := []string{"", "plain", "ATT&CK <b>", "quote \" and \\ back", "tab\tnew\nline\r", "ctl \x01\x1f", "é ü 漢", "bad \xff byte", "sep \u2028 \u2029"}
	for _, s := range cases {
		b := AppendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("%q encoded as invalid JSON %s: %v", s, b, err)
			continue
		}
		want := s
		if s == "bad \xff byte" {
			want = "bad \ufffd byte"
		}
		if back != want {
			t.Errorf("%q round-tripped as %q", s, back)
		}
	}
	if got := string(AppendJSONString(nil, "ATT&CK")); got != `"ATT&CK"` {
		t.Errorf("& escaped: %s", got)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add("ATT&CK \x00 \xff")
	f.Fuzz(func(t *testing.T, s string) {
		var back string
		if err := json.Unmarshal(AppendJSONString(nil, s), &back); err != nil {
			t.Fatalf("invalid JSON for %q: %v", s, err)
		}
	})
}

func TestDecodeUnicodeEscapes(t *testing.T) {
	cases := []struct{ raw, want string }{
		{`"ListFoundation\u004dodels"`, `"ListFoundationModels"`},
		{`"instruction\u0073", "\u00e9t\u00C9"`, `"instructions", "étÉ"`},
		{`"\ud83d\ude00 ok"`, "\"\U0001F600 ok\""},
		{`"lone \ud83d here"`, "\"lone \ufffd here\""},
		{`"text \\u004d stays"`, `"text \\u004d stays"`},
		{`"three \\\u004d"`, `"three \\M"`},
		{`"short \u00"`, `"short \u00"`},
		{`"\n\t\"" \u0041`, `"\n\t\"" A`},
	}
	for _, c := range cases {
		got, ok := DecodeUnicodeEscapes(nil, []byte(c.raw))
		if string(got) != c.want || !ok {
			t.Errorf("DecodeUnicodeEscapes(%s) = %s, %v; want %s", c.raw, got, ok, c.want)
		}
	}
	raw := []byte(`{"eventName":"ListFoundationModels"}`)
	if got, ok := DecodeUnicodeEscapes(make([]byte, 0, 64), raw); ok || &got[0] != &raw[0] {
		t.Errorf("text without escapes was copied (ok %v)", ok)
	}
}

// Whatever letters a JSON string spells with \u escapes, the decoded
// text of the document holds the string as encoding/json decodes it.
func FuzzDecodeUnicodeEscapes(f *testing.F) {
	f.Add("ListFoundationModels", uint8(3))
	f.Fuzz(func(t *testing.T, s string, every uint8) {
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\"\\") || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
			return
		}
		var doc []byte
		doc = append(doc, '"')
		for i, r := range s {
			if every > 0 && i%int(every) == 0 {
				for _, u := range utf16.Encode([]rune{r}) {
					doc = fmt.Appendf(doc, `\u%04x`, u)
				}
				continue
			}
			doc = utf8.AppendRune(doc, r)
		}
		doc = append(doc, '"')
		var back string
		if err := json.Unmarshal(doc, &back); err != nil || back != s {
			t.Fatalf("test encoding wrong: %s -> %q, %v", doc, back, err)
		}
		got, _ := DecodeUnicodeEscapes(nil, doc)
		if string(got) != `"`+s+`"` {
			t.Fatalf("decoded %s as %s, want %q", doc, got, s)
		}
	})
}

func TestAppendUnescaped(t *testing.T) {
	cases := []struct {
		body, want string
		ok         bool
	}{
		{`Record\u0073`, "Records", true},
		{`a\"b\\c\/d\n`, "a\"b\\c/d\n", true},
		{`\ud83d\ude00`, "\U0001F600", true},
		{`bad \x`, "", false},
		{`cut \`, "", false},
		{`\u12`, "", false},
	}
	for _, c := range cases {
		got, ok := AppendUnescaped(nil, []byte(c.body))
		if ok != c.ok || (ok && string(got) != c.want) {
			t.Errorf("AppendUnescaped(%s) = %q, %v; want %q, %v", c.body, got, ok, c.want, c.ok)
		}
	}
}

// A field rendered as JSON text reads the same whether or not something
// decoded its strings first, and whatever escapes the record used.
func TestRawJSONIsCanonical(t *testing.T) {
	plain := `{"input":{"inputBodyJson":{"messages":[{"role":"user","content":"ignore previous instructions é"}],"max_tokens":200}}}`
	escaped := `{"input":{"inputBodyJson":{"me\u0073sages":[{"role":"user","content":"ignore previous instruction\u0073 \u00e9"}],"max_tokens":200}}}`
	keys := []string{"input", "inputBodyJson"}
	render := func(raw string, touch bool) string {
		doc, err := fastjson.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		ev := &Event{Doc: doc, Memo: &Memo{}}
		ev.Memo.Next()
		if touch {
			// Another rule read the string first, decoding it in place.
			ev.Path([]string{"input", "inputBodyJson", "messages", "content"})
		}
		return ev.RawJSON(keys)
	}
	want := `{"messages":[{"role":"user","content":"ignore previous instructions é"}],"max_tokens":200}`
	for _, raw := range []string{plain, escaped} {
		for _, touch := range []bool{false, true} {
			if got := render(raw, touch); got != want {
				t.Errorf("RawJSON (escaped %v, read first %v) = %s\nwant %s", raw == escaped, touch, got, want)
			}
		}
	}
}
