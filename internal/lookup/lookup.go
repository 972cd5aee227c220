package lookup

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// ErrNotFound is returned for a name no directory holds.
var ErrNotFound = errors.New("lookup table not found")

// Dirs resolves lookup names in directories, in order, and keeps each
// table once read. It is safe for concurrent use.
type Dirs struct {
	dirs   []string
	mu     sync.Mutex
	tables map[string]*Table
	errs   map[string]error
}

// Open returns the lookups of the given directories; each must exist.
func Open(dirs ...string) (*Dirs, error) {
	for _, d := range dirs {
		fi, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("cannot open lookup directory: %w", err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("cannot open lookup directory: %s is not a directory", d)
		}
	}
	return &Dirs{dirs: dirs, tables: map[string]*Table{}, errs: map[string]error{}}, nil
}

// Table returns the table a name resolves to. The error wraps ErrNotFound
// when no directory holds it, and says what was wrong with a file that
// could not be read.
func (d *Dirs) Table(name string) (*Table, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: %s (no lookup directory given: --lookups DIR)", ErrNotFound, name)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := d.tables[name]; ok {
		return t, nil
	}
	if err, ok := d.errs[name]; ok {
		return nil, err
	}
	t, err := d.load(name)
	if err != nil {
		d.errs[name] = err
		return nil, err
	}
	d.tables[name] = t
	return t, nil
}

func (d *Dirs) load(name string) (*Table, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return nil, fmt.Errorf("%w: %q is not a lookup name", ErrNotFound, name)
	}
	for _, dir := range d.dirs {
		for _, ext := range []string{".yml", ".yaml"} {
			p := filepath.Join(dir, name+ext)
			if _, err := os.Stat(p); err == nil {
				return loadDefinition(dir, p, name)
			}
		}
		for _, p := range []string{filepath.Join(dir, name+".csv"), filepath.Join(dir, name)} {
			if !strings.HasSuffix(p, ".csv") {
				continue
			}
			if _, err := os.Stat(p); err == nil {
				return ReadCSV(p, Settings{})
			}
		}
	}
	return nil, fmt.Errorf("%w: %s (looked for %s.yml and %s.csv in %s)", ErrNotFound, name, name, name, strings.Join(d.dirs, ", "))
}

// Settings are a lookup definition's matching rules, as transforms.conf
// names them. The zero value is Splunk's default: exact, case-sensitive
// matches, at most 100 rows a lookup.
type Settings struct {
	// Wildcard and CIDR name the columns matched by "*" pattern and by
	// network (match_type = WILDCARD(col), CIDR(col)).
	Wildcard, CIDR []string
	// CaseInsensitive matches text ignoring case (case_sensitive_match =
	// false).
	CaseInsensitive bool
	// MinMatches, with DefaultMatch, pads a lookup that matches fewer rows
	// with DefaultMatch values; MaxMatches (1 to 1000, 0 meaning 100) caps
	// the rows a lookup uses, in file order.
	MinMatches, MaxMatches int
	DefaultMatch           string
}

type definition struct {
	Name               string `yaml:"name"`
	Filename           string `yaml:"filename"`
	Collection         string `yaml:"collection"`
	MatchType          string `yaml:"match_type"`
	CaseSensitiveMatch any    `yaml:"case_sensitive_match"`
	MinMatches         any    `yaml:"min_matches"`
	MaxMatches         any    `yaml:"max_matches"`
	DefaultMatch       any    `yaml:"default_match"`
}

