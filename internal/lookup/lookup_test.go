package lookup

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Matching follows transforms.conf ("Add field matching rules to your
// lookup configuration", Knowledge Manager Manual): exact and
// case-sensitive by default, WILDCARD and CIDR match types, at most
// max_matches rows (100 by default) in file order, min_matches padded
// with default_match.
func TestMatch(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "users.csv", "user,team,level\nalice,red,1\nalice,blue,2\nBob,green,\ncarol,,3\n")
	write(t, dir, "agents.csv", "agent,kind\n*boto3*,sdk\naws-cli/*,cli\n")
	write(t, dir, "agents.yml", "name: agents\nfilename: agents.csv\nmatch_type: WILDCARD(agent)\ncase_sensitive_match: 'false'\n")
	write(t, dir, "nets.csv", "net,zone\n10.0.0.0/8,internal\n203.0.113.0/24,partner\n203.0.113.7,vip\n")
	write(t, dir, "nets.yml", "filename: nets.csv\nmatch_type: CIDR(net)\nmax_matches: 1\nmin_matches: 1\ndefault_match: outside\n")
	write(t, dir, "kv.yml", "collection: kv_users\n")
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		table   string
		in, out []string
		vals    []string
		want    [][]string
		ok      bool
	}{
		{"users", []string{"user"}, []string{"team", "level"}, []string{"alice"}, [][]string{{"red", "blue"}, {"1", "2"}}, true},
		{"users", []string{"user"}, []string{"team"}, []string{"ALICE"}, [][]string{{}}, false}, // case-sensitive by default
		{"users", []string{"user"}, []string{"team", "level"}, []string{"Bob"}, [][]string{{"green"}, {}}, true},
		{"users", []string{"user", "team"}, []string{"level"}, []string{"alice", "blue"}, [][]string{{"2"}}, true},
		{"agents", []string{"agent"}, []string{"kind"}, []string{"Boto3/1.34 Python"}, [][]string{{"sdk"}}, true},
		{"agents", []string{"agent"}, []string{"kind"}, []string{"terraform"}, [][]string{{}}, false},
		{"nets", []string{"net"}, []string{"zone"}, []string{"203.0.113.7"}, [][]string{{"partner"}}, true},
		{"nets", []string{"net"}, []string{"zone"}, []string{"192.0.2.1"}, [][]string{{"outside"}}, true},
	}
	for _, c := range cases {
		tab, err := d.Table(c.table)
		if err != nil {
			t.Fatal(err)
		}
		m, err := tab.Matcher(c.in, c.out)
		if err != nil {
			t.Fatal(err)
		}
		dst := make([][]string, len(c.out))
		ok := m(c.vals, dst)
		for i := range dst {
			if dst[i] == nil {
				dst[i] = []string{}
			}
		}
		if ok != c.ok || !reflect.DeepEqual(dst, c.want) {
			t.Errorf("%s %v: got %v %v, want %v %v", c.table, c.vals, dst, ok, c.want, c.ok)
		}
	}
	if _, err := d.Table("missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing table: %v", err)
	}
	if _, err := d.Table("kv"); err == nil || !strings.Contains(err.Error(), "KV store") {
		t.Errorf("KV store definition: %v", err)
	}
	if _, err := d.Table("../users"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a path as a name: %v", err)
	}
	tab, _ := d.Table("users")
	if _, err := tab.Matcher([]string{"nosuch"}, nil); err == nil {
		t.Error("a missing match column compiled")
	}
}
