package listener

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// handshakeThenEnd is a real crypto/tls backend that completes each
// handshake, reads the client's request, and then either ends without a
// byte of answer (a FIN, or with reset a reset: SO_LINGER 0) or, with
// answer, answers it and closes with its close_notify, as a server that
// legitimately closes does. Under TLS 1.3 crypto/tls sends its session
// tickets with its Finished, so they go down before the request.
func handshakeThenEnd(t *testing.T, cfg *tls.Config, reset, answer bool) string {
	t.Helper()
	return serveEach(t, nil, func(c net.Conn) {
		raw := c.(*net.TCPConn)
		_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
		tc := tls.Server(c, cfg)
		if tc.Handshake() != nil {
			return
		}
		br := bufio.NewReader(tc)
		skipHeaders(br)
		if answer {
			_, _ = io.WriteString(tc, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
			_ = tc.Close()
			return
		}
		if reset {
			_ = raw.SetLinger(0)
		}
		_ = raw.Close()
	})
}

// goGet is a Go net/http client's request through the listener at addr,
// capped at version max, and the error it returned ("" for an answer).
func goGet(addr string, max uint16) string {
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true, ServerName: "lab.test", MaxVersion: max},
		DisableKeepAlives: true,
		DialContext:       (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
	}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 20 * time.Second}
	resp, err := cl.Get("https://" + addr + "/closed")
	if err != nil {
		return err.Error()
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return ""
}

// TestPassthroughClosedAfterHandshake: a passthrough backend that
// completes the TLS handshake and then closes (a FIN) or resets without
// answering the client's request. The handshake's bytes went down, so
// the relay took them for an answer and logged ok (the FIN) or a reset
// mid-stream; the records' headers say the request got nothing back
// (backend_closed_early/after_handshake and /after_handshake_reset), on
// every engine that serves passthrough, under TLS 1.2 and 1.3, driven by
// real curl and by Go's net/http. A backend that answers and then closes
// stays ok (under TLS 1.3 its session tickets went down before the
// request and the answer after it).
func TestPassthroughClosedAfterHandshake(t *testing.T) {
	var base *tls.Config
	_, _ = tlsBackendWith(t, func(c *tls.Config) { base = c })
	engines := relayEngines()
	ends := []struct {
		name          string
		reset, answer bool
		summary       string // of the variant the log names
	}{
		{"fin", false, false, "completed the TLS handshake with 127.0.0.1:"},
		{"reset", true, false, "then reset the connection without answering"},
		{"answer", false, true, ""},
	}
	for _, eng := range engines {
		for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
			for _, end := range ends {
				for _, client := range []string{"curl", "go"} {
					name := fmt.Sprintf("%s/%s/%s/%s", eng, explain.VersionName(v), end.name, client)
					t.Run(name, func(t *testing.T) {
						if eng != EngineGoroutines {
							needEpoll(t)
						}
						cfg := base.Clone()
						cfg.MaxVersion, cfg.NextProtos = v, []string{"http/1.1"}
						backend := handshakeThenEnd(t, cfg, end.reset, end.answer)
						h := startListener(t, Options{Name: "ptclose", Mode: Passthrough, Engine: eng, Backend: backend}, nil)
						_, port, _ := net.SplitHostPort(h.addr)
						var failed bool
						var said string
						if client == "curl" {
							args := []string{"-q", "-sS", "--noproxy", "*", "--max-time", "20", "-o", "/dev/null", "-k", "--http1.1",
								"--resolve", "lab.test:" + port + ":127.0.0.1"}
							if v == tls.VersionTLS12 {
								args = append(args, "--tls-max", "1.2")
							}
							exit, _, stderr := runTool(t, needTool(t, "curl", "curl"), append(args, "https://lab.test:"+port+"/closed")...)
							failed, said = exit != 0, strings.TrimSpace(stderr)
							if failed && !strings.Contains(said, fmt.Sprintf("(%d)", exit)) {
								said = fmt.Sprintf("exit %d: %s", exit, said)
							}
						} else {
							said = goGet(h.addr, v)
							failed = said != ""
						}
						r := h.next()
						t.Logf("%s printed %q; logged %s: %s", client, said, r.d.Code, r.d.Summary)
						if end.answer {
							if failed || r.d.Code != explain.CodeOK {
								t.Errorf("%s: %q; logged %s (%s); want an answer, logged ok", client, said, r.d.Code, r.d.Summary)
							}
							return
						}
						if r.d.Code != explain.CodeBackendClosedEarly || !strings.Contains(r.d.Summary, end.summary) || r.d.OK {
							t.Errorf("logged %s (%s), end %q, first FIN %q, exchange %+v; want %s, %q (%s printed %q)",
								r.d.Code, r.d.Summary, r.o.End, r.o.FirstFIN, r.o.Backend.Exchange,
								explain.CodeBackendClosedEarly, end.summary, client, said)
						}
						if !failed {
							t.Fatalf("%s got an answer from a backend that sent none", client)
						}
						if client == "curl" && !strings.Contains(r.d.ClientSaw, said[:min(len(said), strings.Index(said, ")")+1)]) {
							t.Errorf("curl printed %q; the log's client saw does not name it: %s", said, r.d.ClientSaw)
						}
					})
				}
			}
		}
	}
}
