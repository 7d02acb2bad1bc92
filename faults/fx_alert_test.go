package faults

import (
	"bytes"
	"crypto/tls"
	"errors"
	"net"
	"slices"
	"testing"
	"time"
)

// sealed is a TLS session over m that never handshakes: the tests only
// need it to be a *tls.Conn whose NetConn is m, so anything that went
// through the session instead of beneath it would show as missing bytes
// or a handshake attempt, never as a clean alert record on m.
func sealed(m *memConn) *tls.Conn { return tls.Server(m, &tls.Config{}) }

// netConnOf is a non-TLS wrapper that exposes what it wraps, as capture
// and recording conns do.
type netConnOf struct{ net.Conn }

func (w netConnOf) NetConn() net.Conn { return w.Conn }

func TestAlertStagesArePlannedAsWrappers(t *testing.T) {
	e := NewEngine(nil)
	err := e.Set([]Rule{
		{Name: "hs", Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageHandshakeDone},
		{Name: "req", Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageRequest},
		{Name: "resp", Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageResponse},
		{Name: "idle", Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageIdle, Timeout: Duration(time.Second)},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := e.Plan(ConnInfo{Listener: "l", Index: 1, Decrypted: true})
	if r := p.Stop(StageHandshakeDone); r == nil || r.Name != "hs" {
		t.Errorf("Stop(handshake_done) = %v, want the handshake_done alert", r)
	}
	for _, st := range []Stage{StageRequest, StageResponse, StageIdle} {
		if r := p.Stop(st); r != nil {
			t.Errorf("Stop(%s) = %s, want nil: a mid-stream alert is a wrapper", st, r.Name)
		}
	}
	var names []string
	for _, r := range p.Wrappers(StageHandshakeDone, StageRequest, StageResponse, StageIdle) {
		names = append(names, r.Name)
	}
	if !slices.Equal(names, []string{"req", "resp", "idle"}) {
		t.Errorf("Wrappers = %v, want req, resp, idle", names)
	}
	dirs := map[string]Direction{"req": C2S, "resp": S2C, "idle": Both}
	for _, r := range p.Wrappers(StageRequest, StageResponse, StageIdle) {
		if got := filterDirection(r); got != dirs[r.Name] {
			t.Errorf("%s sits on %s, want %s", r.Name, got, dirs[r.Name])
		}
	}
}

func TestClearSide(t *testing.T) {
	m := newMemConn()
	tc := sealed(m)
	w := Wrap(m, []*Rule{rule(t, Rule{Action: ActLatency, Latency: Duration(time.Millisecond)})}, FacingClient, newFakeClock().deps())
	tests := []struct {
		name string
		c    net.Conn
		want net.Conn
	}{
		{"plain socket", m, m},
		{"tls session", tc, m},
		{"wrapper over a tls session", netConnOf{tc}, m},
		{"non-tls wrapper stays", netConnOf{m}, netConnOf{m}},
		{"fault wrapper stays", w, w},
		{"tls over a fault wrapper", sealed2(w), w},
	}
	for _, tt := range tests {
		if got := clearSide(tt.c); got != tt.want {
			t.Errorf("%s: clearSide = %T, want %T", tt.name, got, tt.want)
		}
	}
}

// sealed2 is a TLS session over any conn.
func sealed2(c net.Conn) *tls.Conn { return tls.Server(c, &tls.Config{}) }

func TestAlertAtRequest(t *testing.T) {
	req := []byte("GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n")
	tests := []struct {
		name    string
		r       Rule
		record  []byte
		readErr error // what the local reader gets instead of the request
	}{
		{"fin", Rule{Alert: ptr(Alert(40))}, AlertRecord(AlertFatal, 40, 0x0303), ErrClosedByFault},
		{"rst", Rule{Alert: ptr(Alert(49)), Then: ThenRST}, AlertRecord(AlertFatal, 49, 0x0303), ErrReset},
		{"record version given", Rule{Alert: ptr(Alert(80)), RecordVersion: VersionTLS10}, AlertRecord(AlertFatal, 80, 0x0301), ErrClosedByFault},
		{"close_notify is a warning", Rule{Alert: ptr(Alert(0))}, AlertRecord(AlertWarning, 0, 0x0303), ErrClosedByFault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMemConn()
			tt.r.Action, tt.r.Stage = ActAlert, StageRequest
			r := rule(t, tt.r)
			w := Wrap(m, []*Rule{r}, FacingClient, newFakeClock().deps())
			defer w.Close()
			if _, ok := Ended(w); ok {
				t.Error("Ended before any byte")
			}
			m.Push(req)
			n, err := w.Read(make([]byte, 64))
			if n != 0 || !errors.Is(err, tt.readErr) {
				t.Errorf("Read = %d, %v; want the request swallowed and %v", n, err, tt.readErr)
			}
			if got := m.Bytes(); !bytes.Equal(got, tt.record) {
				t.Errorf("toward the client % x, want exactly % x", got, tt.record)
			}
			if _, closed := m.State(); !closed {
				t.Error("socket not closed after the alert")
			}
			in, ok := Ended(w)
			if !ok || in.Rule != r || in.Alert != tt.record[6] {
				t.Errorf("Ended = %+v, %v", in, ok)
			}
		})
	}
	t.Run("hold", func(t *testing.T) {
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageRequest, Then: ThenHold})}, FacingClient, newFakeClock().deps())
		m.Push(req)
		m.Push([]byte("more"))
		got := m.WaitBytes(t, 7)
		if !bytes.Equal(got, AlertRecord(AlertFatal, 40, 0x0303)) {
			t.Errorf("toward the client % x", got)
		}
		if fin, closed := m.State(); fin || closed {
			t.Errorf("fin %v closed %v; a hold stays silent and open", fin, closed)
		}
		// The held direction delivers nothing: Close ends the read.
		done := make(chan error, 1)
		go func() {
			_, err := w.Read(make([]byte, 64))
			done <- err
		}()
		_ = w.Close()
		if err := <-done; err == nil {
			t.Error("a held request reached the reader")
		}
	})
}

