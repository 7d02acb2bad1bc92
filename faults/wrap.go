package faults

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"syscall"
	"time"
)

// Facing says which peer a wrapped conn talks to, and so which direction its
// Reads and Writes carry.
type Facing uint8

// The two sides.
const (
	FacingClient  Facing = iota // Read = c2s (what the client sent), Write = s2c (toward the client)
	FacingBackend               // Read = s2c (what the server sent), Write = c2s (toward the server)
)

// WrapDeps injects time and identity into the wrappers. Zero fields take the
// real clock, a timer and time.AfterFunc.
type WrapDeps struct {
	Now func() time.Time
	// Sleep waits d unless done closes first, and reports whether the whole
	// d passed. Every delay an effect adds goes through it, so closing the
	// conn (or its failing) cuts the wait short.
	Sleep     func(d time.Duration, done <-chan struct{}) bool
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
	Index     uint64 // connection index: seeds each rule's randomness with the rule's seed
	// ServerName is the connection's SNI ("" without one), which an
	// sni_policy with host_mismatch compares the request's Host with.
	ServerName string
	// RawTLS says the conn carries TLS records tlsgate does not decrypt
	// (TLS passed through, or bypassed), the ClientHello already read: a
	// request there is the client's application data past the handshake,
	// which only the records tell (see requestRecords).
	RawTLS bool
	// CloseFlush bounds how long, once Close began, one write of bytes
	// still held by a filter may wait for a peer that does not read
	// (default 10s), as a socket's linger time would: past it they are
	// dropped and the socket closes, so a stalled peer cannot hold Close
	// for ever. A peer that keeps reading is not cut off.
	CloseFlush time.Duration
	// HoldMax bounds how long the socket of a conn closed while a fault
	// held the way to the peer stays open and silent for the peer to give
	// up (see Held); then it is reset. Default DefaultHoldMax.
	HoldMax time.Duration
	// Hold, when set, is told that such a socket is being held, and
	// returns what to call once it is really closed: a listener keeps the
	// connection counted (max_connections) and within its shutdown's reach
	// until then, and may Reset it. Nil: the hold runs on its own, bounded
	// by HoldMax all the same.
	Hold func(*Held) (closed func())
}

func (d WrapDeps) withDefaults() WrapDeps {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Sleep == nil {
		d.Sleep = sleep
	}
	if d.AfterFunc == nil {
		d.AfterFunc = func(dur time.Duration, f func()) func() bool { return time.AfterFunc(dur, f).Stop }
	}
	if d.CloseFlush <= 0 {
		d.CloseFlush = 10 * time.Second
	}
	if d.HoldMax <= 0 {
		d.HoldMax = DefaultHoldMax
	}
	return d
}

