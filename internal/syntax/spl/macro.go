package spl

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Macro is one search macro. A macro with arguments is called as
// `name(a, b)` and its Definition refers to them as $a$, $b$.
type Macro struct {
	// Name is the macro's name, with or without the "(N)" arity suffix
	// that Splunk's macros.conf uses.
	Name string
	// Args names the arguments, in call order.
	Args []string
	// Definition is the SPL text the call is replaced by.
	Definition string
	// File is where the macro was loaded from; empty for built-ins.
	File string
}

// Macros is a set of macros keyed the Splunk way: "name" for a macro
// without arguments, "name(N)" for one with N. The zero value is not
// usable; use NewMacros.
type Macros struct {
	byKey map[string]Macro
}

// NewMacros returns the built-in macros tripline knows without any macro
// file: `cloudtrail`, `security_content_ctime(1)`,
// `security_content_summariesonly`, and the CIM app's
// `drop_dm_object_name(1)`, which strips a data model dataset's prefix
// from field names ("All_Changes.user" becomes "user"); the CIM app
// ships it with Splunk Enterprise Security, not with the detections.
func NewMacros() *Macros {
	m := &Macros{byKey: map[string]Macro{}}
	m.Add(Macro{Name: "cloudtrail", Definition: "sourcetype=aws:cloudtrail"})
	m.Add(Macro{
		Name:       "security_content_ctime",
		Args:       []string{"field"},
		Definition: `convert timeformat="%Y-%m-%dT%H:%M:%S" ctime($field$)`,
	})
	m.Add(Macro{
		Name:       "drop_dm_object_name",
		Args:       []string{"object"},
		Definition: "rename $object$.* as *",
	})
	m.Add(Macro{
		Name:       "security_content_summariesonly",
		Definition: "summariesonly=false allow_old_summaries=true fillnull_value=null",
	})
	return m
}

// Add adds or replaces a macro. A "(N)" suffix on the name is dropped; the
// key is derived from the number of Args.
func (m *Macros) Add(mac Macro) {
	mac.Name = baseName(mac.Name)
	m.byKey[macroKey(mac.Name, len(mac.Args))] = mac
}

// Lookup returns the macro called name with nargs arguments.
func (m *Macros) Lookup(name string, nargs int) (Macro, bool) {
	if m == nil {
		return Macro{}, false
	}
	mac, ok := m.byKey[macroKey(name, nargs)]
	return mac, ok
}

// Keys returns the keys of all macros ("name" or "name(N)"), sorted.
func (m *Macros) Keys() []string {
	if m == nil {
		return nil
	}
	keys := make([]string, 0, len(m.byKey))
	for k := range m.byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func macroKey(name string, nargs int) string {
	if nargs == 0 {
		return name
	}
	return name + "(" + strconv.Itoa(nargs) + ")"
}

// baseName strips a trailing "(N)" arity suffix.
func baseName(name string) string {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexByte(name, '('); i > 0 && strings.HasSuffix(name, ")") {
		if _, err := strconv.Atoi(name[i+1 : len(name)-1]); err == nil {
			return strings.TrimSpace(name[:i])
		}
	}
	return name
}

// arityOf returns the N of a "name(N)" suffix, or -1 when there is none.
func arityOf(name string) int {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexByte(name, '('); i > 0 && strings.HasSuffix(name, ")") {
		if n, err := strconv.Atoi(name[i+1 : len(name)-1]); err == nil {
			return n
		}
	}
	return -1
}

// macroFile is the part of a splunk/security_content macro file tripline
// reads.
type macroFile struct {
	Name        string   `yaml:"name"`
	Definition  string   `yaml:"definition"`
	Arguments   []string `yaml:"arguments"`
	Description string   `yaml:"description"`
}

// LoadMacroDir returns the built-in macros (NewMacros) plus every macro
// defined by a .yml or .yaml file under dir (searched recursively), in the
// format of splunk/security_content's macros folder. A file's macro
// replaces a built-in of the same key.
func LoadMacroDir(dir string) (*Macros, error) {
	m := NewMacros()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		ext := strings.ToLower(filepath.Ext(path))
		if ext != ".yml" && ext != ".yaml" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var f macroFile
		if err := yaml.Unmarshal(data, &f); err != nil {
			return fmt.Errorf("cannot decode macro file %s: %w", path, err)
		}
		if strings.TrimSpace(f.Name) == "" {
			return fmt.Errorf("cannot load macro file %s: no name", path)
		}
		if n := arityOf(f.Name); n >= 0 && n != len(f.Arguments) {
			return fmt.Errorf("cannot load macro file %s: name %q says %d arguments but %d are listed",
				path, f.Name, n, len(f.Arguments))
		}
		m.Add(Macro{Name: f.Name, Args: f.Arguments, Definition: f.Definition, File: path})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot load macros from %s: %w", dir, err)
	}
	return m, nil
}

// Merge adds every macro of o, replacing macros of m with the same key.
func (m *Macros) Merge(o *Macros) {
	if o == nil {
		return
	}
	for k, mac := range o.byKey {
		m.byKey[k] = mac
	}
}

// LoadMacroDirs returns the built-in macros plus those of every directory,
// later directories replacing earlier ones' macros of the same key.
func LoadMacroDirs(dirs []string) (*Macros, error) {
	m := NewMacros()
	for _, dir := range dirs {
		d, err := LoadMacroDir(dir)
		if err != nil {
			return nil, err
		}
		m.Merge(d)
	}
	return m, nil
}
