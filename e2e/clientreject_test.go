package e2e

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// wantClientRejected checks the event of a client that refused the
// passthrough backend's certificate: that diagnosis and variant's words,
// no BIG-IP line (a passthrough virtual logs none), the client's bytes
// after its hello as evidence.
func wantClientRejected(t *testing.T, e *connEvent, summary, evidence string) {
	t.Helper()
	wantCode(t, e, "client_rejected_backend")
	wantLines(t, e)
	if e.Route != "passthrough" {
		t.Errorf("route %q, want passthrough", e.Route)
	}
	if !strings.Contains(e.Summary, summary) {
		t.Errorf("summary %q, want %q", e.Summary, summary)
	}
	if got := e.Evidence["client_end"]; !strings.Contains(got, evidence) {
		t.Errorf("evidence client_end %q, want %q", got, evidence)
	}
	if !strings.Contains(e.Cause, "not tlsgate's lab CA") || !strings.Contains(e.Cause, "no BIG-IP line is shown") ||
		!strings.Contains(strings.Join(e.Checks, "\n"), "-showcerts") {
		t.Errorf("cause %q / checks %q do not point at the backend's chain", e.Cause, e.Checks)
	}
}

// TestPassthroughClientRejectsBackendCert: the classic ticket. An openssl
// s_server backend's certificate is signed by a CA the clients do not
// trust; behind passthrough listeners on both engines, curl (TLS 1.2 and
// 1.3), openssl s_client -verify_return_error and Go refuse it. tlsgate
// only relays, and logged ok; it now explains the client's refusal. The
// same backend with the CA trusted, and a handshake closed at once, stay ok.
func TestPassthroughClientRejectsBackendCert(t *testing.T) {
	t.Parallel()
	ca := tg.NewCA(t, "e2e untrusted backend CA")
	backend := startSServer(t, ca)
	caFile := ca.Write(t, t.TempDir(), "ca.pem")
	var listeners []spec
	for _, engine := range []string{"epoll", "goroutines"} {
		listeners = append(listeners, spec{Name: engine,
			TOML: fmt.Sprintf("mode = \"passthrough\"\nbackend = %q\nengine = %q\n", backend, engine)})
	}
	g := startGate(t, gateConfig{listeners: listeners})
	for _, name := range []string{"epoll", "goroutines"} {
		t.Run(name, func(t *testing.T) {
			addr := g.Addr(name)
			_, port, _ := net.SplitHostPort(addr)
			// s_client first: it cannot name its port, so its event is
			// the listener's first. OpenSSL sends its TLS 1.3 certificate
			// alert in the clear (client-symptoms.md §8.4).
			code, out := runOpenSSL(t, addr, "-servername", "lab.test", "-verify_return_error")
			if code == 0 || !strings.Contains(out, "verify error:num=20:unable to get local issuer certificate") {
				t.Errorf("openssl exit %d, want verify error 20:\n%s", code, out)
			}
			wantClientRejected(t, g.onlyEvent(t, name), "with alert 48 unknown_ca", "fatal 48 unknown_ca (read)")

			for _, tc := range []struct{ name, max string }{{"curl tls1.2", "1.2"}, {"curl tls1.3", "1.3"}} {
				r := runCurl(t, "--tls-max", tc.max, "--resolve", "lab.test:"+port+":127.0.0.1", "https://lab.test:"+port+"/")
				r.wantExit(t, 60)
				if !strings.Contains(r.stderr, "unable to get local issuer certificate") {
					t.Errorf("%s: stderr %q, want unable to get local issuer certificate", tc.name, r.stderr)
				}
				wantClientRejected(t, g.curlEvent(t, name, r), "with alert 48 unknown_ca", "fatal 48 unknown_ca (read)")
			}

			for _, max := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
				c, local, err := goTLS(t, addr, &tls.Config{ServerName: "lab.test", MaxVersion: max})
				if c != nil {
					c.Close()
				}
				if err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") {
					t.Errorf("Go %x: handshake error %v, want unknown authority", max, err)
				}
				e := g.eventFrom(t, name, local)
				if max == tls.VersionTLS12 {
					wantClientRejected(t, e, "with alert 42 bad_certificate", "fatal 42 bad_certificate (read)")
				} else {
					wantClientRejected(t, e, "with an encrypted alert", "one application_data record of 19 bytes")
				}
			}

			// Trusted, the same backend works and stays ok.
			r := runCurl(t, "--cacert", caFile, "--resolve", "lab.test:"+port+":127.0.0.1", "https://lab.test:"+port+"/")
			r.wantExit(t, 0)
			wantCode(t, g.curlEvent(t, name, r), "ok")
			for _, max := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
				// A handshake, then close_notify at once: short, not refused.
				c, local, err := goTLS(t, addr, &tls.Config{ServerName: "lab.test", MaxVersion: max, RootCAs: ca.Pool()})
				if err != nil {
					t.Fatalf("Go %x: trusted handshake: %v", max, err)
				}
				c.Close()
				wantCode(t, g.eventFrom(t, name, local), "ok")
			}
		})
	}
	g.stop(t)
}