func TestAlertAtResponseBeneathTLS(t *testing.T) {
	for _, then := range []Then{ThenFIN, ThenRST} {
		t.Run(string(then), func(t *testing.T) {
			m := newMemConn()
			r := rule(t, Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageResponse, Then: then})
			w := Wrap(sealed(m), []*Rule{r}, FacingClient, newFakeClock().deps())
			defer w.Close()
			_, err := w.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
			want := ErrClosedByFault
			if then == ThenRST {
				want = ErrReset
			}
			if !errors.Is(err, want) {
				t.Fatalf("Write = %v, want %v", err, want)
			}
			// Exactly the record, on the socket: no TLS record, no
			// handshake attempt, no response byte.
			if got := m.Bytes(); !bytes.Equal(got, AlertRecord(AlertFatal, 40, 0x0303)) {
				t.Errorf("on the socket % x, want exactly the clear alert", got)
			}
			if _, closed := m.State(); !closed {
				t.Error("socket not closed")
			}
			if _, err := w.Write([]byte("more")); !errors.Is(err, want) {
				t.Errorf("later Write = %v, want %v", err, want)
			}
			if in, ok := Ended(w); !ok || in.Alert != 40 {
				t.Errorf("Ended = %+v, %v", in, ok)
			}
		})
	}
}