func loadDefinition(dir, path, name string) (*Table, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read lookup definition %s: %w", name, err)
	}
	var def definition
	if err := yaml.Unmarshal(b, &def); err != nil {
		return nil, fmt.Errorf("cannot read lookup definition %s: %w", path, err)
	}
	if def.Filename == "" {
		if def.Collection != "" {
			return nil, fmt.Errorf("lookup %s is a KV store collection (%s), which tripline does not read: supply it as %s.csv", name, def.Collection, name)
		}
		return nil, fmt.Errorf("lookup definition %s has no filename", path)
	}
	if strings.ContainsAny(def.Filename, `/\`) {
		return nil, fmt.Errorf("lookup definition %s: filename %q must name a file in the same directory", path, def.Filename)
	}
	var s Settings
	if s.Wildcard, s.CIDR, err = parseMatchType(def.MatchType); err != nil {
		return nil, fmt.Errorf("lookup definition %s: %w", path, err)
	}
	if cs, ok := boolSetting(def.CaseSensitiveMatch); ok {
		s.CaseInsensitive = !cs
	}
	s.MinMatches, _ = intSetting(def.MinMatches)
	s.MaxMatches, _ = intSetting(def.MaxMatches)
	if def.DefaultMatch != nil {
		s.DefaultMatch = fmt.Sprint(def.DefaultMatch)
	}
	if s.MaxMatches < 0 || s.MaxMatches > 1000 {
		return nil, fmt.Errorf("lookup definition %s: max_matches must be 1 to 1000", path)
	}
	t, err := ReadCSV(filepath.Join(dir, def.Filename), s)
	if err != nil {
		return nil, err
	}
	t.Name = name
	return t, nil
}

// parseMatchType reads "WILDCARD(a), CIDR(b)".
func parseMatchType(s string) (wild, cidr []string, err error) {
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		open := strings.IndexByte(part, '(')
		if open < 0 || !strings.HasSuffix(part, ")") {
			return nil, nil, fmt.Errorf("match_type %q: expected WILDCARD(field) or CIDR(field)", part)
		}
		col := strings.TrimSpace(part[open+1 : len(part)-1])
		switch strings.ToUpper(strings.TrimSpace(part[:open])) {
		case "WILDCARD":
			wild = append(wild, col)
		case "CIDR":
			cidr = append(cidr, col)
		default:
			return nil, nil, fmt.Errorf("match_type %q: expected WILDCARD(field) or CIDR(field)", part)
		}
	}
	return wild, cidr, nil
}

func boolSetting(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(t))
		return b, err == nil
	case int:
		return t != 0, true
	}
	return false, false
}

func intSetting(v any) (int, bool) {
	switch t := v.(type) {
	case int:
		return t, true
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(t))
		return n, err == nil
	}
	return 0, false
}

// Table is a lookup table read into memory: its columns, its rows in file
// order, and how its rows match.
type Table struct {
	Name    string
	columns []string
	rows    [][]string
	set     Settings
	// kind says by column how it matches; prefixes holds the parsed
	// networks of a CIDR column, by row.
	kind     []matchKind
	prefixes [][]netip.Prefix
}

type matchKind uint8

const (
	exact matchKind = iota
	wildcard
	cidr
)

// ReadCSV reads a CSV lookup file: a header of column names, then rows.
func ReadCSV(path string, s Settings) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read lookup table: %w", err)
	}
	defer f.Close()
	t, err := parseCSV(f, s)
	if err != nil {
		return nil, fmt.Errorf("cannot read lookup table %s: %w", path, err)
	}
	t.Name = strings.TrimSuffix(filepath.Base(path), ".csv")
	return t, nil
}

// NewTable builds a table from columns and rows, for tests and for tables
// made in memory.
func NewTable(name string, columns []string, rows [][]string, s Settings) (*Table, error) {
	t := &Table{Name: name, columns: columns, rows: rows, set: s}
	return t, t.index()
}

func parseCSV(r io.Reader, s Settings) (*Table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, errors.New("no header row")
		}
		return nil, err
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	t := &Table{columns: header, set: s}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		for len(rec) < len(header) {
			rec = append(rec, "")
		}
		t.rows = append(t.rows, rec[:len(header)])
	}
	return t, t.index()
}

func (t *Table) index() error {
	t.kind = make([]matchKind, len(t.columns))
	t.prefixes = make([][]netip.Prefix, len(t.columns))
	for _, c := range t.set.Wildcard {
		if i := t.col(c); i >= 0 {
			t.kind[i] = wildcard
		}
	}
	for _, c := range t.set.CIDR {
		i := t.col(c)
		if i < 0 {
			continue
		}
		t.kind[i] = cidr
		ps := make([]netip.Prefix, len(t.rows))
		for r, row := range t.rows {
			p, err := parsePrefix(row[i])
			if err != nil && row[i] != "" {
				return fmt.Errorf("column %s, row %d: %q is not an address or network", c, r+2, row[i])
			}
			ps[r] = p
		}
		t.prefixes[i] = ps
	}
	return nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (t *Table) col(name string) int {
	for i, c := range t.columns {
		if c == name {
			return i
		}
	}
	return -1
}

// Columns returns the table's column names, in file order.
func (t *Table) Columns() []string { return t.columns }

// Rows returns the table's rows in file order; each has a cell per
// column. The caller must not modify them.
func (t *Table) Rows() [][]string { return t.rows }

// Matcher returns a function that looks up a row's values of the columns
// in (one string each, by position) and returns, for each column of out,
// the matching rows' non-empty cells in file order, at most max_matches
// rows, padded to min_matches with default_match. It reports whether any
// row matched (or was padded). dst must hold len(out) slices; they are
// reset and valid until the next call.
func (t *Table) Matcher(in, out []string) (func(vals []string, dst [][]string) bool, error) {
	inCols := make([]int, len(in))
	for i, c := range in {
		if inCols[i] = t.col(c); inCols[i] < 0 {
			return nil, fmt.Errorf("lookup table %s has no column %q (it has %s)", t.Name, c, strings.Join(t.columns, ", "))
		}
	}
	outCols := make([]int, len(out))
	for i, c := range out {
		outCols[i] = t.col(c) // a missing output column gives nothing
	}
	maxM := t.set.MaxMatches
	if maxM <= 0 {
		maxM = 100
	}
	// An exact, case-sensitive first column indexes the rows.
	var index map[string][]int
	if len(inCols) > 0 && t.kind[inCols[0]] == exact {
		index = map[string][]int{}
		for r, row := range t.rows {
			k := row[inCols[0]]
			if t.set.CaseInsensitive {
				k = strings.ToLower(k)
			}
			index[k] = append(index[k], r)
		}
	}
	addrs := make([]netip.Addr, len(in))
	return func(vals []string, dst [][]string) bool {
		for i := range dst {
			dst[i] = dst[i][:0]
		}
		for i, c := range inCols {
			if t.kind[c] == cidr {
				a, err := netip.ParseAddr(strings.TrimSpace(vals[i]))
				if err != nil {
					a = netip.Addr{}
				}
				addrs[i] = a.Unmap()
			}
		}
		matches := 0
		try := func(r int) {
			row := t.rows[r]
			for i, c := range inCols {
				if !t.cellMatches(c, r, row[c], vals[i], addrs[i]) {
					return
				}
			}
			matches++
			for i, c := range outCols {
				if c >= 0 && row[c] != "" {
					dst[i] = append(dst[i], row[c])
				}
			}
		}
		if index != nil {
			k := vals[0]
			if t.set.CaseInsensitive {
				k = strings.ToLower(k)
			}
			for _, r := range index[k] {
				if matches >= maxM {
					break
				}
				try(r)
			}
		} else {
			for r := range t.rows {
				if matches >= maxM {
					break
				}
				try(r)
			}
		}
		for ; matches < t.set.MinMatches; matches++ {
			for i := range dst {
				dst[i] = append(dst[i], t.set.DefaultMatch)
			}
		}
		return matches > 0
	}, nil
}

func (t *Table) cellMatches(c, r int, cell, val string, addr netip.Addr) bool {
	switch t.kind[c] {
	case wildcard:
		if strings.Contains(cell, "*") {
			return glob(cell, val, t.set.CaseInsensitive)
		}
	case cidr:
		p := t.prefixes[c][r]
		return p.IsValid() && addr.IsValid() && p.Contains(addr)
	}
	if t.set.CaseInsensitive {
		return strings.EqualFold(cell, val)
	}
	return cell == val
}

// glob matches s against a pattern where * matches any run of characters.
func glob(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(parts) == 1 && s == "" || len(parts) > 1 && strings.HasSuffix(s, last) && len(s) >= len(last)
}
