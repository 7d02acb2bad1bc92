//go:build linux

package listener

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tlsgate/tlsgate/bigiplog"
	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/fastpath"
	"github.com/tlsgate/tlsgate/faults"
)

// TestQueuedLostIsLogged: a connection a refuse rule took from the accept
// queue whose socket cannot become a net.Conn (net.FileConn fails: out of
// descriptors) is reset, and still logged once, as tlsgate's failure with
// the error and its addresses, not as a client that left; the others are
// served as before. The failure is injected through Server.fileConn, the
// one step it replaces: the first socket gets EMFILE, the rest
// net.FileConn.
func TestQueuedLostIsLogged(t *testing.T) {
	var calls atomic.Int32
	q := startQueue(t, 3, func(s *Server) {
		s.fileConn = func(f *os.File) (net.Conn, error) {
			if calls.Add(1) == 1 {
				return nil, &net.OpError{Op: "file", Net: "file+net", Err: os.NewSyscallError("fcntl", syscall.EMFILE)}
			}
			return net.FileConn(f)
		}
	}, nil)

	// The lost client reads the reset; the others their echo.
	reset := q.answers(t)
	if len(reset) != 1 {
		t.Fatalf("%d clients reset, want the 1 whose socket failed: %v", len(reset), reset)
	}
	events := q.finish(t, len(q.conns))
	lost := 0
	for _, ev := range events {
		o, d := ev.Outcome, ev.Diagnosis
		from := o.Client.String()
		if !reset[from] {
			if d.Code == explain.CodeAcceptFailed || o.AcceptErr != "" {
				t.Errorf("client %s: answered, logged as %s (%q)", from, d.Code, o.AcceptErr)
			}
			continue
		}
		lost++
		if d.Code != explain.CodeAcceptFailed || d.OK {
			t.Errorf("client %s: reset by tlsgate, logged as %s (ok %t), want %s", from, d.Code, d.OK, explain.CodeAcceptFailed)
		}
		// The evidence: the error (the line names the client already), and
		// where it connected.
		if !strings.Contains(o.AcceptErr, syscall.EMFILE.Error()) {
			t.Errorf("client %s: accept error %q, want the EMFILE", from, o.AcceptErr)
		}
		if o.Virtual.String() != q.addr {
			t.Errorf("client %s: virtual %s, want the listener's %s", from, o.Virtual, q.addr)
		}
		ev := map[string]string{}
		for _, e := range d.Evidence {
			ev[e.Key] = e.Value
		}
		if ev["accept_err"] != o.AcceptErr || ev["listen_addr"] != q.addr {
			t.Errorf("client %s: evidence %v, want accept_err and listen_addr", from, d.Evidence)
		}
	}
	if lost != 1 {
		t.Errorf("%d lines for the reset client, want 1", lost)
	}
}

// TestQueuedStartIsTheAccept: a queued connection's logged start is when
// takeQueued accepted it, before the listener's down line, and its
// duration runs from there, not from when its goroutine ran. The Outcome's
// clock (Deps.Now) waits for the gate, which opens only after the down
// line: a start taken by the goroutine would come after it.
func TestQueuedStartIsTheAccept(t *testing.T) {
	q := startQueue(t, 3, nil, func(g *acceptGate) func() time.Time { return g.now })
	if reset := q.answers(t); len(reset) > 0 {
		t.Fatalf("clients reset: %v", reset)
	}
	for _, ev := range q.finish(t, len(q.conns)) {
		o := ev.Outcome
		if !o.Start.Before(q.downAt) {
			t.Errorf("client %s: start %s, not before the down line at %s (the accept came first)",
				o.Client, o.Start.Format(time.RFC3339Nano), q.downAt.Format(time.RFC3339Nano))
		}
		if end := o.Start.Add(o.Duration); !end.After(q.downAt) {
			t.Errorf("client %s: start %s + duration %s ends before the down line at %s, though it was served after",
				o.Client, o.Start.Format(time.RFC3339Nano), o.Duration, q.downAt.Format(time.RFC3339Nano))
		}
	}
}

// queued is a goroutine-engine listener whose clients the kernel queued
// and a refuse rule then took from the queue.
type queued struct {
	srv    *Server
	addr   string // the listener's
	logs   *observer.ObservedLogs
	conns  []net.Conn
	downAt time.Time // the down line's time
}

const queuedRequest = "GET / HTTP/1.1\r\nHost: queued.test\r\n\r\n"

