package source

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestOrderTime(t *testing.T) {
	mtime := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name, path string
		want       time.Time
	}{
		{"cloudtrail name", "AWSLogs/1/CloudTrail/us-east-1/2024/10/17/1_CloudTrail_us-east-1_20241017T2010Z_abc.json.gz", at("2024-10-17T20:10:00Z")},
		{"cloudtrail name wins over directories", "x/2023/01/01/1_CloudTrail_eu-west-1_20241017T2355Z_a_b.json.gz", at("2024-10-17T23:55:00Z")},
		{"cloudtrail name without directories", "111122223333_CloudTrail_us-east-1_20241017T0005Z_x.json", at("2024-10-17T00:05:00Z")},
		{"invocation name with millis", "AWSLogs/1/BedrockModelInvocationLogs/us-east-1/2024/10/17/20/20241017T201059123Z_0123abcd.json.gz", at("2024-10-17T20:10:59.123Z")},
		{"invocation name without fraction", "20241017T201059Z_0123.json.gz", at("2024-10-17T20:10:59Z")},
		{"hour directory", "AWSLogs/1/BedrockModelInvocationLogs/us-east-1/2024/10/17/08/data.json.gz", at("2024-10-17T08:00:00Z")},
		{"day directory", "exports/2024/10/17/part-0001.json", at("2024-10-17T00:00:00Z")},
		{"last date run wins", "2020/01/01/copy/2024/02/29/f.json", at("2024-02-29T00:00:00Z")},
		{"not a month", "2024/13/17/f.json", mtime},
		{"not an hour", "2024/10/17/25/f.json", at("2024-10-17T00:00:00Z")},
		{"date-like name is not a directory", "2024/10/f17.json", mtime},
		{"no time anywhere", "app/events.jsonl", mtime},
		{"broken cloudtrail stamp", "1_CloudTrail_us-east-1_20241317T2010Z_x.json.gz", mtime},
		{"stamp without trailing underscore", "1_CloudTrail_us-east-1_20241017T2010Z.json.gz", mtime},
		{"invocation stamp without Z", "20241017T201059123_x.json", mtime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := orderTime(filepath.FromSlash(tt.path), mtime); !got.Equal(tt.want) {
				t.Errorf("orderTime(%q) = %v, want %v", tt.path, got, tt.want)
			}
		})
	}
}

func FuzzOrderTime(f *testing.F) {
	f.Add("AWSLogs/1/CloudTrail/us-east-1/2024/10/17/1_CloudTrail_us-east-1_20241017T2010Z_abc.json.gz")
	f.Add("2024/10/17/08/20241017T201059123Z_0123abcd.json.gz")
	f.Add("_20241017T2010Z_")
	f.Add("20241017T201059999999999999Z")
	mtime := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, path string) {
		got := orderTime(path, mtime)
		if !got.Equal(mtime) && (got.Year() < 1970 || got.Year() > 9999) {
			t.Fatalf("orderTime(%q) = %v, outside the years a path can name", path, got)
		}
	})
}

// TestDirTimeOrder checks that a tree laid out region by region (lexical
// order: all of one region, then all of the next) is delivered as one
// stream in time order, CloudTrail and invocation logs interleaved.
func TestDirTimeOrder(t *testing.T) {
	root := t.TempDir()
	base := time.Date(2024, 10, 17, 20, 0, 0, 0, time.UTC)
	var want []string
	for step := range 6 {
		at := base.Add(time.Duration(step) * 5 * time.Minute)
		for _, region := range []string{"us-west-2", "eu-west-1"} { // lexical order is the other way round
			id := fmt.Sprintf("ct-%d-%s", step, region)
			name := fmt.Sprintf("111122223333_CloudTrail_%s_%s_x.json.gz", region, at.Format("20060102T1504Z"))
			writeFile(t, filepath.Join(root, "AWSLogs", "111122223333", "CloudTrail", region, at.Format("2006/01/02"), name), cloudTrailGzip(t, id))
			want = append(want, id)
		}
		// An invocation log file a minute after the CloudTrail files.
		inv := at.Add(time.Minute)
		id := fmt.Sprintf("inv-%d", step)
		name := inv.Format("20060102T150405") + "000Z_" + fmt.Sprintf("%016x", step) + ".json.gz"
		writeFile(t, filepath.Join(root, "AWSLogs", "111122223333", "BedrockModelInvocationLogs", "us-east-1", inv.Format("2006/01/02/15"), name),
			gzipBytes(t, []byte(fmt.Sprintf(`{"schemaType":"ModelInvocationLog","timestamp":%q,"requestId":%q,"operation":"InvokeModel"}`+"\n", inv.Format(time.RFC3339), id))))
		want = append(want, id)
	}
	// Equal name times break ties by path: eu-west-1 before us-west-2.
	for i := 0; i+1 < len(want); i += 3 {
		want[i], want[i+1] = want[i+1], want[i]
	}

	d := newTestDir(t, root, nil)
	c := &collector{}
	if got := poll(t, d, c); len(got) != 0 {
		t.Fatalf("first poll delivered %v, want nothing until the files held still", idsOf(got))
	}
	got := poll(t, d, c)
	ids := make([]string, 0, len(got))
	for _, g := range got {
		if len(g.IDs) != 1 {
			t.Fatalf("chunk %s holds %v, want one record", g.Chunk.Name, g.IDs)
		}
		ids = append(ids, g.IDs[0])
	}
	if !slices.Equal(ids, want) {
		t.Errorf("delivered\n  %v\nwant time order\n  %v", ids, want)
	}
}

// TestDirHoldBack checks that a whole file seen for the first time holds
// back the files ordered after it, not those before it, and only once.
func TestDirHoldBack(t *testing.T) {
	root := t.TempDir()
	early := filepath.Join(root, "2024", "10", "17", "early.jsonl")
	writeFile(t, early, []byte(ctRecord("early")+"\n"))
	late := filepath.Join(root, "2024", "10", "19", "late.jsonl")
	writeFile(t, late, []byte(ctRecord("late")+"\n"))
	d := newTestDir(t, root, nil)
	c := &collector{}
	if ids := idsOf(poll(t, d, c)); !slices.Equal(ids, []string{"early", "late"}) {
		t.Fatalf("first poll delivered %v, want early and late", ids)
	}

	// A gzip file between the two days: the lines added to the later
	// file wait behind it, the earlier file's do not.
	writeFile(t, filepath.Join(root, "2024", "10", "18", "mid.json.gz"), cloudTrailGzip(t, "mid"))
	appendFile(t, early, ctRecord("early2")+"\n")
	appendFile(t, late, ctRecord("late2")+"\n")
	if ids := idsOf(poll(t, d, c)); !slices.Equal(ids, []string{"early2"}) {
		t.Fatalf("poll with a new gzip file delivered %v, want early2 only", ids)
	}
	if ids := idsOf(poll(t, d, c)); !slices.Equal(ids, []string{"mid", "late2"}) {
		t.Fatalf("next poll delivered %v, want mid, then late2", ids)
	}

	// A gzip file still being written holds back only on first sight.
	gz := filepath.Join(root, "2024", "10", "18", "slow.json.gz")
	full := cloudTrailGzip(t, "slow")
	writeFile(t, gz, full[:10])
	poll(t, d, c)
	writeFile(t, gz, full[:20])
	appendFile(t, late, ctRecord("late3")+"\n")
	if ids := idsOf(poll(t, d, c)); !slices.Equal(ids, []string{"late3"}) {
		t.Fatalf("poll while a gzip file grows delivered %v, want late3", ids)
	}
}
