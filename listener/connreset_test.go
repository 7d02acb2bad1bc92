package listener

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

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
