package ui

import (
	"strconv"
	"strings"
)

// rawLine is one line of an evidence record as a page shows it, and
// whether it holds a field the alert's rule read.
type rawLine struct {
	Text string
	Used bool
}

// markedLines splits a pretty-printed JSON record (json.Indent's layout:
// one key or element a line) into lines, marking those whose key path is
// one of reads (dotted, arrays transparent: an element is at its array's
// path). Text that is not such JSON comes back unmarked.
func markedLines(pretty string, reads map[string]bool) []rawLine {
	lines := strings.Split(pretty, "\n")
	out := make([]rawLine, 0, len(lines))
	var stack []string // the path of each open object or array
	top := func() string {
		if len(stack) == 0 {
			return ""
		}
		return stack[len(stack)-1]
	}
	join := func(parent, key string) string {
		if parent == "" {
			return key
		}
		return parent + "." + key
	}
	for _, line := range lines {
		t := strings.TrimSpace(line)
		used := false
		switch {
		case strings.HasPrefix(t, `"`):
			key, rest, ok := splitKey(t)
			if !ok { // a string element of an array
				used = reads[top()]
				break
			}
			path := join(top(), key)
			used = reads[path]
			if v := strings.TrimSpace(rest); v == "{" || v == "[" {
				stack = append(stack, path)
			}
		case t == "{" || t == "[":
			stack = append(stack, top()) // the root, or an element of an array
		case strings.HasPrefix(t, "}") || strings.HasPrefix(t, "]"):
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case t != "":
			used = reads[top()] // a number, bool or null element
		}
		out = append(out, rawLine{Text: line, Used: used && len(reads) > 0})
	}
	return out
}

// splitKey reads `"key": rest` into the unquoted key and rest; ok is false
// for a line that is a string value, not a key.
func splitKey(t string) (key, rest string, ok bool) {
	end := 1
	for end < len(t) {
		switch t[end] {
		case '\\':
			end += 2
			continue
		case '"':
			after := t[end+1:]
			if !strings.HasPrefix(after, ":") {
				return "", "", false
			}
			k, err := strconv.Unquote(t[:end+1])
			if err != nil {
				return "", "", false
			}
			return k, strings.TrimPrefix(after, ":"), true
		}
		end++
	}
	return "", "", false
}