// startQueue connects clients, each sending a request, to a listener held
// from accepting (testRefuseQueue says how), adds a refuse rule and
// returns once its down line is logged and the gate open. set adjusts the
// Server before it serves; now, when set, makes Deps.Now from the gate.
func startQueue(t *testing.T, clients int, set func(*Server), now func(*acceptGate) func() time.Time) *queued {
	t.Helper()
	gate := &acceptGate{open: make(chan struct{})}
	t.Cleanup(gate.release) // a failing test must not leave Serve waiting
	e := faults.NewEngine(nil)
	core, logs := observer.New(zap.InfoLevel)
	deps := Deps{Logger: zap.New(core), Faults: e}
	if now != nil {
		deps.Now = now(gate)
	}
	srv, err := New(Options{Name: "web", Mode: Plaintext, Backend: echoBackend(t), Engine: EngineGoroutines}, deps)
	if err != nil {
		t.Fatal(err)
	}
	if set != nil {
		set(srv)
	}
	tl, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	serveGated(t, srv, &gatedListener{TCPListener: tl, gate: gate}, gate)
	q := &queued{srv: srv, addr: tl.Addr().String(), logs: logs}
	t.Cleanup(func() {
		for _, c := range q.conns {
			_ = c.Close()
		}
	})
	for range clients {
		c, err := net.DialTimeout("tcp", q.addr, 10*time.Second)
		if err != nil {
			t.Fatalf("dial %s: %v", q.addr, err)
		}
		q.conns = append(q.conns, c)
		if _, err := io.WriteString(c, queuedRequest); err != nil {
			t.Fatalf("client %s: write: %v", c.LocalAddr(), err)
		}
	}
	if err := e.Add(faults.Rule{Name: "port-closed", Action: faults.ActRefuse, Listener: "web"}); err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(20 * time.Second); logs.FilterMessage(reasonDown).Len() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(end) { // a hang guard
			t.Fatal("no down line 20s after the refuse rule came")
		}
	}
	q.downAt = logs.FilterMessage(reasonDown).All()[0].Time
	gate.release()
	return q
}

// answers reads each client's answer: the echo of its request, or a reset
// (returned, by client address). Each client closes after, ending its
// connection.
func (q *queued) answers(t *testing.T) map[string]bool {
	t.Helper()
	return readEchoes(t, q.conns, queuedRequest, true)
}

// finish shuts the listener down once want connection lines came (or a
// hang guard passed), checks that each client has exactly one, and returns
// their events.
func (q *queued) finish(t *testing.T, want int) []*bigiplog.Event {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); countTotal(countConnLines(t, q.logs)) < want && time.Now().Before(end); {
		time.Sleep(5 * time.Millisecond)
	}
	// Shutdown returns once every connection was logged.
	if err := shutdownBounded(q.srv); err != nil {
		t.Error(err)
	}
	logged := countConnLines(t, q.logs)
	for _, c := range q.conns {
		if n := logged[c.LocalAddr().String()]; n != 1 {
			t.Errorf("client %s: %d connection lines, want 1", c.LocalAddr(), n)
		}
	}
	if n := countTotal(logged); n != want {
		t.Errorf("%d connection lines, want %d", n, want)
	}
	var events []*bigiplog.Event
	for _, ent := range q.logs.All() {
		for _, f := range ent.Context {
			if ev, ok := f.Interface.(*bigiplog.Event); ok && f.Key == bigiplog.EventKey {
				events = append(events, ev)
			}
		}
	}
	return events
}

// TestHandoffLostIsAcceptFailed: the epoll engines' hand-off that failed
// the same way (the loop could not make its socket a net.Conn) is logged
// through the same acceptFailed, as tlsgate's failure with the error and
// what the client had sent; one Shutdown aborted is only closed, and
// says nothing of a failure. The handler is driven as the engine drives
// it (FastHandler's doc): no loop can be made to run out of descriptors
// on cue.
func TestHandoffLostIsAcceptFailed(t *testing.T) {
	remote, local := netip.MustParseAddrPort("127.0.0.1:40001"), netip.MustParseAddrPort("127.0.0.1:8443")
	emfile := fmt.Errorf("fastpath: handing off the client socket: %w", os.NewSyscallError("fcntl", syscall.EMFILE))
	cases := []struct {
		name      string
		err       error
		route     string
		acceptErr string
	}{
		{"out of descriptors", emfile, "accept_failed", emfile.Error()},
		{"aborted at shutdown", fastpath.ErrAborted, "closed", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			core, logs := observer.New(zap.InfoLevel)
			srv, err := New(Options{Name: "web", Mode: Plaintext, Backend: "127.0.0.1:9", MaxConnections: 1},
				Deps{Logger: zap.New(core)})
			if err != nil {
				t.Fatal(err)
			}
			h := srv.FastHandler()
			c := &fastpath.Conn{Remote: remote, Local: local, Accepted: time.Now()}
			if v := h.Open(c); v != fastpath.Wait {
				t.Fatalf("Open: %v", v)
			}
			c.Consumed = []byte("GET / HT")
			h.Handoff(c, nil, tc.err)
			ents := logs.All()
			if len(ents) != 1 {
				t.Fatalf("%d lines, want the connection's 1", len(ents))
			}
			ev := ents[0].Context[0].Interface.(*bigiplog.Event)
			o := ev.Outcome
			if o.Route != tc.route || o.AcceptErr != tc.acceptErr || o.Client != remote || o.Virtual != local {
				t.Errorf("route %q, accept error %q, %s -> %s; want %q, %q, %s -> %s",
					o.Route, o.AcceptErr, o.Client, o.Virtual, tc.route, tc.acceptErr, remote, local)
			}
			if string(o.FirstBytes) != "GET / HT" {
				t.Errorf("first bytes %q, want what the client had sent", o.FirstBytes)
			}
			if failed := ev.Diagnosis.Code == explain.CodeAcceptFailed; failed != (tc.acceptErr != "") {
				t.Errorf("diagnosed %s", ev.Diagnosis.Code)
			}
			// Its max_connections slot is free again.
			if v := h.Open(&fastpath.Conn{Remote: remote, Local: local, Accepted: time.Now()}); v != fastpath.Wait {
				t.Errorf("the next Open under max_connections 1: %v, want its slot given back", v)
			}
		})
	}
}
