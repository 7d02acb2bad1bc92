//go:build linux

package listener

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tlsgate/tlsgate/faults"
)

// TestRefuseServesTheAcceptQueue: connections the kernel completed but
// tlsgate had not accepted yet when a refuse rule takes the listener down
// at runtime are served and logged once each, on every engine: the
// shutdown that stops the socket listening resets what its accept queue
// holds, and those clients saw a connection, then a reset, with no line.
//
// The queue fills while the server is held from accepting by what it
// already depends on: the goroutine engine's accept loop by its listener
// (Serve takes any net.Listener; this one waits at a gate before each
// accept), the loop engines by the injected clock, which their Open calls
// for each new connection (each loop waits at the gate in its first one,
// and the kernel queues the rest). The rule comes while they wait; the
// gate opens once the listener's down line says the socket stopped
// listening.
func TestRefuseServesTheAcceptQueue(t *testing.T) {
	const clients = 12 // more than the loops (and their armed accepts) can hold
	const request = "GET / HTTP/1.1\r\nHost: queued.test\r\n\r\n"
	cases := []struct {
		name string
		max  int // max_connections
	}{
		{"all served", 0},
		// The loops' Opens and the queue's connections share the slots:
		// which of them got one varies, but each client gets its answer
		// and one line, or a reset counted as a refusal.
		{"max_connections", 4},
	}
	for _, tc := range cases {
		for _, engine := range testEngines {
			t.Run(tc.name+"/"+string(engine), func(t *testing.T) {
				testRefuseQueue(t, engine, tc.max, clients, request)
			})
		}
	}
}

// testRefuseQueue is one case: clients connect to a listener on engine
// held from accepting, the refuse rule comes, and each client must end
// answered and logged once, or (under max_connections) reset and counted
// as refused.
func testRefuseQueue(t *testing.T, engine Engine, maxConns, clients int, request string) {
	needEngine(t, engine)
	gate := &acceptGate{open: make(chan struct{})}
	defer gate.release() // a failing test must not leave Serve waiting
	e := faults.NewEngine(nil)
	core, logs := observer.New(zap.InfoLevel)
	deps := Deps{Logger: zap.New(core), Faults: e}
	if engine != EngineGoroutines {
		deps.Now = gate.now
	}
	srv, err := New(Options{Name: "web", Mode: Plaintext, Backend: echoBackend(t), Engine: engine,
		MaxConnections: maxConns}, deps)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	var ln net.Listener = tl
	if engine == EngineGoroutines {
		ln = &gatedListener{TCPListener: tl, gate: gate}
	}
	serveGated(t, srv, ln, gate)

	conns := make([]net.Conn, 0, clients)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range clients {
		// The kernel completes the handshake with nobody accepting.
		c, err := net.DialTimeout("tcp", tl.Addr().String(), 10*time.Second)
		if err != nil {
			t.Fatalf("dial %s: %v", tl.Addr(), err)
		}
		conns = append(conns, c)
		if _, err := io.WriteString(c, request); err != nil {
			t.Fatalf("client %s: write: %v", c.LocalAddr(), err)
		}
	}

	if err := e.Add(faults.Rule{Name: "port-closed", Action: faults.ActRefuse, Listener: "web"}); err != nil {
		t.Fatal(err)
	}
	// The down line comes after the shutdown: what the queue
	// still held then is past saving or served.
	for end := time.Now().Add(20 * time.Second); logs.FilterMessage(reasonDown).Len() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("no down line 20s after the refuse rule came")
		}
	}
	gate.release()

	reset := readEchoes(t, conns, request, maxConns > 0) // clients refused under max_connections

	// A lost line shows as a count that stops short; the bound is
	// a hang guard.
	for end := time.Now().Add(20 * time.Second); countTotal(countConnLines(t, logs)) < clients-len(reset) && time.Now().Before(end); {
		time.Sleep(5 * time.Millisecond)
	}
	// Shutdown returns once every connection was logged: no line
	// comes after the count.
	if err := shutdownBounded(srv); err != nil {
		t.Error(err)
	}
	logged := countConnLines(t, logs)
	for _, c := range conns {
		from := c.LocalAddr().String()
		want := 1
		if reset[from] {
			want = 0 // counted in the max_connections line instead
		}
		if got := logged[from]; got != want {
			t.Errorf("client %s: %d connection lines, want %d", from, got, want)
		}
		delete(logged, from)
	}
	for from, got := range logged {
		t.Errorf("client %s: %d connection lines, no connection made from it", from, got)
	}
	if got := srv.Refused(); got != int64(len(reset)) {
		t.Errorf("%d connections refused under max_connections, but %d clients were reset", got, len(reset))
	}
	t.Logf("%d clients: %d reset, refused under max_connections %d", clients, len(reset), maxConns)
	if down, downs := srv.Down(); !down || downs != 1 {
		t.Errorf("Down() = %v, %d; want down once", down, downs)
	}
}

