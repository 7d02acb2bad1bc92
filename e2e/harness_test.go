package e2e

import (
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// spec is one [[listener]] (see tg.Listener).
type spec = tg.Listener

// gateConfig is what a test chooses; everything else (log file, CA dir,
// ports) the harness fills in.
type gateConfig struct {
	format    string // "json" (default) or "bigip"
	grace     string // [shutdown] grace; default "5s"
	admin     bool   // serve the admin API (metrics) on a loopback port
	listeners []spec
}

// gate is one running tlsgate subprocess; this suite adds its JSON event
// readers (events_test.go) and its stop check.
type gate struct{ *tg.Gate }

// startGate writes the config, starts tlsgate and waits until it serves.
// The process is killed at cleanup if the test did not stop it.
func startGate(t *testing.T, gc gateConfig) *gate {
	t.Helper()
	c := tg.Config{Bin: tlsgateBin, Format: gc.format, Grace: gc.grace, Admin: gc.admin, Listeners: gc.listeners}
	return &gate{tg.Start(t, c)}
}

// freePort is one unused loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	return tg.FreePorts(t, 1)[0]
}

// boundPort binds a socket to a free loopback port and keeps it until the
// test ends, so no parallel test's server can take the port meanwhile.
func boundPort(t *testing.T) (fd, port int) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("boundPort: socket: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("boundPort: bind: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("boundPort: getsockname: %v", err)
	}
	return fd, sa.(*syscall.SockaddrInet4).Port
}

// closedPort returns a loopback port where nothing listens and nothing
// will: its socket stays bound, without listen, so connecting gets a reset
// (connection refused).
func closedPort(t *testing.T) int {
	t.Helper()
	_, port := boundPort(t)
	return port
}

// blackholePort returns a loopback port whose accept queue is full, so a
// connect to it is never answered (the kernel drops its SYN): a backend
// behind a filtering firewall, without leaving loopback.
func blackholePort(t *testing.T) int {
	t.Helper()
	fd, port := boundPort(t)
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatalf("blackholePort: listen: %v", err)
	}
	for range 16 {
		c, err := net.DialTimeout("tcp", loopback(port), 200*time.Millisecond)
		if err != nil {
			return port // this connect went unanswered: the queue is full
		}
		t.Cleanup(func() { _ = c.Close() })
	}
	t.Fatal("blackholePort: the accept queue never filled")
	return 0
}

// stop sends SIGTERM and checks the graceful exit: status 0 and the
// shutdown logged.
func (g *gate) stop(t *testing.T) {
	t.Helper()
	if g.Exited() {
		t.Fatalf("tlsgate exited before stop (%v):\n%s\n%s", g.Proc().State(), g.Output(), g.ReadLog(t))
	}
	g.Signal(t, syscall.SIGTERM)
	if code := g.Wait(t, tg.StopWait); code != 0 {
		t.Fatalf("tlsgate exit status %d after SIGTERM, want 0:\n%s", code, g.Output())
	}
	if !strings.Contains(g.ReadLog(t), "shutting down") {
		t.Errorf("log has no shutdown line:\n%s", g.ReadLog(t))
	}
}

// waitFor polls cond until it holds or the bounded wait runs out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tg.WaitFor(t, tg.EventWait, what, cond)
}
