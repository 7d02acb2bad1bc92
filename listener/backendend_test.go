package listener

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// endingBackend accepts and ends each connection before a byte of answer:
// with a reset (SO_LINGER 0, then close) or a FIN, at once or, with cfg,
// right after its TLS handshake. answer instead reads a request and
// answers it before its FIN, as a server that legitimately closes does.
func endingBackend(t *testing.T, cfg *tls.Config, reset, answer bool) string {
	t.Helper()
	return serveEach(t, nil, func(c net.Conn) {
		raw := c.(*net.TCPConn)
		_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
		if cfg != nil {
			tc := tls.Server(c, cfg)
			if tc.Handshake() != nil {
				return
			}
			c = tc
		}
		if answer {
			skipHeaders(bufio.NewReader(c))
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
			return
		}
		if reset {
			_ = raw.SetLinger(0)
		}
		_ = raw.Close()
	})
}

// TestBackendEndsBeforeAnswer: a backend that resets or closes right
// after it accepted (on a server_ssl listener, right after its TLS
// handshake) sends curl's request no answer. curl prints (52), (56), (55),
// (18) or (16) depending on the order of the FIN and the reset; the log
// says, every time and on both engines, that the backend ended the
// connection before a byte (backend_closed_early; on passthrough the
// hello got no answer, backend_no_server_hello), and its client-saw words
// name what curl printed. It was logged ok in some runs (the reset seen
// only on tlsgate's write of the request, or a FIN that looks like a
// clean end). A backend that answers and closes stays ok.
func TestBackendEndsBeforeAnswer(t *testing.T) {
	var tlsCfg *tls.Config
	_, _ = tlsBackendWith(t, func(c *tls.Config) { tlsCfg = c })
	both, goroutines := []Engine{EngineGoroutines, EngineEpoll}, []Engine{EngineGoroutines}
	modes := []struct {
		name       string
		opts       Options
		engines    []Engine
		https      bool
		backendTLS bool   // the backend handshakes first (server_ssl)
		code       string // for a backend that ends before a byte
	}{
		{"plaintext", Options{Mode: Plaintext}, both, false, false, explain.CodeBackendClosedEarly},
		{"auto-plain", Options{Mode: Auto}, both, false, false, explain.CodeBackendClosedEarly},
		{"passthrough", Options{Mode: Passthrough}, both, true, false, explain.CodeBackendNoServerHello},
		{"terminate", Options{Mode: Terminate, ClientSSL: &ClientSSL{}}, goroutines, true, false, explain.CodeBackendClosedEarly},
		{"terminate-server_ssl", Options{Mode: Terminate, ClientSSL: &ClientSSL{}, ServerSSL: &ServerSSL{}}, goroutines, true, true, explain.CodeBackendClosedEarly},
		{"inspect", Options{Mode: Inspect, ServerSSL: &ServerSSL{}}, goroutines, true, true, explain.CodeBackendClosedEarly},
	}
	ends := []struct {
		name          string
		reset, answer bool
	}{{"reset", true, false}, {"fin", false, false}, {"answer", false, true}}
	for _, m := range modes {
		for _, end := range ends {
			for _, proto := range []string{"http1.1", "http2"} {
				if proto == "http2" && (!m.https || end.answer || m.opts.Mode == Passthrough) {
					continue
				}
				if end.answer && m.opts.Mode == Passthrough {
					continue // a TLS answer is TestEnginesAgree's passthrough/tls
				}
				for _, eng := range m.engines {
					t.Run(fmt.Sprintf("%s/%s/%s/%s", m.name, end.name, proto, eng), func(t *testing.T) {
						if eng == EngineEpoll {
							needEpoll(t)
						}
						var cfg *tls.Config
						if m.backendTLS {
							cfg = tlsCfg
						}
						backend := endingBackend(t, cfg, end.reset, end.answer)
						opts := m.opts
						opts.Name, opts.Engine, opts.Backend = "ends", eng, backend
						if opts.Mode == Auto {
							opts.PlainBackend = backend
						}
						h := startListener(t, opts, nil)
						_, port, _ := net.SplitHostPort(h.addr)
						args := []string{"-q", "-sS", "--noproxy", "*", "--max-time", "20", "-o", "/dev/null", "-k",
							"--resolve", "lab.test:" + port + ":127.0.0.1"}
						scheme := "http"
						if m.https {
							scheme = "https"
							args = append(args, "--"+proto)
						}
						exit, _, stderr := runTool(t, needTool(t, "curl", "curl"), append(args, scheme+"://lab.test:"+port+"/ends")...)
						r := h.next()
						if end.answer {
							if exit != 0 || r.d.Code != explain.CodeOK {
								t.Errorf("curl exit %d (%s), code %s (%s); want an answer, logged ok", exit, strings.TrimSpace(stderr), r.d.Code, r.d.Summary)
							}
							return
						}
						if r.d.Code != m.code || r.d.OK || r.o.BytesDown != 0 {
							t.Errorf("code %s (%s), %d bytes down, end %q, first FIN %q; want %s (curl exit %d: %s)",
								r.d.Code, r.d.Summary, r.o.BytesDown, r.o.End, r.o.FirstFIN, m.code, exit, strings.TrimSpace(stderr))
						}
						if exit == 0 || !strings.Contains(r.d.ClientSaw, fmt.Sprintf("(%d)", exit)) {
							t.Errorf("curl exit %d (%s); the log's client saw does not name it: %s", exit, strings.TrimSpace(stderr), r.d.ClientSaw)
						}
					})
				}
			}
		}
	}
}
