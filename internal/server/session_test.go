package server

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// testCSRF is a well-formed CSRF token for tests.
var testCSRF = strings.Repeat("ab", 32)

// page is a stand-in for a UI page that reports whether the request came
// with a session and hands out a CSRF token.
var page = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	tok := CSRFToken(w, r)
	w.Header().Set("Content-Type", "text/plain")
	if HasSession(r) {
		w.Write([]byte("session " + tok))
		return
	}
	w.Write([]byte("page " + tok))
})

func cookieOf(r response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// A browser logs in once with the token and then carries a session
// cookie: HttpOnly, SameSite=Strict, signed and expiring. Pages without a
// session send the person to /login; the API still answers 401.
func TestSessionLogin(t *testing.T) {
	pages := map[string]http.Handler{"GET /{$}": page, "GET /login": page, "GET /static/app.css": page}
	s := newTest(t, Options{Listen: "0.0.0.0:7700", Token: "s3cret", Store: fixture(), Pages: pages})
	h := s.Handler()
	csrf := []string{"Cookie", CSRFCookie + "=" + testCSRF, CSRFHeader, testCSRF}

	r := do(t, h, "GET", "/?status=open", nil)
	if r.code != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2F%3Fstatus%3Dopen" {
		t.Fatalf("page without session: %d to %q", r.code, r.header.Get("Location"))
	}
	if r := do(t, h, "GET", "/api/v1/alerts", nil); r.code != 401 {
		t.Errorf("API without token: %d", r.code)
	}
	for _, p := range []string{"/login", "/static/app.css"} {
		if r := do(t, h, "GET", p, nil); r.code != 200 {
			t.Errorf("GET %s without session: %d", p, r.code)
		}
	}
	if r := do(t, h, "POST", "/api/v1/session", strings.NewReader(`{"token":"s3cret"}`)); r.code != 200 || cookieOf(r, SessionCookie) == nil {
		t.Errorf("a login that is not a browser's needs no CSRF token: %d %s", r.code, r.body)
	}
	if r := do(t, h, "POST", "/api/v1/session", strings.NewReader(`{"token":"s3cret"}`), "Origin", "http://127.0.0.1:7700"); r.code != 403 {
		t.Errorf("a browser's login without the CSRF token: %d, want 403", r.code)
	}
	if r := do(t, h, "POST", "/api/v1/session", strings.NewReader(`{"token":"nope"}`), csrf...); r.code != 401 || cookieOf(r, SessionCookie) != nil {
		t.Errorf("wrong token: %d, cookie %v", r.code, cookieOf(r, SessionCookie))
	}
	r = do(t, h, "POST", "/api/v1/session", strings.NewReader(`{"token":"s3cret"}`), csrf...)
	c := cookieOf(r, SessionCookie)
	if r.code != 200 || c == nil {
		t.Fatalf("login: %d %s", r.code, r.body)
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.MaxAge <= 0 {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/", c)
	}
	session := SessionCookie + "=" + c.Value
	if r := do(t, h, "GET", "/", nil, "Cookie", session); r.code != 200 || !strings.HasPrefix(string(r.body), "session ") {
		t.Errorf("page with session: %d %s", r.code, r.body)
	}
	if r := do(t, h, "GET", "/api/v1/alerts", nil, "Cookie", session); r.code != 200 {
		t.Errorf("API with session: %d", r.code)
	}
	// A state change with the session cookie is a browser's: it needs the
	// CSRF token of its cookie.
	body := `{"status":"acknowledged","by":"ana"}`
	if r := do(t, h, "POST", "/api/v1/alerts/a1/status", strings.NewReader(body), "Cookie", session); r.code != 403 {
		t.Errorf("status change with session, no CSRF token: %d, want 403", r.code)
	}
	both := session + "; " + CSRFCookie + "=" + testCSRF
	if r := do(t, h, "POST", "/api/v1/alerts/a1/status", strings.NewReader(body), "Cookie", both, CSRFHeader, strings.Repeat("cd", 32)); r.code != 403 {
		t.Errorf("status change with another CSRF token: %d, want 403", r.code)
	}
	if r := do(t, h, "POST", "/api/v1/alerts/a1/status", strings.NewReader(body), "Cookie", both, CSRFHeader, testCSRF); r.code != 200 {
		t.Errorf("status change with session and CSRF token: %d %s", r.code, r.body)
	}
	// The CLI's way still works: a bearer token, no cookies, no CSRF.
	if r := do(t, h, "POST", "/api/v1/alerts/a1/status", strings.NewReader(body), "Authorization", "Bearer s3cret"); r.code != 200 {
		t.Errorf("status change with the bearer token: %d %s", r.code, r.body)
	}

	// Forged, tampered and expired sessions are refused.
	exp := testNow.Add(time.Hour).Unix()
	for _, v := range []string{"", "x", "123.abc", c.Value + "0", strings.Replace(c.Value, ".", "1.", 1),
		(&Server{sessionKey: sessionKey("other")}).newSession(testNow.Add(time.Hour)),
		s.newSession(testNow.Add(-time.Second)), s.newSession(testNow.Add(time.Hour))[:20]} {
		if r := do(t, h, "GET", "/api/v1/alerts", nil, "Cookie", SessionCookie+"="+v); r.code != 401 {
			t.Errorf("session %q: %d, want 401", v, r.code)
		}
	}
	if v := s.newSession(time.Unix(exp, 0)); !s.validSession(v) {
		t.Errorf("a fresh session %q is not valid", v)
	}

	r = do(t, h, "POST", "/api/v1/session/end", strings.NewReader("{}"), "Cookie", both, CSRFHeader, testCSRF)
	if c := cookieOf(r, SessionCookie); r.code != 200 || c == nil || c.MaxAge >= 0 {
		t.Errorf("logout: %d, cookie %+v", r.code, c)
	}
}

// A page hands out a CSRF token once and keeps it; a tokenless loopback
// server needs no login.
func TestCSRFTokenAndTokenlessLogin(t *testing.T) {
	h := newTest(t, Options{Store: fixture(), Pages: map[string]http.Handler{"GET /{$}": page}}).Handler()
	r := do(t, h, "GET", "/", nil)
	c := cookieOf(r, CSRFCookie)
	if r.code != 200 || c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || !validCSRF(c.Value) {
		t.Fatalf("first page: %d, CSRF cookie %+v", r.code, c)
	}
	if !strings.HasSuffix(string(r.body), c.Value) {
		t.Errorf("page's token %q is not its cookie's %q", r.body, c.Value)
	}
	r = do(t, h, "GET", "/", nil, "Cookie", CSRFCookie+"="+c.Value)
	if cookieOf(r, CSRFCookie) != nil || !strings.HasSuffix(string(r.body), c.Value) {
		t.Errorf("second page changed the token: %s", r.body)
	}
	r = do(t, h, "POST", "/api/v1/session", strings.NewReader(`{"token":"x"}`))
	if r.code != 200 || cookieOf(r, SessionCookie) != nil || !strings.Contains(string(r.body), "no token") {
		t.Errorf("login to a tokenless server: %d %s", r.code, r.body)
	}
	// The CLI on loopback still changes a status without any token.
	if r := do(t, h, "POST", "/api/v1/alerts/a1/status", strings.NewReader(`{"status":"closed"}`)); r.code != 200 {
		t.Errorf("tokenless status change: %d %s", r.code, r.body)
	}
	if r := do(t, h, "GET", "/", nil); r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers %v", r.header)
	}
}
