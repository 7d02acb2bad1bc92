package faults

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func sizes(segs [][]byte) []int {
	out := make([]int, len(segs))
	for i, s := range segs {
		out[i] = len(s)
	}
	return out
}

func TestWrapWithoutFiltersReturnsConn(t *testing.T) {
	m := newMemConn()
	rules := []*Rule{rule(t, Rule{Action: ActReset}), rule(t, Rule{Action: ActChain, Chain: ChainExpired})}
	if got := Wrap(m, rules, FacingClient, WrapDeps{}); got != net.Conn(m) {
		t.Fatal("Wrap with only stops and policy should return the conn itself")
	}
}

func TestLatency(t *testing.T) {
	clk := newFakeClock()
	m := newMemConn()
	// The first delivery waits until all three chunks are queued, so the
	// test does not depend on when the delivery goroutine runs.
	gate := make(chan struct{})
	deps := clk.deps()
	deps.Sleep = func(d time.Duration, done <-chan struct{}) bool { <-gate; return clk.Sleep(d, done) }
	w := Wrap(m, []*Rule{rule(t, Rule{Action: ActLatency, Latency: Duration(100 * time.Millisecond)})}, FacingClient, deps)
	for _, s := range []string{"one", "two", "three"} {
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	close(gate)
	if err := w.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if got := string(m.Bytes()); got != "onetwothree" {
		t.Fatalf("delivered %q", got)
	}
	if fin, _ := m.State(); !fin {
		t.Error("CloseWrite did not reach the socket after the queue drained")
	}
	// All three were written at the same instant, so only the first waits
	// the full latency: the queue delays, it does not throttle.
	if got := clk.Sleeps(); !slices.Equal(got, []time.Duration{100 * time.Millisecond}) {
		t.Errorf("sleeps = %v, want [100ms]", got)
	}
}

func TestLatencyJitterSeeded(t *testing.T) {
	run := func() []time.Duration {
		clk := newFakeClock()
		m := newMemConn()
		r := rule(t, Rule{Action: ActLatency, Latency: Duration(100 * time.Millisecond), Jitter: Duration(20 * time.Millisecond), Seed: 5})
		w := Wrap(m, []*Rule{r}, FacingClient, clk.deps())
		for i := range 20 {
			_, _ = w.Write([]byte("x"))
			m.WaitBytes(t, i+1) // delivered, so the next chunk waits its own full delay
		}
		_ = w.Close()
		return clk.Sleeps()
	}
	a, b := run(), run()
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different jitter: %v vs %v", a, b)
	}
	distinct := map[time.Duration]bool{}
	for _, d := range a {
		if d < 80*time.Millisecond || d > 120*time.Millisecond {
			t.Errorf("delay %v outside 100ms ± 20ms", d)
		}
		distinct[d] = true
	}
	if len(distinct) < 2 {
		t.Errorf("jitter produced one value: %v", a)
	}
}

