package e2e

import (
	"fmt"
	"net"
	"strings"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// Cases 10 and 11: the backend leg (refused, server-ssl verification) and
// the auto listener that splits TLS and plaintext clients on one port.
func TestBackendLeg(t *testing.T) {
	t.Parallel()
	backendCA := tg.NewCA(t, "e2e backend CA")
	rogueCA := tg.NewCA(t, "e2e untrusted CA")
	good := backendCA.Leaf(t, []string{"backend.test"}, net.IPv4(127, 0, 0, 1))
	rogue := rogueCA.Leaf(t, []string{"backend.test"}, net.IPv4(127, 0, 0, 1))
	tlsBE := startHTTPBackend(t, "tls", &good, nil)
	rogueBE := startHTTPBackend(t, "rogue", &rogue, nil)
	plainBE := startHTTPBackend(t, "plain", nil, nil)
	caFile := backendCA.Write(t, t.TempDir(), "backend-ca.pem")
	closed := loopback(closedPort(t))    // nothing listens here
	silent := loopback(blackholePort(t)) // connects go unanswered

	serverSSL := func(extra string) string {
		return fmt.Sprintf("[listener.server_ssl]\nca = %q\nverify = true\n%s", caFile, extra)
	}
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "refused", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n", closed)},
		{Name: "timeout", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\ndial_timeout = \"500ms\"\n", silent)},
		// No ca: the system pool, which does not hold the rogue CA.
		{Name: "untrusted", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n[listener.server_ssl]\nverify = true\n", rogueBE.addr)},
		{Name: "trusted", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n", tlsBE.addr) + serverSSL("")},
		{Name: "wrongname", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n", tlsBE.addr) + serverSSL("server_name = \"wrong.test\"\n")},
		{Name: "auto", TOML: fmt.Sprintf("mode = \"auto\"\nbackend = %q\nplain_backend = %q\nclient_ssl = {}\n", tlsBE.addr, plainBE.addr) + serverSSL("")},
		// No client_ssl: the auto listener passes TLS through, as sslh does.
		{Name: "autopass", TOML: fmt.Sprintf("mode = \"auto\"\nbackend = %q\nplain_backend = %q\n", tlsBE.addr, plainBE.addr)},
	}})
	https := func(name, path string) curlResult {
		return runCurl(t, "--cacert", g.CAPEM(), "https://"+g.Addr(name)+path)
	}

	t.Run("refused", func(t *testing.T) {
		r := https("refused", "/")
		// The client's handshake succeeded; then tlsgate resets it.
		r.wantExit(t, resetAfterHandshake...)
		e := g.curlEvent(t, "refused", r)
		wantCode(t, e, "backend_refused")
		wantLines(t, e)
		if !e.ClientTLS.Done || e.Backend.Addr != closed || !strings.Contains(e.Backend.Err, "refused") {
			t.Errorf("client_tls.done %v backend %q err %q", e.ClientTLS.Done, e.Backend.Addr, e.Backend.Err)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		r := https("timeout", "/")
		r.wantExit(t, resetAfterHandshake...)
		e := g.curlEvent(t, "timeout", r)
		wantCode(t, e, "backend_timeout")
		wantLines(t, e)
		if !e.ClientTLS.Done || e.Backend.Addr != silent {
			t.Errorf("client_tls.done %v backend %q err %q", e.ClientTLS.Done, e.Backend.Addr, e.Backend.Err)
		}
	})

	// verifyFailed checks the server-side group: tlsgate's own address on
	// the left (the backend saw a connection from it), the backend right.
	verifyFailed := func(t *testing.T, e *connEvent, be *backend, text string) {
		t.Helper()
		wantCode(t, e, "backend_tls_verify")
		left := e.Backend.Local
		if !ephemeralRe.MatchString(left) || !be.sawPeer(left) {
			t.Errorf("backend local %q: not an address the backend %s saw (%v)", left, be.addr, be.remotes)
		}
		wantLines(t, e, handshakeFailed(left, be.addr))
		if !strings.Contains(e.Backend.TLS.Verify+e.Backend.TLS.Err, text) {
			t.Errorf("backend tls verify %q err %q, want %q", e.Backend.TLS.Verify, e.Backend.TLS.Err, text)
		}
		if e.Backend.TLS.Done {
			t.Errorf("backend handshake marked done after a verification failure")
		}
	}

	t.Run("untrusted_ca", func(t *testing.T) {
		r := https("untrusted", "/")
		r.wantExit(t, resetAfterHandshake...)
		verifyFailed(t, g.curlEvent(t, "untrusted", r), rogueBE, "unknown authority")
	})

	t.Run("trusted_ca", func(t *testing.T) {
		r := https("trusted", "/re-encrypted")
		r.wantExit(t, 0)
		if !strings.HasPrefix(r.body, "backend=tls path=/re-encrypted") {
			t.Errorf("body %q", r.body)
		}
		e := g.eventFrom(t, "trusted", r.client(t))
		wantCode(t, e, "ok")
		if !e.Backend.TLS.Done || e.Backend.TLS.Version != "TLS 1.3" || e.Backend.Remote != tlsBE.addr {
			t.Errorf("backend leg %+v remote %q, want a TLS 1.3 handshake with %s", e.Backend.TLS, e.Backend.Remote, tlsBE.addr)
		}
		wantSessionLines(t, e, "TLSv1.3")
	})

	t.Run("wrong_server_name", func(t *testing.T) {
		r := https("wrongname", "/")
		r.wantExit(t, resetAfterHandshake...)
		verifyFailed(t, g.curlEvent(t, "wrongname", r), tlsBE, "wrong.test")
	})

	t.Run("auto_plain_and_tls_on_one_port", func(t *testing.T) {
		plain := runCurl(t, "http://"+g.Addr("auto")+"/p")
		plain.wantExit(t, 0)
		if !strings.HasPrefix(plain.body, "backend=plain path=/p") {
			t.Errorf("http:// body %q, want the plain backend", plain.body)
		}
		e := g.eventFrom(t, "auto", plain.client(t))
		wantCode(t, e, "ok")
		if e.Route != "plain" || e.Backend.Remote != plainBE.addr {
			t.Errorf("route %q backend %q", e.Route, e.Backend.Remote)
		}

		sec := https("auto", "/s")
		sec.wantExit(t, 0)
		if !strings.HasPrefix(sec.body, "backend=tls path=/s") {
			t.Errorf("https:// body %q, want the TLS backend", sec.body)
		}
		e = g.eventFrom(t, "auto", sec.client(t))
		wantCode(t, e, "ok")
		if e.Route != "terminate" || e.Backend.Remote != tlsBE.addr || !e.ClientTLS.Done {
			t.Errorf("route %q backend %q client_tls %+v", e.Route, e.Backend.Remote, e.ClientTLS)
		}
	})

	t.Run("auto_without_client_ssl_passes_tls_through", func(t *testing.T) {
		// The backend's own certificate reaches curl: trusting the backend
		// CA (not the lab CA) is what makes the handshake succeed.
		_, port, err := net.SplitHostPort(g.Addr("autopass"))
		if err != nil {
			t.Fatal(err)
		}
		sec := runCurl(t, "--cacert", caFile, "--resolve", "backend.test:"+port+":127.0.0.1", "https://backend.test:"+port+"/s")
		sec.wantExit(t, 0)
		if !strings.HasPrefix(sec.body, "backend=tls path=/s") {
			t.Errorf("https:// body %q, want the TLS backend", sec.body)
		}
		e := g.eventFrom(t, "autopass", sec.client(t))
		wantCode(t, e, "ok")
		if e.Route != "passthrough" || e.Backend.Remote != tlsBE.addr {
			t.Errorf("route %q backend %q, want passthrough to %s", e.Route, e.Backend.Remote, tlsBE.addr)
		}
		plain := runCurl(t, "http://"+g.Addr("autopass")+"/p")
		plain.wantExit(t, 0)
		if !strings.HasPrefix(plain.body, "backend=plain path=/p") {
			t.Errorf("http:// body %q, want the plain backend", plain.body)
		}
	})
	g.stop(t)
}
