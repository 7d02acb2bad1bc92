package listener

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/pki"
	"github.com/tlsgate/tlsgate/sniff"
)

// result is one finished connection as the listener reported it.
type result struct {
	o *explain.Outcome
	d *explain.Diagnosis
}

// harness runs one listener on a loopback port and collects its outcomes.
type harness struct {
	t    *testing.T
	srv  *Server
	addr string
	out  chan result
	logs *observer.ObservedLogs
}

func startListener(t *testing.T, opts Options, dial func(ctx context.Context, network, addr string) (net.Conn, error)) *harness {
	t.Helper()
	return startListenerDeps(t, opts, func(d *Deps) { d.Dial = dial })
}

// startListenerDeps is startListener with a hook to adjust the injected deps.
func startListenerDeps(t *testing.T, opts Options, adjust func(*Deps)) *harness {
	t.Helper()
	h, start := startListenerHeld(t, opts, adjust)
	start()
	return h
}

// startListenerHeld is startListenerDeps whose Serve begins only when start
// is first called. Until then the socket listens and the kernel completes
// handshakes, but nothing is accepted: a client's first bytes are queued
// when tlsgate accepts and its peek deadline starts, so a client goroutine
// that a loaded machine delays between connect and write cannot miss a
// short deadline.
func startListenerHeld(t *testing.T, opts Options, adjust func(*Deps)) (h *harness, start func()) {
	t.Helper()
	ca, err := pki.New(time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zap.InfoLevel)
	h = &harness{t: t, out: make(chan result, 2048), logs: logs}
	if opts.Name == "" {
		opts.Name = "test"
	}
	deps := Deps{
		Logger: zap.New(core),
		Minter: pki.NewMinter(ca, time.Now, rand.Reader),
		OnOutcome: func(o *explain.Outcome, d *explain.Diagnosis) {
			// The tests read every part of a diagnosis, as the admin
			// stream shows it.
			full := explain.Complete(o, *d)
			h.out <- result{o, &full}
		},
	}
	adjust(&deps)
	srv, err := New(opts, deps)
	if err != nil {
		t.Fatal(err)
	}
	// A TCP socket, as Server.Listen makes: net.Listen's is MPTCP where
	// the kernel has it, and takes no syn_drop filter.
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.srv, h.addr = srv, ln.Addr().String()
	t.Cleanup(func() { _ = ln.Close() }) // when start never came
	var once sync.Once
	return h, func() { once.Do(func() { h.serve(srv, ln) }) }
}

// serve runs srv on ln for the harness's test, which shuts it down and
// checks Serve's error at its end.
func (h *harness) serve(srv *Server, ln net.Listener) {
	t := h.t
	h.srv, h.addr = srv, ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
}

// next waits for the next outcome; the bound only stops a broken test from
// hanging the suite, it is not a performance assertion.
func (h *harness) next() result {
	h.t.Helper()
	select {
	case r := <-h.out:
		return r
	case <-time.After(30 * time.Second):
		h.t.Fatal("no outcome reported")
		return result{}
	}
}

// serveEach runs handle on every connection ln accepts, each on its own
// goroutine and closed afterwards, until the test ends; it returns ln's
// address. ln nil means a new plain listener on 127.0.0.1.
func serveEach(tb testing.TB, ln net.Listener, handle func(net.Conn)) string {
	tb.Helper()
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			tb.Fatal(err)
		}
	}
	tb.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// skipHeaders reads an HTTP request up to its blank line; false when the
// client stopped first.
func skipHeaders(br *bufio.Reader) bool {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return false
		}
		if line == "\r\n" || line == "\n" {
			return true
		}
	}
}

// echoBackend accepts connections and echoes them until the peer closes.
func echoBackend(t *testing.T) string {
	t.Helper()
	return serveEach(t, nil, func(c net.Conn) { _, _ = io.Copy(c, c) })
}

func TestBackendTimeoutIsDiagnosed(t *testing.T) {
	// A dial that never completes stands in for a filtered backend; the
	// listener's dial timeout must end it and name the cause.
	blocked := func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	h := startListener(t, Options{Mode: Plaintext, Backend: "192.0.2.1:80", DialTimeout: 100 * time.Millisecond}, blocked)
	c, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	r := h.next()
	if r.d.Code != explain.CodeBackendTimeout {
		t.Fatalf("code = %s (%s), want backend_timeout; backend facts %+v", r.d.Code, r.d.Summary, r.o.Backend)
	}
	if !r.o.Backend.TimedOut || r.o.Backend.Addr != "192.0.2.1:80" {
		t.Errorf("backend facts = %+v", r.o.Backend)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := c.Read(make([]byte, 1)); err == nil {
		t.Errorf("client still open after a failed backend (read %d bytes)", n)
	}
}

func TestPlaintextRelaysAndCounts(t *testing.T) {
	h := startListener(t, Options{Mode: Plaintext, Backend: echoBackend(t)}, nil)
	c, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("hello over a plain listener\n")
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("echo = %q", got)
	}
	_ = c.(*net.TCPConn).CloseWrite()
	_, _ = io.Copy(io.Discard, c)
	c.Close()
	r := h.next()
	if r.d.Code != explain.CodeOK || r.o.BytesUp != int64(len(msg)) || r.o.BytesDown != int64(len(msg)) {
		t.Fatalf("code %s up %d down %d", r.d.Code, r.o.BytesUp, r.o.BytesDown)
	}
}