func TestCloseFlushesLatencyQueue(t *testing.T) {
	clk := newFakeClock()
	m := newMemConn()
	w := Wrap(m, []*Rule{rule(t, Rule{Action: ActLatency, Latency: Duration(time.Second)})}, FacingClient, clk.deps())
	_, _ = w.Write([]byte("last words"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := string(m.Bytes()); got != "last words" {
		t.Fatalf("Close dropped queued bytes: got %q", got)
	}
	if _, closed := m.State(); !closed {
		t.Error("socket not closed")
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("Write after Close succeeded")
	}
}

func TestInboundLatency(t *testing.T) {
	clk := newFakeClock()
	m := newMemConn()
	w := Wrap(m, []*Rule{rule(t, Rule{Action: ActLatency, Latency: Duration(50 * time.Millisecond), Direction: C2S})}, FacingClient, clk.deps())
	defer w.Close()
	m.Push([]byte("GET / HTTP/1.1\r\n\r\n"))
	buf := make([]byte, 64)
	n, err := w.Read(buf)
	if err != nil || string(buf[:n]) != "GET / HTTP/1.1\r\n\r\n" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	if got := clk.Sleeps(); !slices.Equal(got, []time.Duration{50 * time.Millisecond}) {
		t.Errorf("sleeps = %v", got)
	}
	m.PushEOF()
	if _, err := w.Read(buf); err != io.EOF {
		t.Errorf("Read after EOF = %v, want io.EOF", err)
	}
	// The write side has no filter: bytes go straight through.
	_, _ = w.Write([]byte("resp"))
	if string(m.Bytes()) != "resp" {
		t.Errorf("write side = %q", m.Bytes())
	}
}

func TestBandwidth(t *testing.T) {
	clk := newFakeClock()
	m := newMemConn()
	w := Wrap(m, []*Rule{rule(t, Rule{Action: ActBandwidth, Rate: 1})}, FacingClient, clk.deps()) // 1 KB/s = 1 byte/ms
	if n, err := w.Write(make([]byte, 250)); n != 250 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if got := sizes(m.Segments()); !slices.Equal(got, []int{100, 100, 50}) {
		t.Errorf("segments = %v, want 100 100 50", got)
	}
	if got := clk.Sleeps(); !slices.Equal(got, []time.Duration{100 * time.Millisecond, 100 * time.Millisecond, 50 * time.Millisecond}) {
		t.Errorf("sleeps = %v", got)
	}
}

func TestSlicer(t *testing.T) {
	clk := newFakeClock()
	m := newMemConn()
	w := Wrap(m, []*Rule{rule(t, Rule{Action: ActSlicer, AverageSize: 10, Delay: Duration(time.Millisecond)})}, FacingClient, clk.deps())
	in := []byte(strings.Repeat("abcdefghij", 3) + "xyz")
	_, _ = w.Write(in)
	if got := sizes(m.Segments()); !slices.Equal(got, []int{10, 10, 10, 3}) {
		t.Errorf("segments = %v", got)
	}
	if !bytes.Equal(m.Bytes(), in) {
		t.Error("slicer changed the bytes")
	}
	if got := clk.Sleeps(); len(got) != 3 {
		t.Errorf("sleeps = %v, want 3 between 4 pieces", got)
	}

	m2 := newMemConn()
	w2 := Wrap(m2, []*Rule{rule(t, Rule{Action: ActSlicer, AverageSize: 10, SizeVariation: 4})}, FacingClient, newFakeClock().deps())
	big := bytes.Repeat([]byte{7}, 1000)
	_, _ = w2.Write(big)
	for _, s := range sizes(m2.Segments()[:len(m2.Segments())-1]) {
		if s < 6 || s > 14 {
			t.Errorf("piece of %d bytes outside 10 ± 4", s)
		}
	}
	if !bytes.Equal(m2.Bytes(), big) {
		t.Error("slicer with variation changed the bytes")
	}
}

func TestSlowClose(t *testing.T) {
	clk := newFakeClock()
	m := newMemConn()
	w := Wrap(m, []*Rule{rule(t, Rule{Action: ActSlowClose, Delay: Duration(3 * time.Second)})}, FacingClient, clk.deps())
	_, _ = w.Write([]byte("data"))
	if len(clk.Sleeps()) != 0 {
		t.Fatal("slow_close delayed a write")
	}
	if err := w.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if got := clk.Sleeps(); !slices.Equal(got, []time.Duration{3 * time.Second}) {
		t.Errorf("sleeps = %v, want [3s] before the FIN", got)
	}
	if fin, _ := m.State(); !fin {
		t.Error("no FIN after the delay")
	}
	_ = w.Close()
	if _, closed := m.State(); !closed {
		t.Error("not closed")
	}
	if got := clk.Sleeps(); len(got) != 1 {
		t.Errorf("sleeps = %v: the delay was taken twice", got)
	}
	// A Close alone takes the delay too: delaying the close is the
	// effect (Toxiproxy's slow_close), unlike every other wait.
	m2 := newMemConn()
	w2 := Wrap(m2, []*Rule{rule(t, Rule{Action: ActSlowClose, Delay: Duration(3 * time.Second)})}, FacingClient, clk.deps())
	_ = w2.Close()
	if got := clk.Sleeps(); !slices.Equal(got, []time.Duration{3 * time.Second, 3 * time.Second}) {
		t.Errorf("sleeps = %v, want the 3s delay before the close too", got)
	}
	if _, closed := m2.State(); !closed {
		t.Error("not closed")
	}
}

func TestLimitData(t *testing.T) {
	m := newMemConn()
	w := Wrap(m, []*Rule{rule(t, Rule{Action: ActLimitData, Bytes: 10})}, FacingClient, newFakeClock().deps())
	if n, err := w.Write([]byte("123456")); n != 6 || err != nil {
		t.Fatalf("first write = %d, %v", n, err)
	}
	n, err := w.Write([]byte("789abc"))
	if n != 4 || !errors.Is(err, ErrClosedByFault) {
		t.Fatalf("second write = %d, %v; want 4, ErrClosedByFault", n, err)
	}
	if got := string(m.Bytes()); got != "123456789a" {
		t.Errorf("delivered %q", got)
	}
	if _, closed := m.State(); !closed {
		t.Error("limit reached but connection not closed")
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		then      Then
		wantErr   error
		wantFin   bool
		wantClose bool
	}{
		{ThenHold, nil, false, false},
		{ThenFIN, nil, true, false},
		{ThenRST, ErrReset, false, true},
	}
	for _, tt := range tests {
		t.Run(string(tt.then), func(t *testing.T) {
			m := newMemConn()
			w := Wrap(m, []*Rule{rule(t, Rule{Action: ActTruncate, Bytes: 5, Then: tt.then})}, FacingClient, newFakeClock().deps())
			_, err := w.Write([]byte("hello world"))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Write err = %v, want %v", err, tt.wantErr)
			}
			_, _ = w.Write([]byte("more"))
			if got := string(m.Bytes()); got != "hello" {
				t.Errorf("delivered %q, want hello", got)
			}
			fin, closed := m.State()
			if fin != tt.wantFin || closed != tt.wantClose {
				t.Errorf("fin, closed = %v, %v; want %v, %v", fin, closed, tt.wantFin, tt.wantClose)
			}
			if tt.then == ThenRST && !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("reset error %v does not match ECONNRESET", err)
			}
		})
	}
}

