package e2e

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// closedByServer fails unless err ended a read because tlsgate closed the
// connection (FIN or RST), not because our own deadline passed.
func closedByServer(t *testing.T, err error) {
	t.Helper()
	var ne net.Error
	if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Errorf("read ended with %v, want EOF or a reset from tlsgate", err)
	}
}

// Case 7: a client that never speaks, and one that leaves at once.
func TestSilentAndEarlyClose(t *testing.T) {
	t.Parallel()
	be := startHTTPBackend(t, "plain", nil, nil)
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "term", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\npeek_timeout = \"300ms\"\n", be.addr)},
	}})
	addr := g.Addr("term")

	t.Run("silent", func(t *testing.T) {
		c, local := dialTCP(t, addr)
		defer c.Close()
		closedByServer(t, readEnd(c))
		e := g.eventFrom(t, "term", local)
		wantCode(t, e, "client_silent")
		wantLines(t, e, handshakeFailed(local, addr))
		if !strings.Contains(e.Evidence["peek"], "300ms") || e.FirstBytes != "" {
			t.Errorf("evidence peek %q first_bytes %q, want the 300ms timeout and no bytes", e.Evidence["peek"], e.FirstBytes)
		}
	})

	t.Run("go_client_resets_mid_handshake", func(t *testing.T) {
		// A real Go TLS client whose host resets the connection once its
		// ClientHello is out (a client killed, a middlebox's RST).
		c, local := dialTCP(t, addr)
		defer c.Close()
		tc := tls.Client(resetOnRead{c.(*net.TCPConn)}, &tls.Config{ServerName: "lab.test", InsecureSkipVerify: true})
		if err := tc.Handshake(); err == nil {
			t.Fatal("handshake succeeded over a reset connection")
		}
		// tlsgate's flight (certificate included) went out before the
		// RST came back: from the listener's side that is a client that
		// refused the certificate without saying why.
		e := g.eventFrom(t, "term", local)
		wantCode(t, e, "client_rejected_silently")
		wantLines(t, e, handshakeFailed(local, addr))
		if !strings.Contains(e.Summary, "reset the connection (RST)") {
			t.Errorf("summary %q does not say the client reset", e.Summary)
		}
	})

	t.Run("closed_at_once", func(t *testing.T) {
		c, local := dialTCP(t, addr)
		c.Close()
		e := g.eventFrom(t, "term", local)
		wantCode(t, e, "client_closed_early")
		wantLines(t, e, handshakeFailed(local, addr))
	})
	g.stop(t)
}

// Case 14: a thousand silent connections at once are all closed by the
// peek timeout while a real client is still served.
func TestThousandSilentConnections(t *testing.T) {
	t.Parallel()
	const n = 1000
	raiseNoFile(t, 4*n)
	be := startHTTPBackend(t, "plain", nil, nil)
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "term", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\npeek_timeout = \"1s\"\n", be.addr)},
	}})
	addr := g.Addr("term")

	conns := make([]net.Conn, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conns[i], errs[i] = net.Dial("tcp", addr)
		}()
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	})
	for i, err := range errs {
		// Under load a dial can complete in the kernel and be reset by the
		// peek timeout before this process sees it: that conn was served.
		if err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("dial %d of %d: %v", i, n, err)
		}
	}

	// A real client while the silent ones are still held open.
	r := runCurl(t, "--cacert", g.CAPEM(), "https://"+addr+"/busy")
	r.wantExit(t, 0)
	if !strings.HasPrefix(r.body, "backend=plain path=/busy") {
		t.Errorf("curl body %q", r.body)
	}
	wantCode(t, g.eventFrom(t, "term", r.client(t)), "ok")

	ends := make([]error, n)
	for i, c := range conns {
		if c == nil {
			ends[i] = errs[i]
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ends[i] = readEnd(c)
		}()
	}
	wg.Wait()
	for i, err := range ends {
		closedByServer(t, err)
		if t.Failed() {
			t.Fatalf("connection %d: stopping after the first failure", i)
		}
	}
	g.countEvents(t, "term", "client_silent", n)
	g.Alive(t)
	g.stop(t)
}

// resetOnRead resets its TCP connection (SO_LINGER 0, then close) the first
// time the TLS client reads, which is right after its ClientHello went out.
type resetOnRead struct{ *net.TCPConn }

func (r resetOnRead) Read([]byte) (int, error) {
	_ = r.SetLinger(0)
	_ = r.Close()
	return 0, syscall.ECONNRESET
}
