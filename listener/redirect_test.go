package listener

import (
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestRedirectKeepsTheTarget runs curl against a TLS listener whose
// non_ssl action is redirect. An extension method (WebDAV's PROPFIND) and
// an absolute-form target with an upper-case or https scheme used to lose
// their path (the Location said "/"), and the first was logged as
// "plaintext unknown". CONNECT and OPTIONS * cannot follow a 301 at all,
// so they get the readable 400, and the log says why: its summary names
// the redirect and the 400 it answered. An HTTP/1.0 request with no Host
// is redirected to the address it connected to, and the summary says so.
func TestRedirectKeepsTheTarget(t *testing.T) {
	bin := needTool(t, "curl", "curl")
	h := startListener(t, Options{Mode: Terminate, Backend: "127.0.0.1:1", NonSSL: NonSSLRedirect}, nil)
	_, port, _ := net.SplitHostPort(h.addr)
	base := "http://lab.test:" + port
	tests := []struct {
		name   string
		args   []string
		status string // and Location, as curl's -w prints them
		method string
		route  string
		saw    string
		sum    string // the summary's end
	}{
		{"propfind", []string{"-X", "PROPFIND", base + "/dav/x?depth=1"},
			"301 https://lab.test:" + port + "/dav/x?depth=1", "PROPFIND", "non_ssl_redirect", "301 redirect", "non_ssl action: redirect"},
		{"mkcol", []string{"-X", "MKCOL", base + "/dav/new/"},
			"301 https://lab.test:" + port + "/dav/new/", "MKCOL", "non_ssl_redirect", "301 redirect", "non_ssl action: redirect"},
		{"upper-case scheme", []string{"--request-target", "HTTP://Other.Test:" + port + "/Up/Case?q=1", base + "/"},
			"301 https://Other.Test:" + port + "/Up/Case?q=1", "GET", "non_ssl_redirect", "301 redirect", "non_ssl action: redirect"},
		{"https scheme", []string{"--request-target", "https://other.test/p", base + "/"},
			"301 https://other.test/p", "GET", "non_ssl_redirect", "301 redirect", "non_ssl action: redirect"},
		{"http/1.0 without host", []string{"--http1.0", "-H", "Host:", base + "/old?x=1"},
			"301 https://127.0.0.1:" + port + "/old?x=1", "GET", "non_ssl_redirect", "on the address the client connected to, 127.0.0.1:" + port,
			"non_ssl action: redirect (to the address the client connected to, 127.0.0.1:" + port + ": the request named no host)"},
		{"options asterisk", []string{"-X", "OPTIONS", "--request-target", "*", base + "/"},
			"400 ", "OPTIONS", "non_ssl_http400", "names no resource", "non_ssl action: redirect (answered 400: OPTIONS names no resource to redirect to)"},
		{"connect", []string{"-X", "CONNECT", "--request-target", "lab.test:443", base + "/"},
			"400 ", "CONNECT", "non_ssl_http400", "names no resource", "non_ssl action: redirect (answered 400: CONNECT names no resource to redirect to)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"-q", "-sS", "--noproxy", "*", "--max-time", "20", "-o", os.DevNull,
				"-w", "%{http_code} %header{location}", "--resolve", "lab.test:" + port + ":127.0.0.1"}, tt.args...)
			_, stdout, stderr := runTool(t, bin, args...)
			if stdout != tt.status {
				t.Errorf("curl %q printed %q (stderr %q), want %q", tt.args, stdout, stderr, tt.status)
			}
			r := h.next()
			if r.o.HTTP == nil || r.o.HTTP.Method != tt.method || r.o.Kind.String() != "http" {
				t.Errorf("logged kind %v request %+v, want http %s", r.o.Kind, r.o.HTTP, tt.method)
			}
			if r.o.Route != tt.route || r.d.Code != explain.CodePlaintextOnTLS || !strings.Contains(r.d.ClientSaw, tt.saw) {
				t.Errorf("route %q code %q client saw %q; want %s, plaintext_on_tls saying %q", r.o.Route, r.d.Code, r.d.ClientSaw, tt.route, tt.saw)
			}
			if strings.Contains(r.d.Summary, "unknown") || !strings.HasSuffix(r.d.Summary, tt.sum) {
				t.Errorf("summary %q", r.d.Summary)
			}
			// The evidence says what the summary says: the action
			// configured, and the 400 when it answered that instead.
			action := "redirect"
			if tt.route == "non_ssl_http400" {
				action = "redirect (answered 400)"
			}
			if !slices.Contains(r.d.Evidence, explain.Evidence{Key: "non_ssl_action", Value: action}) {
				t.Errorf("evidence %+v, want non_ssl_action %q", r.d.Evidence, action)
			}
		})
	}
}

// TestRedirectRefusesProxyTunnel: curl using the TLS port as an HTTP
// proxy sends CONNECT and reads the 400 as a failed tunnel, which is
// what the explanation tells the user to expect.
func TestRedirectRefusesProxyTunnel(t *testing.T) {
	bin := needTool(t, "curl", "curl")
	h := startListener(t, Options{Mode: Terminate, Backend: "127.0.0.1:1", NonSSL: NonSSLRedirect}, nil)
	exit, _, stderr := runTool(t, bin, "-q", "-sS", "--max-time", "20", "-o", os.DevNull,
		"-x", "http://"+h.addr, "https://lab.test/")
	r := h.next()
	if exit == 0 || !strings.Contains(stderr, "CONNECT tunnel failed, response 400") || !strings.Contains(r.d.ClientSaw, "CONNECT tunnel failed, response 400") {
		t.Errorf("curl exit %d said %q; log says the client saw %q", exit, stderr, r.d.ClientSaw)
	}
}

// TestUndecidedPlaintextOnTLSPort: an upper-case token may still become
// an extension method's request line, so sniff waits for the line end,
// but bytes that cannot begin TLS are plaintext on a TLS port whatever
// comes after them: a client that stops or leaves after them is still
// explained as plaintext_on_tls, not as a client that left before a
// decision.
func TestUndecidedPlaintextOnTLSPort(t *testing.T) {
	for _, end := range []string{"fin", "stall"} {
		for _, first := range []string{"PROPF", "XYZZY /x HTTP/1."} {
			t.Run(end+"/"+first, func(t *testing.T) {
				h := startListener(t, Options{Mode: Terminate, Backend: "127.0.0.1:1", PeekTimeout: 300 * time.Millisecond}, nil)
				c, err := net.Dial("tcp", h.addr)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				if _, err := io.WriteString(c, first); err != nil {
					t.Fatal(err)
				}
				if end == "fin" {
					_ = c.(*net.TCPConn).CloseWrite()
				}
				r := h.next()
				if r.d.Code != explain.CodePlaintextOnTLS || string(r.o.FirstBytes) != first {
					t.Errorf("code %q first bytes %q (peek end %v, route %q), want plaintext_on_tls", r.d.Code, r.o.FirstBytes, r.o.PeekEnd, r.o.Route)
				}
			})
		}
	}
}