func TestBlackholeAndTimeout(t *testing.T) {
	t.Run("hold", func(t *testing.T) {
		clk := newFakeClock()
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActBlackhole, Direction: S2C})}, FacingClient, clk.deps())
		if n, err := w.Write([]byte("ServerHello")); n != 11 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
		_ = w.(interface{ CloseWrite() error }).CloseWrite()
		if len(m.Segments()) != 0 {
			t.Errorf("blackhole let %q through", m.Bytes())
		}
		if fin, _ := m.State(); fin {
			t.Error("blackhole let the FIN through")
		}
		if len(clk.Timers()) != 0 {
			t.Errorf("hold armed timers %v", clk.Timers())
		}
	})
	t.Run("then rst", func(t *testing.T) {
		clk := newFakeClock()
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActBlackhole, Direction: S2C, Then: ThenRST, Delay: Duration(5 * time.Second)})}, FacingClient, clk.deps())
		_, _ = w.Write([]byte("x"))
		if got := clk.Timers(); !slices.Equal(got, []time.Duration{5 * time.Second}) {
			t.Fatalf("timers = %v", got)
		}
		clk.Fire()
		if _, closed := m.State(); !closed {
			t.Fatal("not reset after the delay")
		}
		if _, err := w.Write([]byte("y")); !errors.Is(err, ErrReset) {
			t.Errorf("Write after reset = %v", err)
		}
	})
	t.Run("c2s swallows the client", func(t *testing.T) {
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActBlackhole, Direction: C2S})}, FacingClient, newFakeClock().deps())
		m.Push([]byte("ClientHello"))
		m.PushEOF()
		// The pump swallows everything, and the client's FIN with it: Read
		// gets nothing until the deadline.
		_ = w.SetReadDeadline(time.Now())
		n, err := w.Read(make([]byte, 16))
		if n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Read = %d, %v; want 0, deadline exceeded", n, err)
		}
		_ = w.Close()
	})
	t.Run("timeout closes", func(t *testing.T) {
		clk := newFakeClock()
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActTimeout, Timeout: Duration(2 * time.Second), Direction: S2C})}, FacingClient, clk.deps())
		_, _ = w.Write([]byte("lost"))
		if len(m.Segments()) != 0 {
			t.Fatal("timeout let bytes through")
		}
		if got := clk.Timers(); !slices.Equal(got, []time.Duration{2 * time.Second}) {
			t.Fatalf("timers = %v", got)
		}
		clk.Fire()
		if _, closed := m.State(); !closed {
			t.Error("timeout did not close")
		}
		if _, err := w.Write([]byte("x")); !errors.Is(err, ErrClosedByFault) {
			t.Errorf("Write after timeout = %v", err)
		}
	})
}

