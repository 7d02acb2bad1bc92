package upstream

import (
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"
)

// gatedConn holds its reads until a write through it has failed: the
// relay's backend→client direction then cannot read the backend's last
// bytes before the client→backend direction meets the backend's reset,
// the order the scheduler otherwise only sometimes makes. The socket is
// real; Unwrap lets the relay's resets reach it.
type gatedConn struct {
	net.Conn
	open chan struct{}
	once sync.Once
}

func (g *gatedConn) Read(p []byte) (int, error) {
	<-g.open
	return g.Conn.Read(p)
}

func (g *gatedConn) Write(p []byte) (int, error) {
	n, err := g.Conn.Write(p)
	if err != nil {
		g.once.Do(func() { close(g.open) })
	}
	return n, err
}

func (g *gatedConn) Unwrap() net.Conn { return g.Conn }

// TestPumpWriteFailDeliversRest: the backend answers and resets while the
// relay has not read the answer, and the client's next bytes meet the
// reset first, as a failed write. The answer still goes to the client,
// then the reset, as when the relay's read meets the reset: no byte the
// backend sent is lost (the epoll engine's TestBackendWriteFailDeliversRest).
func TestPumpWriteFailDeliversRest(t *testing.T) {
	r := newRig(t, false)
	g := &gatedConn{Conn: r.backendSide, open: make(chan struct{})}
	r.backendSide = g
	t.Cleanup(func() { g.once.Do(func() { close(g.open) }) })
	done := r.start(nil, 0)

	const said = "the backend's answer, then its reset"
	if _, err := r.backendApp.Write([]byte(said)); err != nil {
		t.Fatal(err)
	}
	_ = r.backendApp.SetLinger(0)
	r.backendApp.Close()
	// The relay's write must meet the reset: wait until it has come.
	for deadline := time.Now().Add(20 * time.Second); !peerReset(g.Conn); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the backend's reset never reached the relay's socket")
		}
	}
	_ = r.clientApp.SetDeadline(time.Now().Add(30 * time.Second)) // hang guard only
	if _, err := r.clientApp.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r.clientApp)
	if string(got) != said || !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client read %q, %v; want the backend's bytes, then a reset", got, err)
	}
	var pr pumpResult
	select {
	case pr = <-done:
	case <-time.After(20 * time.Second): // hang guard only
		t.Fatal("the pump never ended")
	}
	var oe *net.OpError
	if pr.res.ResetBy != SideBackend || pr.res.Down != int64(len(said)) || !errors.As(pr.err, &oe) || oe.Op != "write" {
		t.Errorf("reset by %q, %d bytes down, error %v; want the backend's reset met by a write, after its %d bytes",
			pr.res.ResetBy, pr.res.Down, pr.err, len(said))
	}
	if h := pr.res.DownHead[:pr.res.DownHeadLen]; string(h) != said[:len(h)] || len(h) == 0 {
		t.Errorf("down head %q, want the start of %q", h, said)
	}
}
