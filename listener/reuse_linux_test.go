package listener

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/bigiplog"
	"github.com/tlsgate/tlsgate/explain"
)

// reusedLine is what TestReusedStateKeepsNothing reads back from a JSON
// connection line.
type reusedLine struct {
	Conn struct {
		ID         uint64 `json:"id"`
		Client     string `json:"client"`
		SNI        string `json:"sni"`
		FirstBytes string `json:"first_bytes"`
		BytesUp    int64  `json:"bytes_up"`
		BytesDown  int64  `json:"bytes_down"`
	} `json:"conn"`
}

// TestReusedStateKeepsNothing runs many connections, several at a time,
// through listeners whose fast path reuses each connection's state
// (Deps.Reuse), and checks that every line tells its own connection's
// facts: a field left over from an earlier connection would name another
// client's SNI, first bytes or byte counts. An OnOutcomeLent hook either
// gives each Outcome back at once or holds the last few, as the admin
// event ring does, and each must be unchanged when it is given back; both
// must see states reused. Every eighth client sends what the listener
// hands to the goroutine path, whose state must never be reused. -race
// adds a check where a state moves between loops; reuse on one loop is
// invisible to it.
func TestReusedStateKeepsNothing(t *testing.T) {
	needEpoll(t)
	for _, tc := range []struct {
		mode     Mode
		first    func(i int) []byte // client i's bytes
		sni      func(i int) string // the SNI its line must name
		mismatch []byte             // bytes the listener hands off
	}{
		{Plaintext, func(i int) []byte {
			return fmt.Appendf(nil, "GET /%d HTTP/1.1\r\nHost: h%d.test\r\nX-Pad: %s\r\n\r\n", i, i, bytes.Repeat([]byte("p"), i))
		}, func(int) string { return "" }, captureHelloName(t, 0, "handoff.test")},
		{Passthrough, func(i int) []byte { return captureHelloName(t, 0, fmt.Sprintf("h%d.test", i)) },
			func(i int) string { return fmt.Sprintf("h%d.test", i) }, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")},
	} {
		for _, lend := range []lendMode{lendNone, lendNow, lendHeld} {
			t.Run(fmt.Sprintf("%s/%s", tc.mode, lend), func(t *testing.T) {
				reuseRun(t, tc.mode, tc.first, tc.sni, tc.mismatch, lend)
			})
		}
	}
}

// lendMode is how TestReusedStateKeepsNothing's OnOutcomeLent hook gives
// Outcomes back: no hook, at once, or after 16 more.
type lendMode string

const (
	lendNone lendMode = "no-hook"
	lendNow  lendMode = "lent-now"
	lendHeld lendMode = "lent-held"
)

// lentHook is an OnOutcomeLent hook that holds the last few Outcomes, as
// the admin event ring does, and checks each is unchanged when it gives it
// back: the listener must not reuse a state before done.
type lentHook struct {
	t    *testing.T
	keep int // Outcomes held before the oldest is given back
	mu   sync.Mutex
	held []lentOutcome
	seen map[*explain.Outcome]bool // every Outcome lent: fewer than lends when states are reused
	lent int
}

type lentOutcome struct {
	o      *explain.Outcome
	d      *explain.Diagnosis
	client string
	up     int64
	code   string
	done   func()
}

func (h *lentHook) hold(o *explain.Outcome, d *explain.Diagnosis, done func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seen[o] = true
	h.lent++
	h.held = append(h.held, lentOutcome{o, d, o.Client.String(), o.BytesUp, d.Code, done})
	if len(h.held) > h.keep {
		h.give(h.held[0])
		h.held = h.held[1:]
	}
}

func (h *lentHook) give(l lentOutcome) {
	if got := l.o.Client.String(); got != l.client || l.o.BytesUp != l.up || l.d.Code != l.code || l.code == "" {
		h.t.Errorf("a lent Outcome changed before done: client %s up %d %q, lent as %s up %d %q",
			got, l.o.BytesUp, l.d.Code, l.client, l.up, l.code)
	}
	l.done()
}

func (h *lentHook) giveAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, l := range h.held {
		h.give(l)
	}
	h.held = nil
}