func TestHandshakeTimeout(t *testing.T) {
	// The client sends a complete ClientHello and then nothing more: the
	// handshake deadline, not the peek deadline, must end it.
	h := startListener(t, Options{Mode: Terminate, Backend: echoBackend(t), HandshakeTimeout: 300 * time.Millisecond, ClientSSL: &ClientSSL{}}, nil)
	hello := captureHello(t)
	c, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(hello); err != nil {
		t.Fatal(err)
	}
	r := h.next()
	if r.d.Code != explain.CodeHandshakeTimeout {
		t.Fatalf("code = %s (%s), client leg err %q", r.d.Code, r.d.Summary, r.o.ClientTLS.Err)
	}
	if r.o.Hello == nil || r.o.JA4 == "" {
		t.Error("hello facts missing")
	}
}

// captureHello records the first flight of a real Go TLS client: its
// ClientHello, one record, read whole. (It read what came within 500 ms,
// which on a loaded machine could be nothing yet.)
func captureHello(t *testing.T) []byte {
	t.Helper()
	return captureHelloName(t, 0, "lab.test")
}

func TestMaxConnectionsRefusesAndAggregatesLogs(t *testing.T) {
	h := startListener(t, Options{Mode: Plaintext, Backend: echoBackend(t), MaxConnections: 1}, nil)
	hold, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	// Prove the first connection owns the slot before flooding.
	if _, err := hold.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(hold, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	const extra = 40
	for range extra {
		c, err := net.Dial("tcp", h.addr)
		if err != nil {
			continue
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, rerr := c.Read(make([]byte, 1))
		if rerr == nil {
			t.Fatal("a connection over the limit was served")
		}
		c.Close()
	}
	if got := h.srv.Refused(); got != extra {
		t.Fatalf("refused = %d, want %d", got, extra)
	}
	// curl's "(7) Couldn't connect to server" for these resets reads as a
	// closed port; the line must say what a refused client sees.
	for _, e := range h.logs.FilterMessageSnippet("max_connections").All() {
		if saw, _ := e.ContextMap()["client_saw"].(string); !strings.Contains(saw, "(7) Couldn't connect to server") || !strings.Contains(saw, "closed port") {
			t.Fatalf("the refusal line's client_saw %q does not name curl's (7) or say it is not a closed port", saw)
		}
	}
	lines := h.logs.FilterMessageSnippet("max_connections").Len()
	if lines < 1 || lines >= extra/2 {
		t.Fatalf("%d max_connections log lines for %d refusals; want aggregation", lines, extra)
	}
	// The tail of the burst is reported a second after the last line,
	// with no further refusal and no shutdown to flush it.
	logged := func() (n int64) {
		for _, e := range h.logs.FilterMessageSnippet("max_connections").All() {
			n += e.ContextMap()["refused"].(int64)
		}
		return n
	}
	for end := time.Now().Add(10 * time.Second); logged() != extra; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) { // a hang guard: the line is due after 1s
			t.Fatalf("the log reports %d refusals of %d, 10s after the burst", logged(), extra)
		}
	}
}

func TestShutdownForcesAfterGrace(t *testing.T) {
	h := startListener(t, Options{Mode: Plaintext, Backend: echoBackend(t)}, nil)
	c, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := h.srv.Shutdown(ctx); err == nil {
		t.Fatal("Shutdown returned nil while a connection was still open past the grace")
	}
	// It worked until tlsgate cut it: neither ok (the client saw it end
	// mid-stream) nor the client's doing.
	r := h.next()
	if r.d.Code != explain.CodeShutdownCut {
		t.Errorf("forced-closed relay diagnosed %s, want %s", r.d.Code, explain.CodeShutdownCut)
	}
}

func TestConnectionIDsAreUniqueUnderConcurrency(t *testing.T) {
	h := startListener(t, Options{Mode: Plaintext, Backend: echoBackend(t)}, nil)
	const n = 50
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Error(err)
				return
			}
			_ = c.Close()
		}()
	}
	wg.Wait()
	seen := map[uint64]bool{}
	for range n {
		r := h.next()
		if seen[r.o.ID] {
			t.Fatalf("duplicate id %d", r.o.ID)
		}
		seen[r.o.ID] = true
	}
}

