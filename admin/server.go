// Package admin is tlsgate's control plane: a small HTTP API, meant for
// loopback, that changes fault rules at runtime, streams connection events,
// and serves Prometheus metrics, stats and health.
//
// Endpoints (JSON unless noted):
//
//	GET    /faults               every rule with fires, enabled and last fire
//	POST   /faults               add one rule (body: a faults.Rule)
//	PUT    /faults               replace every rule (body: an array of rules)
//	POST   /faults/reset         zero every rule's counters
//	GET    /faults/{name}        one rule
//	DELETE /faults/{name}        remove it
//	POST   /faults/{name}/enable, /faults/{name}/disable
//	GET    /events               connection events as JSON lines, and a listener's own under a refuse rule (ObserveDown) (?sse=1: server-sent events; ?recent=1: replay the kept ones first)
//	GET    /events/recent        the last kept events, as a JSON array
//	GET    /stats                listeners, event stream and rule counts
//	GET    /metrics              Prometheus text format
//	GET    /healthz              "ok" (no token needed)
//	GET    /version
//	GET    /                     the live view, a web page (files under /ui/; no token needed for them)
//
// Bad input gets a 400 whose body names the field:
// {"error":"…","field":"stage"}. The server holds no logger: the caller
// (cmd/tlsgate) wires it and logs what it needs.
package admin

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/listener"
)

// DefaultListen is the admin API's address when config names none: loopback
// on Toxiproxy's port, so tools written for Toxiproxy find it.
const DefaultListen = "127.0.0.1:8474"

// ListenerStats is one listener's live numbers, read on every /metrics and
// /stats request from Options.Listeners.
type ListenerStats struct {
	// Site lets the API refuse a rule that needs a handshake tlsgate runs
	// (a bad chain, anything at handshake_done, an upstream clock shift …)
	// or HTTP it can read (a block page) on a listener that has none, as
	// config does (listener.RuleMisfit): the caller fills it from
	// listener.Options.Site, the one place that derives it. An empty Mode
	// means unknown: such a listener is not checked. Its fields are
	// inlined in the JSON (name, mode, terminates, …).
	listener.Site
	Active  int64 `json:"active"`  // connections open right now
	Refused int64 `json:"refused"` // turned away by max_connections since start (monotonic)
	Down    bool  `json:"down"`    // a refuse rule holds it down: SYNs get an RST
	Downs   int64 `json:"downs"`   // times a refuse rule took it down since start (monotonic)
}

// Options configure a Server.
type Options struct {
	// Engine holds the fault rules the API manipulates. Required.
	Engine *faults.Engine
	// Token, when set, must come as "Authorization: Bearer <token>" on every
	// request except /healthz and the live view's static files. A GET may
	// carry it as ?token= instead: a browser's EventSource cannot set headers.
	Token string
	// Now is the clock for /version's uptime; nil means time.Now.
	Now func() time.Time
	// Listeners returns the listeners' live numbers; nil means none.
	Listeners func() []ListenerStats
	// Hub carries connection events to /events; nil gives the server its
	// own, reachable through Server.Hub.
	Hub *Hub
	// SyslogDropped returns how many log lines syslog forwarding has
	// dropped so far (a collector down or too slow while the queue was
	// full); nil means no forwarding, read as 0.
	SyslogDropped func() uint64
	// Version is reported by /version.
	Version string
	// BodyWait bounds how long a request body may take to arrive, so a
	// client that announces one and never sends it cannot hold a handler
	// forever; 0 means 30 s.
	BodyWait time.Duration
	// IdleWait bounds how long a kept-alive connection may wait silent for
	// its next request on the server HTTPServer builds; 0 means 2 minutes.
	IdleWait time.Duration
}

// Server is the admin API. Its handler is safe for concurrent use.
type Server struct {
	o       Options
	started time.Time
	metrics *metrics
	mux     *http.ServeMux
}

// New checks o and builds the server. It does not listen: run Handler with
// an http.Server on an address that CheckListen accepts.
func New(o Options) (*Server, error) {
	if o.Engine == nil {
		return nil, errors.New("admin: a fault engine is required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Listeners == nil {
		o.Listeners = func() []ListenerStats { return nil }
	}
	if o.Hub == nil {
		o.Hub = NewHub(DefaultRecent, DefaultBuffer)
	}
	if o.SyslogDropped == nil {
		o.SyslogDropped = func() uint64 { return 0 }
	}
	s := &Server{o: o, started: o.Now()}
	m, err := newMetrics(o.Engine, o.Listeners, o.Hub, o.SyslogDropped)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	s.mux = s.routes()
	return s, nil
}

// Hub returns the event hub that /events reads from; the caller publishes
// each connection's encoded event into it.
func (s *Server) Hub() *Hub { return s.o.Hub }

// Close ends every open /events stream, so that http.Server.Shutdown, which
// waits for handlers to return, can finish. Register it with
// http.Server.RegisterOnShutdown.
func (s *Server) Close() { s.o.Hub.Close() }

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /faults", s.listFaults)
	mux.HandleFunc("POST /faults", s.addFault)
	mux.HandleFunc("PUT /faults", s.replaceFaults)
	mux.HandleFunc("POST /faults/reset", s.resetFaults)
	mux.HandleFunc("GET /faults/{name}", s.getFault)
	mux.HandleFunc("DELETE /faults/{name}", s.removeFault)
	mux.HandleFunc("POST /faults/{name}/enable", s.enableFault(true))
	mux.HandleFunc("POST /faults/{name}/disable", s.enableFault(false))
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("GET /events/recent", s.recentEvents)
	mux.HandleFunc("GET /stats", s.stats)
	mux.Handle("GET /metrics", s.metrics.handler())
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /version", s.version)
	s.routeUI(mux)
	return mux
}

