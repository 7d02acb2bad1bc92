package faultse2e

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// faultCase is one rule on its own listener, driven by a list of clients
// one after another. The listener and the rule share the case's name.
type faultCase struct {
	name string
	pass bool // a passthrough listener in front of the HTTPS backend; else terminate
	// upstream, when set, puts tlsgate's own TLS in front of the HTTPS
	// backend, verifying it against the backend's CA: "inspect", or
	// "server_ssl" (terminate with [listener.server_ssl]). The clients
	// trust the lab CA.
	upstream string
	// plainAllow sets non_ssl = "allow" on the terminating listener, with
	// the plain backend as plain_backend, so plain HTTP reaches the rule.
	plainAllow bool
	rule       string // the rule's TOML after name; the listener selector is added
	stop       string // a stop's action, logged as route fault_<stop>; "" for wrappers and policies
	checks     []check
	// event, when set, checks more of the event of every check the rule
	// fired for (an alert code, a negotiated version).
	event func(t *testing.T, e *connEvent)
	// symptom, when set, is the class the firing's logged symptom must
	// start with: what tlsgate tells the operator the client should see,
	// checked against what the clients of the case did see.
	symptom string
}

// actionRe finds a rule's action in its TOML.
var actionRe = regexp.MustCompile(`(?m)^action = "(\w+)"$`)

// check is one client run. run returns the client's address when it knows
// it ("" otherwise); the harness then checks the connection's event: the
// rule fired (or, with quiet, did not).
type check struct {
	quiet bool
	run   func(t *testing.T, x *env) string
	event func(t *testing.T, e *connEvent) // more checks of this client's event
}

// env is what a check needs to reach its listener.
type env struct {
	g      *gate
	lis    string
	be     *backend
	caFile string // the CA the client trusts: tlsgate's lab CA, or the HTTPS backend's
	pool   *x509.CertPool
}

// addr is the listener's address.
func (x *env) addr() string { return x.g.Addr(x.lis) }

// url is https://host:port/path for the listener.
func (x *env) url(host, path string) string {
	return "https://" + host + ":" + x.g.port(x.lis) + path
}

// curl runs curl against https://host/path on the listener, trusting the
// case's CA; extra args come first.
func (x *env) curl(t *testing.T, maxTime time.Duration, host, path string, extra ...string) curlResult {
	t.Helper()
	port := x.g.port(x.lis)
	args := append(append([]string{}, extra...), "--cacert", x.caFile,
		"--resolve", host+":"+port+":127.0.0.1", "https://"+host+":"+port+path)
	return runCurl(t, maxTime, args...)
}

// sClient is the usual s_client arguments for the case: SNI, its CA, and
// verification failures ending the handshake.
func (x *env) sClient(host string, extra ...string) []string {
	return append([]string{"-servername", host, "-CAfile", x.caFile, "-verify_return_error"}, extra...)
}

// config is a Go client config for host trusting the case's CA.
func (x *env) config(host string) *tls.Config { return goConfig(x.pool, host) }

// Check builders. The client symptoms are client-symptoms.md's classes.

// curlFails expects curl to exit with code and name one of the texts.
// Exit 28 (a timeout) runs curl with the short holdTimeout.
func curlFails(exit int, texts ...string) check {
	return curlFailsArgs(nil, exit, texts...)
}

// curlFailsArgs is curlFails with extra curl arguments.
func curlFailsArgs(args []string, exit int, texts ...string) check {
	return curlFailsPath("/hello", args, exit, texts...)
}

// curlFailsPath is curlFailsArgs for another path.
func curlFailsPath(path string, args []string, exit int, texts ...string) check {
	return check{run: func(t *testing.T, x *env) string {
		limit := clientTimeout
		if exit == 28 {
			limit = holdTimeout
		}
		r := x.curl(t, limit, labHost, path, args...)
		r.want(t, exit, texts...)
		return r.client()
	}}
}

// curlGets expects curl to fetch path and get exactly the backend's body.
func curlGets(path string, args ...string) check {
	return check{run: func(t *testing.T, x *env) string {
		r := x.curl(t, clientTimeout, labHost, path, args...)
		r.want(t, 0)
		wantBody(t, "curl", r.body, path)
		return r.client()
	}}
}

