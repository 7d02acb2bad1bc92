package faults

import (
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosedByFault is what the local side reads or writes after a fault
// closed the connection (limit_data, timeout, a follow-up fin).
var ErrClosedByFault = fmt.Errorf("faults: connection closed by fault: %w", net.ErrClosed)

// ctl is the connection-wide control the filters share: the socket, the
// injected time, the timers to stop, and whether a fault already ended it.
type ctl struct {
	c    net.Conn
	w    *conn
	deps WrapDeps

	mu     sync.Mutex
	dead   error         // first reason the connection ended
	done   chan struct{} // closed when dead is set: wakes anything holding
	stops  []func() bool
	shared map[*Rule]any // per-rule state shared by both directions' filters

	// halt is closed when Close begins or the connection ends, whichever
	// comes first: it cuts every effect's wait short (see wait).
	halt   chan struct{}
	halted bool

	// sent counts the bytes that actually reached the socket, so the log
	// does not claim bytes a truncate or MTU fault swallowed.
	sent atomic.Int64
	// ended is the wrapper rule that ended the connection on purpose (a
	// trigger, an idle alert, a cut), for the listener's log (Ended); nil
	// until one did.
	ended atomic.Pointer[Injection]
	// withheld counts, per direction, the bytes filters dropped or still
	// hold (a truncate past its limit, a swallowing hold, an MTU stall):
	// written to the conn, never delivered. A relay above the conn counts
	// them as sent; Withheld tells the listener otherwise.
	withheldC2S, withheldS2C atomic.Int64

	// hostPassed is the host check whose first request named the SNI,
	// and passed, nil until one did (see HostPassed).
	hostPassed atomic.Pointer[HostPass]
	// acted holds the rules that fire only when they act (see
	// Rule.firesOnAct) and did on this conn, for Plan.Settle.
	actedMu sync.Mutex
	acted   []*Rule
	// outDir is the direction the conn's writes carry, so a filter knows
	// whether it sits on the way to the peer.
	outDir Direction
	// stalled counts the filters that hold the way to the peer for good:
	// a blackhole or timeout that holds, an mtu stall, a truncate or
	// idle_timeout past its point with then hold. While one does, nothing
	// more reaches the peer, not even a FIN or an RST, so the conn's
	// Close and Reset hold its socket open instead (see Held).
	stalled atomic.Int32
}

func newCtl(c net.Conn, deps WrapDeps) *ctl {
	return &ctl{c: c, deps: deps, done: make(chan struct{}), halt: make(chan struct{})}
}

// closing is called when Close begins: every wait returns now.
func (k *ctl) closing() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.haltLocked()
}

func (k *ctl) haltLocked() {
	if !k.halted {
		k.halted = true
		close(k.halt)
	}
}

// wait is every delay an effect adds. It returns nil once d passed, and
// at once when Close begins on a live connection: Close never waits out a
// delay, and what was already written goes out without it. Once the
// connection ended (Close is done, a fault ended it, or the socket failed)
// it returns why, so the effect stops.
func (k *ctl) wait(d time.Duration) error {
	if k.deps.Sleep(d, k.halt) {
		return nil
	}
	return k.deadErr()
}

// waitUnlessDead is wait for the one delay a Close must still take
// (slow_close's): only the connection's end cuts it short.
func (k *ctl) waitUnlessDead(d time.Duration) error {
	if k.deps.Sleep(d, k.done) {
		return nil
	}
	return k.deadErr()
}

// deadErr is nil while the connection lives, else why it ended.
func (k *ctl) deadErr() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.dead
}

// kill marks the connection ended and stops every timer. The first reason
// wins; it reports whether this call was first.
func (k *ctl) kill(err error) bool {
	k.mu.Lock()
	if k.dead != nil {
		k.mu.Unlock()
		return false
	}
	k.dead = err
	stops := k.stops
	k.stops = nil
	close(k.done)
	k.haltLocked()
	k.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
	return true
}

// after runs f after d on the injected timer, unless the connection ends first.
func (k *ctl) after(d time.Duration, f func()) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dead != nil {
		return
	}
	k.stops = append(k.stops, k.deps.AfterFunc(d, f))
}

// onEnd registers stop to run when the connection ends, for a timer a
// filter re-arms itself. It reports false, registering nothing, when the
// connection already ended.
func (k *ctl) onEnd(stop func() bool) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dead != nil {
		return false
	}
	k.stops = append(k.stops, stop)
	return true
}

// markActed records that r acted on this conn.
func (k *ctl) markActed(r *Rule) {
	k.actedMu.Lock()
	defer k.actedMu.Unlock()
	if !slices.Contains(k.acted, r) {
		k.acted = append(k.acted, r)
	}
}

// hasActed reports whether r acted on this conn.
func (k *ctl) hasActed(r *Rule) bool {
	k.actedMu.Lock()
	defer k.actedMu.Unlock()
	return slices.Contains(k.acted, r)
}

