package server

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tripline/tripline/internal/exception"
	"github.com/tripline/tripline/internal/store"
)

const hostileReason = `<script>alert(1)</script><img src=x onerror=alert(2)> "q" ` + "\x1b[2J\u202e"

// Exceptions are added, listed with the files', removed with who and why,
// and every change calls ExceptionsChanged; their text comes back as it
// was sent, hostile or not, in JSON.
func TestExceptionsAPI(t *testing.T) {
	st, err := store.OpenSQLite(filepath.Join(t.TempDir(), "alerts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	file := exception.Exception{ID: "ex-file", Field: "source.ip", Values: []string{"10.0.0.1"}, Reason: "scanner", Author: "ops"}
	changed := 0
	h := newTest(t, Options{Store: st,
		FileExceptions:    func() []exception.Exception { return []exception.Exception{file} },
		ExceptionsChanged: func(context.Context) error { changed++; return nil },
	}).Handler()

	r := do(t, h, "POST", "/api/v1/exceptions", strings.NewReader(`{"rule":"r-jack","field":"Esql.user_id","value":"`+
		`arn:aws:iam::1:user/ci","reason":`+jsonString(hostileReason)+`,"author":"ana","expires":"30d","note":"from alert a2"}`))
	if r.code != 201 {
		t.Fatalf("add: %d %s", r.code, r.body)
	}
	var added ExceptionView
	r.json(t, &added)
	if !strings.HasPrefix(added.ID, "ex-") || added.Reason != hostileReason || added.Author != "ana" ||
		!added.Expires.Equal(testNow.Add(30*24*time.Hour)) || !added.Created.Equal(testNow) || changed != 1 {
		t.Fatalf("added %+v (changed %d)", added, changed)
	}
	// The same exception again is one exception.
	r = do(t, h, "POST", "/api/v1/exceptions", strings.NewReader(`{"rule":"r-jack","field":"Esql.user_id","values":["arn:aws:iam::1:user/ci"],"reason":"again","author":"bob"}`))
	if r.code != 409 {
		t.Errorf("the same exception twice: %d %s", r.code, r.body)
	}
	// One a file holds cannot be added.
	r = do(t, h, "POST", "/api/v1/exceptions", strings.NewReader(`{"field":"source.ip","values":["10.0.0.1"],"reason":"r","author":"bob"}`))
	if r.code != 409 {
		t.Errorf("a file's exception added: %d %s", r.code, r.body)
	}
	for _, bad := range []string{
		`{"field":"f","value":"v","author":"a"}`,                            // no reason
		`{"field":"f","value":"v","reason":"r"}`,                            // no author
		`{"field":"","value":"v","reason":"r","author":"a"}`,                // no field
		`{"field":"f","reason":"r","author":"a"}`,                           // no value
		`{"field":"f","value":"v","reason":"r","author":"a","match":"re"}`,  // unknown match
		`{"field":"f","value":"v","reason":"r","author":"a","expires":"x"}`, // bad expiry
		`{"field":"f","value":"v","reason":"r","author":"a","expires":"2020-01-01T00:00:00Z"}`,
		`{"field":"f","value":"v","reason":"r","author":"a","extra":1}`,
	} {
		if r := do(t, h, "POST", "/api/v1/exceptions", strings.NewReader(bad)); r.code != 400 {
			t.Errorf("%s: %d %s", bad, r.code, r.body)
		}
	}
	if changed != 1 {
		t.Errorf("refused changes called ExceptionsChanged: %d", changed)
	}

	var list struct {
		Exceptions []ExceptionView `json:"exceptions"`
	}
	r = do(t, h, "GET", "/api/v1/exceptions", nil)
	r.json(t, &list)
	if len(list.Exceptions) != 2 || list.Exceptions[0].Source != SourceFile || list.Exceptions[1].ID != added.ID ||
		list.Exceptions[1].Reason != hostileReason || !list.Exceptions[1].Active {
		t.Fatalf("list: %s", r.body)
	}
	// Removing needs who and why; a file's exception is removed in its file.
	if r := do(t, h, "POST", "/api/v1/exceptions/"+added.ID+"/remove", strings.NewReader(`{"by":"carl"}`)); r.code != 400 {
		t.Errorf("remove without why: %d %s", r.code, r.body)
	}
	if r := do(t, h, "POST", "/api/v1/exceptions/ex-file/remove", strings.NewReader(`{"by":"carl","why":"w"}`)); r.code != 409 {
		t.Errorf("remove a file's: %d %s", r.code, r.body)
	}
	if r := do(t, h, "POST", "/api/v1/exceptions/ex-nope/remove", strings.NewReader(`{"by":"carl","why":"w"}`)); r.code != 404 {
		t.Errorf("remove an unknown one: %d %s", r.code, r.body)
	}
	if r := do(t, h, "POST", "/api/v1/exceptions/"+added.ID+"/remove", strings.NewReader(`{"by":"carl","why":"the CI account is gone"}`)); r.code != 200 {
		t.Fatalf("remove: %d %s", r.code, r.body)
	}
	if changed != 2 {
		t.Errorf("ExceptionsChanged called %d times, want 2", changed)
	}
	r = do(t, h, "GET", "/api/v1/exceptions", nil)
	r.json(t, &list)
	if len(list.Exceptions) != 1 {
		t.Errorf("in force after the removal: %s", r.body)
	}
	r = do(t, h, "GET", "/api/v1/exceptions?removed=true", nil)
	r.json(t, &list)
	if len(list.Exceptions) != 2 || list.Exceptions[1].Removed == nil || list.Exceptions[1].Removed.By != "carl" || list.Exceptions[1].Active {
		t.Errorf("with the removed: %s", r.body)
	}
	var hist struct {
		Changes []store.ExceptionChange `json:"changes"`
	}
	r = do(t, h, "GET", "/api/v1/exceptions/history?id="+added.ID, nil)
	r.json(t, &hist)
	if len(hist.Changes) != 2 || hist.Changes[0].Action != "created" || hist.Changes[0].By != "ana" || hist.Changes[0].Note != "from alert a2" ||
		hist.Changes[1].Action != "removed" || hist.Changes[1].Note != "the CI account is gone" {
		t.Errorf("history: %s", r.body)
	}
	// A browser must send the CSRF token with a change.
	if r := do(t, h, "POST", "/api/v1/exceptions", strings.NewReader(`{"field":"f","value":"v","reason":"r","author":"a"}`),
		"Origin", "http://127.0.0.1:7700"); r.code != 403 {
		t.Errorf("a browser's change without a CSRF token: %d %s", r.code, r.body)
	}
}

// When the engine cannot apply a change, the client is told it is stored
// but not in force yet.
func TestExceptionsChangedFails(t *testing.T) {
	st, err := store.OpenSQLite(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := newTest(t, Options{Store: st, ExceptionsChanged: func(context.Context) error { return errors.New("boom") }}).Handler()
	r := do(t, h, "POST", "/api/v1/exceptions", strings.NewReader(`{"field":"f","value":"v","reason":"r","author":"a"}`))
	if r.code != 500 || !strings.Contains(r.errMsg(t), "stored but the engine has not applied it") {
		t.Errorf("%d %s", r.code, r.body)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
