package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

var update = flag.Bool("update", false, "rewrite the golden help texts in testdata/help")

// commandPaths lists every command of the tree under root, as the words
// that call it ("rules validate").
func commandPaths(root *cobra.Command) [][]string {
	var out [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		out = append(out, path)
		for _, sub := range c.Commands() {
			if sub.Name() == "help" || sub.Name() == "completion" {
				continue // cobra's own
			}
			walk(sub, append(append([]string(nil), path...), sub.Name()))
		}
	}
	walk(root, nil)
	return out
}

// Every command's help says what it does, how to call it and shows
// examples; the text is kept in testdata/help so that a change to it is
// seen in review (go test -run TestHelp -update rewrites them).
func TestHelpTexts(t *testing.T) {
	t.Setenv("USER", "analyst")
	for _, k := range []string{"TRIPLINE_CONFIG", "TRIPLINE_DATA", "TRIPLINE_STORE"} {
		t.Setenv(k, "")
	}
	root := newRootCmd(&streams{in: strings.NewReader(""), out: &bytes.Buffer{}, err: &bytes.Buffer{}})
	paths := commandPaths(root)
	if len(paths) < 15 {
		t.Fatalf("only %d commands found", len(paths))
	}
	for _, path := range paths {
		name := strings.Join(append([]string{"tripline"}, path...), " ")
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", append(append([]string(nil), path...), "--help")...)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			if !strings.Contains(stdout, "Usage:") {
				t.Errorf("no usage line:\n%s", stdout)
			}
			if name != "tripline version" && !strings.Contains(stdout, "Examples:") {
				t.Errorf("no examples:\n%s", stdout)
			}
			if !strings.Contains(stdout, "Examples:\n  "+name) && name != "tripline version" && name != "tripline" {
				t.Errorf("examples do not call %q:\n%s", name, stdout)
			}
			golden := filepath.Join("testdata", "help", strings.ReplaceAll(name, " ", "_")+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestHelpTexts -update)", err)
			}
			if stdout != string(want) {
				t.Errorf("help of %s changed (go test -run TestHelpTexts -update to accept):\n%s", name, stdout)
			}
		})
	}
	// "-h", "help COMMAND" and "COMMAND help" show the same text.
	_, dash, _ := runCLI(t, "", "rules", "validate", "-h")
	_, word, _ := runCLI(t, "", "help", "rules", "validate")
	if dash != word || !strings.Contains(dash, "--strict") {
		t.Errorf("-h and help differ:\n%s\n---\n%s", dash, word)
	}
}

func TestVersionAndCompletion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, stdout, _ := runCLI(t, "", args...)
		if code != exitOK || stdout != "tripline "+version+"\n" {
			t.Errorf("%v: exit %d, %q", args, code, stdout)
		}
	}
	for shell, marker := range map[string]string{"bash": "complete -o default", "zsh": "#compdef tripline", "fish": "complete -c tripline"} {
		code, stdout, stderr := runCLI(t, "", "completion", shell)
		if code != exitOK || !strings.Contains(stdout, marker) {
			t.Errorf("completion %s: exit %d, stderr %q, script lacks %q", shell, code, stderr, marker)
		}
	}
	// The shell asks tripline for candidates: subcommands, then rule ids
	// for rules show, scenario names for --scenario.
	_, out, _ := runCLI(t, "", "__complete", "rules", "")
	for _, w := range []string{"validate", "coverage"} {
		if !strings.Contains(out, w) {
			t.Errorf("rules completions lack %q:\n%s", w, out)
		}
	}
	_, out, _ = runCLI(t, "", "__complete", "rules", "show", "")
	if !strings.Contains(out, seedID) {
		t.Errorf("rules show completions lack the seed's id:\n%s", out)
	}
	_, out, _ = runCLI(t, "", "__complete", "demo", "--scenario", "")
	if !strings.Contains(out, "llmjacking") {
		t.Errorf("--scenario completions lack llmjacking:\n%s", out)
	}
}

// Flags written with one dash, as Go's flag package read them, still work.
func TestSingleDashLongFlags(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "rules", "list", "-format", "ndjson")
	if code != exitOK || !strings.Contains(stdout, `"id":"`+seedID+`"`) {
		t.Errorf("-format ndjson: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "", "rules", "list", "-format=ndjson")
	if code != exitOK || !strings.Contains(stdout, seedID) {
		t.Errorf("-format=ndjson: exit %d", code)
	}
}