// sslFails expects s_client to fail naming one of the texts.
func sslFails(texts ...string) check {
	return check{run: func(t *testing.T, x *env) string {
		runOpenSSL(t, clientTimeout, x.addr(), x.sClient(labHost)...).wantFail(t, texts...)
		return ""
	}}
}

// sslHangs expects s_client to connect and hang until killed.
func sslHangs() check {
	return check{run: func(t *testing.T, x *env) string {
		runOpenSSL(t, holdTimeout, x.addr(), x.sClient(labHost)...).wantHang(t)
		return ""
	}}
}

// goFails expects a Go handshake to fail with class (see wantGo); mod may
// change the client config. A timeout class gets the short holdTimeout
// deadline.
func goFails(class string, mod func(*tls.Config)) check {
	return check{run: func(t *testing.T, x *env) string {
		cfg := x.config(labHost)
		if mod != nil {
			mod(cfg)
		}
		limit := clientTimeout
		if class == "timeout" {
			limit = holdTimeout
		}
		c, local, err := goDial(t, x.addr(), cfg, limit)
		if c != nil {
			c.Close()
		}
		wantGo(t, err, class)
		return local
	}}
}

// goGets expects Go's net/http to fetch path with exactly the backend's
// body. Without keep-alive the request says Connection: close, so the
// backend closes after the response and tlsgate sends close_notify.
func goGets(path string) check { return goGetsWith(path, nil) }

// goGetsWith is goGets with mod applied to the client config.
func goGetsWith(path string, mod func(*tls.Config)) check {
	return check{run: func(t *testing.T, x *env) string {
		cfg := x.config(labHost)
		if mod != nil {
			mod(cfg)
		}
		resp, body, local, err := tg.Get(x.addr(), x.url(labHost, path), cfg, clientTimeout)
		if err != nil {
			t.Errorf("Go GET %s: %v", path, err)
			return local
		}
		if resp.StatusCode != 200 {
			t.Errorf("Go GET %s: status %s", path, resp.Status)
		}
		wantBody(t, "Go", body, path)
		return local
	}}
}

// goGetFails expects Go's net/http GET of path to fail with class.
func goGetFails(path, class string) check { return goGetFailsWith(path, class, nil) }

// goGetFailsWith is goGetFails with mod applied to the client config.
func goGetFailsWith(path, class string, mod func(*tls.Config)) check {
	return check{run: func(t *testing.T, x *env) string {
		limit := clientTimeout
		if class == "timeout" {
			limit = holdTimeout
		}
		cfg := x.config(labHost)
		if mod != nil {
			mod(cfg)
		}
		_, _, local, err := tg.Get(x.addr(), x.url(labHost, path), cfg, limit)
		wantGo(t, err, class)
		return local
	}}
}

// pyFails expects the Python ssl client to fail naming one of the texts.
// A TimeoutError expectation gets the short holdTimeout.
func pyFails(texts ...string) check {
	return check{run: func(t *testing.T, x *env) string {
		limit := clientTimeout
		if containsAny(strings.Join(texts, " "), "Timeout", "timed out") {
			limit = holdTimeout
		}
		r := runPython(t, x.addr(), labHost, x.caFile, "/hello", limit)
		r.wantErr(t, texts...)
		return pyClient(r)
	}}
}

// pyGets expects the Python ssl client to fetch path exactly.
func pyGets(path string, extra ...string) check {
	return check{run: func(t *testing.T, x *env) string {
		r := runPython(t, x.addr(), labHost, x.caFile, path, clientTimeout, extra...)
		if !r.ok || r.status != 200 {
			t.Errorf("python ssl GET %s: ok=%v status %d err %q", path, r.ok, r.status, r.err)
		}
		wantBody(t, "python", r.body, path)
		return pyClient(r)
	}}
}

func pyClient(r pyResult) string {
	if r.port == 0 {
		return ""
	}
	return fmt.Sprintf("127.0.0.1:%d", r.port)
}

