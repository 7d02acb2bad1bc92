package faults

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// hangGuard bounds every wait in these tests. The delays configured are an
// hour, so returning at all is the assertion; the guard only turns a hang
// into a failure.
const hangGuard = 10 * time.Second

// loopbackPair returns both ends of a real loopback TCP connection.
func loopbackPair(t *testing.T) (srv, cli *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ch := make(chan net.Conn, 1)
	go func() { c, _ := ln.Accept(); ch <- c }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-ch
	if s == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return s.(*net.TCPConn), c.(*net.TCPConn)
}

// waitCase is an effect with an hour-long wait and the operation that
// ends up blocked in it.
type waitCase struct {
	name string
	rule Rule
	op   func(w net.Conn) error
	// flushed: what the peer must still receive when the connection is
	// closed (not reset) during the wait; nil when that is racy by design
	// (a Write in progress may lose its tail to the socket's close).
	flushed []byte
}

func waitCases() []waitCase {
	hour := Duration(time.Hour)
	closeWrite := func(w net.Conn) error { return w.(interface{ CloseWrite() error }).CloseWrite() }
	write := func(b []byte) func(net.Conn) error {
		return func(w net.Conn) error { _, err := w.Write(b); return err }
	}
	return []waitCase{
		{name: "slicer", rule: Rule{Action: ActSlicer, AverageSize: 1, Delay: hour}, op: write([]byte("hello"))},
		{name: "first_byte_delay", rule: Rule{Action: ActFirstByteDelay, Delay: hour}, op: write([]byte("x"))},
		{name: "fragment", rule: Rule{Action: ActFragment, AverageSize: 1, Delay: hour}, op: write([]byte("hello"))},
		// 4 MB at 1 KB/s is over an hour of throttling.
		{name: "bandwidth", rule: Rule{Action: ActBandwidth, Rate: 1}, op: write(make([]byte, 4<<20))},
		{name: "slow_close", rule: Rule{Action: ActSlowClose, Delay: hour}, op: closeWrite},
		{name: "latency", rule: Rule{Action: ActLatency, Latency: hour},
			op: func(w net.Conn) error {
				if _, err := w.Write([]byte("queued")); err != nil {
					return err
				}
				return closeWrite(w) // waits for the queue to drain
			},
			flushed: []byte("queued"),
		},
	}
}

// wrapWatched wraps srv with r on the real clock, and reports on entered
// each time an effect starts a wait, so the test closes the conn while
// something is really waiting.
func wrapWatched(t *testing.T, r Rule, srv net.Conn) (net.Conn, <-chan struct{}) {
	t.Helper()
	entered := make(chan struct{}, 1)
	deps := WrapDeps{Index: 1, Sleep: func(d time.Duration, done <-chan struct{}) bool {
		select {
		case entered <- struct{}{}:
		default:
		}
		return sleep(d, done)
	}}
	return Wrap(srv, []*Rule{rule(t, r)}, FacingClient, deps), entered
}

// startWaiting runs op on w and returns once an effect is waiting in it;
// op's result comes on the channel.
func startWaiting(t *testing.T, op func(net.Conn) error, w net.Conn, entered <-chan struct{}) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- op(w) }()
	select {
	case <-entered:
	case <-time.After(hangGuard):
		t.Fatal("the effect never started its wait")
	}
	return done
}

func within(t *testing.T, what string, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(hangGuard):
		t.Fatalf("%s did not return after the connection ended (the effect waits out its delay)", what)
		return nil
	}
}

// TestWaitsEndOnClose: whatever is blocked in an effect's delay returns
// once the conn is closed, and Close itself does not wait the delay out.
// What a latency queue held still reaches the peer, just without its delay.
func TestWaitsEndOnClose(t *testing.T) {
	for _, tc := range waitCases() {
		t.Run(tc.name, func(t *testing.T) {
			srv, cli := loopbackPair(t)
			w, entered := wrapWatched(t, tc.rule, srv)
			got := make(chan []byte, 1)
			go func() { b, _ := io.ReadAll(cli); got <- b }()

			opDone := startWaiting(t, tc.op, w, entered)
			closed := make(chan error, 1)
			go func() { closed <- w.Close() }()
			within(t, "Close", closed)
			within(t, "the blocked operation", opDone)

			select {
			case b := <-got:
				if tc.flushed != nil && !bytes.Equal(b, tc.flushed) {
					t.Errorf("peer received %q, want %q: Close dropped what was queued", b, tc.flushed)
				}
			case <-time.After(hangGuard):
				t.Fatal("the peer never saw the connection end")
			}
		})
	}
}

