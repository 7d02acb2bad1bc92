package listener

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/upstream"
)

// TestResetAfterConnectRelaysTail: on the goroutine path, a dial whose
// connect succeeded but was found reset (upstream.ResetAfterConnect, what
// KeepingDial returns when a backend accepted, wrote and reset before Go
// looked) is a relay the backend reset after its bytes: the client gets
// them and then the reset, and the log says the backend reset after them,
// as the epoll engine does (fastpath's TestConnectSeenAfterBackendEnd),
// never that connecting failed.
func TestResetAfterConnectRelaysTail(t *testing.T) {
	const said = "backend said this, then reset"
	backend := "127.0.0.1:9" // never dialled: the injected dial answers
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	dial := func(_ context.Context, _, addr string) (net.Conn, error) {
		return nil, &upstream.ResetAfterConnect{Addr: addr, Local: local, Tail: []byte(said),
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNRESET}}
	}
	for _, mode := range []Mode{Plaintext, Passthrough} {
		t.Run(string(mode), func(t *testing.T) {
			h := startListener(t, Options{Mode: mode, Backend: backend, Engine: EngineGoroutines}, dial)
			c := dialGuarded(t, h.addr)
			first := engineRequest
			if mode == Passthrough {
				first = string(sslv2Hello())
			}
			if _, err := io.WriteString(c, first); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(c)
			if string(got) != said || !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("client read %q, %v; want the backend's bytes, then a reset", got, err)
			}
			r := h.next()
			if r.d.Code != explain.CodeBackendReset || r.o.Backend.DialErr != "" || r.o.BytesDown != int64(len(said)) ||
				r.o.End != explain.EndBackendReset || r.o.Backend.Local.Port() != 40000 || r.o.Backend.Remote.String() != backend {
				t.Errorf("code %s, dial error %q, %d bytes down, end %q, backend %v -> %v (%s); want the backend's reset after %d bytes",
					r.d.Code, r.o.Backend.DialErr, r.o.BytesDown, r.o.End, r.o.Backend.Local, r.o.Backend.Remote, r.d.Summary, len(said))
			}
			if strings.Contains(r.d.Summary, "connecting to backend") {
				t.Errorf("summary %q calls a connect that succeeded failed", r.d.Summary)
			}
			// The client's first bytes were read (peeked) and never
			// written to the backend: none up, all undelivered.
			if r.o.BytesUp != 0 || r.o.BytesUpUndelivered != int64(len(first)) {
				t.Errorf("%d bytes up, %d undelivered; want 0 and the client's %d", r.o.BytesUp, r.o.BytesUpUndelivered, len(first))
			}
		})
	}
}

// TestFINResetAfterConnectRelaysTail: the same race where the backend's
// FIN came before its reset (Go's connect then fails with EPIPE, and
// KeepingDial's ResetAfterConnect says FIN): the backend closed after its
// bytes, so the client gets them and a FIN, and the relay ends as after
// any backend FIN, as the epoll engine's does (fastpath's
// TestConnectSeenAfterBackendEnd): the backend's FIN first, the client's
// close then a clean end, never a failed connect.
func TestFINResetAfterConnectRelaysTail(t *testing.T) {
	const said = "backend said this, closed, then reset"
	backend := "127.0.0.1:9" // never dialled: the injected dial answers
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	dial := func(_ context.Context, _, addr string) (net.Conn, error) {
		return nil, &upstream.ResetAfterConnect{Addr: addr, Local: local, Tail: []byte(said), FIN: true,
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.EPIPE}}
	}
	h := startListener(t, Options{Mode: Plaintext, Backend: backend, Engine: EngineGoroutines}, dial)
	c := dialGuarded(t, h.addr)
	if _, err := io.WriteString(c, engineRequest); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if string(got) != said || err != nil {
		t.Errorf("client read %q, %v; want the backend's bytes, then its FIN", got, err)
	}
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	r := h.next()
	if r.o.BytesUp != 0 || r.o.BytesUpUndelivered != int64(len(engineRequest)) {
		t.Errorf("%d bytes up, %d undelivered; want 0 and the client's %d", r.o.BytesUp, r.o.BytesUpUndelivered, len(engineRequest))
	}
	if r.o.Backend.DialErr != "" || r.o.BytesDown != int64(len(said)) || r.o.End != "" || r.o.FirstFIN != explain.SideBackend ||
		r.o.Backend.Local.Port() != 40000 || r.o.Backend.Remote.String() != backend {
		t.Errorf("code %s, dial error %q, %d bytes down, end %q, first FIN %q, backend %v -> %v (%s); want the backend's FIN after %d bytes, then a clean end",
			r.d.Code, r.o.Backend.DialErr, r.o.BytesDown, r.o.End, r.o.FirstFIN, r.o.Backend.Local, r.o.Backend.Remote, r.d.Summary, len(said))
	}
	if strings.Contains(r.d.Summary, "connecting to backend") {
		t.Errorf("summary %q calls a connect that succeeded failed", r.d.Summary)
	}
	t.Logf("code %s: %s", r.d.Code, r.d.Summary)
}

