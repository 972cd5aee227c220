package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tripline/tripline/internal/alert"
	"github.com/tripline/tripline/internal/event"
	"github.com/tripline/tripline/internal/rule"
	"github.com/tripline/tripline/internal/testutil"
)

// sigmaCorpusEvents holds, for every SigmaHQ AWS rule in the corpus, a
// CloudTrail record written from the rule's intent that it must match and
// a near miss it must not (issue 11).
const sigmaCorpusEvents = "testdata/sigma_corpus_events.json"

// sigmaCorpusEntry is one rule's records, keyed by the rule's id.
type sigmaCorpusEntry struct {
	// Rule is the rule's file name, to read the entry beside it.
	Rule string `json:"rule"`
	// Note says where the rule reads something CloudTrail does not write.
	Note  string          `json:"note"`
	Match json.RawMessage `json:"match"`
	Miss  json.RawMessage `json:"miss"`
	// MoreMisses are further near misses, when one is not enough to show
	// what the rule tells apart.
	MoreMisses []json.RawMessage `json:"more_misses"`
	// KnownGap, when set, names a tripline gap that keeps this entry from
	// passing: the entry is run, its failure logged and counted, and an
	// entry that passes again is an error until the gap is removed.
	KnownGap string `json:"known_gap"`
}

// TestSigmaCorpusEvents runs each corpus rule alone over its own match
// record (exactly one alert, on that record) and its near misses (none).
// A corpus rule without an entry fails, so new rules are noticed.
func TestSigmaCorpusEvents(t *testing.T) {
	dir := testutil.Shared(t, "corpus/sigma/aws")
	rs, probs := rule.Load([]string{dir})
	if len(probs) > 0 {
		t.Fatalf("corpus rules do not load: %v", probs)
	}
	entries := loadSigmaCorpusEvents(t)

	seen := map[string]bool{}
	gaps := 0
	for _, r := range rs {
		seen[r.ID] = true
		e, ok := entries[r.ID]
		if !ok {
			t.Errorf("%s (%s, id %s) has no match and near-miss records in %s", filepath.Base(r.File), r.Name, r.ID, sigmaCorpusEvents)
			continue
		}
		if e.Rule != filepath.Base(r.File) {
			t.Errorf("%s: entry %s names rule file %q", filepath.Base(r.File), r.ID, e.Rule)
		}
		t.Run(strings.TrimSuffix(filepath.Base(r.File), ".yml"), func(t *testing.T) {
			c := Compile(r, nil)
			if !c.Runnable() {
				t.Fatalf("does not compile: %v", c.Err)
			}
			var failures []string
			if msg := sigmaCorpusRun(t, c, e.Match, true); msg != "" {
				failures = append(failures, "match record: "+msg)
			}
			for i, miss := range append([]json.RawMessage{e.Miss}, e.MoreMisses...) {
				if msg := sigmaCorpusRun(t, c, miss, false); msg != "" {
					failures = append(failures, fmt.Sprintf("near miss %d: %s", i, msg))
				}
			}
			switch {
			case e.KnownGap != "" && len(failures) > 0:
				gaps++
				t.Logf("known gap (%s): %s", e.KnownGap, strings.Join(failures, "; "))
			case e.KnownGap != "":
				t.Errorf("passes, but its entry names a known gap (%s): remove known_gap", e.KnownGap)
			default:
				for _, f := range failures {
					t.Error(f)
				}
			}
		})
	}
	for id, e := range entries {
		if !seen[id] {
			t.Errorf("%s has an entry for rule %s (%s), which is not in the corpus", sigmaCorpusEvents, id, e.Rule)
		}
	}
	if gaps > 0 {
		t.Logf("%d of %d corpus rules have known gaps", gaps, len(rs))
	}
}

// loadSigmaCorpusEvents reads the entries and checks that each record is
// shaped as CloudTrail writes it and that event ids are unique.
func loadSigmaCorpusEvents(t *testing.T) map[string]sigmaCorpusEntry {
	t.Helper()
	b, err := os.ReadFile(sigmaCorpusEvents)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%s: %v", sigmaCorpusEvents, err)
	}
	entries := map[string]sigmaCorpusEntry{}
	ids := map[string]string{}
	for id, v := range raw {
		if strings.HasPrefix(id, "_") {
			continue
		}
		var e sigmaCorpusEntry
		if err := json.Unmarshal(v, &e); err != nil {
			t.Fatalf("%s: entry %s: %v", sigmaCorpusEvents, id, err)
		}
		if e.Match == nil || e.Miss == nil {
			t.Errorf("%s: entry %s (%s) needs both a match and a miss", sigmaCorpusEvents, id, e.Rule)
		}
		for i, rec := range append([]json.RawMessage{e.Match, e.Miss}, e.MoreMisses...) {
			if rec == nil {
				continue
			}
			where := fmt.Sprintf("%s record %d", id, i)
			eid, err := cloudTrailShape(rec)
			if err != nil {
				t.Errorf("%s: %s: %v", sigmaCorpusEvents, where, err)
				continue
			}
			if prev, dup := ids[eid]; dup {
				t.Errorf("%s: %s repeats eventID %s of %s", sigmaCorpusEvents, where, eid, prev)
			}
			ids[eid] = where
		}
		entries[id] = e
	}
	return entries
}

// cloudTrailShape checks the fields every CloudTrail record carries and
// returns its eventID.
func cloudTrailShape(rec json.RawMessage) (string, error) {
	var m map[string]any
	if err := json.Unmarshal(rec, &m); err != nil {
		return "", err
	}
	for _, k := range []string{"eventVersion", "eventTime", "eventSource", "eventName", "awsRegion",
		"sourceIPAddress", "userAgent", "eventID", "eventType", "recipientAccountId"} {
		if s, _ := m[k].(string); s == "" {
			return "", &shapeError{k}
		}
	}
	if id, _ := m["userIdentity"].(map[string]any); id == nil || id["type"] == nil {
		return "", &shapeError{"userIdentity.type"}
	}
	return m["eventID"].(string), nil
}

type shapeError struct{ field string }

func (e *shapeError) Error() string { return "not a CloudTrail record: no " + e.field }

// sigmaCorpusRun hunts one compiled rule over one record and says what is
// wrong, or "" when it raised one alert on that record (want) or none.
func sigmaCorpusRun(t *testing.T, c *Compiled, rec json.RawMessage, want bool) string {
	t.Helper()
	var compact strings.Builder
	enc := json.NewEncoder(&compact)
	if err := enc.Encode(rec); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "cloudtrail.json")
	if err := os.WriteFile(data, []byte(compact.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Hunt(context.Background(), []*Compiled{c}, []string{data}, HuntOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if n := rep.Read.Records[event.CloudTrail] + rep.Read.Skipped[event.CloudTrail]; n != 1 || rep.Read.Bad > 0 {
		return fmt.Sprintf("the record was not read as one CloudTrail record: %d read, %d bad", n, rep.Read.Bad)
	}
	var eid struct {
		EventID string `json:"eventID"`
	}
	_ = json.Unmarshal(rec, &eid)
	switch {
	case !want && len(rep.Alerts) > 0:
		return fmt.Sprintf("raised %d alerts, want none", len(rep.Alerts))
	case want && len(rep.Alerts) != 1:
		return fmt.Sprintf("raised %d alerts, want one", len(rep.Alerts))
	case want:
		a := rep.Alerts[0]
		ev := slices.IndexFunc(a.Evidence, func(e alert.Evidence) bool { return e.EventID == eid.EventID })
		if len(a.Evidence) != 1 || ev != 0 {
			return "the alert's evidence is not the match record"
		}
	}
	return ""
}