// reuseRun is one TestReusedStateKeepsNothing case.
func reuseRun(t *testing.T, mode Mode, first func(int) []byte, sniOf func(int) string, mismatch []byte, lend lendMode) {
	const clients, each = 4, 40
	enc, err := bigiplog.NewEncoder(bigiplog.Options{Format: "json", Host: "test", PID: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Read only after Shutdown, which waits for every line.
	var out bytes.Buffer
	logger := zap.New(zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(&out)), zap.InfoLevel))
	deps := Deps{Logger: logger, Reuse: true}
	hook := &lentHook{t: t, seen: map[*explain.Outcome]bool{}}
	if lend != lendNone {
		deps.OnOutcomeLent = hook.hold
	}
	if lend == lendHeld {
		hook.keep = 16
	}
	payloads := make([][]byte, clients*each)
	for i := range payloads {
		payloads[i] = first(i)
	}
	srv, err := New(Options{Name: "reuse", Mode: mode, Backend: echoBackend(t), Engine: EngineEpoll}, deps)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	type sent struct {
		n   int
		sni string
		hex string
	}
	var mu sync.Mutex
	want := map[string]sent{} // by client address
	handed := map[string]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for g := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				i := g*each + k
				if k%8 == 7 {
					from, err := mismatchOnce(ln.Addr().String(), mismatch)
					if err != nil {
						errs <- fmt.Errorf("client %d (handed off): %w", i, err)
						return
					}
					mu.Lock()
					handed[from] = true
					mu.Unlock()
					continue
				}
				p := payloads[i]
				from, err := echoOnce(ln.Addr().String(), p)
				if err != nil {
					errs <- fmt.Errorf("client %d: %w", i, err)
					return
				}
				mu.Lock()
				want[from] = sent{n: len(p), sni: sniOf(i), hex: fmt.Sprintf("%x", p[:6])}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := shutdownBounded(srv); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	hook.giveAll()

	ids := map[uint64]bool{}
	for _, raw := range bytes.Split(out.Bytes(), []byte("\n")) {
		var l reusedLine
		if len(raw) == 0 || json.Unmarshal(raw, &l) != nil || l.Conn.Client == "" {
			continue // not a connection line
		}
		if handed[l.Conn.Client] {
			delete(handed, l.Conn.Client)
			continue
		}
		w, ok := want[l.Conn.Client]
		if !ok {
			t.Errorf("line for unknown or repeated client %s: %s", l.Conn.Client, raw)
			continue
		}
		delete(want, l.Conn.Client)
		if ids[l.Conn.ID] {
			t.Errorf("id %d logged twice", l.Conn.ID)
		}
		ids[l.Conn.ID] = true
		if l.Conn.BytesUp != int64(w.n) || l.Conn.BytesDown != int64(w.n) || l.Conn.SNI != w.sni ||
			l.Conn.FirstBytes[:min(12, len(l.Conn.FirstBytes))] != w.hex {
			t.Errorf("client %s sent %d bytes (sni %q, first bytes %s); its line says up %d down %d sni %q first bytes %.12s",
				l.Conn.Client, w.n, w.sni, w.hex, l.Conn.BytesUp, l.Conn.BytesDown, l.Conn.SNI, l.Conn.FirstBytes)
		}
	}
	for from := range want {
		t.Errorf("client %s has no line", from)
	}
	for from := range handed {
		t.Errorf("handed-off client %s has no line", from)
	}
	// At least some reuse: sync.Pool drops a share of what it is given
	// under -race, and a state put back on one CPU misses a Get on the other.
	if lend != lendNone && len(hook.seen) > hook.lent-10 {
		t.Errorf("%d connections were lent in %d distinct Outcomes: their states were not reused", hook.lent, len(hook.seen))
	}
}

// mismatchOnce sends p, which the listener answers on the goroutine path
// (a reset, or an answer and a close), and reads until the connection
// ends; it returns the client's own address.
func mismatchOnce(addr string, p []byte) (string, error) {
	c, err := dialSend(addr, p)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := io.Copy(io.Discard, c); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		return "", err
	}
	return c.LocalAddr().String(), nil
}

// echoOnce sends p through addr to an echo backend, half-closes, reads the
// echo to the end and returns the client's own address (the line's key).
func echoOnce(addr string, p []byte) (string, error) {
	c, err := dialSend(addr, p)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		return "", err
	}
	got, err := io.ReadAll(c)
	if err != nil {
		return "", err
	}
	if !bytes.Equal(got, p) {
		return "", fmt.Errorf("echo of %d bytes came back as %d different bytes", len(p), len(got))
	}
	return c.LocalAddr().String(), nil
}

// dialSend connects to addr and sends p, under a deadline that only stops
// a broken test from hanging.
func dialSend(addr string, p []byte) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.Write(p); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}