// acceptGate holds a server from accepting until release.
type acceptGate struct {
	open chan struct{}
	once sync.Once
}

func (g *acceptGate) release() { g.once.Do(func() { close(g.open) }) }

// now is a Deps.Now that waits for the gate: a loop engine's Open calls it
// for each connection it accepted, so the loop waits with it.
func (g *acceptGate) now() time.Time {
	<-g.open
	return time.Now()
}

// gatedListener accepts only once its gate opened; its socket (through
// the embedded SyscallConn) is the one a refuse rule takes down.
type gatedListener struct {
	*net.TCPListener
	gate *acceptGate
}

func (l *gatedListener) Accept() (net.Conn, error) {
	<-l.gate.open
	return l.TCPListener.Accept()
}

// TestTakeQueuedLeavesNoDescriptor: the drain takes every connection the
// queue holds, with the client's address accept reported, and the
// net.Conn it makes of each is the only descriptor left open for it.
func TestTakeQueuedLeavesNoDescriptor(t *testing.T) {
	const clients = 5
	tl, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	want := map[string]bool{}
	for range clients {
		c, err := net.DialTimeout("tcp", tl.Addr().String(), 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		want[c.LocalAddr().String()] = true
	}
	rc, err := tl.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fds []acceptedFD
	// The kernel queues a loopback connection as its connect returns;
	// the retries only guard against a slow softirq.
	for end := time.Now().Add(20 * time.Second); len(fds) < clients && time.Now().Before(end); time.Sleep(time.Millisecond) {
		if err := rc.Control(func(fd uintptr) { fds = append(fds, takeQueued(int(fd))...) }); err != nil {
			t.Fatal(err)
		}
	}
	if len(fds) != clients {
		t.Fatalf("took %d queued connections, want %d", len(fds), clients)
	}
	// A socket is one inode however many descriptors name it.
	var sockets []string
	for _, a := range fds {
		var st syscall.Stat_t
		if err := syscall.Fstat(a.fd, &st); err != nil {
			t.Fatal(err)
		}
		sockets = append(sockets, fmt.Sprintf("socket:[%d]", st.Ino))
	}
	queued := queuedConns(fds, net.FileConn)
	if len(queued) != clients {
		t.Fatalf("%d net.Conns from %d queued sockets", len(queued), clients)
	}
	for _, sock := range sockets {
		if n := descriptorsOf(t, sock); n != 1 {
			t.Errorf("%s: %d descriptors open after queuedConns, want 1 (its net.Conn's)", sock, n)
		}
	}
	for _, q := range queued {
		from := q.remote.String()
		if !want[from] {
			t.Errorf("queued connection from %s (conn says %s): no such client", from, q.c.RemoteAddr())
		}
		delete(want, from)
		_ = q.c.Close()
	}
	for _, sock := range sockets {
		if n := descriptorsOf(t, sock); n != 0 {
			t.Errorf("%s: %d descriptors open after its net.Conn closed", sock, n)
		}
	}
}

// descriptorsOf counts this process's descriptors that name the socket
// sock ("socket:[inode]").
func descriptorsOf(t *testing.T, sock string) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		if l, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && l == sock {
			n++
		}
	}
	return n
}

