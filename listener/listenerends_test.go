package listener

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestRuleAimedAtAllFiresOnlyWhereTheListenerRelays: a rule aimed at every
// listener (no `listener =`) meets connections a listener ends itself once
// their first bytes are in: TLS at a plaintext listener (reset after the
// hello), plain HTTP at a TLS listener whose non_ssl is reset, http400 or
// redirect. The engine could not tell those from connections a listener
// relays, so a late-stage alert, a reset at response, a block page, an
// abort, a rewrite or an http_date rule was counted and logged as fired
// there while the client saw the listener's own reset, 400 or redirect
// (and a rewrite or http_date acted on that 400 itself). Each case has two
// listeners and one rule: at the listener that relays the connection the
// rule fires; at the one that ends it, it does not, and the client sees
// the listener's answer untouched.
func TestRuleAimedAtAllFiresOnlyWhereTheListenerRelays(t *testing.T) {
	a40 := faults.Alert(40)
	hour := faults.Duration(time.Hour)
	plain := Options{Name: "plain", Mode: Plaintext}
	pass := Options{Name: "pass", Mode: Passthrough}
	pass400 := Options{Name: "pass-400", Mode: Passthrough, NonSSL: NonSSLHTTP400}
	termRedirect := Options{Name: "term-redirect", Mode: Terminate, NonSSL: NonSSLRedirect, ClientSSL: &ClientSSL{}}
	cases := []struct {
		name string
		rule faults.Rule
		tls  bool // the client speaks TLS, else plain HTTP
		// acts relays the connection and the rule fires there; ends
		// ends it itself, and the client reads what sees says.
		acts, ends Options
		sees       string
	}{
		{"alert at server_flight, TLS at a plaintext listener", faults.Rule{Action: faults.ActAlert, Alert: &a40, Stage: faults.StageServerFlight},
			true, pass, plain, "connection reset"},
		{"alert at request, TLS at a plaintext listener", faults.Rule{Action: faults.ActAlert, Alert: &a40, Stage: faults.StageRequest},
			true, pass, plain, "connection reset"},
		{"alert at idle, TLS at a plaintext listener", faults.Rule{Action: faults.ActAlert, Alert: &a40, Stage: faults.StageIdle, Timeout: faults.Duration(time.Second)},
			true, pass, plain, "connection reset"},
		{"reset at response, TLS at a plaintext listener", faults.Rule{Action: faults.ActReset, Stage: faults.StageResponse},
			true, pass, plain, "connection reset"},
		{"block page, plain HTTP at non_ssl reset", faults.Rule{Action: faults.ActBlockPage},
			false, plain, pass, "connection reset"},
		{"block page, plain HTTP at non_ssl http400", faults.Rule{Action: faults.ActBlockPage},
			false, plain, pass400, "HTTP/1.1 400 Bad Request"},
		{"block page, plain HTTP at non_ssl redirect", faults.Rule{Action: faults.ActBlockPage},
			false, plain, termRedirect, "HTTP/1.1 301 Moved Permanently"},
		{"abort, plain HTTP at non_ssl reset", faults.Rule{Action: faults.ActAbort},
			false, plain, pass, "connection reset"},
		{"abort, plain HTTP at non_ssl http400", faults.Rule{Action: faults.ActAbort},
			false, plain, pass400, "HTTP/1.1 400 Bad Request"},
		{"rewrite, plain HTTP at non_ssl http400", faults.Rule{Action: faults.ActRewrite, HeadersAdd: []string{"Via: 1.1 lab"}},
			false, plain, pass400, "HTTP/1.1 400 Bad Request"},
		{"http_date, plain HTTP at non_ssl redirect", faults.Rule{Action: faults.ActHTTPDate, Skew: hour},
			false, plain, termRedirect, "HTTP/1.1 301 Moved Permanently"},
		{"truncate at response, plain HTTP at non_ssl http400", faults.Rule{Action: faults.ActTruncate, Bytes: 10, Stage: faults.StageResponse},
			false, plain, pass400, "HTTP/1.1 400 Bad Request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			tc.rule.Name = "everywhere"
			if err := e.Add(tc.rule); err != nil {
				t.Fatal(err)
			}
			start := func(o Options) *harness {
				o.Backend = hstsBackend(t)
				if tc.tls && o.Mode == Passthrough {
					o.Backend = tlsHSTSBackend(t)
				}
				return startListenerDeps(t, o, func(d *Deps) { d.Faults = e })
			}
			acts, ends := start(tc.acts), start(tc.ends)

			_ = exchange(t, acts.addr, tc.tls)
			if r := acts.next(); len(r.o.Faults) != 1 {
				t.Fatalf("listener %s, which relays the connection: faults %v (route %s), want the rule fired", tc.acts.Name, r.o.Faults, r.o.Route)
			}
			fires := e.List()[0].Fires

			seen := exchange(t, ends.addr, tc.tls)
			r := ends.next()
			if len(r.o.Faults) != 0 || len(r.o.FaultFirings) != 0 {
				t.Errorf("listener %s, which ends the connection itself (route %s): faults %v logged as fired", tc.ends.Name, r.o.Route, r.o.Faults)
			}
			if st := e.List()[0]; st.Fires != fires {
				t.Errorf("listener %s: fires went from %d to %d for a rule that did nothing", tc.ends.Name, fires, st.Fires)
			}
			if strings.Contains(r.d.Summary, "injected by rule") {
				t.Errorf("listener %s: summary %q names a rule that did nothing", tc.ends.Name, r.d.Summary)
			}
			if !strings.Contains(seen, tc.sees) {
				t.Errorf("listener %s: client saw %.120q, want %q", tc.ends.Name, seen, tc.sees)
			}
			if strings.Contains(seen, "Via: 1.1 lab") || strings.Contains(seen, "Date:") {
				t.Errorf("listener %s: the rule changed tlsgate's own answer: %q", tc.ends.Name, seen)
			}
		})
	}
}

