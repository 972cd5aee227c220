package ruleset

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"strings"

	"github.com/tripline/tripline/internal/engine"
	"github.com/tripline/tripline/internal/exception"
	"github.com/tripline/tripline/internal/exec"
	"github.com/tripline/tripline/internal/geoip"
	"github.com/tripline/tripline/internal/inference"
	"github.com/tripline/tripline/internal/lint"
	"github.com/tripline/tripline/internal/lookup"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/schema"
	"github.com/tripline/tripline/internal/syntax/spl"
	"github.com/tripline/tripline/rules"
)

// Options says which rules to load.
type Options struct {
	// Paths are rule files and directories (read recursively; test files
	// beside rules are left out).
	Paths []string
	// Builtin adds the embedded rule pack.
	Builtin bool
	// MacroDirs are directories of Splunk macro YAML files.
	MacroDirs []string
	// Exceptions are exceptions files, beside those found among Paths
	// (exceptions.yaml, *.exceptions.yaml).
	Exceptions []string
	// SigmaPlaceholders are the values of Sigma |expand placeholders, by
	// name (see LoadPlaceholders).
	SigmaPlaceholders map[string][]string
	// LookupDirs are directories of Splunk lookup tables (NAME.csv, or a
	// NAME.yml definition naming its file), for lookup and inputlookup.
	LookupDirs []string
	// GeoIP, GeoIPDB and ASNDB are the MaxMind DB files rules read (see
	// Databases).
	GeoIP, GeoIPDB, ASNDB string
	// Inference answers ES|QL COMPLETION prompts; without an endpoint
	// for its inference id, a rule using COMPLETION is skipped.
	Inference *inference.Client
}

// Set is a loaded set of rules.
type Set struct {
	// Compiled holds every rule that parsed, in load order (the pack
	// first), whether or not it compiled: see Compiled.Err.
	Compiled []*engine.Compiled
	// Problems are the files and rules that did not parse, and the
	// exceptions that cannot be used.
	Problems []rule.Problem
	// Inference is the client COMPLETION rules call (nil without one), for
	// its call counts.
	Inference *inference.Client
	// Exceptions are the exceptions loaded, applied to Compiled.
	Exceptions []exception.Exception
	// builtin names the files that come from the embedded pack.
	builtin map[string]bool
}

// Load reads and compiles the rules o names. Its error is for macro
// directories that cannot be read; broken rules are in the Set.
func Load(o Options) (*Set, error) {
	macros, err := spl.LoadMacroDirs(o.MacroDirs)
	if err != nil {
		return nil, fmt.Errorf("cannot load macros: %w", err)
	}
	env, err := Resources(o.LookupDirs, Databases{GeoIP: o.GeoIP, City: o.GeoIPDB, ASN: o.ASNDB})
	if err != nil {
		return nil, err
	}
	env.Macros, env.Inference = macros, o.Inference
	s := &Set{builtin: map[string]bool{}, Inference: o.Inference}
	var all []*rule.Rule
	if o.Builtin {
		rs, probs := rule.LoadFS(rules.FS, ".")
		for _, r := range rs {
			s.builtin[r.File] = true
		}
		for _, p := range probs {
			s.builtin[p.File] = true
		}
		all = append(all, rs...)
		s.Problems = append(s.Problems, probs...)
	}
	if len(o.Paths) > 0 {
		files, probs := lint.RuleFiles(o.Paths)
		s.Problems = append(s.Problems, probs...)
		if len(files) > 0 {
			rs, probs := rule.Load(files)
			for _, r := range rs {
				delete(s.builtin, r.File) // a file of the user's own by the same name
			}
			all = append(all, rs...)
			s.Problems = append(s.Problems, probs...)
		}
	}
	links := linkSigma(all, o.SigmaPlaceholders)
	for _, r := range all {
		if r.Sigma != nil && r.Sigma.Filter {
			s.Compiled = append(s.Compiled, links.compileFilter(r))
			continue
		}
		s.Compiled = append(s.Compiled, engine.CompileEnv(r, env))
	}
	quietReferenced(s.Compiled)
	s.loadExceptions(append(lint.ExceptionsFiles(o.Paths), o.Exceptions...))
	return s, nil
}

