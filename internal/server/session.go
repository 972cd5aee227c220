package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The browser's side of authentication: a page cannot send a bearer token
// by itself, so a person logs in once with the token and the browser keeps
// a session cookie instead. The cookie is HttpOnly (no script reads it)
// and SameSite=Strict (no other site's page makes the browser send it).
//
// A session is not stored: its cookie is its expiry signed with a key
// derived from the token, so sessions survive a restart and a new token
// ends every session at once.
const (
	// SessionCookie names the session cookie.
	SessionCookie = "tripline_session"
	// CSRFCookie names the cookie that holds the CSRF token; pages repeat
	// the token and scripts send it back in CSRFHeader.
	CSRFCookie = "tripline_csrf"
	// CSRFHeader carries the CSRF token on a browser's state-changing request.
	CSRFHeader = "X-CSRF-Token"
	// SessionLifetime is how long a login lasts.
	SessionLifetime = 12 * time.Hour
)

// sessionKey derives the key that signs session cookies from the token.
func sessionKey(token string) [sha256.Size]byte {
	return sha256.Sum256([]byte("tripline session key\x00" + token))
}

// newSession returns a session cookie's value valid until exp.
func (s *Server) newSession(exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return e + "." + s.sessionMAC(e)
}

func (s *Server) sessionMAC(exp string) string {
	m := hmac.New(sha256.New, s.sessionKey[:])
	m.Write([]byte("session\x00" + exp))
	return hex.EncodeToString(m.Sum(nil))
}

// validSession reports whether a session cookie's value is signed with
// this server's key and not expired.
func (s *Server) validSession(v string) bool {
	e, mac, ok := strings.Cut(v, ".")
	if !ok {
		return false
	}
	exp, err := strconv.ParseInt(e, 10, 64)
	if err != nil || !s.now().Before(time.Unix(exp, 0)) {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(s.sessionMAC(e)))
}

type sessionCtxKey struct{}

// HasSession reports whether r was authenticated by a session cookie: the
// person at the browser logged in, and may log out.
func HasSession(r *http.Request) bool {
	v, _ := r.Context().Value(sessionCtxKey{}).(bool)
	return v
}

func withSession(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), sessionCtxKey{}, true))
}

// sessionRequest is the body of a login.
type sessionRequest struct {
	Token string `json:"token"`
}

// login answers POST /api/v1/session: the right token gets a session
// cookie. A server without a token needs no login and says so.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req sessionRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxStatusBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badParam("body", "cannot decode login: %v", err)
	}
	if !s.hasToken {
		writeJSON(w, http.StatusOK, map[string]any{"session": false, "reason": "this server requires no token"})
		return nil
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(req.Token)))
	if subtle.ConstantTimeCompare(sum[:], s.token[:]) != 1 {
		s.log.Warn("failed login", "remote", r.RemoteAddr)
		return &httpError{http.StatusUnauthorized, "wrong token"}
	}
	exp := s.now().Add(SessionLifetime)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: s.newSession(exp), Path: "/",
		Expires: exp, MaxAge: int(SessionLifetime / time.Second),
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	s.log.Info("login", "remote", r.RemoteAddr)
	writeJSON(w, http.StatusOK, map[string]any{"session": true, "expires": exp.UTC()})
	return nil
}

// logout answers POST /api/v1/session/end: the browser forgets its session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	writeJSON(w, http.StatusOK, map[string]any{"session": false})
	return nil
}

// CSRFToken returns the CSRF token of the browser that sent r, giving it
// one (a cookie set on w) when it has none. A page puts the token where
// its script reads it; the script sends it back in CSRFHeader.
func CSRFToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(CSRFCookie); err == nil && validCSRF(c.Value) {
		return c.Value
	}
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails
	tok := hex.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: tok, Path: "/",
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	return tok
}

func validCSRF(v string) bool {
	if len(v) != 64 {
		return false
	}
	_, err := hex.DecodeString(v)
	return err == nil
}

// fromBrowser reports whether r comes from a web browser: it says where
// the request was made (Origin, Sec-Fetch-Site), or carries one of the
// cookies only a browser holds.
func fromBrowser(r *http.Request) bool {
	if r.Header.Get("Origin") != "" || r.Header.Get("Sec-Fetch-Site") != "" {
		return true
	}
	for _, name := range []string{SessionCookie, CSRFCookie} {
		if _, err := r.Cookie(name); err == nil {
			return true
		}
	}
	return false
}

var errCSRF = &httpError{http.StatusForbidden, "missing or wrong CSRF token: reload the page and try again"}

// csrf refuses a browser's state-changing request that does not send back
// the CSRF token of its cookie. Clients that are not browsers (the CLI,
// log shippers) send neither and are not asked for one.
func (s *Server) csrf(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if fromBrowser(r) {
			c, err := r.Cookie(CSRFCookie)
			h := r.Header.Get(CSRFHeader)
			if err != nil || !validCSRF(c.Value) || subtle.ConstantTimeCompare([]byte(h), []byte(c.Value)) != 1 {
				s.writeError(w, r, errCSRF)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// pagePath reports whether a GET of path is for a page a person reads
// (the web UI) rather than the API or metrics: an unauthenticated person
// is sent to the login page instead of getting a 401.
func pagePath(r *http.Request) bool {
	p := r.URL.Path
	return r.Method == http.MethodGet && !strings.HasPrefix(p, "/api/") && p != "/metrics"
}

// loginRedirect sends the browser to the login page, to come back to r's
// page after.
func loginRedirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}
