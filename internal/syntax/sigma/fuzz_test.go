package sigma

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tripline/tripline/internal/plan"
	"github.com/tripline/tripline/internal/syntax"
)

// FuzzParse checks that Parse never panics, that every error is a
// *syntax.Error whose span lies inside the input, and that a plan it
// returns is a Sigma plan that prints.
func FuzzParse(f *testing.F) {
	// The SigmaHQ rules beside the project seed the corpus when present.
	for _, dir := range []string{"aws", "aws-aggregations"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", "..", "..", "shared", "corpus", "sigma", dir, "*.yml"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
	}
	for _, s := range []string{
		"", "title: x", "[1, 2]", "logsource: {product: aws, service: cloudtrail}\ndetection: {}",
		"logsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventName|startswith: Delete\n  condition: sel",
		"logsource: {product: aws, service: cloudtrail}\ndetection:\n  a:\n    x|re|i: '(a'\n  condition: a and not 1 of b*",
		"logsource: {product: aws, service: cloudtrail}\ndetection:\n  a:\n    x|base64offset|contains: abc\n  b: [k1, k2]\n  condition: (a or b) | count(x) by y > 3\n  timeframe: 5m",
		"logsource: {product: aws, service: cloudtrail}\ndetection:\n  a:\n    x|cidr: 10.0.0.0/33\n    y|gte: zz\n  condition: all of them",
		"logsource: {product: aws, service: cloudtrail}\ndetection:\n  a:\n    x|fieldref: y\n  condition: a | near b",
		"logsource: {product: aws, service: cloudtrail}\ndetection:\n  a:\n    x|expand: '%p%'\n  condition: a",
		"title: f\nlogsource: {product: aws}\nfilter:\n  rules: any\n  sel: {a: b}\n  condition: sel\n",
		corr("  type: temporal\n  rules: [login, invoke]\n  group-by: [ip]\n  timespan: 5m\n  aliases: {ip: {login: sourceIPAddress}}"),
		corr("  type: temporal_ordered\n  rules: [failed_login, login]\n  group-by: [userIdentity.arn]\n  timespan: 10m"),
		corr("  type: value_percentile\n  rules: [invoke]\n  timespan: 1d\n  condition: {field: x, percentile: 50, lt: 3}"),
		corr("  type: event_count\n  rules: [nope]\n  timespan: 1h\n  condition: {gte: 1}"),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			var se *syntax.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *syntax.Error", err, err)
			}
			if se.Span.Start < 0 || se.Span.Start > se.Span.End || int(se.Span.End) > len(src) {
				t.Fatalf("error span %v is outside the input (len %d): %v", se.Span, len(src), se)
			}
			_ = se.Detail()
			if q != nil {
				t.Fatal("Parse returned both a plan and an error")
			}
			return
		}
		if q.Dialect != plan.Sigma || len(q.Pipeline) == 0 {
			t.Fatalf("bad plan %+v", q)
		}
		if _, ok := q.Pipeline[0].(*plan.From); !ok {
			t.Fatalf("plan does not start with a source: %s", q)
		}
		_ = q.String()
	})
}
