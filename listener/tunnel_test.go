package listener

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// tunnelBackend is a TLS server for lab.test answering one request per
// connection with the SNI it saw; it returns its address, its
// certificate as a PEM file (for curl --cacert) and as a pool (for Go).
func tunnelBackend(t *testing.T) (string, string, *x509.CertPool) {
	t.Helper()
	der, key, roots := labTestLeaf(t)
	caFile := filepath.Join(t.TempDir(), "backend.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		t.Fatal(err)
	}
	addr := serveEach(t, ln, func(c net.Conn) {
		tc := c.(*tls.Conn)
		_ = tc.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
		if !skipHeaders(bufio.NewReader(tc)) {
			return
		}
		body := "tunnelled to sni=" + tc.ConnectionState().ServerName
		fmt.Fprintf(tc, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	})
	return addr, caFile, roots
}

// tunnelListener starts a plaintext listener with connect = "tunnel" in
// front of backend, with rules (none: no fault engine).
func tunnelListener(t *testing.T, backend string, rules ...faults.Rule) *harness {
	t.Helper()
	var e *faults.Engine
	if len(rules) > 0 {
		e = faults.NewEngine(nil)
		if err := e.Set(rules); err != nil {
			t.Fatal(err)
		}
	}
	return startListenerDeps(t, Options{Mode: Plaintext, Backend: backend, Connect: ConnectTunnel}, func(d *Deps) { d.Faults = e })
}

// TestConnectTunnelCurl: curl with -x reaches the TLS backend through a
// connect = "tunnel" listener and gets its answer; the log has the CONNECT's
// authority, the tunnel's ClientHello (SNI, JA4) and a working relay.
func TestConnectTunnelCurl(t *testing.T) {
	backend, caFile, _ := tunnelBackend(t)
	h := tunnelListener(t, backend)
	exit, stdout, stderr := runTool(t, needTool(t, "curl", "curl"), "-q", "-sS", "--max-time", "20", "--noproxy", "", "-x", "http://"+h.addr,
		"--cacert", caFile, "https://lab.test:8443/")
	if exit != 0 || stdout != "tunnelled to sni=lab.test" {
		t.Fatalf("curl exit %d, body %q, want 0 and the backend's answer:\n%s", exit, stdout, stderr)
	}
	r := h.next()
	o := r.o
	if o.Connect.Authority != "lab.test:8443" || o.Connect.Status != 200 || o.Route != "passthrough" || o.Backend.Addr != backend {
		t.Errorf("connect %+v route %q backend %q; want lab.test:8443 answered 200, passed through to %s", o.Connect, o.Route, o.Backend.Addr, backend)
	}
	if o.Hello == nil || o.Hello.ServerName != "lab.test" || o.JA4 == "" || o.HTTP != nil {
		t.Errorf("hello %+v ja4 %q http %+v; want the tunnel's ClientHello for lab.test, and no HTTP request (the CONNECT was the proxy's)", o.Hello, o.JA4, o.HTTP)
	}
	if r.d.Code != explain.CodeOK || !hasEvidence(r.d, "connect", "CONNECT lab.test:8443 → 200") || !hasEvidence(r.d, "sni", "lab.test") {
		t.Errorf("diagnosis %s %q, evidence %+v; want ok with the CONNECT and the SNI", r.d.Code, r.d.Summary, r.d.Evidence)
	}
}

// TestConnectPolicyCurl: a connect_policy rule refuses the CONNECT with its
// status, which curl reports in its own words (curl 7.88.1: exit 56), the
// backend never dialled (nothing listens there); a 407 asks for Basic
// credentials. The sni selector matches the CONNECT's host: another host
// passes.
func TestConnectPolicyCurl(t *testing.T) {
	for _, status := range []int{0, 403, 407, 502} {
		want := status
		if want == 0 {
			want = 403
		}
		name := fmt.Sprint(want)
		if status == 0 {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			h := tunnelListener(t, "127.0.0.1:1", faults.Rule{Name: "proxy-acl", Action: faults.ActConnectPolicy, Status: status, SNI: "*.test"})
			args := []string{"-q", "-sS", "-v", "--max-time", "20", "--noproxy", "", "-x", "http://" + h.addr}
			wantAuth := ""
			if want == 407 {
				// Credentials change nothing (the rule plays a proxy that
				// rejects them), but the log says they came, and how.
				args, wantAuth = append(args, "--proxy-user", "u:p"), "Basic"
			}
			exit, _, stderr := runTool(t, needTool(t, "curl", "curl"), append(args, "https://app.test/")...)
			wantErr := fmt.Sprintf("curl: (56) CONNECT tunnel failed, response %d", want)
			if exit != 56 || !strings.Contains(stderr, wantErr) {
				t.Errorf("curl exit %d, want 56 and %q:\n%s", exit, wantErr, stderr)
			}
			if want == 407 && !strings.Contains(stderr, "< Proxy-Authenticate: Basic realm=\"tlsgate\"") {
				t.Errorf("a 407 without Proxy-Authenticate:\n%s", stderr)
			}
			r := h.next()
			o := r.o
			if o.Route != "fault_connect_policy" || o.Connect.Status != want || o.Connect.Authority != "app.test:443" ||
				!slices.Equal(o.Faults, []string{"proxy-acl"}) || o.Backend.Attempted || o.Connect.ProxyAuth != wantAuth {
				t.Errorf("route %q connect %+v faults %v backend %+v; want the CONNECT refused with %d by proxy-acl, no backend", o.Route, o.Connect, o.Faults, o.Backend, want)
			}
			if r.d.Code != explain.CodeFaultInjected || !strings.Contains(r.d.ClientSaw, wantErr[len("curl: "):]) ||
				!strings.Contains(r.d.Cause, "explicit proxy") {
				t.Errorf("diagnosis %s, cause %q, client saw %q; want fault_injected naming the proxy and curl's words", r.d.Code, r.d.Cause, r.d.ClientSaw)
			}
		})
	}
	t.Run("other host passes", func(t *testing.T) {
		backend, caFile, _ := tunnelBackend(t)
		h := tunnelListener(t, backend, faults.Rule{Name: "proxy-acl", Action: faults.ActConnectPolicy, SNI: "blocked.example"})
		exit, stdout, stderr := runTool(t, needTool(t, "curl", "curl"), "-q", "-sS", "--max-time", "20", "--noproxy", "", "-x", "http://"+h.addr,
			"--cacert", caFile, "https://lab.test/")
		if exit != 0 || stdout != "tunnelled to sni=lab.test" {
			t.Errorf("curl exit %d body %q:\n%s", exit, stdout, stderr)
		}
		if r := h.next(); len(r.o.Faults) != 0 || r.o.Connect.Status != 200 {
			t.Errorf("faults %v connect %+v; want none fired and the tunnel open", r.o.Faults, r.o.Connect)
		}
	})
}

