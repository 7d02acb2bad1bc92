package e2e

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	proxyproto "github.com/pires/go-proxyproto"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// backend is a real server in the test process that tlsgate relays to.
type backend struct {
	addr string

	mu      sync.Mutex
	remotes []string // peer addresses of accepted TCP connections
}

// recordingListener notes each accepted peer, so a test can match the
// address tlsgate dialed from against what its log says.
type recordingListener struct {
	net.Listener
	b *backend
}

func (l recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.b.mu.Lock()
		l.b.remotes = append(l.b.remotes, c.RemoteAddr().String())
		l.b.mu.Unlock()
	}
	return c, err
}

// sawPeer reports whether the backend accepted a connection from addr.
func (b *backend) sawPeer(addr string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Contains(b.remotes, addr)
}

func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// helloHandler answers with a body naming the backend, so a test can tell
// which backend a request reached.
func helloHandler(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "backend=%s path=%s host=%s remote=%s\n", name, r.URL.RequestURI(), r.Host, r.RemoteAddr)
	}
}

// startHTTPBackend serves h (helloHandler(name) when nil) over plain HTTP,
// or HTTPS when cert is set.
func startHTTPBackend(t *testing.T, name string, cert *tls.Certificate, h http.Handler) *backend {
	t.Helper()
	if h == nil {
		h = helloHandler(name)
	}
	b := &backend{}
	var ln net.Listener = recordingListener{Listener: listenLoopback(t), b: b}
	b.addr = ln.Addr().String()
	// Handshake errors are expected (clients that reject the certificate);
	// ServeHTTP keeps them out of the test output.
	tg.ServeHTTP(t, ln, cert, h)
	return b
}

// startProxyBackend serves HTTP behind a PROXY protocol parser that
// requires the header; the body reports the client address the header
// carried.
func startProxyBackend(t *testing.T, name string) *backend {
	t.Helper()
	b := &backend{}
	raw := recordingListener{Listener: listenLoopback(t), b: b}
	b.addr = raw.Addr().String()
	ln := &proxyproto.Listener{
		Listener:          raw,
		ReadHeaderTimeout: 10 * time.Second,
		ConnPolicy: func(proxyproto.ConnPolicyOptions) (proxyproto.Policy, error) {
			return proxyproto.REQUIRE, nil
		},
	}
	tg.ServeHTTP(t, ln, nil, helloHandler(name))
	return b
}

// startEchoBackend echoes every byte back, over TLS when cert is set, and
// half-closes after the client's end of stream so the client sees its whole
// echo followed by EOF.
func startEchoBackend(t *testing.T, cert *tls.Certificate) *backend {
	t.Helper()
	return startConnBackend(t, func(c net.Conn) { echo(c, cert) })
}

// startConnBackend runs handle on each accepted connection, in its own
// goroutine, until the test ends and every handler has returned.
func startConnBackend(t *testing.T, handle func(net.Conn)) *backend {
	t.Helper()
	b := &backend{}
	ln := recordingListener{Listener: listenLoopback(t), b: b}
	b.addr = ln.Addr().String()
	var wg sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	return b
}

func echo(c net.Conn, cert *tls.Certificate) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Minute))
	type closeWriter interface{ CloseWrite() error }
	var rw io.ReadWriter = c
	cw, _ := c.(closeWriter)
	if cert != nil {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{*cert}})
		if err := tc.Handshake(); err != nil {
			return
		}
		rw, cw = tc, tc
	}
	if _, err := io.Copy(rw, rw); err != nil && !errors.Is(err, net.ErrClosed) {
		return
	}
	if cw != nil {
		_ = cw.CloseWrite()
	}
	// Wait for the peer to close so our close is not a reset that could
	// destroy echo bytes still in flight.
	_, _ = io.Copy(io.Discard, c)
}
