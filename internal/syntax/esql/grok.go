package esql

import (
	"fmt"
	"regexp"
	"strings"
)

// grokTypes maps the type suffix of %{PATTERN:name:type} to the function
// that converts the captured text; "" keeps it a string.
var grokTypes = map[string]string{
	"":      "",
	"int":   "to_integer",
	"long":  "to_long",
	"float": "to_double", "double": "to_double",
	"boolean": "to_boolean", "bool": "to_boolean",
	"string": "", "keyword": "",
}

// grokPatterns are the named patterns a grok expression may reference.
// They are written for RE2: no look-around, no atomic groups, and no
// capturing groups (only (?:...)), so that capture i of the translated
// regex is always the i-th named capture of the grok expression.
var grokPatterns = map[string]string{
	"USERNAME":       `[a-zA-Z0-9._-]+`,
	"USER":           `%{USERNAME}`,
	"EMAILLOCALPART": `[a-zA-Z0-9!#$%&'*+/=?^_{|}~-]+(?:\.[a-zA-Z0-9!#$%&'*+/=?^_{|}~-]+)*`,
	"EMAILADDRESS":   `%{EMAILLOCALPART}@%{HOSTNAME}`,
	"INT":            `[+-]?[0-9]+`,
	"BASE10NUM":      `[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)`,
	"NUMBER":         `%{BASE10NUM}`,
	"BASE16NUM":      `[+-]?(?:0[xX])?[0-9A-Fa-f]+`,
	"POSINT":         `\b[1-9][0-9]*\b`,
	"NONNEGINT":      `\b[0-9]+\b`,
	"WORD":           `\b\w+\b`,
	"NOTSPACE":       `\S+`,
	"SPACE":          `\s*`,
	"DATA":           `.*?`,
	"GREEDYDATA":     `.*`,
	"QUOTEDSTRING":   `"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`(?:[^`\\\\]|\\\\.)*`",
	"QS":             `%{QUOTEDSTRING}`,
	"UUID":           `[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}`,
	"MAC":            `(?:[A-Fa-f0-9]{2}[:-]){5}[A-Fa-f0-9]{2}|(?:[A-Fa-f0-9]{4}\.){2}[A-Fa-f0-9]{4}`,
	"IPV4OCTET":      `25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]`,
	// \b stands in for the (?<![0-9]) and (?![0-9]) that RE2 lacks.
	"IPV4": `\b(?:%{IPV4OCTET})(?:\.(?:%{IPV4OCTET})){3}\b`,
	// IPV6 covers the full form, "::" compression and an embedded IPv4
	// tail; the longest forms come first.
	"IPV6": `(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}` +
		`|(?:[0-9A-Fa-f]{1,4}:){6}%{IPV4}` +
		`|(?:[0-9A-Fa-f]{1,4}:){1,6}(?::[0-9A-Fa-f]{1,4}){1,6}` +
		`|(?:[0-9A-Fa-f]{1,4}:){1,5}:%{IPV4}` +
		`|::(?:[fF]{4}:)?%{IPV4}` +
		`|::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4}` +
		`|(?:[0-9A-Fa-f]{1,4}:){1,7}:` +
		`|::`,
	"IP":           `%{IPV6}|%{IPV4}`,
	"HOSTNAME":     `\b[0-9A-Za-z][0-9A-Za-z-]{0,62}(?:\.[0-9A-Za-z][0-9A-Za-z-]{0,62})*(?:\.|\b)`,
	"HOST":         `%{HOSTNAME}`,
	"IPORHOST":     `%{IP}|%{HOSTNAME}`,
	"HOSTPORT":     `%{IPORHOST}:%{POSINT}`,
	"PATH":         `%{UNIXPATH}|%{WINPATH}`,
	"UNIXPATH":     `(?:/[\w_%!$@:.,+~-]*)+`,
	"WINPATH":      `(?:[A-Za-z]+:|\\)(?:\\[^\\?*]*)+`,
	"URIPROTO":     `[A-Za-z][A-Za-z0-9+.-]+`,
	"URIHOST":      `%{IPORHOST}(?::%{POSINT})?`,
	"URIPATH":      `(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_-]*)+`,
	"URIPARAM":     `\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\[\]<>-]*`,
	"URIPATHPARAM": `%{URIPATH}(?:%{URIPARAM})?`,
	"URI":          `%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?`,
	"LOGLEVEL": `[Aa]lert|ALERT|[Tt]race|TRACE|[Dd]ebug|DEBUG|[Nn]otice|NOTICE|[Ii]nfo(?:rmation)?|INFO(?:RMATION)?` +
		`|[Ww]arn(?:ing)?|WARN(?:ING)?|[Ee]rr(?:or)?|ERR(?:OR)?|[Cc]rit(?:ical)?|CRIT(?:ICAL)?` +
		`|[Ff]atal|FATAL|[Ss]evere|SEVERE|[Ee]merg(?:ency)?|EMERG(?:ENCY)?`,
	"YEAR":              `[0-9]{4}|[0-9]{2}`,
	"MONTHNUM":          `0?[1-9]|1[0-2]`,
	"MONTHNUM2":         `0[1-9]|1[0-2]`,
	"MONTHDAY":          `0[1-9]|[12][0-9]|3[01]|[1-9]`,
	"MONTH":             `\b(?:[Jj]an(?:uary|uar)?|[Ff]eb(?:ruary|ruar)?|[Mm](?:a|ä)?r(?:ch|z)?|[Aa]pr(?:il)?|[Mm]a(?:y|i)?|[Jj]un(?:e|i)?|[Jj]ul(?:y|i)?|[Aa]ug(?:ust)?|[Ss]ep(?:tember)?|[Oo](?:c|k)?t(?:ober)?|[Nn]ov(?:ember)?|[Dd]e(?:c|z)(?:ember)?)\b`,
	"DAY":               `Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?`,
	"HOUR":              `2[0-3]|[01]?[0-9]`,
	"MINUTE":            `[0-5][0-9]`,
	"SECOND":            `(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?`,
	"TIME":              `%{HOUR}:%{MINUTE}(?::%{SECOND})?`,
	"ISO8601_TIMEZONE":  `Z|[+-]%{HOUR}(?::?%{MINUTE})`,
	"ISO8601_SECOND":    `%{SECOND}`,
	"TIMESTAMP_ISO8601": `%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?`,
	"DATE_US":           `%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}`,
	"DATE_EU":           `%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}`,
	"DATE":              `%{DATE_US}|%{DATE_EU}`,
	"DATESTAMP":         `%{DATE}[- ]%{TIME}`,
	"SYSLOGTIMESTAMP":   `%{MONTH} +%{MONTHDAY} %{TIME}`,
	"HTTPDATE":          `%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}`,
	"SYSLOGHOST":        `%{IPORHOST}`,
	"SYSLOGPROG":        `[\x21-\x5a\x5c\x5e-\x7e]+(?:\[%{POSINT}\])?`,
	"HTTPDUSER":         `%{EMAILADDRESS}|%{USER}`,
	"COMMONAPACHELOG":   `%{IPORHOST} %{HTTPDUSER} %{USER} \[%{HTTPDATE}\] "(?:%{WORD} %{NOTSPACE}(?: HTTP/%{NUMBER})?|%{DATA})" %{NUMBER} (?:%{NUMBER}|-)`,
}

// grokResult is a grok expression translated to RE2.
type grokResult struct {
	regex string
	names []string // column of capture group i+1
	types []string // type suffix of capture group i+1, "" when untyped
}

// translateGrok turns a grok expression into an unanchored RE2 regular
// expression whose capture groups are exactly the named captures, in order:
// %{P:name} and %{P:name:type} capture, %{P} does not; (?<name>...) and
// (?P<name>...) capture as name; any other group is made non-capturing.
func translateGrok(pat string) (grokResult, error) {
	var r grokResult
	var b strings.Builder
	if err := r.expand(&b, pat, true, 0); err != nil {
		return grokResult{}, err
	}
	if len(r.names) == 0 {
		return grokResult{}, fmt.Errorf("a grok pattern needs at least one named capture such as %%{WORD:name}")
	}
	r.regex = b.String()
	re, err := regexp.Compile(r.regex)
	if err != nil {
		return grokResult{}, fmt.Errorf("invalid grok pattern: %v", err)
	}
	if re.NumSubexp() != len(r.names) {
		return grokResult{}, fmt.Errorf("BUG: grok translation has %d groups for %d names", re.NumSubexp(), len(r.names))
	}
	return r, nil
}

// expand writes the RE2 form of a grok expression. top is set for the
// user's own text, where names and types are collected; library patterns
// never capture.
func (r *grokResult) expand(b *strings.Builder, pat string, top bool, depth int) error {
	if depth > 20 {
		return fmt.Errorf("grok patterns nest too deeply")
	}
	inClass := false
	for i := 0; i < len(pat); {
		c := pat[i]
		switch {
		case c == '\\':
			end := i + 2
			if end > len(pat) {
				end = len(pat)
			}
			b.WriteString(pat[i:end])
			i = end
		case inClass:
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
			i++
		case c == '[':
			inClass = true
			b.WriteByte(c)
			i++
			// A "]" right after "[" or "[^" is a literal member.
			if i < len(pat) && pat[i] == '^' {
				b.WriteByte('^')
				i++
			}
			if i < len(pat) && pat[i] == ']' {
				b.WriteByte(']')
				i++
			}
		case strings.HasPrefix(pat[i:], "%{"):
			end := strings.IndexByte(pat[i:], '}')
			if end < 0 {
				return fmt.Errorf("unterminated %%{ in grok pattern")
			}
			ref := pat[i+2 : i+end]
			i += end + 1
			if err := r.reference(b, ref, top, depth); err != nil {
				return err
			}
		case c == '(' && top && (strings.HasPrefix(pat[i:], "(?<") || strings.HasPrefix(pat[i:], "(?P<")) &&
			!strings.HasPrefix(pat[i:], "(?<=") && !strings.HasPrefix(pat[i:], "(?<!"):
			start := strings.IndexByte(pat[i:], '<') + i + 1
			end := strings.IndexByte(pat[start:], '>')
			if end < 0 {
				return fmt.Errorf("unterminated group name in grok pattern")
			}
			r.names = append(r.names, fieldName(pat[start:start+end]))
			r.types = append(r.types, "")
			b.WriteByte('(')
			i = start + end + 1
		case c == '(' && !strings.HasPrefix(pat[i:], "(?"):
			b.WriteString("(?:")
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return nil
}

// reference expands %{NAME}, %{NAME:field} or %{NAME:field:type}.
func (r *grokResult) reference(b *strings.Builder, ref string, top bool, depth int) error {
	parts := strings.SplitN(ref, ":", 3)
	name := parts[0]
	body, ok := grokPatterns[name]
	if !ok {
		return fmt.Errorf("unknown grok pattern %%{%s}", name)
	}
	if len(parts) == 1 || !top {
		b.WriteString("(?:")
		if err := r.expand(b, body, false, depth+1); err != nil {
			return err
		}
		b.WriteByte(')')
		return nil
	}
	field := fieldName(parts[1])
	if field == "" {
		return fmt.Errorf("empty capture name in %%{%s}", ref)
	}
	typ := ""
	if len(parts) == 3 {
		typ = strings.ToLower(parts[2])
		if _, ok := grokTypes[typ]; !ok {
			return fmt.Errorf("unknown type %q in %%{%s} (known: int, long, float, double, boolean)", parts[2], ref)
		}
	}
	r.names = append(r.names, field)
	r.types = append(r.types, typ)
	b.WriteByte('(')
	if err := r.expand(b, body, false, depth+1); err != nil {
		return err
	}
	b.WriteByte(')')
	return nil
}

// fieldName turns a grok capture name into a column name: "[a][b]" is
// "a.b", as ECS-style grok names are.
func fieldName(s string) string {
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		inner := strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
		return strings.ReplaceAll(inner, "][", ".")
	}
	return s
}