// TestWaitsEndOnPeerReset: when the socket fails (the peer resets, seen
// by a Read of the wrapped conn) whatever waits in an effect stops with an
// error, without anyone calling Close; Close afterwards is prompt too.
func TestWaitsEndOnPeerReset(t *testing.T) {
	for _, tc := range waitCases() {
		t.Run(tc.name, func(t *testing.T) {
			srv, cli := loopbackPair(t)
			w, entered := wrapWatched(t, tc.rule, srv)
			readDone := make(chan error, 1)
			go func() { _, err := io.Copy(io.Discard, w); readDone <- err }()

			opDone := startWaiting(t, tc.op, w, entered)
			_ = cli.SetLinger(0)
			_ = cli.Close() // RST
			if err := within(t, "the Read", readDone); err == nil {
				t.Fatal("Read saw no error after the peer reset")
			}
			if err := within(t, "the blocked operation", opDone); err == nil {
				t.Error("the blocked operation reported success after the peer reset")
			}
			closed := make(chan error, 1)
			go func() { closed <- w.Close() }()
			within(t, "Close", closed)
		})
	}
}

// TestLatencyCloseAfterPeerReset: Close does not wait out the queued
// chunks' latency when the peer already reset and nothing read the conn
// to notice.
func TestLatencyCloseAfterPeerReset(t *testing.T) {
	srv, cli := loopbackPair(t)
	w, entered := wrapWatched(t, Rule{Action: ActLatency, Latency: Duration(time.Hour)}, srv)
	if _, err := w.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	<-entered
	_ = cli.SetLinger(0)
	_ = cli.Close()
	closed := make(chan error, 1)
	go func() { closed <- w.Close() }()
	within(t, "Close", closed)
	if _, err := w.Write([]byte("y")); err == nil {
		t.Error("Write after Close succeeded")
	}
}

// TestCloseFlushBoundedByStalledPeer: bytes still queued when Close comes
// go out at once, but a peer that has stopped reading cannot take them;
// Close gives up after CloseFlush instead of waiting for it for ever.
func TestCloseFlushBoundedByStalledPeer(t *testing.T) {
	srv, cli := loopbackPair(t)
	_ = cli.SetReadBuffer(4 << 10)
	_ = srv.SetWriteBuffer(4 << 10)
	deps := WrapDeps{Index: 1, CloseFlush: 50 * time.Millisecond}
	w := Wrap(srv, []*Rule{rule(t, Rule{Action: ActLatency, Latency: Duration(time.Hour)})}, FacingClient, deps)
	// Far more than the two socket buffers hold; the queue takes it all.
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	for range 256 {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	closed := make(chan error, 1)
	go func() { closed <- w.Close() }()
	within(t, "Close with a peer that does not read", closed)
}

// TestCloseFlushAfterSlowClose: slow_close's delay inside Close does not
// use up the flush's time. What a later filter still holds (a latency
// queue, a record fragment cut short) reaches a reading peer even when the
// delay is longer than CloseFlush.
func TestCloseFlushAfterSlowClose(t *testing.T) {
	tests := []struct {
		name  string
		after Rule
		write []byte
	}{
		{"latency", Rule{Name: "lat", Action: ActLatency, Latency: Duration(time.Hour)}, []byte("queued")},
		{"fragment", Rule{Name: "fr", Action: ActFragment, RecordSize: 100, Direction: S2C},
			[]byte{0x16, 3, 1, 0, 50, 'a', 'b', 'c'}}, // a handshake record cut short
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cli := loopbackPair(t)
			sc := rule(t, Rule{Name: "sc", Action: ActSlowClose, Delay: Duration(200 * time.Millisecond)})
			w := Wrap(srv, []*Rule{sc, rule(t, tt.after)}, FacingClient, WrapDeps{Index: 1, CloseFlush: 20 * time.Millisecond})
			if _, err := w.Write(tt.write); err != nil {
				t.Fatal(err)
			}
			closed := make(chan error, 1)
			go func() { closed <- w.Close() }()
			_ = cli.SetReadDeadline(time.Now().Add(hangGuard))
			got, err := io.ReadAll(cli)
			if !bytes.Equal(got, tt.write) {
				t.Errorf("peer got %q (%v), want %q", got, err, tt.write)
			}
			within(t, "Close", closed)
		})
	}
}
