package store

import "testing"

func TestParseURL(t *testing.T) {
	tests := []struct {
		url, kind, target string
		err               bool
	}{
		{url: "sqlite:///var/lib/tripline/a.db", kind: "sqlite", target: "/var/lib/tripline/a.db"},
		{url: "sqlite://rel/a.db", kind: "sqlite", target: "rel/a.db"},
		{url: "sqlite:a.db", kind: "sqlite", target: "a.db"},
		{url: "./tripline-data/tripline.db", kind: "sqlite", target: "./tripline-data/tripline.db"},
		{url: ":memory:", kind: "sqlite", target: ":memory:"},
		{url: "postgres://u@db:5432/tripline?sslmode=disable", kind: "postgres", target: "postgres://u@db:5432/tripline?sslmode=disable"},
		{url: "postgresql://db/tripline", kind: "postgres", target: "postgresql://db/tripline"},
		{url: "mysql://db/tripline", err: true},
		{url: "sqlite://", err: true},
		{url: "", err: true},
	}
	for _, tt := range tests {
		kind, target, err := parseURL(tt.url)
		if (err != nil) != tt.err || kind != tt.kind || target != tt.target {
			t.Errorf("parseURL(%q) = %q, %q, %v; want %q, %q, error %v", tt.url, kind, target, err, tt.kind, tt.target, tt.err)
		}
	}
}

func TestSeverityRank(t *testing.T) {
	order := []string{"", "low", "Medium", "HIGH", "critical"}
	for i := 1; i < len(order); i++ {
		if severityRank(order[i-1]) >= severityRank(order[i]) {
			t.Errorf("severity %q does not rank below %q", order[i-1], order[i])
		}
	}
	if _, err := filterRank("urgent"); err == nil {
		t.Error("filterRank of an unknown severity: no error")
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"sqlite:///a.db", "postgres://x/y", "a.db", "sqlite:", "x://y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, url string) {
		kind, target, err := parseURL(url)
		if err != nil {
			return
		}
		switch kind {
		case "postgres":
			if target != url {
				t.Errorf("postgres target %q differs from URL %q", target, url)
			}
		case "sqlite":
			if target == "" {
				t.Errorf("parseURL(%q): empty SQLite path", url)
			}
		default:
			t.Errorf("parseURL(%q): kind %q", url, kind)
		}
	})
}