// TestResetAfterConnectTLSBackend: the race on a server-ssl leg. The
// connect succeeded, so it is the backend that ended the connection
// before tlsgate's ClientHello left: a failed handshake towards the
// backend (its reset, or its close and reset), whose BIG-IP line runs from
// tlsgate's end of that connection to the backend, never a failed connect.
func TestResetAfterConnectTLSBackend(t *testing.T) {
	backend := netip.MustParseAddrPort("127.0.0.1:9") // never dialled: the injected dial answers
	local := netip.MustParseAddrPort("127.0.0.1:40000")
	for _, fin := range []bool{false, true} {
		t.Run(map[bool]string{false: "reset", true: "fin_then_reset"}[fin], func(t *testing.T) {
			errno := map[bool]syscall.Errno{false: syscall.ECONNRESET, true: syscall.EPIPE}[fin]
			r := requestUnderResetAfterConnect(t, backend, func(addr string) *upstream.ResetAfterConnect {
				return &upstream.ResetAfterConnect{Addr: addr, Local: net.TCPAddrFromAddrPort(local), Tail: []byte("bye"), FIN: fin,
					Err: &net.OpError{Op: "dial", Net: "tcp", Err: errno}}
			})
			b := r.o.Backend
			if r.d.Code != explain.CodeBackendTLSFailed || b.DialErr != "" || !b.TLS.Attempted ||
				!strings.Contains(b.TLS.Err, "before the TLS handshake") || b.Local != local || b.Remote != backend {
				t.Errorf("code %s, dial error %q, backend TLS %v %q, backend %v -> %v (%s); want the backend's end of a handshake from %v to %v",
					r.d.Code, b.DialErr, b.TLS.Attempted, b.TLS.Err, b.Local, b.Remote, r.d.Summary, local, backend)
			}
			ended := map[bool]string{false: explain.EndedReset, true: explain.EndedFINReset}[fin]
			if b.EndedBeforeHello != ended || b.BeforeHelloBytes != len("bye") ||
				!strings.Contains(r.d.Summary, "before tlsgate's ClientHello was sent") {
				t.Errorf("backend ended %q before the hello after %d bytes (%s); want %q after %d, and a summary saying the ClientHello never left",
					b.EndedBeforeHello, b.BeforeHelloBytes, r.d.Summary, ended, len("bye"))
			}
			wantOneHandshakeLine(t, r.d, local, backend)
			for _, l := range r.d.BigIP {
				t.Logf("%s %s", l.ID, l.Text)
			}
			t.Logf("%s: %s", r.d.Code, r.d.Cause)
		})
	}
}