// exchange sends one HTTP request, over TLS or in the clear, and returns what
// the client read, with the error that ended its reading.
func exchange(t *testing.T, addr string, useTLS bool) string {
	t.Helper()
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The bound only stops a broken case from hanging; it is no assertion.
	_ = raw.SetDeadline(time.Now().Add(20 * time.Second))
	var c net.Conn = raw
	if useTLS {
		tc := tls.Client(raw, &tls.Config{ServerName: "lab.test", InsecureSkipVerify: true})
		if err := tc.Handshake(); err != nil {
			return "handshake: " + err.Error()
		}
		c = tc
	}
	if _, err := io.WriteString(c, "GET / HTTP/1.0\r\nHost: lab.test\r\n\r\n"); err != nil {
		return "write: " + err.Error()
	}
	if !useTLS {
		// The backend answers until the client is done.
		_ = raw.(*net.TCPConn).CloseWrite()
	}
	b, err := io.ReadAll(c)
	if err != nil {
		return string(b) + " read: " + err.Error()
	}
	return string(b)
}

// tlsHSTSBackend is hstsBackend behind TLS, closing after one response so a
// client relayed to it reads to the end.
func tlsHSTSBackend(t *testing.T) string {
	t.Helper()
	cert := newTestServerCA(t).leaf(t, "backend.test")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	return serveEach(t, ln, func(c net.Conn) {
		if _, err := io.ReadAll(io.LimitReader(c, 1)); err != nil {
			return
		}
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
	})
}

// TestStalledTLSPrefixFiresNothing: a client that sends the first two
// bytes of a TLS record (or another hello's start: a lone 0x16, an SSLv2
// header) and then nothing is taken, at the peek deadline,
// for the TLS it began (explain.BeganTLS): a plaintext listener resets it, and a
// TLS listener relays it as TLS even with non_ssl = "allow". Its first
// bytes are no TLS to sniff, so the engine took it for plaintext, and a
// block page aimed at every listener was logged as fired on it, as was a
// reset at response on the plaintext listener that had reset it already.
func TestStalledTLSPrefixFiresNothing(t *testing.T) {
	// The peek deadline is the stall's input, not an assertion.
	peek := stallPeek
	block := faults.Rule{Name: "everywhere", Action: faults.ActBlockPage}
	late := faults.Rule{Name: "everywhere", Action: faults.ActReset, Stage: faults.StageResponse}
	for _, l := range []struct {
		opts  Options
		route string
		rules []faults.Rule
	}{
		{Options{Name: "plain", Mode: Plaintext, PeekTimeout: peek}, "tls_on_plain_reset", []faults.Rule{block, late}},
		// Relayed as TLS: no HTTP for a block page to answer.
		{Options{Name: "pass-allow", Mode: Passthrough, NonSSL: NonSSLAllow, PeekTimeout: peek}, "passthrough", []faults.Rule{block}},
	} {
		for _, rule := range l.rules {
			for _, first := range [][]byte{{0x16, 0x03}, {0x16}, {0x80, 0x2e, 0x01}} {
				t.Run(fmt.Sprintf("%s %s % x", l.opts.Name, rule.Action, first), func(t *testing.T) {
					t.Parallel() // each waits out the deadline
					e := faults.NewEngine(nil)
					if err := e.Add(rule); err != nil {
						t.Fatal(err)
					}
					o := l.opts
					// The backend takes the bytes and closes, so a relay ends
					// without waiting for a request that never comes.
					o.Backend = serveEach(t, nil, func(c net.Conn) { _, _ = io.ReadFull(c, make([]byte, len(first))) })
					o.PlainBackend = o.Backend
					h := startListenerDeps(t, o, func(d *Deps) { d.Faults = e })
					c, err := net.Dial("tcp", h.addr)
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close()
					_ = c.SetDeadline(time.Now().Add(20 * time.Second))
					if _, err := c.Write(first); err != nil {
						t.Fatal(err)
					}
					_, _ = io.ReadAll(c)
					_ = c.Close() // a relay ends at the client's end too
					r := h.next()
					if r.o.Route != l.route {
						t.Fatalf("route %q, want %s", r.o.Route, l.route)
					}
					if len(r.o.Faults) != 0 || e.List()[0].Fires != 0 {
						t.Errorf("faults %v, fires %d: logged as fired on a connection the listener ended itself", r.o.Faults, e.List()[0].Fires)
					}
				})
			}
		}
	}
}