// quiet marks a check whose client the rule must not select, or (a rule
// that fires only when it acts: mtu, rewrite) must not act on.
func quiet(c check) check {
	c.quiet = true
	return c
}

// wantBody compares a body with what the backend serves for path, byte for
// byte.
func wantBody(t *testing.T, who string, got []byte, path string) {
	t.Helper()
	want := expectedBody(path)
	if !bytes.Equal(got, want) {
		n := min(len(got), 64)
		t.Errorf("%s body for %s: %d bytes (starting %q), want %d bytes exactly as the backend sent them",
			who, path, len(got), got[:n], len(want))
	}
}

// expectedBody is what the backend answers for path.
func expectedBody(path string) []byte {
	var n int
	if _, err := fmt.Sscanf(path, "/size/%d", &n); err == nil {
		return payload(n)
	}
	if path == "/hsts" {
		return []byte("hsts body\n")
	}
	return []byte("backend path=" + path + "\n")
}

// wantFiring checks the firing's action against the rule and its symptom
// against the case's class.
func wantFiring(t *testing.T, e *connEvent, c faultCase) {
	t.Helper()
	f, ok := e.firing(c.name)
	if !ok {
		return // wantFired said so
	}
	if m := actionRe.FindStringSubmatch(c.rule); m != nil && f.Action != m[1] {
		t.Errorf("firing action %q, want %q", f.Action, m[1])
	}
	if c.symptom != "" && !strings.HasPrefix(f.Symptom, c.symptom) {
		t.Errorf("logged symptom %q, want the class %q", f.Symptom, c.symptom)
	}
}

// runCases starts one gateway with a listener and a rule per case and runs
// the cases in parallel, each client of a case after the previous one.
func runCases(t *testing.T, cases []faultCase) {
	t.Helper()
	be := startBackend(t, nil)
	var tlsBE *backend
	var beCert *tlsBackendCert
	var gc gateConfig
	for _, c := range cases {
		mode := terminate(be)
		if (c.pass || c.upstream != "") && tlsBE == nil {
			beCert = newTLSBackendCert(t)
			tlsBE = startBackend(t, &beCert.leaf)
		}
		switch {
		case c.pass:
			mode = passthrough(tlsBE)
		case c.upstream == "inspect":
			mode = fmt.Sprintf("mode = \"inspect\"\nbackend = %q\n[listener.server_ssl]\nca = %q\n", tlsBE.addr, beCert.caFile)
		case c.upstream == "server_ssl":
			mode = terminate(tlsBE) + fmt.Sprintf("[listener.server_ssl]\nca = %q\n", beCert.caFile)
		case c.plainAllow:
			mode += fmt.Sprintf("non_ssl = \"allow\"\nplain_backend = %q\n", be.addr)
		}
		gc.listeners = append(gc.listeners, spec{Name: c.name, TOML: mode})
		gc.faults = append(gc.faults, rule{name: c.name, toml: onListener(c.name, c.rule)})
	}
	g := startGate(t, gc)
	labPool := tg.PoolFromFile(t, g.CAPEM())
	t.Run("cases", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				x := &env{g: g, lis: c.name, be: be, caFile: g.CAPEM(), pool: labPool}
				switch {
				case c.pass:
					x.be, x.caFile, x.pool = tlsBE, beCert.caFile, beCert.pool
				case c.upstream != "":
					x.be = tlsBE
				}
				for i, chk := range c.checks {
					client := chk.run(t, x)
					e := g.nth(t, c.name, i+1)
					if client != "" && e.Client != client {
						t.Fatalf("check %d: event %d is from %s, want the client %s (clients of a case run one after another): %s",
							i+1, i+1, e.Client, client, e)
					}
					if chk.quiet {
						wantNotFired(t, e)
					} else {
						wantFired(t, e, c.name, c.stop)
						wantFiring(t, e, c)
						if c.event != nil {
							c.event(t, e)
						}
					}
					if chk.event != nil {
						chk.event(t, e)
					}
				}
			})
		}
	})
	g.stop(t)
}