// loadExceptions reads exceptions files and applies what they hold; an
// exception that cannot be used, or names a rule not loaded, is a problem
// at its line and the others apply.
func (s *Set) loadExceptions(files []string) {
	ids := map[string]bool{}
	for _, c := range s.Compiled {
		ids[c.Rule.ID] = true
	}
	seen := map[string]string{}
	for _, f := range files {
		excs, probs, err := exception.LoadFile(f)
		if err != nil {
			s.Problems = append(s.Problems, rule.Problem{File: f, Err: fmt.Errorf("cannot read exceptions: %w", err)})
			continue
		}
		for _, p := range probs {
			s.Problems = append(s.Problems, rule.Problem{File: p.File, Line: p.Line, Col: p.Col, Err: fmt.Errorf("exception not used: %w", p.Err)})
		}
		for _, e := range excs {
			if e.Rule != "" && e.Rule != "*" && !ids[e.Rule] {
				s.Problems = append(s.Problems, rule.Problem{File: f, Err: fmt.Errorf("exception %s names rule %s, which is not loaded", e.ID, e.Rule)})
				continue
			}
			if other, dup := seen[e.ID]; dup {
				s.Problems = append(s.Problems, rule.Problem{File: f, Err: fmt.Errorf("exception %s is also in %s; the first applies", e.ID, other)})
				continue
			}
			seen[e.ID] = f
			s.Exceptions = append(s.Exceptions, e)
		}
	}
	engine.ApplyExceptions(s.Compiled, s.Exceptions)
}

// Empty reports whether no rule parsed.
func (s *Set) Empty() bool { return len(s.Compiled) == 0 }

// Runnable returns the rules that compiled and are not skipped.
func (s *Set) Runnable() []*engine.Compiled {
	var out []*engine.Compiled
	for _, c := range s.Compiled {
		if c.Runnable() {
			out = append(out, c)
		}
	}
	return out
}

// IsBuiltin reports whether a rule file comes from the embedded pack.
func (s *Set) IsBuiltin(file string) bool { return s.builtin[file] }

// Read returns a rule file's content, from the pack or the disk.
func (s *Set) Read(file string) ([]byte, error) {
	if s.builtin[file] {
		return fs.ReadFile(rules.FS, file)
	}
	return os.ReadFile(file)
}

// Display names a rule file for people: built-in files by their place in
// the source tree.
func (s *Set) Display(file string) string {
	if s.builtin[file] {
		return "rules/" + file
	}
	return file
}

// Report prints, one line each, the files and rules that did not load,
// the rules that did not compile (located in their file) and the rules'
// compile warnings, as a run that goes on without them tells its user.
func (s *Set) Report(w io.Writer) {
	s.ReportProblems(w)
	for _, c := range s.Compiled {
		r := c.Rule
		if c.Err != nil && r.Skip == "" {
			data, _ := s.Read(r.File)
			loc := lint.Locate(r, data, c.Err)
			loc.Msg = fmt.Sprintf("rule %s (%s): %s", r.ID, r.Name, loc.Msg)
			fmt.Fprintf(w, "rule error: %s\n", loc)
		}
		for _, warn := range c.Warnings {
			fmt.Fprintf(w, "rule warning: %s: %s: %s\n", s.Display(r.File), r.ID, warn)
		}
	}
}

// ReportProblems prints, one line each, the files and rules that did not
// load.
func (s *Set) ReportProblems(w io.Writer) {
	for _, p := range s.Problems {
		st := s.ProblemState(p)
		fmt.Fprintf(w, "rule error: %s: %s\n", st.Location(), st.Message)
	}
}

// Errors of Find.
var (
	ErrNoRule    = errors.New("no rule")
	ErrAmbiguous = errors.New("ambiguous rule id")
)

// Find picks a rule by id, name, or an id prefix of at least four
// characters that only one rule has.
func (s *Set) Find(key string) (*engine.Compiled, error) {
	var byPrefix []*engine.Compiled
	for _, c := range s.Compiled {
		if c.Rule.ID == key || c.Rule.Name == key {
			return c, nil
		}
		if strings.HasPrefix(c.Rule.ID, key) {
			byPrefix = append(byPrefix, c)
		}
	}
	switch {
	case len(byPrefix) == 1 && len(key) >= 4:
		return byPrefix[0], nil
	case len(byPrefix) > 1:
		return nil, fmt.Errorf("%w: %q matches %d rules; give more of the id", ErrAmbiguous, key, len(byPrefix))
	}
	return nil, fmt.Errorf("%w: %q (see tripline rules list)", ErrNoRule, key)
}

