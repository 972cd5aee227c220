package generate

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// The day most tests read: every planted record, a small population and a
// fiftieth of the background, so that it is quick to write and read.
const (
	testBenign     = 0.02
	testPrincipals = 60
)

// logs is a generated day read back.
type logs struct {
	ct       []map[string]any
	inv      []map[string]any
	files    int
	expected []Expected
}

var (
	ctName  = regexp.MustCompile(`^AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8})T(\d{4})Z_([A-Za-z0-9]{16})\.json\.gz$`)
	invName = regexp.MustCompile(`^AWSLogs/(\d{12})/BedrockModelInvocationLogs/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{2})/(\d{8})T(\d{2})\d{4}\d{3}Z_[0-9a-f]{16}\.json\.gz$`)
)

// readDay reads every file under dir, checking the layout as it goes.
func readDay(t *testing.T, dir string) logs {
	t.Helper()
	var l logs
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if rel == "expected.ndjson" {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for line := range strings.SplitSeq(strings.TrimSpace(string(data)), "\n") {
				if line == "" {
					continue // a scenario that expects nothing writes an empty file
				}
				var e Expected
				if err := json.Unmarshal([]byte(line), &e); err != nil {
					return fmt.Errorf("expected.ndjson: %w", err)
				}
				l.expected = append(l.expected, e)
			}
			return nil
		}
		data := gunzip(t, path)
		l.files++
		switch {
		case ctName.MatchString(rel):
			m := ctName.FindStringSubmatch(rel)
			if m[1] != m[6] || m[2] != m[7] || m[3]+m[4]+m[5] != m[8] {
				return fmt.Errorf("%s: directory and file name disagree", rel)
			}
			end, _ := time.Parse("20060102T1504", m[8]+"T"+m[9])
			var f struct{ Records []map[string]any }
			if err := json.Unmarshal(data, &f); err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			if len(f.Records) == 0 {
				return fmt.Errorf("%s: no records", rel)
			}
			for _, r := range f.Records {
				et, err := time.Parse(time.RFC3339, r["eventTime"].(string))
				if err != nil || et.Before(end.Add(-5*time.Minute)) || !et.Before(end) {
					return fmt.Errorf("%s: eventTime %v outside the file's 5 minutes", rel, r["eventTime"])
				}
				if r["awsRegion"] != m[2] {
					return fmt.Errorf("%s: record of region %v", rel, r["awsRegion"])
				}
			}
			l.ct = append(l.ct, f.Records...)
		case invName.MatchString(rel):
			m := invName.FindStringSubmatch(rel)
			if m[3]+m[4]+m[5] != m[7] || m[6] != m[8] {
				return fmt.Errorf("%s: directory and file name disagree", rel)
			}
			for line := range strings.SplitSeq(strings.TrimSuffix(string(data), "\n"), "\n") {
				var r map[string]any
				if err := json.Unmarshal([]byte(line), &r); err != nil {
					return fmt.Errorf("%s: %w", rel, err)
				}
				if r["region"] != m[2] || !strings.HasPrefix(r["timestamp"].(string), m[3]+"-"+m[4]+"-"+m[5]+"T"+m[6]) {
					return fmt.Errorf("%s: record of %v at %v", rel, r["region"], r["timestamp"])
				}
				l.inv = append(l.inv, r)
			}
		default:
			return fmt.Errorf("unexpected file %s", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// tempDir is t.TempDir, on a RAM disk where there is one: the tests write
// and remove thousands of small files, which is slow on some disks.
func tempDir(t *testing.T) string {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "tripline-generate-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return data
}

// get follows a dotted path through decoded JSON.
func get(m map[string]any, path string) any {
	var v any = m
	for p := range strings.SplitSeq(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	return v
}

func str(m map[string]any, path string) string {
	s, _ := get(m, path).(string)
	return s
}

var (
	dayOnce   = map[float64]logs{}
	daySum    = map[float64]Summary{}
	dayShared = testBenign
)

// generated makes (once per test binary) and reads a small day.
func generated(t *testing.T) (logs, Summary) {
	t.Helper()
	if l, ok := dayOnce[dayShared]; ok {
		return l, daySum[dayShared]
	}
	dir := tempDir(t)
	sum, err := day(Options{Out: dir, Seed: 42, Principals: testPrincipals}, dayShared)
	if err != nil {
		t.Fatal(err)
	}
	l := readDay(t, dir)
	dayOnce[dayShared], daySum[dayShared] = l, sum
	return l, sum
}

func TestDayLayoutAndCounts(t *testing.T) {
	l, sum := generated(t)
	if l.files != sum.Files || len(l.ct) != sum.CloudTrailRecords || len(l.inv) != sum.InvocationRecords {
		t.Fatalf("summary %d files %d/%d records, read %d files %d/%d records",
			sum.Files, sum.CloudTrailRecords, sum.InvocationRecords, l.files, len(l.ct), len(l.inv))
	}
	if !slices.EqualFunc(l.expected, sum.Expected, func(a, b Expected) bool { return a.Rule == b.Rule && fmt.Sprint(a.Group) == fmt.Sprint(b.Group) }) {
		t.Fatalf("expected.ndjson differs from Summary.Expected")
	}
	if len(sum.Expected) != 6 {
		t.Fatalf("got %d expected alerts, want 1 Splunk + 5 Elastic", len(sum.Expected))
	}
}

func TestDayRecordShapes(t *testing.T) {
	l, _ := generated(t)
	types := map[string]int{}
	sources := map[string]bool{}
	uas := map[string]bool{}
	accounts := map[string]bool{}
	for _, r := range l.ct {
		for _, k := range []string{"eventVersion", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent", "eventID", "eventType", "recipientAccountId", "eventCategory"} {
			if str(r, k) == "" {
				t.Fatalf("record without %s: %v", k, r)
			}
		}
		typ := str(r, "userIdentity.type")
		types[typ]++
		sources[str(r, "eventSource")] = true
		uas[str(r, "userAgent")] = true
		accounts[str(r, "userIdentity.accountId")] = true
		switch typ {
		case "IAMUser":
			if str(r, "userIdentity.userName") == "" || !strings.HasPrefix(str(r, "userIdentity.principalId"), "AIDA") {
				t.Fatalf("IAM user record without user name or principal id: %v", r["userIdentity"])
			}
		case "AssumedRole":
			if str(r, "userIdentity.sessionContext.sessionIssuer.userName") == "" || !strings.HasPrefix(str(r, "userIdentity.accessKeyId"), "ASIA") {
				t.Fatalf("assumed-role record without issuer or session key: %v", r["userIdentity"])
			}
		case "AWSService":
			if str(r, "userIdentity.invokedBy") != str(r, "sourceIPAddress") {
				t.Fatalf("AWS service record: %v", r)
			}
		default:
			t.Fatalf("unexpected identity type %q", typ)
		}
		if code := str(r, "errorCode"); code == "AccessDenied" && !strings.Contains(str(r, "errorMessage"), "is not authorized to perform") {
			t.Fatalf("denial without message: %v", r)
		}
	}
	if len(types) != 3 || len(sources) < 15 || len(uas) < 20 || !accounts[CrossAccount] {
		t.Fatalf("too little variety: types %v, %d sources, %d user agents, accounts %v", types, len(sources), len(uas), accounts)
	}
	ops := map[string]int{}
	codes := map[string]int{}
	guard := 0
	for _, r := range l.inv {
		if str(r, "schemaType") != "ModelInvocationLog" || str(r, "schemaVersion") != "1.0" || str(r, "identity.arn") == "" ||
			str(r, "modelId") == "" || str(r, "requestId") == "" || get(r, "input.inputTokenCount") == nil {
			t.Fatalf("bad invocation record: %v", r)
		}
		ops[str(r, "operation")]++
		codes[str(r, "errorCode")]++
		if (get(r, "output") == nil) != (str(r, "errorCode") != "") {
			t.Fatalf("output present iff no error: %v", r)
		}
		if strings.Contains(fmt.Sprint(get(r, "output.outputBodyJson")), "guardrail") {
			guard++
		}
	}
	if len(ops) != 4 || guard == 0 {
		t.Fatalf("too little variety: ops %v, codes %v, %d guardrail traces", ops, codes, guard)
	}
}

// TestDayRules evaluates both seed rules the simple way, tick by tick,
// over the generated logs and checks they raise exactly the expected groups.
func TestDayRules(t *testing.T) {
	l, sum := generated(t)
	checkRules(t, l, sum)
}

func checkRules(t *testing.T, l logs, sum Summary) {
	t.Helper()
	want := map[string]bool{}
	for _, e := range sum.Expected {
		want[groupKey(e.Rule, e.Group)] = true
	}
	got := map[string]bool{}
	day := DefaultDay
	type hit struct {
		t   time.Time
		key string
	}
	// Filter once, then count per tick.
	var lfm, denied []hit
	for _, r := range l.ct {
		if !strings.EqualFold(str(r, "eventSource"), "bedrock.amazonaws.com") || !strings.EqualFold(str(r, "eventName"), "ListFoundationModels") ||
			!strings.EqualFold(str(r, "errorCode"), "AccessDenied") || cimUserName(r) == "" {
			continue
		}
		et, _ := time.Parse(time.RFC3339, str(r, "eventTime"))
		lfm = append(lfm, hit{et, groupKey(SplunkSeedRuleID, splunkGroupOf(r))})
	}
	for _, r := range l.inv {
		if str(r, "errorCode") != "AccessDeniedException" {
			continue
		}
		ts, _ := time.Parse(time.RFC3339, str(r, "timestamp"))
		denied = append(denied, hit{ts, groupKey(ElasticSeedRuleID, esGroupOf(r))})
	}
	count := func(hits []hit, from, to time.Time, threshold int) {
		counts := map[string]int{}
		for _, h := range hits {
			if !h.t.Before(from) && h.t.Before(to) {
				counts[h.key]++
			}
		}
		for k, n := range counts {
			if n > threshold {
				got[k] = true
			}
		}
	}
	// Splunk: hourly over [t-70m, t-10m), count > 9.
	for tick := day; !tick.After(day.Add(26 * time.Hour)); tick = tick.Add(time.Hour) {
		count(lfm, tick.Add(-70*time.Minute), tick.Add(-10*time.Minute), 9)
	}
	// Elastic: every 10 minutes over the last 60, total_denials > 3.
	for tick := day; !tick.After(day.Add(25 * time.Hour)); tick = tick.Add(10 * time.Minute) {
		count(denied, tick.Add(-time.Hour), tick, 3)
	}
	if fmt.Sprint(sortedKeys(got)) != fmt.Sprint(sortedKeys(want)) {
		t.Fatalf("alerting groups:\n got %v\nwant %v", sortedKeys(got), sortedKeys(want))
	}
}

// cimUserName is the Splunk add-on's user_name, which the rule renames to user.
func cimUserName(r map[string]any) string {
	if u := str(r, "userIdentity.userName"); u != "" {
		return u
	}
	if u := str(r, "userIdentity.sessionContext.sessionIssuer.userName"); u != "" {
		return u
	}
	arn := str(r, "userIdentity.arn")
	return arn[strings.LastIndexByte(arn, '/')+1:]
}

func splunkGroupOf(r map[string]any) map[string]any {
	acct := str(r, "userIdentity.accountId")
	if acct == "" {
		acct = str(r, "recipientAccountId")
	}
	return map[string]any{
		"src": str(r, "sourceIPAddress"), "user": cimUserName(r), "user_agent": str(r, "userAgent"),
		"vendor_account": acct, "vendor_product": "AWS CloudTrail", "dest": str(r, "eventSource"),
		"signature": str(r, "eventName"), "vendor_region": str(r, "awsRegion"),
	}
}

func esGroupOf(r map[string]any) map[string]any {
	return map[string]any{"user.id": str(r, "identity.arn"), "gen_ai.request.model.id": str(r, "modelId"), "cloud.account.id": str(r, "accountId")}
}

func groupKey(rule string, g map[string]any) string {
	b, _ := json.Marshal(g) // maps marshal with sorted keys
	return rule + " " + string(b)
}

func sortedKeys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func TestDayPlantedRecords(t *testing.T) {
	l, sum := generated(t)
	// The Splunk attack: 25 denials by a long-term key within 20 minutes.
	exp := sum.Expected[0]
	var times []time.Time
	for _, r := range l.ct {
		if groupKey(SplunkSeedRuleID, splunkGroupOf(r)) != groupKey(exp.Rule, exp.Group) || str(r, "errorCode") != "AccessDenied" {
			continue
		}
		if str(r, "userIdentity.type") != "IAMUser" || !strings.HasPrefix(str(r, "userIdentity.accessKeyId"), "AKIA") ||
			!strings.Contains(str(r, "errorMessage"), "is not authorized to perform: bedrock:ListFoundationModels because no identity-based policy allows") {
			t.Fatalf("attack record has the wrong shape: %v", r)
		}
		et, _ := time.Parse(time.RFC3339, str(r, "eventTime"))
		times = append(times, et)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	if len(times) != 25 || times[24].Sub(times[0]) >= 20*time.Minute {
		t.Fatalf("got %d attack records over %v", len(times), times[len(times)-1].Sub(times[0]))
	}
	// The Elastic attack: 5 models denied 6 times each within 15 minutes.
	for _, exp := range sum.Expected[1:] {
		var ts []time.Time
		for _, r := range l.inv {
			if groupKey(ElasticSeedRuleID, esGroupOf(r)) == groupKey(exp.Rule, exp.Group) && str(r, "errorCode") == "AccessDeniedException" {
				t0, _ := time.Parse(time.RFC3339, str(r, "timestamp"))
				ts = append(ts, t0)
			}
		}
		slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
		if len(ts) != 6 || ts[5].Sub(ts[0]) >= 15*time.Minute || !strings.Contains(exp.Group["user.id"].(string), ":assumed-role/") {
			t.Fatalf("%v: %d denials over %v", exp.Group, len(ts), ts)
		}
	}
}

func TestDayNearMisses(t *testing.T) {
	l, _ := generated(t)
	w := newWorld(42, DefaultAccount, testPrincipals, testBenign)
	pl := w.plant(DefaultDay)
	if len(pl.nearMisses) != 7 {
		t.Fatalf("got %d near misses, want 7", len(pl.nearMisses))
	}
	for _, nm := range pl.nearMisses {
		n := 0
		switch nm.rule {
		case SplunkSeedRuleID:
			for _, r := range l.ct {
				if str(r, "eventName") == "ListFoundationModels" && strings.HasPrefix(str(r, "errorCode"), "AccessDenied") &&
					groupKey(nm.rule, splunkGroupOf(r)) == groupKey(nm.rule, nm.group) {
					n++
				}
			}
		case ElasticSeedRuleID:
			for _, r := range l.inv {
				if strings.EqualFold(str(r, "errorCode"), "AccessDeniedException") && groupKey(nm.rule, esGroupOf(r)) == groupKey(nm.rule, nm.group) {
					n++
				}
			}
		}
		if n != nm.count {
			t.Errorf("near miss %q: found %d records, want %d", nm.what, n, nm.count)
		}
	}
}

func TestDayDeterministic(t *testing.T) {
	gen := func(seed int64) map[string][]byte {
		dir := tempDir(t)
		if _, err := day(Options{Out: dir, Seed: seed, Principals: 30}, 0.005); err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, path)
				files[rel], _ = os.ReadFile(path)
			}
			return err
		})
		return files
	}
	a, b, c := gen(7), gen(7), gen(8)
	if len(a) != len(b) {
		t.Fatalf("same seed, %d and %d files", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Fatalf("same seed, %s differs", name)
		}
	}
	same := 0
	for name, data := range a {
		if bytes.Equal(data, c[name]) {
			same++
		}
	}
	if same > 1 { // expected.ndjson names different principals too
		t.Fatalf("different seeds, %d identical files", same)
	}
}

// TestDayVolume checks the volume of a default day without rendering it.
func TestDayVolume(t *testing.T) {
	tests := []struct {
		principals, scale int
		ctLo, ctHi        int
		invLo, invHi      int
	}{
		{300, 1, 200_000, 400_000, 20_000, 50_000},
		{600, 2, 800_000, 1_600_000, 80_000, 200_000},
	}
	for _, tc := range tests {
		if raceEnabled && tc.scale > 1 {
			continue
		}
		o, err := Options{Out: "x", Principals: tc.principals, Scale: tc.scale}.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		w := newWorld(1, o.Account, o.Principals, float64(o.Scale))
		pl := w.plant(o.Day)
		ct, inv := 0, 0
		codes := map[string]int{}
		guards := map[int]int{}
		var evs []ctEvent
		for s := range slotsPerDay {
			for reg := range regions {
				x := newRenderer(w, o.Day, newRand(1, tagCloudTrail, uint64(reg), uint64(s)))
				evs = w.slotEvents(evs[:0], x, o.Day, reg, s, pl)
				ct += len(evs)
			}
			for _, reg := range bedrockRegions {
				for _, d := range w.planInvocations(o.Day, reg, s, pl.inv[slotKey(reg, s)]) {
					inv++
					codes[d.errCode]++
					guards[d.guard]++
				}
			}
		}
		if ct < tc.ctLo || ct > tc.ctHi || inv < tc.invLo || inv > tc.invHi {
			t.Errorf("%d principals, scale %d: %d CloudTrail and %d invocation records, want [%d,%d] and [%d,%d]",
				tc.principals, tc.scale, ct, inv, tc.ctLo, tc.ctHi, tc.invLo, tc.invHi)
		}
		// Benign errors are rare but present; guardrails act now and then.
		for _, c := range []string{"ThrottlingException", "ValidationException", "ModelTimeoutException"} {
			if n := codes[c]; n == 0 || n > inv/50 {
				t.Errorf("%d invocations failed with %s out of %d", n, c, inv)
			}
		}
		if guards[guardIntervened] == 0 || guards[guardPassed] < guards[guardIntervened] {
			t.Errorf("guardrail traces: %v", guards)
		}
	}
}

// TestDayFull generates a real default day and checks the rules over it.
func TestDayFull(t *testing.T) {
	if os.Getenv("TRIPLINE_GENERATE_FULL") == "" || raceEnabled {
		t.Skip("generates and reads a full day (about 30 s); set TRIPLINE_GENERATE_FULL=1 to run, not with -race")
	}
	dir := tempDir(t)
	start := time.Now()
	sum, err := Day(Options{Out: dir, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files, %d CloudTrail and %d invocation records in %v", sum.Files, sum.CloudTrailRecords, sum.InvocationRecords, time.Since(start))
	checkRules(t, readDay(t, dir), sum)
}

func TestOptions(t *testing.T) {
	tests := []struct {
		opt  Options
		err  string
		want Options
	}{
		{opt: Options{}, err: "no output directory"},
		{opt: Options{Out: "o", Account: "12345"}, err: "not 12 digits"},
		{opt: Options{Out: "o", Account: CrossAccount}, err: "reserved"},
		{opt: Options{Out: "o", Scale: -1}, err: "negative scale"},
		{opt: Options{Out: "o", Principals: -3}, err: "negative number"},
		{opt: Options{Out: "o", Background: -0.5}, err: "negative background"},
		{opt: Options{Out: "o"}, want: Options{Out: "o", Day: DefaultDay, Principals: 300, Account: DefaultAccount, Scale: 1, Background: 1}},
		{opt: Options{Out: "o", Background: 0.25}, want: Options{Out: "o", Day: DefaultDay, Principals: 300, Account: DefaultAccount, Scale: 1, Background: 0.25}},
		{opt: Options{Out: "o", Day: time.Date(2025, 1, 2, 15, 4, 5, 0, time.FixedZone("x", 3600))},
			want: Options{Out: "o", Day: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), Principals: 300, Account: DefaultAccount, Scale: 1, Background: 1}},
	}
	for _, tc := range tests {
		got, err := tc.opt.withDefaults()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%+v: got error %v, want %q", tc.opt, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%+v: got %+v, %v, want %+v", tc.opt, got, err, tc.want)
		}
	}
}

func TestTables(t *testing.T) {
	if len(answers) != len(prompts) {
		t.Fatalf("%d answers for %d prompts", len(answers), len(prompts))
	}
	for pf := range numProfiles {
		if len(mixes[pf].idx) == 0 || len(mixes[pf].ridx) == 0 {
			t.Errorf("profile %d has no calls", pf)
		}
		for _, i := range mixes[pf].ridx {
			if apis[i].global {
				t.Errorf("profile %d regional mix holds global %s", pf, apis[i].name)
			}
		}
	}
	tests := []struct{ src, name, want string }{
		{"ec2.amazonaws.com", "DescribeInstances", " command/ec2.describe-instances"},
		{"monitoring.amazonaws.com", "GetMetricData", " command/cloudwatch.get-metric-data"},
		{"lambda.amazonaws.com", "ListFunctions20150331", " command/lambda.list-functions"},
		{"bedrock.amazonaws.com", "ListFoundationModels", " command/bedrock.list-foundation-models"},
	}
	for _, tc := range tests {
		if got := apis[apiIndex(tc.src, tc.name)].cmd; got != tc.want {
			t.Errorf("%s %s: got %q, want %q", tc.src, tc.name, got, tc.want)
		}
	}
}