// TestRefuseMidBurstServesEachOnce: a refuse rule that comes while
// clients keep connecting and the loops (or the accept loop) accept at
// full speed, racing the drain for the same queue: every client that got
// its answer is logged exactly once, and none is logged twice or without
// its answer. A client reset in the moment between the drain and the
// shutdown gets no line; that is counted, not failed. Each client
// connects until one is refused, the listener being down.
func TestRefuseMidBurstServesEachOnce(t *testing.T) {
	const (
		workers = 4
		perMax  = 300 // connections per worker at most
		before  = 40  // connections made before the rule comes
		request = "GET / HTTP/1.1\r\nHost: burst.test\r\n\r\n"
	)
	for _, engine := range testEngines {
		t.Run(string(engine), func(t *testing.T) {
			needEngine(t, engine)
			e := faults.NewEngine(nil)
			srv, addr, logs := startCounted(t, Options{Name: "web", Mode: Plaintext, Backend: echoBackend(t), Engine: engine}, e)

			var mu sync.Mutex
			answered := map[string]bool{}
			made, resets := 0, 0
			ready := make(chan struct{})
			var wg sync.WaitGroup
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range perMax {
						c, err := net.DialTimeout("tcp", addr, 10*time.Second)
						if err != nil {
							return // refused: the listener is down
						}
						mu.Lock()
						if made++; made == before {
							close(ready)
						}
						mu.Unlock()
						_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // a hang guard
						got := make([]byte, len(request))
						_, err = io.WriteString(c, request)
						if err == nil {
							_, err = io.ReadFull(c, got)
						}
						from := c.LocalAddr().String()
						_ = c.Close()
						mu.Lock()
						if err != nil || string(got) != request {
							resets++
						} else {
							answered[from] = true
						}
						mu.Unlock()
					}
				}()
			}
			select {
			case <-ready:
			case <-time.After(20 * time.Second): // a hang guard
				t.Fatal("no connections made in 20s")
			}
			if err := e.Add(faults.Rule{Name: "port-closed", Action: faults.ActRefuse, Listener: "web"}); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			// Shutdown returns once every connection was logged.
			if err := shutdownBounded(srv); err != nil {
				t.Error(err)
			}
			logged := countConnLines(t, logs)
			for from := range answered {
				if got := logged[from]; got != 1 {
					t.Errorf("client %s: answered, %d connection lines, want 1", from, got)
				}
				delete(logged, from)
			}
			for from, got := range logged {
				// A served client gets its answer; one reset before it was
				// served made no connection tlsgate saw.
				t.Errorf("client %s: %d connection lines, never answered", from, got)
			}
			t.Logf("%d connections: %d answered, %d reset", made, len(answered), resets)
		})
	}
}

// readEchoes reads each client's answer, in parallel: the echo of request,
// or, where resetOK, a reset (returned, by client address). Each client
// closes after, which ends its relay, so the connection is logged.
func readEchoes(t *testing.T, conns []net.Conn, request string, resetOK bool) map[string]bool {
	t.Helper()
	var mu sync.Mutex
	reset := map[string]bool{}
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			_ = c.SetReadDeadline(time.Now().Add(20 * time.Second)) // a hang guard
			got := make([]byte, len(request))
			if _, err := io.ReadFull(c, got); err != nil {
				if resetOK && errors.Is(err, syscall.ECONNRESET) {
					mu.Lock()
					reset[c.LocalAddr().String()] = true
					mu.Unlock()
					return
				}
				t.Errorf("client %s: no answer, %v", c.LocalAddr(), err)
				return
			}
			if string(got) != request {
				t.Errorf("client %s: answer %q, want the echo of %q", c.LocalAddr(), got, request)
			}
		}()
	}
	wg.Wait()
	return reset
}

// serveGated serves srv on ln until the test ends, then releases gate and
// shuts srv down (bounded), failing the test if either goes wrong.
func serveGated(t *testing.T, srv *Server, ln net.Listener, gate *acceptGate) {
	t.Helper()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		gate.release()
		if err := shutdownBounded(srv); err != nil {
			t.Error(err)
			return
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
}