func TestAlertAtIdle(t *testing.T) {
	clk := newFakeClock()
	m := newMemConn()
	r := rule(t, Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageIdle, Timeout: Duration(30 * time.Second)})
	w := Wrap(m, []*Rule{r}, FacingClient, clk.deps())
	defer w.Close()
	if got := clk.Timers(); !slices.Equal(got, []time.Duration{30 * time.Second}) {
		t.Fatalf("armed %v, want one 30s timer", got)
	}
	// Server traffic at 20s: the timer that fires at 30s finds 10s of
	// quiet and waits for the other 20.
	clk.Advance(20 * time.Second)
	if _, err := w.Write([]byte("a")); err != nil {
		t.Fatalf("write at 20s: %v", err)
	}
	clk.Advance(10 * time.Second)
	clk.Fire()
	if got := clk.Timers(); !slices.Equal(got, []time.Duration{20 * time.Second}) {
		t.Fatalf("re-armed %v, want 20s", got)
	}
	// Client traffic at 45s postpones it the same way.
	clk.Advance(15 * time.Second)
	m.Push([]byte("ping"))
	buf := make([]byte, 8)
	if n, err := w.Read(buf); err != nil || string(buf[:n]) != "ping" {
		t.Fatalf("read at 45s = %q, %v", buf[:n], err)
	}
	clk.Advance(5 * time.Second)
	clk.Fire()
	if got := clk.Timers(); !slices.Equal(got, []time.Duration{25 * time.Second}) {
		t.Fatalf("re-armed %v, want 25s after the client's bytes", got)
	}
	if got := m.Bytes(); string(got) != "a" {
		t.Fatalf("before the idle period passed the client got %q", got)
	}
	if _, closed := m.State(); closed {
		t.Fatal("closed before the idle period passed")
	}
	clk.Advance(25 * time.Second)
	clk.Fire()
	want := append([]byte("a"), AlertRecord(AlertFatal, 40, 0x0303)...)
	if got := m.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("client got % x, want % x", got, want)
	}
	if _, closed := m.State(); !closed {
		t.Error("not closed after the alert")
	}
	if _, err := w.Write([]byte("late")); !errors.Is(err, ErrClosedByFault) {
		t.Errorf("write after the alert = %v", err)
	}
	if _, err := w.Read(buf); !errors.Is(err, ErrClosedByFault) {
		t.Errorf("read after the alert = %v", err)
	}
	if got := clk.Timers(); len(got) != 0 {
		t.Errorf("timers still armed: %v", got)
	}
	if in, ok := Ended(w); !ok || in.Rule != r {
		t.Errorf("Ended = %+v, %v", in, ok)
	}
}

func TestAlertAtIdleFollowUps(t *testing.T) {
	t.Run("beneath tls, rst", func(t *testing.T) {
		clk := newFakeClock()
		m := newMemConn()
		r := rule(t, Rule{Action: ActAlert, Alert: ptr(Alert(90)), Stage: StageIdle, Timeout: Duration(time.Second), Then: ThenRST})
		w := Wrap(sealed(m), []*Rule{r}, FacingClient, clk.deps())
		defer w.Close()
		clk.Advance(time.Second)
		if clk.Fire() != 1 {
			t.Fatal("no idle timer armed")
		}
		if got := m.Bytes(); !bytes.Equal(got, AlertRecord(AlertLevel(90), 90, 0x0303)) {
			t.Errorf("on the socket % x, want exactly the clear alert", got)
		}
		if _, err := w.Write([]byte("x")); !errors.Is(err, ErrReset) {
			t.Errorf("write after = %v, want ErrReset", err)
		}
	})
	t.Run("hold drops both ways", func(t *testing.T) {
		clk := newFakeClock()
		m := newMemConn()
		r := rule(t, Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageIdle, Timeout: Duration(time.Second), Then: ThenHold})
		w := Wrap(m, []*Rule{r}, FacingClient, clk.deps())
		clk.Advance(2 * time.Second)
		clk.Fire()
		if n, err := w.Write([]byte("late")); n != 4 || err != nil {
			t.Errorf("Write after a hold = %d, %v; want dropped silently", n, err)
		}
		if got := m.Bytes(); !bytes.Equal(got, AlertRecord(AlertFatal, 40, 0x0303)) {
			t.Errorf("client got % x, want the alert alone", got)
		}
		if fin, closed := m.State(); fin || closed {
			t.Errorf("fin %v closed %v; a hold stays open", fin, closed)
		}
		done := make(chan error, 1)
		go func() {
			_, err := w.Read(make([]byte, 8))
			done <- err
		}()
		m.Push([]byte("client"))
		_ = w.Close()
		if err := <-done; err == nil {
			t.Error("client bytes passed after the alert")
		}
	})
	t.Run("close before the period stops the timer", func(t *testing.T) {
		clk := newFakeClock()
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageIdle, Timeout: Duration(time.Second)})}, FacingClient, clk.deps())
		_ = w.Close()
		if got := clk.Timers(); len(got) != 0 {
			t.Errorf("timers armed after Close: %v", got)
		}
		if clk.Fire() != 0 || len(m.Segments()) != 0 {
			t.Error("an alert after Close")
		}
	})
}
