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

// TestStalledRecordPrefix: a client that sends the first bytes of a
// hello (a TLS record header, a real ClientHello, or an SSLv2-format
// ClientHello) and then nothing until the peek deadline. From the bytes
// sniff.StalledHello takes for a hello's start on (a lone 0x16; 16 03;
// an SSLv2 header with msg_type 1, its third byte) it began TLS, and every
// mode routes and explains it as the same stalled hello whether it
// stopped there or a few bytes later: relayed on passthrough and auto (a
// handshake timeout that lives on, with no BIG-IP line), handed to the
// handshake on terminate and inspect, reset as TLS on plaintext. Before,
// a lone 0x16 or an SSLv2 header was relayed as plaintext on plaintext
// and auto listeners, and reset at the deadline (with a 01260013 line) on
// TLS ones. One or two bytes with the high bit set say too little and
// keep their own, undecided route. Both engines run where the epoll
// engine can serve the mode (it hands a peek that reaches its deadline
// to the goroutine path) and must log the same facts.
func TestStalledRecordPrefix(t *testing.T) {
	needEpoll(t)
	closer := serveEach(t, nil, func(c net.Conn) { _, _ = c.Read(make([]byte, 64)) })
	hello := captureHello(t)
	// Each source stalls after 1 to upto bytes; from stalls from there on
	// are a hello's start, the ones before it undecided.
	sources := []struct {
		name       string
		b          []byte
		from, upto int
	}{
		{"record header", []byte{22, 3, 1, 2, 0}, 1, 4},
		{"ClientHello", hello, 1, 4},
		// 4 bytes: version 0x00.., 0x0002 still possible. The fifth
		// names it SSLv2Hello, which routes at once: no stall to wait for.
		{"SSLv2 hello", []byte{0x80, 0x2e, 0x01, 0x00, 0x02}, 3, 4},
	}
	both, goroutines := testEngines, []Engine{EngineGoroutines}
	relayed := stallSeen{route: "passthrough", code: explain.CodeHandshakeTimeout}
	terminated := stallSeen{route: "terminate", code: explain.CodeHandshakeTimeout, bigip: fmt.Sprint([]string{explain.IDHandshakeFailed})}
	closedEarly := stallSeen{route: "closed", code: explain.CodeHandshakeTimeout, bigip: fmt.Sprint([]string{explain.IDHandshakeFailed}), reset: true}
	// A passthrough listener stands for a virtual server without a
	// client-ssl profile, which logs no SSL line (explain's clientSSL).
	closedPass := stallSeen{route: "closed", code: explain.CodeHandshakeTimeout, reset: true}
	// Undecided bytes on a plaintext route are relayed as plaintext to
	// closer, which reads them and closes (FIN) without a byte of answer.
	// They name no protocol that waits for an answer (not HTTP, not yet
	// TLS), so that close is a one-way flow's normal end, not
	// backend_closed_early (explain.ruleBackendClosedEarly's limit).
	plainClosed := stallSeen{route: "plain", code: explain.CodeOK}
	modes := []struct {
		name      string
		opts      Options
		engines   []Engine
		undecided stallSeen // not yet a hello's beginning
		stalled   stallSeen // a hello's start and beyond, alike
		says      string    // in the stalled rows' summary
	}{
		{"passthrough", Options{Mode: Passthrough}, both, closedPass, relayed, "stalled; relayed to"},
		{"terminate", Options{Mode: Terminate}, goroutines, closedEarly, terminated, "and then stalled"},
		{"inspect", Options{Mode: Inspect}, goroutines, closedEarly, terminated, "and then stalled"},
		// A bypassed client's stalled hello is relayed, as on passthrough.
		{"inspect with bypass", Options{Mode: Inspect, Bypass: []string{"127.0.0.1"}}, goroutines, closedEarly,
			stallSeen{route: "bypass", code: explain.CodeHandshakeTimeout}, "stalled; relayed to"},
		// No ClientHello was read: no SNI to name, only the bytes.
		{"plaintext", Options{Mode: Plaintext}, both, plainClosed,
			stallSeen{route: "tls_on_plain_reset", code: explain.CodeTLSOnPlaintext, reset: true}, "the hello never completed: "},
		{"auto", Options{Mode: Auto}, both, plainClosed, relayed, "stalled; relayed to"},
		{"auto with client_ssl", Options{Mode: Auto, ClientSSL: &ClientSSL{}}, goroutines, plainClosed, terminated, "and then stalled"},
	}
	took := regexp.MustCompile(` after [0-9.]+(ns|µs|ms|s)`)
	for _, m := range modes {
		for _, src := range sources {
			t.Run(m.name+"/"+src.name, func(t *testing.T) {
				// Each connection waits out the peek deadline: run the
				// waits side by side.
				t.Parallel()
				for n := 1; n <= src.upto; n++ {
					var facts [][]engineFact
					for _, eng := range m.engines {
						needEngine(t, eng)
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
						if n < src.from {
							want = m.undecided
						}
						if got != want {
							t.Errorf("%d bytes, %s: got %+v, want %+v (%s)", n, eng, got, want, r.d.Summary)
						}
						if n >= src.from && (!strings.Contains(r.d.Summary, m.says) || strings.Contains(r.d.Summary, "SNI")) {
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
