package faults

import (
	"bytes"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock is an injected clock whose Sleep records the duration and moves
// time forward, so delays are asserted exactly and never waited for. A
// Sleep whose done channel is already closed is cut short, as the real one
// is: it records nothing and reports false.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
	timers []*fakeTimer
}

type fakeTimer struct {
	d       time.Duration
	f       func()
	stopped bool
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) Sleep(d time.Duration, done <-chan struct{}) bool {
	select {
	case <-done:
		return false
	default:
	}
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return true
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// AfterFunc records the timer; the test fires it with Fire.
func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{d: d, f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// Timers returns the durations of the timers still armed.
func (c *fakeClock) Timers() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Duration
	for _, t := range c.timers {
		if !t.stopped {
			out = append(out, t.d)
		}
	}
	return out
}

// Fire runs every armed timer once, as if its time had come.
func (c *fakeClock) Fire() int {
	c.mu.Lock()
	var run []func()
	for _, t := range c.timers {
		if !t.stopped {
			t.stopped = true
			run = append(run, t.f)
		}
	}
	c.mu.Unlock()
	for _, f := range run {
		f()
	}
	return len(run)
}

func (c *fakeClock) deps() WrapDeps {
	return WrapDeps{Now: c.Now, Sleep: c.Sleep, AfterFunc: c.AfterFunc, Index: 7}
}

// memConn is an in-memory net.Conn for wrapper tests: every Write is
// recorded as one segment, reads come from what the test pushes, and
// CloseWrite and Close are recorded.
type memConn struct {
	mu      sync.Mutex
	cond    *sync.Cond
	writes  [][]byte
	fin     bool
	closed  bool
	inbox   chan []byte
	pending []byte
	inDone  chan struct{}
	doneOne sync.Once
}

func newMemConn() *memConn {
	m := &memConn{inbox: make(chan []byte, 64), inDone: make(chan struct{})}
	m.cond = sync.NewCond(&m.mu)
	return m
}

func (m *memConn) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, net.ErrClosed
	}
	if m.fin {
		return 0, io.ErrClosedPipe
	}
	m.writes = append(m.writes, slices.Clone(p))
	m.cond.Broadcast()
	return len(p), nil
}

// Read returns pushed bytes; EOF after PushEOF; net.ErrClosed after Close.
func (m *memConn) Read(p []byte) (int, error) {
	if len(m.pending) == 0 {
		select {
		case b, ok := <-m.inbox:
			if !ok {
				return 0, io.EOF
			}
			m.pending = b
		case <-m.inDone:
			return 0, net.ErrClosed
		}
	}
	n := copy(p, m.pending)
	m.pending = m.pending[n:]
	return n, nil
}

func (m *memConn) Push(b []byte) { m.inbox <- b }
func (m *memConn) PushEOF()      { close(m.inbox) }

func (m *memConn) CloseWrite() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fin = true
	m.cond.Broadcast()
	return nil
}

func (m *memConn) Close() error {
	m.mu.Lock()
	m.closed = true
	m.cond.Broadcast()
	m.mu.Unlock()
	m.doneOne.Do(func() { close(m.inDone) })
	return nil
}

func (m *memConn) LocalAddr() net.Addr                { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 443} }
func (m *memConn) RemoteAddr() net.Addr               { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000} }
func (m *memConn) SetDeadline(t time.Time) error      { return nil }
func (m *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (m *memConn) SetWriteDeadline(t time.Time) error { return nil }

// Segments returns the recorded writes.
func (m *memConn) Segments() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([][]byte, len(m.writes))
	for i, w := range m.writes {
		out[i] = slices.Clone(w)
	}
	return out
}

// Bytes returns all recorded writes joined.
func (m *memConn) Bytes() []byte { return bytes.Join(m.Segments(), nil) }

func (m *memConn) State() (fin, closed bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fin, m.closed
}

// WaitBytes blocks until at least n bytes were written or the conn ended,
// and returns what arrived. It is a sync point, not a timing assertion.
func (m *memConn) WaitBytes(t *testing.T, n int) []byte {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for {
		total := 0
		for _, w := range m.writes {
			total += len(w)
		}
		if total >= n || m.closed || m.fin {
			return bytes.Join(m.writes, nil)
		}
		m.cond.Wait()
	}
}

// WaitEnded blocks until the conn got a FIN or was closed.
func (m *memConn) WaitEnded() (fin, closed bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for !m.fin && !m.closed {
		m.cond.Wait()
	}
	return m.fin, m.closed
}

// rule builds a normalized rule for wrapper tests, failing on invalid input.
func rule(t *testing.T, r Rule) *Rule {
	t.Helper()
	if r.Name == "" {
		r.Name = "t-" + string(r.Action)
	}
	if err := r.Validate(); err != nil {
		t.Fatalf("rule %+v: %v", r, err)
	}
	n := r.normalized()
	return &n
}

func ptr[T any](v T) *T { return &v }