// TestResetAfterConnectTLSBackendAlert: when the bytes a server-ssl
// backend sent before its reset are an alert record, the failed handshake
// towards the backend carries that alert as received.
func TestResetAfterConnectTLSBackendAlert(t *testing.T) {
	backend := netip.MustParseAddrPort("127.0.0.1:9") // never dialled: the injected dial answers
	for _, tc := range []struct {
		name string
		tail []byte
		want int
	}{
		{"handshake_failure", []byte{21, 3, 3, 0, 2, 2, 40}, 40},
		{"bigip_v0_protocol_version", []byte{21, 0, 0, 0, 2, 2, 70}, 70},
		{"not_an_alert", []byte("bye"), -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := requestUnderResetAfterConnect(t, backend, func(addr string) *upstream.ResetAfterConnect {
				return &upstream.ResetAfterConnect{Addr: addr, Tail: tc.tail,
					Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNRESET}}
			})
			if b := r.o.Backend.TLS; r.d.Code != explain.CodeBackendTLSFailed || b.AlertRecv != tc.want {
				t.Errorf("code %s, alert received %d (%s); want %s with alert %d", r.d.Code, b.AlertRecv, r.d.Summary, explain.CodeBackendTLSFailed, tc.want)
			}
		})
	}
}

// requestUnderResetAfterConnect sends one HTTPS request through a
// terminate listener with server-ssl whose backend dial answers with the
// race rac describes, and returns the connection's record.
func requestUnderResetAfterConnect(t *testing.T, backend netip.AddrPort, rac func(addr string) *upstream.ResetAfterConnect) result {
	t.Helper()
	dial := func(_ context.Context, _, addr string) (net.Conn, error) { return nil, rac(addr) }
	h := startListener(t, Options{Mode: Terminate, Backend: backend.String(), Engine: EngineGoroutines,
		ClientSSL: &ClientSSL{}, ServerSSL: &ServerSSL{}}, dial)
	c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool()})
	if err == nil {
		_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
		_, _ = io.WriteString(c, engineRequest)
		_, _ = io.ReadAll(c)
		c.Close()
	}
	return h.next()
}

// TestFINResetAfterConnectClientWritesOn: after the race's backend FIN,
// a client that sends more instead of closing is reset, and what tlsgate
// read of it (one byte, read while waiting for the client's end) is counted
// undelivered with its first bytes: nothing reached the backend.
func TestFINResetAfterConnectClientWritesOn(t *testing.T) {
	const said = "backend said this, closed, then reset"
	dial := func(_ context.Context, _, addr string) (net.Conn, error) {
		return nil, &upstream.ResetAfterConnect{Addr: addr, Tail: []byte(said), FIN: true,
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.EPIPE}}
	}
	h := startListener(t, Options{Mode: Plaintext, Backend: "127.0.0.1:9", Engine: EngineGoroutines}, dial)
	c := dialGuarded(t, h.addr)
	if _, err := io.WriteString(c, engineRequest); err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(c); string(got) != said || err != nil {
		t.Fatalf("client read %q, %v; want the backend's bytes, then its FIN", got, err)
	}
	_, _ = io.WriteString(c, "more")
	r := h.next()
	if r.o.BytesUp != 0 || r.o.BytesUpUndelivered != int64(len(engineRequest)+1) {
		t.Errorf("%d bytes up, %d undelivered; want 0 and the client's %d, plus the one byte read after", r.o.BytesUp, r.o.BytesUpUndelivered, len(engineRequest))
	}
}

// TestResetAfterConnectNamedBackend: a backend named, not numbered, is
// logged with the address of the attempt that connected
// (ResetAfterConnect.Remote), which the name does not tell.
func TestResetAfterConnectNamedBackend(t *testing.T) {
	remote := netip.MustParseAddrPort("[::1]:9")
	dial := func(_ context.Context, _, addr string) (net.Conn, error) {
		return nil, &upstream.ResetAfterConnect{Addr: addr, Remote: net.TCPAddrFromAddrPort(remote), Tail: []byte("bye"),
			Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNRESET}}
	}
	h := startListener(t, Options{Mode: Plaintext, Backend: "backend.lab.test:9", Engine: EngineGoroutines}, dial)
	c := dialGuarded(t, h.addr)
	if _, err := io.WriteString(c, engineRequest); err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(c)
	if r := h.next(); r.o.Backend.Remote != remote || r.o.Backend.Addr != "backend.lab.test:9" {
		t.Errorf("backend %q logged as %v; want %v, the attempt that connected", r.o.Backend.Addr, r.o.Backend.Remote, remote)
	}
}
