package listener

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/pki"
)

// TestEngineEpollRefusesWhatItCannotServe: engine = "epoll" must fail
// loudly where the event loops cannot serve a listener, naming it and the
// reason, while engine = "auto" with the same setup serves on goroutines.
func TestEngineEpollRefusesWhatItCannotServe(t *testing.T) {
	needEpoll(t)
	backend := benchBackend(t)
	var dials atomic.Int32
	countingDial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	cases := []struct {
		name   string
		opts   Options
		dial   func(ctx context.Context, network, addr string) (net.Conn, error)
		wrap   bool   // serve a net.Listener that is not a *net.TCPListener
		why    string // in Serve's error
		client func(t *testing.T, addr string) string
		check  func(t *testing.T, r result)
	}{
		{name: "terminate", opts: Options{Mode: Terminate, Backend: backend, ClientSSL: &ClientSSL{}},
			why: `mode = "terminate" decrypts every connection`, client: terminatedHTTPClient,
			check: func(t *testing.T, r result) {
				if r.o.Route != "terminate" || !r.o.ClientTLS.Done || r.o.ClientTLS.ServerName != "lab.test" {
					t.Errorf("route %q client leg %+v", r.o.Route, r.o.ClientTLS)
				}
			}},
		{name: "proxy_protocol v1", opts: Options{Mode: Plaintext, Backend: backend, ProxyProtocol: "v1"},
			why: "proxy_protocol needs the PROXY header parsed", client: proxiedHTTPClient,
			check: func(t *testing.T, r result) {
				if r.o.Route != "plain" || r.o.Proxy.Version != 1 || r.o.Client != netip.MustParseAddrPort("192.0.2.10:40000") {
					t.Errorf("route %q proxy %+v client %s", r.o.Route, r.o.Proxy, r.o.Client)
				}
			}},
		{name: "injected dialer", opts: Options{Mode: Plaintext, Backend: backend}, dial: countingDial,
			why: "backends are dialled through an injected dialer", client: rawHTTPClient,
			check: func(t *testing.T, r result) {
				if n := dials.Load(); n != 1 {
					t.Errorf("injected dialer used %d times, want 1", n)
				}
			}},
		{name: "not a TCP listener", opts: Options{Mode: Plaintext, Backend: backend}, wrap: true,
			why: "the listener is a listener.wrappedListener, not a TCP socket", client: rawHTTPClient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Name, opts.Engine = "refuser", EngineEpoll
			srv, err := New(opts, engineDeps(t, tc.dial, nil))
			if err != nil {
				t.Fatal(err)
			}
			ln := engineListen(t, tc.wrap)
			err = srv.Serve(ln) // returns at once: nothing to serve with
			if err == nil || !strings.Contains(err.Error(), "listener refuser") || !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("Serve = %v, want an error naming listener refuser and %q", err, tc.why)
			}
			_ = srv.Shutdown(context.Background())

			opts.Engine = EngineAuto
			out := make(chan result, 1)
			srv, err = New(opts, engineDeps(t, tc.dial, func(o *explain.Outcome, d *explain.Diagnosis) { out <- result{o, d} }))
			if err != nil {
				t.Fatal(err)
			}
			ln = engineListen(t, tc.wrap)
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()
			if got := tc.client(t, ln.Addr().String()); got != benchResponse {
				t.Errorf("client read %q, want %q", got, benchResponse)
			}
			var r result
			select {
			case r = <-out:
			case <-time.After(30 * time.Second): // hang guard only
				t.Fatal("no outcome reported")
			}
			if r.d.Code != explain.CodeOK {
				t.Errorf("code %s (%s)", r.d.Code, r.d.Summary)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			srv.mu.Lock()
			eng := srv.eng
			srv.mu.Unlock()
			if eng != nil {
				t.Error("engine = auto ran the epoll engine on a listener it cannot serve")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Error(err)
			}
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
}

// wrappedListener hides the *net.TCPListener underneath.
type wrappedListener struct{ net.Listener }

func engineListen(t *testing.T, wrap bool) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	if wrap {
		return wrappedListener{ln}
	}
	return ln
}

func engineDeps(t *testing.T, dial func(ctx context.Context, network, addr string) (net.Conn, error),
	onOutcome func(*explain.Outcome, *explain.Diagnosis)) Deps {
	t.Helper()
	ca, err := pki.New(time.Now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return Deps{Logger: zap.NewNop(), Minter: pki.NewMinter(ca, time.Now, rand.Reader), Dial: dial, OnOutcome: onOutcome}
}

// rawHTTPClient sends engineRequest in the clear and returns the response.
func rawHTTPClient(t *testing.T, addr string) string { return sendHTTP(t, addr, "") }

// proxiedHTTPClient is rawHTTPClient behind a PROXY v1 header.
func proxiedHTTPClient(t *testing.T, addr string) string {
	return sendHTTP(t, addr, "PROXY TCP4 192.0.2.10 192.0.2.20 40000 80\r\n")
}

// sendHTTP writes prefix and engineRequest in the clear and reads the
// response until the server closes.
func sendHTTP(t *testing.T, addr, prefix string) string {
	c := dialGuarded(t, addr)
	_, _ = io.WriteString(c, prefix+engineRequest)
	got, err := io.ReadAll(c)
	if err != nil {
		t.Errorf("client: %v", err)
	}
	_ = c.Close()
	return string(got)
}

// terminatedHTTPClient makes the request over TLS that tlsgate terminates
// (with a leaf minted by the lab CA, which this client does not check).
func terminatedHTTPClient(t *testing.T, addr string) string {
	tc := tls.Client(dialGuarded(t, addr), &tls.Config{ServerName: "lab.test", InsecureSkipVerify: true})
	if _, err := io.WriteString(tc, engineRequest); err != nil {
		t.Errorf("client: %v", err)
		return ""
	}
	got, err := io.ReadAll(tc)
	if err != nil {
		t.Errorf("client: %v", err)
	}
	_ = tc.Close()
	return string(got)
}

// TestFastPathBlocker: every feature the event loops cannot serve is named
// by its config key; relay-only listeners to IP backends have no blocker.
func TestFastPathBlocker(t *testing.T) {
	ok := Options{Mode: Passthrough, Backend: "127.0.0.1:443"}
	with := func(f func(o *Options)) Options {
		o := ok
		f(&o)
		return o
	}
	cases := []struct {
		key  string // "" = no blocker
		opts Options
	}{
		{"", ok},
		{"", Options{Mode: Plaintext, Backend: "127.0.0.1:80"}},
		{"", Options{Mode: Auto, Backend: "[::1]:443", PlainBackend: "127.0.0.1:80", NonSSL: NonSSLAllow, MaxConnections: 10}},
		{"mode", with(func(o *Options) { o.Mode = Terminate })},
		{"mode", with(func(o *Options) { o.Mode = Inspect })},
		{"proxy_protocol", with(func(o *Options) { o.ProxyProtocol = "v1" })},
		{"proxy_protocol", with(func(o *Options) { o.ProxyProtocol = "optional" })},
		{"backend_proxy_protocol", with(func(o *Options) { o.BackendProxyProtocol = "v2" })},
		{"transparent", with(func(o *Options) { o.Transparent = TransparentRedirect })},
		{"capture", with(func(o *Options) { o.Capture = t.TempDir() })},
		{"server_ssl", with(func(o *Options) { o.ServerSSL = &ServerSSL{} })},
		{"backend", with(func(o *Options) { o.Backend = "backend.lab.test:443" })},
		{"plain_backend", with(func(o *Options) { o.Mode, o.PlainBackend = Auto, "localhost:80" })},
	}
	for _, tc := range cases {
		why := FastPathBlocker(tc.opts)
		switch {
		case tc.key == "" && why != "":
			t.Errorf("%+v: blocked (%q), want served by the event loops", tc.opts, why)
		case tc.key != "" && !strings.HasPrefix(why, tc.key+" "):
			t.Errorf("%+v: blocker %q does not name %s", tc.opts, why, tc.key)
		}
	}
}

// TestEpollEngineIsUsed guards the default: a plaintext listener with an
// IP backend must be served by the event loops, not by goroutines.
func TestEpollEngineIsUsed(t *testing.T) {
	needEpoll(t)
	backend := benchBackend(t)
	for _, tc := range []struct {
		engine Engine
		want   string // servedBy at the hold point
	}{
		{"", "loop"}, {EngineAuto, "loop"}, {EngineEpoll, "loop"}, {EngineUring, "loop"}, {EngineGoroutines, "goroutine"},
	} {
		t.Run(string(tc.engine), func(t *testing.T) {
			needEngine(t, tc.engine)
			h := startListener(t, Options{Mode: Plaintext, Backend: backend, Engine: tc.engine}, nil)
			served := ""
			saw := plainHTTPClient(t, h.addr, nil, func() { served = servedBy(h.srv) }, func() {})
			if saw.err != nil || saw.body != benchResponse {
				t.Fatalf("client read %q, %v", saw.body, saw.err)
			}
			r := h.next()
			if r.d.Code != explain.CodeOK || r.o.Route != "plain" {
				t.Fatalf("code %s route %q", r.d.Code, r.o.Route)
			}
			h.srv.mu.Lock()
			eng := h.srv.eng
			h.srv.mu.Unlock()
			workers := h.srv.workers.Load()
			if served != tc.want {
				t.Errorf("connection served by %s, want %s", served, tc.want)
			}
			if tc.want == "loop" && (eng == nil || workers != 0) {
				t.Errorf("engine %v, %d goroutine workers: the relay did not run on the event loops", eng, workers)
			}
			if tc.want == "goroutine" && (eng != nil || workers == 0) {
				t.Errorf("engine %v, %d goroutine workers: engine = goroutines ran the event loops", eng, workers)
			}
		})
	}
}

// earlyClient sends first (maybe nothing), optionally half-closes, and
// reads until tlsgate ends the connection.