// sleep is the real Sleep: a timer that done stops.
func sleep(d time.Duration, done <-chan struct{}) bool {
	if d <= 0 {
		select {
		case <-done:
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}

// ErrReset is what the local side of a wrapped conn reads or writes after a
// fault reset the connection; it matches syscall.ECONNRESET with errors.Is.
var ErrReset = fmt.Errorf("faults: injected reset: %w", syscall.ECONNRESET)

// sink takes one direction's bytes, in order. Filters pass what they let
// through to the next sink; the last one writes to the socket (outbound) or
// hands bytes to Read (inbound).
type sink interface {
	Write(p []byte) (int, error)
	// End says no more bytes come this way. fin: a half-close the peer
	// should see; otherwise the whole connection is closing. Filters flush
	// what they hold first.
	End(fin bool) error
}

// Wrap returns c with the rules' byte-level faults applied, or c itself when
// no rule needs a wrapper. Rules are applied in order, the first one seeing
// the bytes first. Rules that are stops or TLS policy are skipped: Apply and
// TLSPolicy carry those out.
//
// Reads of a wrapped conn with inbound faults come from a goroutine that
// reads c; set read deadlines on the returned conn, not on c. Like the
// pumps that use it, a wrapped conn expects one reader and one writer at a
// time. Close the returned conn (not c): Close cuts every delay short (a
// Write or CloseWrite waiting in one carries on at once, and fails with
// net.ErrClosed if the socket is gone by then), passes on the bytes a
// latency queue still holds without the rest of their latency, and stops
// the wrappers' goroutines and timers. To have queued bytes delivered after
// their full latency, CloseWrite first. A failed socket (a Read of it, or
// the inbound pump, saw it reset) ends the waits the same way, with the
// error.
func Wrap(c net.Conn, rules []*Rule, facing Facing, deps WrapDeps) net.Conn {
	readDir, writeDir := C2S, S2C
	if facing == FacingBackend {
		readDir, writeDir = S2C, C2S
	}
	var ins, outs []*Rule
	for _, r := range rules {
		if r.isPolicy() || r.isStop() {
			continue
		}
		d := filterDirection(r)
		if deps.RawTLS && r.delaysRequest() {
			// The server's hello says which of the client's records
			// are past the handshake: its side is watched too.
			d = Both
		}
		if d.has(readDir) {
			ins = append(ins, r)
		}
		if d.has(writeDir) {
			outs = append(outs, r)
		}
	}
	if len(ins) == 0 && len(outs) == 0 {
		return c
	}
	w := &conn{Conn: c, k: newCtl(c, deps.withDefaults())}
	w.k.w, w.k.outDir = w, writeDir
	if len(outs) > 0 {
		w.out = w.chain(outs, writeDir, outTail{w.k})
	}
	if len(ins) > 0 {
		w.in = newInbound()
		w.inHead = w.chain(ins, readDir, inTail{w.in})
		go w.pump()
	}
	return w
}

// filterDirection is where a rule's filter sits. Directional actions say so
// themselves; the others act where their stage's bytes flow.
func filterDirection(r *Rule) Direction {
	switch {
	case r.onRecords():
		// It watches both ways to find the handshake's end, and flips
		// only in its own direction.
		return Both
	case directional(r.Action):
		return r.Direction
	case r.Action == ActIdleTimeout || r.Stage == StageIdle:
		// Quiet means no bytes either way, so both directions are watched.
		return Both
	case r.Action == ActBlockPage || r.Stage == StageRequest:
		return C2S
	case r.Action == ActRewrite && r.BodyFind != "":
		// The request's method says whether the response has a body
		// (not after HEAD), so the client side is watched too.
		return Both
	}
	return S2C
}

// chain builds the filters for one direction, first rule outermost.
func (w *conn) chain(rules []*Rule, dir Direction, tail sink) sink {
	next := tail
	for i := len(rules) - 1; i >= 0; i-- {
		r := rules[i]
		salt := uint64(1)
		if dir == C2S {
			salt = 2
		}
		rng := rand.New(rand.NewPCG(ruleSeed(r), w.k.deps.Index^salt<<62))
		next = newFilter(r, dir, next, w.k, rng)
	}
	return next
}

// conn is a net.Conn with fault filters on one or both directions.
type conn struct {
	net.Conn
	k         *ctl
	out       sink     // outbound chain; nil writes go straight to Conn
	in        *inbound // nil: reads come straight from Conn
	inHead    sink     // inbound chain, fed by pump
	closeOnce sync.Once
	closeErr  error
}

// Write sends p through the outbound filters.
func (w *conn) Write(p []byte) (int, error) {
	if w.out == nil {
		// Counted too: a fault on the inbound side (block_page) writes
		// its page through here, and only this count knows about it.
		n, err := w.Conn.Write(p)
		w.k.sent.Add(int64(n))
		return n, err
	}
	if err := w.k.deadErr(); err != nil {
		return 0, err
	}
	return w.out.Write(p)
}

// Delivered reports how many bytes actually reached the socket through
// this conn: what the caller wrote and the outbound filters let through (a
// truncate or MTU fault swallows some), plus what a fault wrote itself (a
// block page, a plaintext reply), which no relay's count includes. ok is
// true: the count is the client's side of the story whatever the filters,
// so a log should take it as is, above or below the relay's count.
func (w *conn) Delivered() (n int64, ok bool) {
	return w.k.sent.Load(), true
}

// Read returns what the inbound filters let through.
func (w *conn) Read(p []byte) (int, error) {
	if w.in == nil {
		n, err := w.Conn.Read(p)
		if err != nil && !errors.Is(err, io.EOF) && !isTimeout(err) {
			// The socket failed (reset by the peer): as the pump does,
			// stop the waits and queues of the write side.
			w.k.kill(err)
		}
		return n, err
	}
	return w.in.read(p)
}

// CloseWrite half-closes: outbound filters flush, then FIN.
func (w *conn) CloseWrite() error {
	if w.out == nil {
		return closeWrite(w.Conn)
	}
	return w.out.End(true)
}

// Close cuts every wait short first, so it never waits out a delay; then
// it flushes the outbound filters (a latency queue still holds bytes the
// caller already wrote; they go out now) unless the connection already
// failed, closes the socket and stops every timer. Each write of the flush
// gets CloseFlush to reach a peer that has stopped reading (see outTail);
// that also ends a CloseWrite still draining into such a peer.
//
// While a filter holds the way to the peer for good (see ctl.stalled) the
// socket is held instead of closed (see Held): the peer sees no FIN, as
// behind a real black hole, while everything blocked on the conn wakes
// as from a close.
func (w *conn) Close() error {
	w.closeOnce.Do(func() { w.closeErr = w.end(false) })
	return w.closeErr
}

// end is Close, or with reset Reset's way: what filters still hold is
// dropped, as a reset discards a socket's send queue, and a socket that
// cannot be held is reset.
func (w *conn) end(reset bool) error {
	w.k.closing()
	if !reset && w.out != nil && w.k.deadErr() == nil {
		// A write already blocked on a peer that stopped reading (a
		// CloseWrite's drain) gets CloseFlush from now; the flush's own
		// writes each get theirs (outTail).
		_ = w.Conn.SetWriteDeadline(time.Now().Add(w.k.deps.CloseFlush))
		_ = w.out.End(false)
	}
	var err error
	switch {
	case w.holds() && holdSocket(w.Conn, w.k.deps):
		// The socket beneath is closed: the layers between (TLS, another
		// fault conn, a capture) send nothing now, and stop what they run.
		_ = w.Conn.Close()
	case reset:
		err = w.k.reset()
	default:
		err = w.Conn.Close()
	}
	w.k.kill(net.ErrClosed)
	if w.in != nil {
		w.in.close()
	}
	return err
}

// holds says the conn's end must not reach the peer: a filter holds its
// way for good, and the connection has not ended otherwise (the peer
// reset it, a fault closed it).
func (w *conn) holds() bool {
	return w.k.stalled.Load() > 0 && w.k.deadErr() == nil
}

// SetDeadline sets the write deadline (see SetWriteDeadline) and the read
// deadline where reads come from.
func (w *conn) SetDeadline(t time.Time) error {
	if err := w.SetWriteDeadline(t); err != nil {
		return err
	}
	return w.SetReadDeadline(t)
}

// SetWriteDeadline reaches the socket only when writes go straight to it.
// With outbound filters, bytes the caller already wrote may still sit in a
// filter (a latency queue) and reach the socket later from the filter's
// goroutine: a deadline meant for the caller's write (crypto/tls sets one
// to "now" after close_notify) must not make those later writes fail and
// drop the response. Close still ends a stuck delivery.
func (w *conn) SetWriteDeadline(t time.Time) error {
	if w.out == nil {
		return w.Conn.SetWriteDeadline(t)
	}
	return nil
}

// SetReadDeadline applies to Read.
func (w *conn) SetReadDeadline(t time.Time) error {
	if w.in == nil {
		return w.Conn.SetReadDeadline(t)
	}
	return w.in.pr.SetReadDeadline(t)
}

// NetConn returns the wrapped conn, as tls.Conn does.
func (w *conn) NetConn() net.Conn { return w.Conn }

// pump feeds the inbound chain from the socket until it ends.
func (w *conn) pump() {
	// A peek deadline set before wrapping must not cut the pump; Read has
	// its own deadline on the pipe.
	_ = w.Conn.SetReadDeadline(time.Time{})
	buf := make([]byte, 32<<10)
	for {
		n, err := w.Conn.Read(buf)
		if n > 0 {
			if _, werr := w.inHead.Write(buf[:n]); werr != nil {
				w.in.fail(werr)
				return
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				// The FIN goes through the filters like the bytes did: the
				// tail ends Read's stream only if no filter swallowed it
				// (a blackhole does), possibly later (latency).
				_ = w.inHead.End(true)
				return
			}
			if dead := w.k.deadErr(); dead != nil {
				err = dead
			} else if !isTimeout(err) {
				// The socket is gone (reset by the peer, or closed under
				// us): stop the timers and queues of the other direction.
				w.k.kill(err)
			}
			w.in.fail(err)
			return
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// closeWrite half-closes c when it can, else closes it.
func closeWrite(c net.Conn) error {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Close()
}

// Reset aborts c with a TCP RST: SO_LINGER 0, then close. It unwraps
// tls.Conn and fault wrappers (anything with NetConn) down to the socket, so
// a terminated connection is reset without a close_notify first. A conn
// that is not TCP is just closed. A fault wrapper whose way to the peer a
// filter holds for good holds its socket instead (see Held): that RST would
// be lost in the hole too.
func Reset(c net.Conn) error {
	for {
		switch x := c.(type) {
		case *conn:
			if x.holds() {
				// An RST would be lost in the hole like a FIN: hold.
				var err error
				x.closeOnce.Do(func() { err = x.end(true) })
				return err
			}
			return x.k.reset()
		case *net.TCPConn:
			_ = x.SetLinger(0)
			return x.Close()
		case interface{ NetConn() net.Conn }:
			c = x.NetConn()
			continue
		}
		return c.Close()
	}
}
