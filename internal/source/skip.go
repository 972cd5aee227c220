package source

import (
	"path"
	"strings"

	"github.com/tripline/tripline/internal/logs"
)

// skipKey reports whether an S3 key is plainly not a log, by the rules
// logs.Expand applies to the files below a directory (logs.SkipDir and
// logs.SkipFile), and folder keys.
func skipKey(key string) bool {
	if key == "" || strings.HasSuffix(key, "/") {
		return true
	}
	dir, name := path.Split(key)
	for _, d := range strings.Split(strings.Trim(dir, "/"), "/") {
		if logs.SkipDir(d) {
			return true
		}
	}
	return logs.SkipFile(name)
}