// Tests returns each rule's tests, its own and those in the test file
// beside its file (<rule>.tests.yaml), with the test files that are broken
// or name a rule their file lacks.
func (s *Set) Tests() (map[*rule.Rule][]rule.Test, []rule.Problem) {
	var builtin, user []*rule.Rule
	for _, c := range s.Compiled {
		if s.builtin[c.Rule.File] {
			builtin = append(builtin, c.Rule)
		} else {
			user = append(user, c.Rule)
		}
	}
	side, probs := lint.SidecarTests(user, os.ReadFile)
	packSide, packProbs := lint.SidecarTests(builtin, func(name string) ([]byte, error) { return fs.ReadFile(rules.FS, name) })
	for r, ts := range packSide {
		side[r] = ts
	}
	out := make(map[*rule.Rule][]rule.Test, len(s.Compiled))
	for _, c := range s.Compiled {
		r := c.Rule
		if all := append(append([]rule.Test(nil), r.Tests...), side[r]...); len(all) > 0 {
			out[r] = all
		}
	}
	return out, append(probs, packProbs...)
}

// Databases names the MaxMind DB files rules read. One City database
// serves both of its readers: iplocation reads GeoIP, or City when GeoIP
// is not given, and source.geo.* reads City, or GeoIP when City is not
// given, since both are a GeoLite2-City database or alike.
type Databases struct {
	// GeoIP is the City database of SPL's iplocation (--geoip).
	GeoIP string
	// City is the City database of the ECS view's source.geo.*, as
	// Elastic's aws.cloudtrail pipeline derives them (--geoip-db).
	City string
	// ASN is the ASN database of source.as.* (--asn-db).
	ASN string
}

// Resources opens the lookup directories and the databases rules read;
// none given, none is configured and rules that need them load with a
// warning. The databases stay open for the life of the process.
func Resources(lookupDirs []string, dbs Databases) (engine.Env, error) {
	var env engine.Env
	if len(lookupDirs) > 0 {
		dirs, err := lookup.Open(lookupDirs...)
		if err != nil {
			return env, err
		}
		env.Lookups = func(name string) (exec.LookupTable, error) {
			t, err := dirs.Table(name)
			if err != nil {
				return nil, err
			}
			return t, nil
		}
	}
	if dbs.GeoIP == "" {
		dbs.GeoIP = dbs.City
	}
	if dbs.City == "" {
		dbs.City = dbs.GeoIP
	}
	open := map[string]*geoip.DB{}
	get := func(path string) (*geoip.DB, error) {
		if db, ok := open[path]; ok {
			return db, nil
		}
		db, err := geoip.Open(path)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		open[path] = db
		return db, nil
	}
	if dbs.GeoIP != "" {
		db, err := get(dbs.GeoIP)
		if err != nil {
			return env, err
		}
		env.GeoIP = func(ip netip.Addr, lang string) (exec.GeoLocation, bool) {
			l, ok := db.Locate(ip, lang)
			return exec.GeoLocation(l), ok
		}
	}
	en := &schema.Enrich{}
	if dbs.City != "" {
		db, err := get(dbs.City)
		if err != nil {
			return env, err
		}
		if db.IsASN() {
			return env, fmt.Errorf("%s is a %s database; source.geo.* wants a City database (GeoLite2-City or alike), and an ASN database goes to --asn-db", dbs.City, db.Type())
		}
		en.Geo = func(ip netip.Addr) *schema.Geo { return (*schema.Geo)(db.City(ip)) }
	}
	if dbs.ASN != "" {
		db, err := get(dbs.ASN)
		if err != nil {
			return env, err
		}
		if !db.IsASN() {
			return env, fmt.Errorf("%s is a %s database; --asn-db wants an ASN database (GeoLite2-ASN or alike)", dbs.ASN, db.Type())
		}
		en.AS = func(ip netip.Addr) *schema.AS { return (*schema.AS)(db.AS(ip)) }
	}
	env.Enrich = en
	return env, nil
}
