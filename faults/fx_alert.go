package faults

import (
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"time"
)

// Injection is a wrapper rule that ended the connection on purpose once
// bytes began to flow: a trigger at server_flight, request or response
// (reset, close, alert, plaintext reply), an alert at idle, or a byte
// wrapper that cut or stalled the stream (Cut).
type Injection struct {
	Rule  *Rule // the rule that fired; shared, read only
	Alert uint8 // the alert description sent, for an alert rule
	// Cut: a byte wrapper cut or stalled the stream instead of replacing
	// it: a truncate or limit_data past its bytes, a timeout or one-way
	// blackhole that swallowed bytes or closed, an idle_timeout whose
	// state expired, an MTU stall that never recovered.
	Cut bool
	// At is where a rule that damaged the data acted, when its own stage
	// does not say: a record_corrupt that flipped a bit in the client's
	// data acted at request, in the server's at response. "" otherwise.
	At Stage
}

// Ended reports the wrapper rule that ended c, a conn Wrap returned (or one
// wrapping it, such as a tls.Conn over it), and false when none did. Such a
// rule fires mid-stream, so only the conn knows whether it fired; the
// listener asks after the connection ends, to log it like a stop.
func Ended(c net.Conn) (Injection, bool) {
	for c != nil {
		if w, ok := c.(*conn); ok {
			if in := w.k.ended.Load(); in != nil {
				return *in, true
			}
		}
		nc, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		c = nc.NetConn()
	}
	return Injection{}, false
}

// Withheld reports how many bytes written to c (a conn Wrap returned, or
// one wrapping it) toward its peer the faults kept from the peer: dropped,
// or still held when the connection ended. ok is false when c carries no
// fault wrapper. A count taken above TLS (a relay's) includes them, so the
// listener knows from it that the peer got less than the relay wrote.
func Withheld(c net.Conn) (n int64, ok bool) {
	for c != nil {
		if w, isConn := c.(*conn); isConn {
			return w.k.withheld(w.k.outDir).Load(), true
		}
		nc, isWrapped := c.(interface{ NetConn() net.Conn })
		if !isWrapped {
			break
		}
		c = nc.NetConn()
	}
	return 0, false
}

// clearSide is where an alert injected mid-stream goes: beneath the
// topmost TLS session of c, in the clear, as a middlebox would send it (it
// has no keys to encrypt one). Without TLS it is c itself. The walk down
// stops at a fault wrapper: the path faults below it (latency, MTU) apply
// to the alert like to any other byte.
func clearSide(c net.Conn) net.Conn {
	for x := c; ; {
		switch y := x.(type) {
		case *tls.Conn:
			return y.NetConn()
		case *conn:
			return c
		case interface{ NetConn() net.Conn }:
			x = y.NetConn()
			continue
		}
		return c
	}
}

// injectAlert writes the rule's alert toward the client beneath any TLS
// session, then follows up (then: fin, rst or hold). Every record after a
// handshake says 0x0303, so that is the record version when the rule gives
// none: a 1.0 one would be refused before the alert is even read. It
// returns what later writes of the fired direction get; nil (a hold) drops
// them.
func (k *ctl) injectAlert(r *Rule) error {
	raw := clearSide(k.c)
	code := r.AlertCode()
	ver := uint16(r.RecordVersion)
	if ver == 0 {
		ver = uint16(VersionTLS12)
	}
	// Recorded before the write: the client may react to the alert (and
	// the relay end, and the listener log the connection) before Write
	// returns here, and the log must still say the alert went out.
	inj := &Injection{Rule: r, Alert: code}
	mine := k.ended.CompareAndSwap(nil, inj)
	if _, err := raw.Write(AlertRecord(AlertLevel(code), code, ver)); err != nil {
		if mine {
			k.ended.CompareAndSwap(inj, nil)
		}
		k.closeAll()
		return fmt.Errorf("faults: rule %q: alert %d to %s: %w", r.Name, code, remote(raw), err)
	}
	switch r.Then {
	case ThenHold:
		return nil
	case ThenRST:
		_ = k.reset()
		return ErrReset
	}
	// FIN on the socket itself: closing a tls.Conn first would follow the
	// alert with an encrypted close_notify no middlebox could send.
	if k.kill(ErrClosedByFault) {
		_ = raw.Close()
		_ = k.c.Close()
		if k.w != nil && k.w.in != nil {
			k.w.in.fail(ErrClosedByFault)
		}
	}
	return ErrClosedByFault
}

// idleAlert is the state one idle alert rule shares across both directions
// of a conn: traffic either way postpones the alert. One timer at a time is
// armed; when it fires early (traffic came since) it re-arms for the rest.
type idleAlert struct {
	k       *ctl
	r       *Rule
	timeout time.Duration
	once    sync.Once

	mu    sync.Mutex // guards last and fired
	last  time.Time  // the last byte either way, or when the watch began
	fired bool

	tmu   sync.Mutex // guards stop and ended, apart from mu so a kill can stop the timer while the alert is being sent
	stop  func() bool
	ended bool
}

// start begins the quiet period at the first filter built, once.
func (a *idleAlert) start() {
	a.once.Do(func() {
		a.mu.Lock()
		a.last = a.k.deps.Now()
		a.mu.Unlock()
		if a.k.onEnd(a.stopTimer) {
			a.arm(a.timeout)
		}
	})
}

// arm sets the timer for d unless the connection ended.
func (a *idleAlert) arm(d time.Duration) {
	a.tmu.Lock()
	defer a.tmu.Unlock()
	if !a.ended {
		a.stop = a.k.deps.AfterFunc(d, a.expire)
	}
}

// stopTimer runs when the connection ends.
func (a *idleAlert) stopTimer() bool {
	a.tmu.Lock()
	a.ended = true
	stop := a.stop
	a.tmu.Unlock()
	if stop != nil {
		return stop()
	}
	return false
}

// expire checks the quiet period when the timer fires: traffic since means
// wait for the rest of it, else the alert goes now.
func (a *idleAlert) expire() {
	a.mu.Lock()
	if a.fired {
		a.mu.Unlock()
		return
	}
	if quiet := a.k.deps.Now().Sub(a.last); quiet < a.timeout {
		a.arm(a.timeout - quiet)
		a.mu.Unlock()
		return
	}
	a.fired = true
	a.mu.Unlock()
	_ = a.k.injectAlert(a.r)
}

// touch records traffic; it reports false once the alert has gone.
func (a *idleAlert) touch() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fired {
		return false
	}
	a.last = a.k.deps.Now()
	return true
}

// idleAlertFilter is one direction of an idle alert rule: bytes pass and
// postpone the alert; after it, they get the follow-up's error, or are
// dropped on a hold.
type idleAlertFilter struct {
	next sink
	st   *idleAlert
}

func (f *idleAlertFilter) Write(p []byte) (int, error) {
	if f.st.touch() {
		return f.next.Write(p)
	}
	if err := f.st.k.deadErr(); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (f *idleAlertFilter) End(fin bool) error {
	f.st.mu.Lock()
	fired := f.st.fired
	f.st.mu.Unlock()
	if fired {
		return nil
	}
	return f.next.End(fin)
}
