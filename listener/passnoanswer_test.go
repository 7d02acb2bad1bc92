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

// TestPassthroughNoAnswerAfterClientFIN: through a passthrough listener, a
// client completes the handshake with a real crypto/tls backend, sends
// its request and closes its sending side (its FIN, after a close_notify
// or not);
// the backend reads to the end and closes without a record after its
// flight. Nothing failed on the relay, so the connection is ok, but the
// request got no answer, and the records' headers say so: the warning
// names it, worded for a request tlsgate could not read, on every engine
// that serves passthrough, under TLS 1.2 and 1.3. A backend that answers
// first earns no warning.
func TestPassthroughNoAnswerAfterClientFIN(t *testing.T) {
	var base *tls.Config
	_, _ = tlsBackendWith(t, func(c *tls.Config) { base = c })
	engines := relayEngines()
	for _, eng := range engines {
		for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
			for _, tc := range []struct{ answer, notify bool }{{false, false}, {false, true}, {true, false}, {true, true}} {
				answer := tc.answer
				t.Run(fmt.Sprintf("%s/%s/answer=%v/close_notify=%v", eng, explain.VersionName(v), answer, tc.notify), func(t *testing.T) {
					if eng != EngineGoroutines {
						needEpoll(t)
					}
					cfg := base.Clone()
					cfg.MaxVersion, cfg.NextProtos = v, []string{"http/1.1"}
					backend := serveEach(t, nil, func(c net.Conn) {
						_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
						tc := tls.Server(c, cfg)
						if tc.Handshake() != nil {
							return
						}
						br := bufio.NewReader(tc)
						if answer && skipHeaders(br) {
							_, _ = io.WriteString(tc, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
						}
						_, _ = io.Copy(io.Discard, br) // to the client's close_notify
						_ = c.Close()                  // a FIN, no close_notify: nothing after the flight
					})
					h := startListener(t, Options{Name: "ptquiet", Mode: Passthrough, Engine: eng, Backend: backend}, nil)
					raw, err := net.Dial("tcp", h.addr)
					if err != nil {
						t.Fatal(err)
					}
					defer raw.Close()
					c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, ServerName: "lab.test", MaxVersion: v, NextProtos: []string{"http/1.1"}})
					_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
					if _, err := io.WriteString(c, "GET /quiet HTTP/1.1\r\nHost: lab.test\r\n\r\n"); err != nil {
						t.Fatal(err)
					}
					if answer {
						// Wait for the answer first, as a client does.
						buf := make([]byte, 64)
						if _, err := io.ReadAtLeast(c, buf, 2); err != nil {
							t.Fatalf("read the answer: %v", err)
						}
					}
					// With close_notify first (tls.Conn.CloseWrite sends
					// only that), the backend closes on the alert and its
					// FIN races the client's to the relay; without, the
					// socket's FIN alone ends the client's side.
					if tc.notify {
						if err := c.CloseWrite(); err != nil {
							t.Fatal(err)
						}
					}
					if err := raw.(*net.TCPConn).CloseWrite(); err != nil {
						t.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, c)
					r := h.next()
					warned := strings.Contains(strings.Join(r.d.Warnings, "\n"), "no answer")
					if r.d.Code != explain.CodeOK || warned == answer {
						t.Errorf("code %s warnings %q: want ok, a no-answer warning %v\nexchange %+v first FIN %s end %q", r.d.Code, r.d.Warnings, !answer,
							r.o.Backend.Exchange, r.o.FirstFIN, r.o.End)
					}
					if !answer && (!strings.Contains(r.d.Cause, "none that can hold an answer") || !strings.Contains(strings.Join(r.d.Warnings, ""), "decrypts none of it")) {
						t.Errorf("cause %q warnings %q: want the missing answer, read from the records alone", r.d.Cause, r.d.Warnings)
					}
				})
			}
		}
	}
}

// TestPassthroughNoAnswerCurlTimeout: real curl through a passthrough
// listener to a backend that completes the handshake and never answers;
// curl gives up at its -m timeout and closes. The warning names the
// missing answer and the FIN's time, by which curl's timeout shows.
func TestPassthroughNoAnswerCurlTimeout(t *testing.T) {
	bin := needTool(t, "curl", "curl")
	var base *tls.Config
	_, _ = tlsBackendWith(t, func(c *tls.Config) { base = c })
	cfg := base.Clone()
	cfg.NextProtos = []string{"http/1.1"}
	backend := serveEach(t, nil, func(c net.Conn) {
		_ = c.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
		tc := tls.Server(c, cfg)
		if tc.Handshake() != nil {
			return
		}
		_, _ = io.Copy(io.Discard, tc)
		_ = c.Close()
	})
	h := startListener(t, Options{Name: "ptquiet", Mode: Passthrough, Backend: backend}, nil)
	_, port, _ := net.SplitHostPort(h.addr)
	exit, _, stderr := runTool(t, bin, "-q", "-sS", "--noproxy", "*", "-m", "1", "-k", "--http1.1", "-o", "/dev/null",
		"--resolve", "lab.test:"+port+":127.0.0.1", "https://lab.test:"+port+"/quiet")
	if exit != 28 {
		t.Errorf("curl exit %d (%s), want 28: its own timeout", exit, stderr)
	}
	r := h.next()
	if r.d.Code != explain.CodeOK || !strings.Contains(strings.Join(r.d.Warnings, ""), "no answer, as far as the TLS records show") {
		t.Errorf("code %s warnings %q: want ok with the no-answer warning\nexchange %+v first FIN %s end %q", r.d.Code, r.d.Warnings,
			r.o.Backend.Exchange, r.o.FirstFIN, r.o.End)
	}
}