func TestMTU(t *testing.T) {
	t.Run("stall for ever", func(t *testing.T) {
		clk := newFakeClock()
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActMTU, MTU: 100})}, FacingClient, clk.deps()) // 60-byte bursts fit
		_, _ = w.Write(make([]byte, 60))
		_, _ = w.Write(make([]byte, 10))
		_, _ = w.Write(make([]byte, 61)) // needs a full-size segment: stall
		_, _ = w.Write(make([]byte, 5))  // small, but behind the stall
		if got := sizes(m.Segments()); !slices.Equal(got, []int{60, 10}) {
			t.Errorf("segments = %v, want 60 10", got)
		}
		if len(clk.Timers()) != 0 {
			t.Error("armed a recovery without recover_after")
		}
	})
	t.Run("default mtu 1400", func(t *testing.T) {
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActMTU})}, FacingClient, newFakeClock().deps())
		_, _ = w.Write(make([]byte, 1360))
		_, _ = w.Write(make([]byte, 1361))
		if got := sizes(m.Segments()); !slices.Equal(got, []int{1360}) {
			t.Errorf("segments = %v, want 1360 only", got)
		}
	})
	t.Run("recover", func(t *testing.T) {
		clk := newFakeClock()
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActMTU, MTU: 100, RecoverAfter: Duration(8 * time.Second)})}, FacingClient, clk.deps())
		_, _ = w.Write([]byte("small"))
		_, _ = w.Write(bytes.Repeat([]byte("B"), 200))
		_, _ = w.Write([]byte("tail"))
		_ = w.(interface{ CloseWrite() error }).CloseWrite()
		if got := string(m.Bytes()); got != "small" {
			t.Fatalf("before recovery delivered %q", got)
		}
		if fin, _ := m.State(); fin {
			t.Fatal("the FIN overtook the stalled bytes")
		}
		if got := clk.Timers(); !slices.Equal(got, []time.Duration{8 * time.Second}) {
			t.Fatalf("timers = %v", got)
		}
		clk.Fire()
		want := "small" + strings.Repeat("B", 200) + "tail"
		if got := string(m.Bytes()); got != want {
			t.Errorf("after recovery delivered %d bytes, want %d in order", len(got), len(want))
		}
		if fin, _ := m.State(); !fin {
			t.Error("the held FIN was not delivered after recovery")
		}
	})
	// honor_mss is the same path with the MSS clamped: every burst goes
	// through, cut into segments that fit, and the FIN follows.
	t.Run("honor_mss", func(t *testing.T) {
		clk := newFakeClock()
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActMTU, MTU: 100, HonorMSS: true})}, FacingClient, clk.deps())
		_, _ = w.Write(make([]byte, 60))
		if n, err := w.Write(make([]byte, 150)); n != 150 || err != nil {
			t.Errorf("Write(150) = %d, %v", n, err)
		}
		_, _ = w.Write(make([]byte, 5))
		_ = w.(interface{ CloseWrite() error }).CloseWrite()
		if got := sizes(m.Segments()); !slices.Equal(got, []int{60, 60, 60, 30, 5}) {
			t.Errorf("segments = %v, want 60 60 60 30 5", got)
		}
		if fin, _ := m.State(); !fin {
			t.Error("the FIN was not delivered")
		}
		if len(clk.Timers()) != 0 {
			t.Error("armed a timer")
		}
	})
}

func TestFragment(t *testing.T) {
	t.Run("segments", func(t *testing.T) {
		clk := newFakeClock()
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActFragment, AverageSize: 4, Delay: Duration(time.Millisecond)})}, FacingClient, clk.deps())
		_, _ = w.Write([]byte("0123456789"))
		if got := sizes(m.Segments()); !slices.Equal(got, []int{4, 4, 2}) {
			t.Errorf("segments = %v", got)
		}
		if got := len(clk.Sleeps()); got != 2 {
			t.Errorf("%d sleeps, want 2", got)
		}
	})
	t.Run("records", func(t *testing.T) {
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActFragment, RecordSize: 4})}, FacingClient, newFakeClock().deps())
		hs := append([]byte{22, 3, 3, 0, 10}, []byte("0123456789")...)
		app := append([]byte{23, 3, 3, 0, 6}, []byte("secret")...)
		stream := append(slices.Clone(hs), app...)
		// Split the input mid-header to exercise reassembly.
		_, _ = w.Write(stream[:3])
		_, _ = w.Write(stream[3:12])
		_, _ = w.Write(stream[12:])
		want := [][]byte{
			append([]byte{22, 3, 3, 0, 4}, "0123"...),
			append([]byte{22, 3, 3, 0, 4}, "4567"...),
			append([]byte{22, 3, 3, 0, 2}, "89"...),
		}
		got := m.Segments()
		if len(got) < 3 {
			t.Fatalf("segments = %q", got)
		}
		for i, wnt := range want {
			if !bytes.Equal(got[i], wnt) {
				t.Errorf("record %d = %v, want %v", i, got[i], wnt)
			}
		}
		if rest := bytes.Join(got[3:], nil); !bytes.Equal(rest, app) {
			t.Errorf("application data record changed: %v", rest)
		}
	})
}

func TestFirstByteDelay(t *testing.T) {
	clk := newFakeClock()
	m := newMemConn()
	w := Wrap(m, []*Rule{rule(t, Rule{Action: ActFirstByteDelay, Delay: Duration(700 * time.Millisecond)})}, FacingClient, clk.deps())
	_, _ = w.Write([]byte("a"))
	_, _ = w.Write([]byte("b"))
	if got := clk.Sleeps(); !slices.Equal(got, []time.Duration{700 * time.Millisecond}) {
		t.Errorf("sleeps = %v, want one 700ms", got)
	}
	if string(m.Bytes()) != "ab" {
		t.Errorf("delivered %q", m.Bytes())
	}
}

// TestFacingBackend: on a backend-facing conn the write side is c2s.
// TestResetSendsRST checks Reset on a real loopback socket: the peer reads
// ECONNRESET, not EOF.