// TestConnectTunnelGoProxy: Go's net/http with Transport.Proxy through the
// tunnel, and refused: the client's error is the proxy's status text
// (Go 1.26: `Get "https://…": Forbidden`; "proxyconnect tcp:" prefixes
// only a failure to reach the proxy).
func TestConnectTunnelGoProxy(t *testing.T) {
	backend, _, roots := tunnelBackend(t)
	get := func(h *harness) (string, error) {
		proxy := &url.URL{Scheme: "http", Host: h.addr}
		c := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(proxy), TLSClientConfig: &tls.Config{RootCAs: roots}}}
		resp, err := c.Get("https://lab.test/")
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	body, err := get(tunnelListener(t, backend))
	if err != nil || body != "tunnelled to sni=lab.test" {
		t.Errorf("Go through the tunnel: %q, %v", body, err)
	}
	h := tunnelListener(t, backend, faults.Rule{Name: "acl", Action: faults.ActConnectPolicy})
	if _, err := get(h); err == nil || !strings.HasSuffix(err.Error(), ": Forbidden") {
		t.Errorf("Go refused: %v, want an error ending in \": Forbidden\"", err)
	}
	if r := h.next(); r.o.Route != "fault_connect_policy" || !strings.Contains(r.d.ClientSaw, `Get "https://…": Forbidden`) {
		t.Errorf("route %q, client saw %q", r.o.Route, r.d.ClientSaw)
	}
}

// hasEvidence says d has evidence key whose value contains want.
func hasEvidence(d *explain.Diagnosis, key, want string) bool {
	return slices.ContainsFunc(d.Evidence, func(e explain.Evidence) bool { return e.Key == key && strings.Contains(e.Value, want) })
}
