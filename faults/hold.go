package faults

import (
	"net"
	"os"
	"sync"
	"time"
)

// DefaultHoldMax bounds how long a held socket stays open after tlsgate
// closed its conn (WrapDeps.HoldMax). It is longer than the timeouts of
// the clients a lab shows (curl's 300 s connect timeout, which includes
// the TLS handshake and counts from before tlsgate's own timeout fired;
// browsers give up within a minute or two), so they see their own
// timeout, and short enough that a client that never gives up (openssl
// s_client, nc) cannot keep a descriptor and a max_connections slot for
// ever.
const DefaultHoldMax = 5 * time.Minute

// Held is a client socket that tlsgate has finished with while a fault
// held the way to the client: a PMTUD black hole (mtu), a timeout without
// one, or a rule whose then is hold (blackhole, truncate, idle_timeout, or
// a stop that answered and then holds). On a real
// path tlsgate's FIN (or RST) would queue behind the lost bytes and never
// arrive, so the client would see nothing until its own timeout. Closing
// the socket would send one all the same, so the socket stays open,
// silent, discarding what arrives, until the client gives up (its FIN or
// RST), the hold's maximum passes or Reset ends it; then it is really
// closed. Everything that used the conn has been woken already: the
// descriptor it used is closed, and the held one is a duplicate, which
// the kernel treats as the socket still open.
type Held struct {
	f    *os.File
	once sync.Once
}

// Reset ends the hold now with an RST, as a listener's shutdown cuts its
// live connections. It is safe to call more than once, and after the hold
// ended by itself (then it does nothing).
func (h *Held) Reset() error {
	var err error
	h.once.Do(func() {
		lingerZero(h.f)
		err = h.f.Close()
	})
	return err
}

// run discards what the client sends until it closes or resets the
// connection, or Reset (on the hold's maximum, or the caller's) closes
// the socket; then it closes the socket and calls done.
func (h *Held) run(maxHold time.Duration, afterFunc func(time.Duration, func()) func() bool, done func()) {
	stop := afterFunc(maxHold, func() { _ = h.Reset() })
	buf := make([]byte, 512)
	for {
		if _, err := h.f.Read(buf); err != nil {
			break
		}
	}
	stop()
	// The client gave up: a FIN now reaches no one waiting for it. After
	// Reset the socket is closed already.
	h.once.Do(func() { _ = h.f.Close() })
	done()
}

// holdSocket starts holding the TCP socket beneath c (see Held), if there
// is one. It closes c's own descriptor first, so every read and write
// blocked on c, at any layer above it, fails now with net.ErrClosed, as
// a close would make it. It reports false, doing nothing, when c has no
// TCP socket or it is closed already (a shutdown reset it): the caller
// then closes c as usual. deps must have its defaults.
//
// The socket's own descriptor is closed beneath every layer (TLS, a
// capture), so that closing those afterwards sends nothing: no FIN, no
// close_notify.
func holdSocket(c net.Conn, deps WrapDeps) bool {
	tcp := tcpBeneath(c)
	if tcp == nil {
		return false
	}
	f, err := dupSocket(tcp)
	if err != nil {
		return false
	}
	h := &Held{f: f}
	_ = tcp.Close()
	done := func() {}
	if deps.Hold != nil {
		done = deps.Hold(h)
	}
	go h.run(deps.HoldMax, deps.AfterFunc, done)
	return true
}

// tcpBeneath peels wrappers (fault conns, tls.Conn, recorders: anything
// with NetConn) down to the TCP socket, or nil. The bound stops a wrapper
// that returns itself.
func tcpBeneath(c net.Conn) *net.TCPConn {
	for range 16 {
		switch x := c.(type) {
		case *net.TCPConn:
			return x
		case interface{ NetConn() net.Conn }:
			c = x.NetConn()
		default:
			return nil
		}
	}
	return nil
}
