package listener

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// stallSeen is what a client that began a TLS record and went quiet
// gets, and what its one log event says, on one listener.
type stallSeen struct {
	route, code string
	bigip       string // the BIG-IP message IDs, in order
	reset       bool   // the client saw a TCP reset
}

// TestStalledRecordPrefix: a client that sends the first 1 to 4 bytes of
// a TLS record header, or of a real ClientHello, and then nothing until
// the peek deadline. From the second byte on (16 03: only TLS begins so,
// sniff.TLSRecordPrefix) it began a TLS record, and every mode routes and
// explains it as the same stalled hello whether it stopped after two,
// three or four bytes: relayed on passthrough and auto (a handshake
// timeout that lives on, with no BIG-IP line), handed to the handshake on
// terminate and inspect, reset as TLS on plaintext. Before, two bytes on a
// TLS listener were reset at the deadline (with a 01260013 line) while
// three were relayed or terminated; and a stall that an inspect listener's
// bypass relayed was explained as tlsgate's own handshake timeout, with a
// 01260013 line, though tlsgate took no part in that handshake. One byte says too little and keeps
// its own, undecided route. Both engines run where the epoll engine can
// serve the mode (it hands a peek that reaches its deadline to the
// goroutine path) and must log the same facts.
func TestStalledRecordPrefix(t *testing.T) {
	needEpoll(t)
	closer := serveEach(t, nil, func(c net.Conn) { _, _ = c.Read(make([]byte, 64)) })
	hello := captureHello(t)
	sources := []struct {
		name string
		b    []byte
	}{{"record header", []byte{22, 3, 1, 2, 0}}, {"ClientHello", hello}}
	both, goroutines := []Engine{EngineGoroutines, EngineEpoll}, []Engine{EngineGoroutines}
	relayed := stallSeen{route: "passthrough", code: explain.CodeHandshakeTimeout}
	terminated := stallSeen{route: "terminate", code: explain.CodeHandshakeTimeout, bigip: fmt.Sprint([]string{explain.IDHandshakeFailed})}
	closedEarly := stallSeen{route: "closed", code: explain.CodeHandshakeTimeout, bigip: fmt.Sprint([]string{explain.IDHandshakeFailed}), reset: true}
	plainOK := stallSeen{route: "plain", code: explain.CodeOK}
	modes := []struct {
		name    string
		opts    Options
		engines []Engine
		oneByte stallSeen // undecided: not yet a record's beginning
		stalled stallSeen // 2, 3 and 4 bytes alike
		says    string    // in the stalled rows' summary
	}{
		{"passthrough", Options{Mode: Passthrough}, both, closedEarly, relayed, "stalled; relayed to"},
		{"terminate", Options{Mode: Terminate}, goroutines, closedEarly, terminated, "and then stalled"},
		{"inspect", Options{Mode: Inspect}, goroutines, closedEarly, terminated, "and then stalled"},
		// A bypassed client's stalled hello is relayed, as on passthrough.
		{"inspect with bypass", Options{Mode: Inspect, Bypass: []string{"127.0.0.1"}}, goroutines, closedEarly,
			stallSeen{route: "bypass", code: explain.CodeHandshakeTimeout}, "stalled; relayed to"},
		// No ClientHello was read: no SNI to name, only the bytes.
		{"plaintext", Options{Mode: Plaintext}, both, plainOK,
			stallSeen{route: "tls_on_plain_reset", code: explain.CodeTLSOnPlaintext, reset: true}, "the hello never completed: "},
		{"auto", Options{Mode: Auto}, both, plainOK, relayed, "stalled; relayed to"},
		{"auto with client_ssl", Options{Mode: Auto, ClientSSL: &ClientSSL{}}, goroutines, plainOK, terminated, "and then stalled"},
	}
	took := regexp.MustCompile(` after [0-9.]+(ns|µs|ms|s)`)
	for _, m := range modes {
		for _, src := range sources {
			t.Run(m.name+"/"+src.name, func(t *testing.T) {
				// Each connection waits out the peek deadline: run the
				// waits side by side.
				t.Parallel()
				for n := 1; n <= 4; n++ {
					var facts [][]engineFact
					for _, eng := range m.engines {
						opts := m.opts
						opts.Name, opts.Engine, opts.Backend, opts.PlainBackend = "stall", eng, closer, closer
						// A deadline long enough that a client descheduled
						// between its connect and its write on a busy
						// machine still counts as having written.
						opts.PeekTimeout, opts.HandshakeTimeout, opts.IdleTimeout = time.Second, time.Second, 10*time.Second
						h := startListener(t, opts, nil)
						c := dialGuarded(t, h.addr)
						if _, err := c.Write(src.b[:n]); err != nil {
							t.Fatal(err)
						}
						_, err := io.Copy(io.Discard, c)
						_ = c.Close()
						r := h.next()
						var ids []string
						for _, l := range r.d.BigIP {
							ids = append(ids, l.ID)
						}
						got := stallSeen{route: r.o.Route, code: r.d.Code, reset: errors.Is(err, syscall.ECONNRESET)}
						if len(ids) > 0 {
							got.bigip = fmt.Sprint(ids)
						}
						want := m.stalled
						if n == 1 {
							want = m.oneByte
						}
						if got != want {
							t.Errorf("%d bytes, %s: got %+v, want %+v (%s)", n, eng, got, want, r.d.Summary)
						}
						if n > 1 && (!strings.Contains(r.d.Summary, m.says) || strings.Contains(r.d.Summary, "SNI")) {
							t.Errorf("%d bytes, %s: summary %q, want %q in it and no SNI", n, eng, r.d.Summary, m.says)
						}
						facts = append(facts, engineFacts(r))
					}
					if len(facts) == 2 {
						for i, g := range facts[0] {
							// How long the stall lasted is the clock's.
							e := facts[1][i]
							if took.ReplaceAllString(g.value, "") != took.ReplaceAllString(e.value, "") {
								t.Errorf("%d bytes: %s differs: goroutines %q, epoll %q", n, g.name, g.value, e.value)
							}
						}
					}
				}
			})
		}
	}
}

// TestRoleAddrsShared: an address that is both the client's and tlsgate's
// backend socket's (Linux may reuse a port towards another peer) gets the
// same role on every call, so two engines' runs compare equal.
func TestRoleAddrsShared(t *testing.T) {
	ap := netip.MustParseAddrPort("127.0.0.1:40000")
	o := &explain.Outcome{Client: ap}
	o.Backend.Local = ap
	for range 64 {
		if got := roleAddrs(o, "client 127.0.0.1:40000 sent"); got != "client <client> sent" {
			t.Fatalf("roleAddrs: %q, want the client's role", got)
		}
	}
}
