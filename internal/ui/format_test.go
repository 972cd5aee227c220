package ui

import (
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/alert"
)

func TestMitreURL(t *testing.T) {
	tests := []struct {
		ref  alert.Ref
		want string
	}{
		{alert.Ref{ID: "TA0001"}, "https://attack.mitre.org/tactics/TA0001/"},
		{alert.Ref{ID: "T1078"}, "https://attack.mitre.org/techniques/T1078/"},
		{alert.Ref{ID: "t1078.004"}, "https://attack.mitre.org/techniques/T1078/004/"},
		{alert.Ref{ID: "AML.TA0000"}, "https://atlas.mitre.org/tactics/AML.TA0000"},
		{alert.Ref{ID: "AML.T0040"}, "https://atlas.mitre.org/techniques/AML.T0040"},
		{alert.Ref{ID: "AML.T0040.000"}, "https://atlas.mitre.org/techniques/AML.T0040.000"},
		{alert.Ref{ID: "T1078", Reference: "https://attack.mitre.org/techniques/T1078/"}, "https://attack.mitre.org/techniques/T1078/"},
		{alert.Ref{ID: "T1078", Reference: "https://evil.example/T1078"}, "https://attack.mitre.org/techniques/T1078/"},
		{alert.Ref{ID: "T1078", Reference: "http://attack.mitre.org/x"}, "https://attack.mitre.org/techniques/T1078/"},
		{alert.Ref{ID: "T1078", Reference: "https://mitre.org.evil.example/"}, "https://attack.mitre.org/techniques/T1078/"},
		{alert.Ref{ID: "javascript:alert(1)"}, ""},
		{alert.Ref{ID: "T1078/../../x"}, ""},
		{alert.Ref{ID: ""}, ""},
	}
	for _, tt := range tests {
		if got := mitreURL(tt.ref); got != tt.want {
			t.Errorf("mitreURL(%+v) = %q, want %q", tt.ref, got, tt.want)
		}
	}
}

func TestClipAndVisible(t *testing.T) {
	if got := clip(5, "abcdef"); got != "abcde … (1 more bytes)" {
		t.Errorf("clip = %q", got)
	}
	if got := clip(5, "abc"); got != "abc" {
		t.Errorf("clip of a short string = %q", got)
	}
	if got := clip(2, "aé"); !strings.HasPrefix(got, "a …") {
		t.Errorf("clip cuts a character: %q", got)
	}
	if got := visibleLine("a\x1b[31mb\nc\u202e"); got != `a\x1b[31mb\nc\u202e` {
		t.Errorf("visibleLine = %q", got)
	}
	if got := visibleBlock("a\n\tb\x1b"); got != "a\n\tb\\x1b" {
		t.Errorf("visibleBlock = %q", got)
	}
	if got := formatDuration("1h0m0s") + " " + formatDuration("168h0m0s") + " " + formatDuration("<b>"); got != "1h 7d <b>" {
		t.Errorf("formatDuration = %q", got)
	}
	if got := severityClass(`high" onclick="x`); got != "sev" {
		t.Errorf("severityClass of a hostile severity = %q", got)
	}
}