func TestRedirectTarget(t *testing.T) {
	cases := []struct {
		method, target, host, want string
	}{
		{"GET", "/a?b=c", "lab.test:8443", "https://lab.test:8443/a?b=c"},
		{"PROPFIND", "/dav/x?depth=1", "lab.test:8443", "https://lab.test:8443/dav/x?depth=1"},
		{"GET", "http://other.test/x", "", "https://other.test/x"},
		{"GET", "http://other.test", "", "https://other.test/"},
		{"GET", "HTTP://Other.Test:8443/Path?q=1", "lab.test", "https://Other.Test:8443/Path?q=1"},
		{"GET", "https://other.test/p", "", "https://other.test/p"},
		{"GET", "Https://user@other.test/p#f", "", "https://other.test/p"},
		{"GET", "http:///p", "lab.test:8443", "https://lab.test:8443/p"},
		{"GET", "ftp://other.test/p", "lab.test", "https://lab.test/"},
		{"GET", "garbage", "lab.test", "https://lab.test/"},
		{"CONNECT", "lab.test:443", "lab.test:443", ""},
		{"OPTIONS", "*", "lab.test", ""},
	}
	for _, c := range cases {
		o := &explain.Outcome{}
		o.HTTP = &sniff.HTTPRequest{Method: c.method, Target: c.target, Host: c.host}
		got, ok := redirectTarget(o)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("redirectTarget(%s %q, host %q) = %q, %v; want %q", c.method, c.target, c.host, got, ok, c.want)
		}
	}
	// A request naming no host goes to the address the client dialled:
	// the listener's own, or on a transparent listener the original
	// destination, never tlsgate's socket behind the REDIRECT rule.
	for _, c := range []struct {
		transparent string
		orig        string
		want        string
	}{
		{"", "", "https://10.0.0.1:8443/p"},
		{"redirect", "203.0.113.7:443", "https://203.0.113.7:443/p"},
		{"tproxy", "[2001:db8::7]:443", "https://[2001:db8::7]:443/p"},
		{"redirect", "", "https://10.0.0.1:8443/p"}, // original destination unknown
	} {
		o := &explain.Outcome{Virtual: netip.MustParseAddrPort("10.0.0.1:8443"), Transparent: c.transparent}
		if c.orig != "" {
			o.OrigDst = netip.MustParseAddrPort(c.orig)
		}
		o.HTTP = &sniff.HTTPRequest{Method: "GET", Target: "/p", Proto: "HTTP/1.0"}
		if got, ok := redirectTarget(o); got != c.want || !ok {
			t.Errorf("hostless redirect, transparent %q orig %q = %q, %v; want %q", c.transparent, c.orig, got, ok, c.want)
		}
	}
}

// TestWorkersServeInTurnAndExit relays connections one after another (so
// idle workers are handed new ones) and checks that Shutdown sends every
// worker home.
func TestWorkersServeInTurnAndExit(t *testing.T) {
	backend := benchBackend(t)
	h := startListener(t, Options{Mode: Plaintext, Backend: backend, Engine: EngineGoroutines}, nil)
	for i := range 30 {
		c, err := net.Dial("tcp", h.addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: w\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(c)
		_ = c.Close()
		if err != nil || string(got) != benchResponse {
			t.Fatalf("connection %d: %q, %v", i, got, err)
		}
		if r := h.next(); r.d.Code != explain.CodeOK || r.o.BytesDown != int64(len(benchResponse)) {
			t.Fatalf("connection %d: code %s, %d bytes down", i, r.d.Code, r.o.BytesDown)
		}
	}
	if n := h.srv.workers.Load(); n < 1 {
		t.Fatalf("%d live workers after the connections, want at least 1 waiting", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for h.srv.workers.Load() > 0 {
		select {
		case <-ctx.Done():
			t.Fatalf("%d workers still running after Shutdown", h.srv.workers.Load())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// TestHandshakeTimeoutBoundsStalledHello: on a terminating listener the
// handshake timeout, when shorter than the peek timeout, also bounds the
// wait for the rest of a ClientHello that stalls part-way (BIG-IP's
// client-ssl handshake timeout covers the hello). The evidence names it.
func TestHandshakeTimeoutBoundsStalledHello(t *testing.T) {
	h := startListener(t, Options{Mode: Terminate, Backend: echoBackend(t), PeekTimeout: time.Minute,
		HandshakeTimeout: 300 * time.Millisecond, ClientSSL: &ClientSSL{}}, nil)
	c, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(captureHello(t)[:40]); err != nil {
		t.Fatal(err)
	}
	r := h.next()
	if r.d.Code != explain.CodeHandshakeTimeout || r.o.HelloTimeout != 300*time.Millisecond {
		t.Fatalf("code %s (%s), hello timeout %s", r.d.Code, r.d.Summary, r.o.HelloTimeout)
	}
	d := explain.Diagnose(r.o)
	all := d.Cause
	for _, e := range d.Evidence {
		all += "\n" + e.Value
	}
	if !strings.Contains(all, "handshake timeout 300ms") || strings.Contains(all, "1m0s") {
		t.Errorf("cause and evidence %q: want the handshake timeout named, not the peek timeout", all)
	}
}
