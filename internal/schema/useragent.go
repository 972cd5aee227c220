package schema

import (
	"strings"

	"github.com/tripline/tripline/internal/event"
)

// Elastic's pipeline parses userAgent with Elasticsearch's user_agent
// processor (the uap-core regular expressions) into user_agent.name and
// user_agent.version. tripline recognises what CloudTrail's callers send:
// AWS's own tools (aws-cli, the SDKs, Boto3) and the browsers behind the
// console; any other agent is "Other" with no version, as uap-core names
// an agent it does not know. The operating system and device that uap-core
// also derives are not reproduced (see the omissions of the pipeline test).

// awsAgents are product tokens uap-core names by the token itself, found
// anywhere in the string ("[aws-cli/1.11.10 ...]" is aws-cli).
var awsAgents = []string{"aws-cli", "aws-sdk-", "Boto3", "botocore", "aws-internal"}

var uaOther = event.StringValue("Other")

// userAgent is user_agent.name (version false) or user_agent.version.
func userAgent(version bool) Getter {
	return func(ev *event.Event) event.Value {
		s, ok := strAt(ev, "userAgent")
		if !ok {
			return event.Value{}
		}
		name, ver := parseUserAgent(s)
		if version {
			if ver == "" {
				return event.Value{}
			}
			return event.StringValue(ver)
		}
		if name == "" {
			return uaOther
		}
		return event.StringValue(name)
	}
}

// parseUserAgent returns the agent's name and version, "" when unknown.
// The results are substrings of s.
func parseUserAgent(s string) (name, version string) {
	for _, a := range awsAgents {
		for off := 0; ; {
			i := strings.Index(s[off:], a)
			if i < 0 {
				break
			}
			i += off
			off = i + len(a)
			j := off
			for j < len(s) && isTokenByte(s[j]) {
				j++
			}
			if (i > 0 && isTokenByte(s[i-1])) || j >= len(s) || s[j] != '/' {
				continue
			}
			if v := dottedVersion(s[j+1:]); v != "" {
				return s[i:j], v
			}
		}
	}
	switch {
	case strings.Contains(s, "Edg/"):
		return "Edge", tokenVersion(s, "Edg/")
	case strings.Contains(s, "Edge/"):
		return "Edge", tokenVersion(s, "Edge/")
	case strings.Contains(s, "OPR/"):
		return "Opera", tokenVersion(s, "OPR/")
	case strings.Contains(s, "Firefox/"):
		return "Firefox", tokenVersion(s, "Firefox/")
	case strings.Contains(s, "Chrome/") && !strings.Contains(s, "Chromium/"):
		return "Chrome", tokenVersion(s, "Chrome/")
	case strings.Contains(s, "Safari/") && strings.Contains(s, "Version/"):
		return "Safari", tokenVersion(s, "Version/")
	}
	return "", ""
}

func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

// tokenVersion is the dotted version after the first occurrence of tok.
func tokenVersion(s, tok string) string {
	i := strings.Index(s, tok)
	if i < 0 {
		return ""
	}
	return dottedVersion(s[i+len(tok):])
}

// dottedVersion returns the leading "major.minor[.patch[.build]]" of s,
// "" unless it has at least a major and a minor number.
func dottedVersion(s string) string {
	end, parts := 0, 0
	for parts < 4 {
		j := end
		if parts > 0 {
			if j >= len(s) || s[j] != '.' {
				break
			}
			j++
		}
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k == j {
			break
		}
		end, parts = k, parts+1
	}
	if parts < 2 {
		return ""
	}
	return s[:end]
}