// Handler returns the API's handler: token check, cross-origin guard, then
// the routes, with JSON bodies for unknown paths and wrong methods.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 {
			// After a handler that left a small body unread (a 401, a 404,
			// enable), net/http reads the rest before answering, with no
			// deadline, to keep the connection: a client that announces a
			// body and stalls would get no answer and hold the connection
			// for good. Closing after the answer skips that read; bodies
			// are rare here (rule changes), so little reuse is lost.
			w.Header().Set("Connection", "close")
		}
		if r.URL.Path != "/healthz" && !isUIPath(r) && !s.authorized(w, r) {
			return
		}
		if s.o.Token == "" && !loopbackHost(r.Host) {
			// Without a token the API trusts loopback alone, and a page
			// could reach it under a name of its own that resolves to
			// 127.0.0.1 (DNS rebinding), passing the same-origin check.
			writeError(w, http.StatusMisdirectedRequest, "", fmt.Sprintf("admin: Host %q is not a loopback name; without a token the API answers only to localhost or a loopback address", r.Host))
			return
		}
		if !sameOrigin(r) {
			writeError(w, http.StatusForbidden, "", fmt.Sprintf("admin: cross-origin %s from %q refused", r.Method, r.Header.Get("Origin")))
			return
		}
		h, pattern := s.mux.Handler(r)
		if pattern == "" {
			// The mux's own 404/405 answers are plain text; keep its status
			// and Allow header but speak JSON like every other answer.
			rec := &statusOnly{header: w.Header()}
			h.ServeHTTP(rec, r)
			msg := fmt.Sprintf("admin: no endpoint %s %s", r.Method, r.URL.Path)
			if rec.status == http.StatusMethodNotAllowed {
				msg = fmt.Sprintf("admin: %s not allowed on %s (allowed: %s)", r.Method, r.URL.Path, w.Header().Get("Allow"))
			}
			w.Header().Del("X-Content-Type-Options")
			writeError(w, rec.status, "", msg)
			return
		}
		// Through the mux again: Handler does not fill r's path values.
		s.mux.ServeHTTP(w, r)
	})
}

// HTTPServer returns the http.Server to run Handler with: headers must
// arrive within 10 s and a kept-alive connection may idle for IdleWait. There
// is no ReadTimeout or WriteTimeout: /events streams stay open for as long as
// the viewer watches, and readBody bounds each body itself. Close is
// registered to run on Shutdown, so open streams end.
func (s *Server) HTTPServer() *http.Server {
	idle := s.o.IdleWait
	if idle <= 0 {
		idle = 2 * time.Minute
	}
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: idle}
	hs.RegisterOnShutdown(s.Close)
	return hs
}

// authorized checks the bearer token; it answers 401 itself when the check fails.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if s.o.Token == "" {
		return true
	}
	// The scheme is case-insensitive (RFC 9110 section 11.1): "bearer x"
	// is the right token, not a missing one.
	scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	ok = ok && strings.EqualFold(scheme, "Bearer")
	if q := r.URL.Query().Get("token"); !ok && q != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		// Reads only: a token in a URL can end up in a history or a log,
		// and that must not be enough to change the fault rules.
		got, ok = q, true
	}
	if ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.o.Token)) == 1 {
		return true
	}
	challenge := `Bearer realm="tlsgate"`
	msg := "admin: a bearer token is required (Authorization: Bearer <token>)"
	if ok {
		challenge += `, error="invalid_token"`
		msg = "admin: wrong bearer token"
	}
	w.Header().Set("WWW-Authenticate", challenge)
	writeError(w, http.StatusUnauthorized, "", msg)
	return false
}

// sameOrigin refuses state changes sent by a web page from another origin:
// a browser attaches Origin to such requests, and a page on any site could
// otherwise POST to a tokenless API on loopback.
func sameOrigin(r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// loopbackHost says the request's Host names this machine's loopback:
// localhost, or a loopback address, with or without a port.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// statusOnly records the status a fallback handler chose and discards its body.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header         { return s.header }
func (s *statusOnly) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusOnly) WriteHeader(code int)        { s.status = code }

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) version(w http.ResponseWriter, _ *http.Request) {
	now := s.o.Now()
	writeJSON(w, http.StatusOK, map[string]any{
		"version":        s.o.Version,
		"started":        s.started,
		"uptime_seconds": now.Sub(s.started).Seconds(),
	})
}

// Stats is the body of GET /stats.
type Stats struct {
	Listeners []ListenerStats `json:"listeners"`
	Rules     int             `json:"rules"`
	Events    HubStats        `json:"events"`
}

func (s *Server) stats(w http.ResponseWriter, _ *http.Request) {
	ls := s.o.Listeners()
	if ls == nil {
		ls = []ListenerStats{}
	}
	writeJSON(w, http.StatusOK, Stats{Listeners: ls, Rules: len(s.o.Engine.List()), Events: s.o.Hub.Stats()})
}

// CheckListen refuses an admin address that is not loopback unless the
// operator asked for remote access and set a token: the API can break every
// connection tlsgate carries, so it is never open to the network by accident.
// A host name other than "localhost" counts as remote, since what it resolves
// to can change.
func CheckListen(addr string, allowRemote bool, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("admin: listen address %q: %w", addr, err)
	}
	if isLoopbackHost(host) {
		return nil
	}
	if !allowRemote {
		return fmt.Errorf("admin: listen address %q is not loopback: set allow_remote = true and a token to expose the API", addr)
	}
	if token == "" {
		return fmt.Errorf("admin: listen address %q is not loopback and allow_remote is set, but no token: remote access needs a token", addr)
	}
	return nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
