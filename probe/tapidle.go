package probe

import "time"

// A handshake that should complete gets HandshakeTimeout in all, but a
// stall is still told after Timeout: while idle is set, each read may wait
// only idle for the server's next bytes (never past end). A busy machine
// then slows a handshake without failing it, and a server that stops
// mid-flight is still caught after the short wait, as before.

// watchIdle starts the idle limit: reads wait at most idle each, the
// whole exchange no longer than end.
func (t *tap) watchIdle(idle time.Duration, end time.Time) {
	t.dl.Lock()
	t.idle, t.end = idle, end
	t.dl.Unlock()
}

// stopIdle ends the idle limit and sets d as the connection's deadline,
// for what comes after the handshake.
func (t *tap) stopIdle(d time.Time) {
	t.dl.Lock()
	t.idle = 0
	_ = t.Conn.SetDeadline(d)
	t.dl.Unlock()
}

// SetDeadline is the connection's, and pins it: crypto/tls cancels a
// handshake by setting a deadline in the past, which no later read may
// move again.
func (t *tap) SetDeadline(d time.Time) error {
	t.dl.Lock()
	defer t.dl.Unlock()
	t.pinned = true
	return t.Conn.SetDeadline(d)
}

// armRead sets the read deadline for one read under the idle limit.
func (t *tap) armRead() {
	t.dl.Lock()
	defer t.dl.Unlock()
	if t.idle <= 0 || t.pinned {
		return
	}
	d := time.Now().Add(t.idle)
	if d.After(t.end) {
		d = t.end
	}
	_ = t.Conn.SetReadDeadline(d)
}

// pastEnd says the exchange used all of its overall limit: a timeout
// then was the handshake's, not a stall's.
func (t *tap) pastEnd() bool {
	t.dl.Lock()
	defer t.dl.Unlock()
	return !t.end.IsZero() && !time.Now().Before(t.end)
}
