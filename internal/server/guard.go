package server

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// bodyTypes are the media types a POST or PATCH body may have. A web page
// can send text/plain and form bodies to any address without asking (a
// "simple" cross-site request); it cannot send these without a CORS
// preflight, which this server never grants.
var bodyTypes = map[string]bool{
	"application/json":         true,
	"application/x-ndjson":     true,
	"application/ndjson":       true,
	"application/jsonl":        true,
	"application/x-jsonlines":  true,
	"application/gzip":         true,
	"application/x-gzip":       true,
	"application/octet-stream": false, // named to say it is refused
}

// guard refuses requests a web page could forge in the analyst's browser:
// bodies of a type a page may send without asking (415), a Host header
// that is not this server's (a DNS-rebinding page, 421), and a browser's
// request from another origin (403). It comes before authentication, so
// it also protects a tokenless loopback server.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.allowedHost(r.Host) {
			s.writeError(w, r, &httpError{http.StatusMisdirectedRequest,
				"host " + r.Host + " is not this server's: add it to the allowed hosts if it is"})
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r.Host) {
			s.writeError(w, r, &httpError{http.StatusForbidden, "cross-origin request from " + o + " refused"})
			return
		}
		hasBody := r.ContentLength != 0 || len(r.TransferEncoding) > 0
		if hasBody && (r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut) {
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || !bodyTypes[mt] {
				s.writeError(w, r, &httpError{http.StatusUnsupportedMediaType,
					"send the body as application/json or application/x-ndjson (gzip with Content-Encoding: gzip)"})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// allowedHost reports whether a request's Host names this server: a
// loopback name or address, the address it listens on, or one of
// Options.Hosts. A server that requires a token accepts any Host, since a
// rebinding page cannot know the token.
func (s *Server) allowedHost(hostport string) bool {
	if s.hasToken {
		return true
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(strings.ToLower(host), "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, h := range s.opt.Hosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	listen, _, err := net.SplitHostPort(s.listen)
	if err != nil {
		return false
	}
	return strings.EqualFold(strings.Trim(listen, "[]"), host)
}

// sameOrigin reports whether a browser's Origin is the server's own.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && strings.EqualFold(u.Host, host)
}