// reset aborts the connection with an RST and makes local reads and
// writes fail with ErrReset.
func (k *ctl) reset() error {
	if !k.kill(ErrReset) {
		return nil
	}
	err := Reset(k.c)
	if k.w != nil && k.w.in != nil {
		k.w.in.fail(ErrReset)
	}
	return err
}

// closeAll closes the connection (FIN to the peer) on a fault's behalf.
func (k *ctl) closeAll() {
	if !k.kill(ErrClosedByFault) {
		return
	}
	_ = k.c.Close()
	if k.w != nil && k.w.in != nil {
		k.w.in.fail(ErrClosedByFault)
	}
}

// endedBy records that rule r ends the connection, before it does: the
// client may react (and the listener log the connection) before the
// trigger's write returns, and the log must still name the rule. The
// first rule wins.
func (k *ctl) endedBy(r *Rule, alert uint8) {
	k.ended.CompareAndSwap(nil, &Injection{Rule: r, Alert: alert})
}

// corruptedBy records that rule r damaged a record going direction dir,
// which ends the connection once the endpoint that decrypts it finds the
// damage: the first rule to end the connection wins, as with endedBy.
func (k *ctl) corruptedBy(r *Rule, dir Direction) {
	at := StageResponse
	if dir == C2S {
		at = StageRequest
	}
	k.ended.CompareAndSwap(nil, &Injection{Rule: r, At: at})
}

// stall marks the way to the peer held for good when dir is it; see
// stalled. It returns the undo, for a stall that may recover (mtu).
func (k *ctl) stall(dir Direction) (undo func()) {
	if dir != k.outDir {
		return func() {}
	}
	k.stalled.Add(1)
	var once sync.Once
	return func() { once.Do(func() { k.stalled.Add(-1) }) }
}

// cutBy records that rule r cut or stalled the stream on purpose (a byte
// wrapper rather than a trigger), before its effect shows: the first
// rule to end the connection wins, as with endedBy.
func (k *ctl) cutBy(r *Rule) {
	k.ended.CompareAndSwap(nil, &Injection{Rule: r, Cut: true})
}

// withheld is the counter of direction d's undelivered bytes.
func (k *ctl) withheld(d Direction) *atomic.Int64 {
	if d == C2S {
		return &k.withheldC2S
	}
	return &k.withheldS2C
}

// withhold records that rule r kept n bytes of direction d from the peer,
// and so cut the stream.
func (k *ctl) withhold(r *Rule, d Direction, n int) {
	k.cutBy(r)
	k.withheld(d).Add(int64(n))
}

// sharedState returns the state a rule's filters share across directions,
// creating it with mk on first use.
func (k *ctl) sharedState(r *Rule, mk func() any) any {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.shared == nil {
		k.shared = map[*Rule]any{}
	}
	s, ok := k.shared[r]
	if !ok {
		s = mk()
		k.shared[r] = s
	}
	return s
}

// outTail writes what the outbound filters let through to the socket.
type outTail struct{ k *ctl }

func (t outTail) Write(p []byte) (int, error) {
	if err := t.k.deadErr(); err != nil {
		return 0, err
	}
	select {
	case <-t.k.halt:
		// Close began: this is its flush (or a drain it cut short). Each
		// write gets CloseFlush from now, on the kernel's clock since the
		// deadline is the socket's; delays before it (slow_close) do not
		// count against it.
		_ = t.k.c.SetWriteDeadline(time.Now().Add(t.k.deps.CloseFlush))
	default:
	}
	n, err := t.k.c.Write(p)
	t.k.sent.Add(int64(n))
	return n, err
}

func (t outTail) End(fin bool) error {
	if fin {
		return closeWrite(t.k.c)
	}
	return nil
}

// inbound hands what the inbound filters let through to Read. A synchronous
// in-memory pipe keeps each delivered chunk separate (so slicing shows) and
// gives Read its deadline.
type inbound struct {
	pr, pw net.Conn
	mu     sync.Mutex
	err    error // reported instead of EOF once the pipe drains
}

func newInbound() *inbound {
	pr, pw := net.Pipe()
	return &inbound{pr: pr, pw: pw}
}

func (in *inbound) read(p []byte) (int, error) {
	n, err := in.pr.Read(p)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		in.mu.Lock()
		if in.err != nil {
			err = in.err
		}
		in.mu.Unlock()
	case errors.Is(err, io.ErrClosedPipe):
		err = net.ErrClosed
	}
	return n, err
}

// fail ends Read with err (after what is already delivered).
func (in *inbound) fail(err error) {
	in.mu.Lock()
	if in.err == nil {
		in.err = err
	}
	in.mu.Unlock()
	_ = in.pw.Close()
}

// finish ends Read with io.EOF.
func (in *inbound) finish() { _ = in.pw.Close() }

// close is the local Close: both pipe ends go.
func (in *inbound) close() {
	_ = in.pr.Close()
	_ = in.pw.Close()
}

// inTail delivers to Read.
type inTail struct{ in *inbound }

func (t inTail) Write(p []byte) (int, error) { return t.in.pw.Write(p) }

func (t inTail) End(bool) error {
	t.in.finish()
	return nil
}
