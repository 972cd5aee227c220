package ui

import (
	"strings"
	"testing"
)

// A guide keeps its structure and safe links; whatever could run script
// or load anything is gone.
func TestRenderGuide(t *testing.T) {
	tests := []struct {
		md        string
		want      []string
		forbidden []string
	}{
		{"## Triage\n\n1. **Check** the `key`.\n", []string{"<h2>Triage</h2>", "<ol>", "<strong>Check</strong>", "<code>key</code>"}, nil},
		{"[docs](https://docs.example/a?b=1)", []string{`<a href="https://docs.example/a?b=1" rel="nofollow noreferrer">docs</a>`}, nil},
		{"[x](javascript:alert(1))", []string{"x"}, []string{"javascript:", "<a"}},
		{"[x](JaVaScRiPt:alert(1))", nil, []string{"alert(1)\"", "<a"}},
		{"[x](data:text/html;base64,PHNjcmlwdD4=)", nil, []string{"data:", "<a"}},
		{"[x](vbscript:msgbox)", nil, []string{"vbscript", "<a"}},
		{"<script>alert(1)</script>", nil, []string{"<script"}},
		{"text <img src=x onerror=alert(1)> more", []string{"text", "more"}, []string{"<img", "onerror"}},
		{"<svg onload=alert(1)></svg>", nil, []string{"<svg", "onload"}},
		{"<a href=\"https://ok.example\" onclick=\"alert(1)\">a</a>", nil, []string{"onclick"}},
		{"![pic](https://tracker.example/p.png)", nil, []string{"<img", "tracker"}},
		{"<iframe src=https://evil.example></iframe>", nil, []string{"<iframe"}},
		{"<p style=\"background:url(x)\">s</p>", nil, []string{"style"}},
		{"| a | b |\n|---|---|\n| 1 | <b onmouseover=x>2</b> |\n", []string{"<table>", "<td>1</td>"}, []string{"onmouseover"}},
		{"```\n<script>x</script>\n```\n", []string{"<pre><code>&lt;script&gt;x&lt;/script&gt;"}, []string{"<script>"}},
	}
	for _, tt := range tests {
		got := string(renderGuide(tt.md))
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("renderGuide(%q) = %q, want %q in it", tt.md, got, w)
			}
		}
		for _, f := range tt.forbidden {
			if strings.Contains(strings.ToLower(got), strings.ToLower(f)) {
				t.Errorf("renderGuide(%q) = %q, holds %q", tt.md, got, f)
			}
		}
	}
	if renderGuide("") != "" {
		t.Error("an empty guide renders something")
	}
	big := strings.Repeat("word ", 200<<10)
	if got := renderGuide(big); len(got) > maxGuideBytes+1024 {
		t.Errorf("a megabyte guide renders %d bytes", len(got))
	}
}
