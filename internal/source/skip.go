package source

import (
	"path"
	"strings"
)

// skipKey reports whether an S3 key is plainly not a log, by the rules
// logs.Expand applies to the files below a directory: a folder key, a
// hidden file or folder, CloudTrail-Digest folders, *.md, README, LICENSE
// and NOTICE files, Bedrock's permission-check object and expected.ndjson.
// TestSkipKeyMatchesExpand keeps the two in step.
func skipKey(key string) bool {
	if key == "" || strings.HasSuffix(key, "/") {
		return true
	}
	dir, name := path.Split(key)
	for _, d := range strings.Split(strings.Trim(dir, "/"), "/") {
		if strings.HasPrefix(d, ".") || d == "CloudTrail-Digest" {
			return true
		}
	}
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
