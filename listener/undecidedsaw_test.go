package listener

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// proxyV2Header is a valid PROXY v2 header (PROXY command, TCP over
// IPv4) claiming client 127.0.0.1:1234 towards 127.0.0.1:443: 28 bytes.
var proxyV2Header = []byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\x7f\x00\x00\x01\x7f\x00\x00\x01\x04\xd2\x01\xbb")

// undecidedRun is one hostile client: what it sends, how it stops, and
// what it then reads.
type undecidedRun struct {
	send []byte
	// pause: the client waits this long after sending (so the listener
	// has read the bytes, or its peek deadline has passed), then stops
	// as stop says: "" keeps reading until tlsgate ends the connection,
	// "rst" resets (SO_LINGER 0), "fin" half-closes and reads on.
	pause time.Duration
	stop  string
}

// run dials addr and plays r; it returns whether the client read a reset
// (false: an EOF, or it reset first itself).
func (r undecidedRun) run(t *testing.T, addr string) (reset bool) {
	c := dialGuarded(t, addr)
	if len(r.send) > 0 {
		if _, err := c.Write(r.send); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(r.pause)
	switch r.stop {
	case "rst":
		_ = c.SetLinger(0)
		_ = c.Close()
		return false
	case "fin":
		_ = c.CloseWrite()
	}
	_, err := io.Copy(io.Discard, c)
	return errors.Is(err, syscall.ECONNRESET)
}

// TestUndecidedEndsAsSaid: a client that stops before its first bytes
// decide anything is told, in client_saw, the end it really read, and the
// summary names what really ended the connection. A hostile-client run
// found the listener's RST at the peek deadline (one or two bytes that
// name no protocol, on passthrough, terminate, an http400 or an optional
// PROXY listener; and silence) worded as tlsgate's FIN; a record header
// that tlsgate's handshake took over and its handshake_timeout ended
// worded as the peek timeout's end; a request line cut by the client's
// RST on an http400 listener worded as a 400 the client read; and a
// valid PROXY v2 header followed by an RST worded as a TCP half-open
// monitor. Both engines serve passthrough the same way (the epoll loop
// hands a peek that reaches its deadline to the goroutine path).
func TestUndecidedEndsAsSaid(t *testing.T) {
	closer := serveEach(t, nil, func(c net.Conn) { _, _ = c.Read(make([]byte, 64)) })
	goroutines := []Engine{EngineGoroutines}
	term := Options{Mode: Terminate, PeekTimeout: time.Second, HandshakeTimeout: 30 * time.Second}
	with := func(o Options, edit func(*Options)) Options { edit(&o); return o }
	cases := []struct {
		name    string
		opts    Options
		engines []Engine
		client  undecidedRun
		code    string
		reset   bool     // the client read a reset
		saw     []string // in client_saw
		notSaw  []string // not in client_saw
		summary string   // in the summary
	}{
		{name: "passthrough/a5", opts: Options{Mode: Passthrough, PeekTimeout: time.Second}, engines: testEngines,
			client: undecidedRun{send: []byte{0xa5}}, code: explain.CodeHandshakeTimeout, reset: true,
			saw: []string{"(RST)", "Connection reset by peer"}, notSaw: []string{"(FIN)"}, summary: "reset the connection at the peek deadline"},
		{name: "passthrough/a5 01", opts: Options{Mode: Passthrough, PeekTimeout: time.Second}, engines: testEngines,
			client: undecidedRun{send: []byte{0xa5, 0x01}}, code: explain.CodeHandshakeTimeout, reset: true,
			saw: []string{"(RST)"}, notSaw: []string{"(FIN)"}, summary: "sent 2 bytes"},
		{name: "passthrough/silent", opts: Options{Mode: Passthrough, PeekTimeout: time.Second}, engines: testEngines,
			code: explain.CodeClientSilent, reset: true, saw: []string{"(RST)", "then reset"}, notSaw: []string{"then closed"}},
		{name: "terminate/a5", opts: term, engines: goroutines,
			client: undecidedRun{send: []byte{0xa5}}, code: explain.CodeHandshakeTimeout, reset: true,
			saw: []string{"(RST)"}, notSaw: []string{"(FIN)"}},
		{name: "terminate http400/a5 01", opts: with(term, func(o *Options) { o.NonSSL = NonSSLHTTP400 }), engines: goroutines,
			client: undecidedRun{send: []byte{0xa5, 0x01}}, code: explain.CodeHandshakeTimeout, reset: true,
			saw: []string{"(RST)"}, notSaw: []string{"(FIN)"}},
		{name: "terminate proxy optional/a5", opts: with(term, func(o *Options) { o.ProxyProtocol = "optional" }), engines: goroutines,
			client: undecidedRun{send: []byte{0xa5}}, code: explain.CodeHandshakeTimeout, reset: true,
			saw: []string{"(RST)"}, notSaw: []string{"(FIN)"}},
		{name: "terminate/silent", opts: term, engines: goroutines,
			code: explain.CodeClientSilent, reset: true, saw: []string{"(RST)"}, notSaw: []string{"then closed"}},
		// A record header claiming 16 KiB: tlsgate's handshake takes it at
		// the peek deadline and its handshake timeout ends it, with a FIN.
		{name: "terminate/record header", opts: with(term, func(o *Options) { o.PeekTimeout, o.HandshakeTimeout = 300*time.Millisecond, 1500*time.Millisecond }),
			engines: goroutines, client: undecidedRun{send: []byte{0x16, 0x03, 0x01, 0x40, 0x00}}, code: explain.CodeHandshakeTimeout,
			saw: []string{"(FIN) when its handshake timeout (1.5s) passed"}, summary: "the handshake timeout (1.5s) ended the connection after"},
		// The same, and the client leaves after the peek deadline but
		// before the handshake timeout: its own end, not a timeout.
		{name: "terminate/record header then FIN", opts: with(term, func(o *Options) { o.PeekTimeout = 300 * time.Millisecond }),
			engines: goroutines, client: undecidedRun{send: []byte{0x16, 0x03, 0x01, 0x40, 0x00}, pause: 1500 * time.Millisecond, stop: "fin"},
			code: explain.CodeClientClosedEarly, reset: true, saw: []string{"reset its side (RST)"}, summary: "closed the connection (FIN) after"},
		{name: "terminate/record header then RST", opts: with(term, func(o *Options) { o.PeekTimeout = 300 * time.Millisecond }),
			engines: goroutines, client: undecidedRun{send: []byte{0x16, 0x03, 0x01, 0x40, 0x00}, pause: 1500 * time.Millisecond, stop: "rst"},
			code: explain.CodeClientResetEarly, notSaw: []string{"tlsgate closes"}, summary: "reset the connection (RST) after"},
		// http400 waits for the request line; the client's RST comes
		// first, and no 400 is sent.
		{name: "terminate http400/request cut by RST", opts: with(term, func(o *Options) { o.NonSSL, o.PeekTimeout = NonSSLHTTP400, 5*time.Second }),
			engines: goroutines, client: undecidedRun{send: []byte("GET / HT"), pause: 500 * time.Millisecond, stop: "rst"},
			code: explain.CodePlaintextOnTLS, saw: []string{"no HTTP 400 or redirect was sent"}, notSaw: []string{"readable HTTP 400"},
			summary: "the client reset the connection (RST) before tlsgate answered"},
		{name: "terminate http400/request cut by FIN", opts: with(term, func(o *Options) { o.NonSSL, o.PeekTimeout = NonSSLHTTP400, 5*time.Second }),
			engines: goroutines, client: undecidedRun{send: []byte("GET / HT"), pause: 500 * time.Millisecond, stop: "fin"},
			code: explain.CodePlaintextOnTLS, saw: []string{"readable HTTP 400"}, notSaw: []string{"No HTTP 400 or redirect", "(RST)"}},
		// A valid PROXY v2 header, then the load balancer's RST.
		{name: "terminate proxy v2/header then RST", opts: with(term, func(o *Options) { o.ProxyProtocol, o.PeekTimeout = "v2", 5*time.Second }),
			engines: goroutines, client: undecidedRun{send: proxyV2Header, pause: 500 * time.Millisecond, stop: "rst"},
			code: explain.CodeClientResetEarly, saw: []string{"load balancer's side"},
			summary: "sent a valid PROXY v2 header for client 127.0.0.1:1234, then reset the connection (RST) before any data"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Each waits out a deadline or a pause: side by side.
			t.Parallel()
			for _, eng := range tc.engines {
				needEngine(t, eng)
				opts := tc.opts
				opts.Name, opts.Engine, opts.Backend = "hostile", eng, closer
				h := startListener(t, opts, nil)
				reset := tc.client.run(t, h.addr)
				r := h.next()
				if r.d.Code != tc.code {
					t.Fatalf("%s: code %s, want %s (%s)", eng, r.d.Code, tc.code, r.d.Summary)
				}
				if reset != tc.reset {
					t.Errorf("%s: client read a reset: %v, want %v", eng, reset, tc.reset)
				}
				for _, s := range tc.saw {
					if !strings.Contains(r.d.ClientSaw, s) {
						t.Errorf("%s: client saw %q, want %q in it", eng, r.d.ClientSaw, s)
					}
				}
				for _, s := range tc.notSaw {
					if strings.Contains(r.d.ClientSaw, s) {
						t.Errorf("%s: client saw %q, want no %q in it", eng, r.d.ClientSaw, s)
					}
				}
				if !strings.Contains(r.d.Summary, tc.summary) {
					t.Errorf("%s: summary %q, want %q in it", eng, r.d.Summary, tc.summary)
				}
			}
		})
	}
}
