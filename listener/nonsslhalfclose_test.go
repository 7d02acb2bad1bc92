package listener

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestNonSSLAnswersHalfClosedRequest: a client that sends a bare request
// line (no Host, no blank line) to a TLS listener and half-closes has
// said all it will: http400 and redirect answer it as a whole request,
// then close with a FIN, on every engine a TLS listener runs, with a real
// client socket (Go's CloseWrite: curl cannot half-close). Without a Host
// a redirect has nowhere to point, so it gets the 400 too, and the log
// says why; one whose request line names its host (absolute form) is
// redirected there. It used to get a reset, and so did a request line cut
// short ("GET / HT"), which no more bytes can complete either.
func TestNonSSLAnswersHalfClosedRequest(t *testing.T) {
	engines := relayEngines()
	modes := []struct {
		mode Mode
		tls  *ClientSSL
	}{{Passthrough, nil}, {Terminate, &ClientSSL{}}, {Inspect, &ClientSSL{}}}
	answers := []struct {
		action NonSSL
		send   string
		status string // the answer's status line
		route  string
		saw    string // in the diagnosis' client saw
	}{
		{NonSSLHTTP400, "GET / HTTP/1.0\r\n", "HTTP/1.1 400 Bad Request", "non_ssl_http400", "400"},
		{NonSSLHTTP400, "GET / HT", "HTTP/1.1 400 Bad Request", "non_ssl_http400", "400"},
		{NonSSLRedirect, "GET / HTTP/1.0\r\n", "HTTP/1.1 400 Bad Request", "non_ssl_http400", "named no host"},
		{NonSSLRedirect, "GET http://lab.test/p HTTP/1.0\r\n", "HTTP/1.1 301 Moved Permanently", "non_ssl_redirect", "301 redirect"},
		{NonSSLRedirect, "GET /p HTTP/1.1\r\nHost: lab.test\r\n", "HTTP/1.1 301 Moved Permanently", "non_ssl_redirect", "301 redirect"},
		{NonSSLRedirect, "GET /p HTTP/1.0\r\n\r\n", "HTTP/1.1 301 Moved Permanently", "non_ssl_redirect", "on the address the client connected to"},
	}
	for _, eng := range engines {
		for _, m := range modes {
			for _, a := range answers {
				t.Run(fmt.Sprintf("%s/%s/%s/%q", eng, m.mode, a.action, a.send), func(t *testing.T) {
					opts := Options{Mode: m.mode, Backend: "127.0.0.1:1", NonSSL: a.action, ClientSSL: m.tls, Engine: eng}
					if eng != EngineGoroutines {
						needEpoll(t)
						if FastPathBlocker(opts) != "" {
							t.Skipf("%s does not run %s", eng, m.mode)
						}
					}
					h := startListener(t, opts, nil)
					c, err := net.Dial("tcp", h.addr)
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
					if _, err := io.WriteString(c, a.send); err != nil {
						t.Fatal(err)
					}
					if err := c.(*net.TCPConn).CloseWrite(); err != nil {
						t.Fatal(err)
					}
					got, err := io.ReadAll(c)
					if err != nil {
						t.Errorf("read the answer: %v (a reset: %v)", err, errors.Is(err, syscall.ECONNRESET))
					}
					if !strings.HasPrefix(string(got), a.status+"\r\n") {
						t.Errorf("answer %q, want %s", got, a.status)
					}
					r := h.next()
					if r.o.Route != a.route || r.d.Code != explain.CodePlaintextOnTLS || !strings.Contains(r.d.ClientSaw, a.saw) {
						t.Errorf("route %q code %q client saw %q; want %s, plaintext_on_tls saying %q", r.o.Route, r.d.Code, r.d.ClientSaw, a.route, a.saw)
					}
				})
			}
		}
	}
}
