package exception

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Exception says that a field value is expected for one rule, or for every
// rule: events with it do not count, and results with it raise nothing.
type Exception struct {
	// ID names the exception; Load derives one from its content when the
	// file gives none.
	ID string `yaml:"id,omitempty" json:"id"`
	// Rule is the id of the rule it applies to; empty or "*" for every
	// rule.
	Rule string `yaml:"rule,omitempty" json:"rule,omitempty"`
	// Field is named as the rule reads it: an ECS field for Elastic rules,
	// a Splunk field or CloudTrail path for SPL, a CloudTrail path for
	// Sigma, or a column of the rule's results.
	Field string `yaml:"field" json:"field"`
	// Values are compared with the field's text, case-sensitively; with
	// Match "wildcard", * stands for any run of characters and ? for one.
	Values  []string  `yaml:"values" json:"values"`
	Match   string    `yaml:"match,omitempty" json:"match,omitempty"`
	Reason  string    `yaml:"reason" json:"reason"`
	Author  string    `yaml:"author" json:"author"`
	Created time.Time `yaml:"created,omitempty" json:"created,omitzero"`
	// Expires, when set, ends the exception (wall-clock time).
	Expires time.Time `yaml:"expires,omitempty" json:"expires,omitzero"`
}

// The match kinds.
const (
	MatchEquals   = "equals"
	MatchWildcard = "wildcard"
)

// Check reports what makes an exception unusable.
func (e *Exception) Check() error {
	var bad []string
	if strings.TrimSpace(e.Field) == "" {
		bad = append(bad, "field is empty")
	}
	if len(e.Values) == 0 {
		bad = append(bad, "no values")
	}
	switch e.Match {
	case "", MatchEquals, MatchWildcard:
	default:
		bad = append(bad, fmt.Sprintf("match %q (want equals or wildcard)", e.Match))
	}
	if strings.TrimSpace(e.Reason) == "" {
		bad = append(bad, "reason is empty: say why the value is expected")
	}
	if strings.TrimSpace(e.Author) == "" {
		bad = append(bad, "author is empty")
	}
	if !e.Expires.IsZero() && !e.Created.IsZero() && !e.Expires.After(e.Created) {
		bad = append(bad, "expires before it was created")
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return nil
}

// AppliesTo reports whether the exception names rule id (or every rule).
func (e *Exception) AppliesTo(ruleID string) bool {
	return e.Rule == "" || e.Rule == "*" || e.Rule == ruleID
}

// Active reports whether the exception is in force at now.
func (e *Exception) Active(now time.Time) bool {
	return e.Expires.IsZero() || now.Before(e.Expires)
}

// Matches reports whether a field's text is one of the exception's values.
func (e *Exception) Matches(text string) bool {
	for _, v := range e.Values {
		if e.Match == MatchWildcard {
			if wildMatch(v, text) {
				return true
			}
		} else if v == text {
			return true
		}
	}
	return false
}

// wildMatch matches text against a pattern in which * is any run of
// characters (slashes included, unlike path.Match) and ? any one.
func wildMatch(pattern, text string) bool {
	p, t := 0, 0
	star, mark := -1, 0
	for t < len(text) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == text[t]):
			p++
			t++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, t
			p++
		case star >= 0:
			p = star + 1
			mark++
			t = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// DeriveID names an exception by what it says (its rule, field, match and
// values), so that a file without ids gives the same ids on every load and
// the same exception added twice is seen to be one.
func DeriveID(e *Exception) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", e.Rule, e.Field, e.Match, strings.Join(e.Values, "\x00"))
	return "ex-" + hex.EncodeToString(h.Sum(nil))[:12]
}
