package logs

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Expand resolves inputs into the list of inputs Read opens, in order and
// without duplicates: "-" (stdin) stays as is, a file is itself, a glob is
// the files and directories it matches, and a directory is every file below
// it in lexical order (which for AWS's S3 layouts,
// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/ and
// AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/, is
// time order). Walking a directory skips what is plainly not a log:
// hidden files and folders (.git), CloudTrail-Digest folders, *.md,
// README, LICENSE and NOTICE files, Bedrock's permission-check object, and
// expected.ndjson (the answers tripline generate writes beside its logs).
// Everything else is read, its format sniffed from its content. A path that
// does not exist and a glob that matches nothing are errors.
func Expand(inputs []string) ([]string, error) {
	files, _, err := expand(inputs, false)
	return files, err
}

// expand is Expand that also names the directories given (or matched)
// that hold no log file.
func expand(inputs []string, urls bool) (files, emptyDirs []string, err error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, in := range inputs {
		if in == "-" || urls && IsURL(in) {
			add(in)
			continue
		}
		paths := []string{in}
		if strings.ContainsAny(in, "*?[") {
			m, err := filepath.Glob(in)
			if err != nil {
				return nil, nil, fmt.Errorf("cannot expand input %q: %w", in, err)
			}
			if len(m) == 0 {
				return nil, nil, fmt.Errorf("cannot expand input %q: no file matches", in)
			}
			paths = m
		}
		for _, p := range paths {
			before := len(out)
			dir, err := walk(p, add)
			if err != nil {
				return nil, nil, fmt.Errorf("cannot expand input %q: %w", in, err)
			}
			if dir && len(out) == before {
				emptyDirs = append(emptyDirs, p)
			}
		}
	}
	return out, emptyDirs, nil
}

// walk adds path, or the log files below it when it is a directory, and
// reports whether it was one.
func walk(path string, add func(string)) (dir bool, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	if !fi.IsDir() {
		add(path)
		return false, nil
	}
	return true, filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == path {
			return nil
		}
		if d.IsDir() {
			if skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if skipFile(d.Name()) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		add(p)
		return nil
	})
}

func skipDir(name string) bool { return SkipDir(name) }

func skipFile(name string) bool { return SkipFile(name) }

// SkipDir reports whether a directory (or S3 folder) name is plainly not
// logs when a tree is walked: hidden folders and CloudTrail-Digest.
func SkipDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "CloudTrail-Digest"
}

// SkipFile reports whether a file (or S3 object) name is plainly not a log
// when a tree is walked: hidden files, *.md, README, LICENSE and NOTICE
// files, Bedrock's permission-check object, and expected.ndjson (the
// answers tripline generate writes beside its logs).
func SkipFile(name string) bool {
	if strings.HasPrefix(name, ".") || name == "amazon-bedrock-logs-permission-check" || name == "expected.ndjson" {
		return true
	}
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".md") {
		return true
	}
	for _, p := range []string{"readme", "license", "licence", "notice", "copying"} {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return false
}
