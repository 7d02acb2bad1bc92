//go:build linux

package fastpath

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

// idleWait is how long a loop that owns no connection waits in one system
// call (see uringWait).
const idleWait = time.Second

// uringWait says how long a loop's next wait lasts and whether it keeps its
// P through it (raw: Config.UringHoldP), swept after its last sweep. A busy
// loop waits until its next sweep is due. An idle one (no connection, no
// request of an ended connection still out, no paused accept) has no deadline to sweep for, and Stop,
// Abort and Listening ring its eventfd, so it waits long and without its
// P: waiting a tick at a time holding the P, an idle loop took a P from a
// busy epoll listener in the same process (0.82x HAProxy's rate against
// 0.95x alone, BENCHMARKS.md "Session 19"), and released, the runtime
// leaves the P in the system call until its monitor takes it back, once
// per wait.
func uringWait(idle, raw bool, swept time.Duration) (time.Duration, bool) {
	if idle {
		return idleWait, false
	}
	return max(time.Millisecond, tick-swept), raw
}

// uloop is an io_uring event loop (URING.md): the epoll loop's job with
// requests instead of readiness. It shares Conn, the Handler calls and
// their bookkeeping (Engine.open, handOver, Conn.got, fin, writeErr,
// resetBy) with the epoll loop. Not yet: balancing between loops (each
// accepts for itself) and busy polling.

// Request kinds, the low byte of user_data.
const (
	kAccept uint8 = iota
	kWake         // read of the inbox eventfd
	kIgnore       // close, cancel: nothing to do on completion
	kConnect
	kRecv0 // recv from the client
	kRecv1 // recv from the backend
	kSend0 // send of the client's bytes to the backend
	kSend1 // send of the backend's bytes to the client
)

const uringEntries = 256

// bufsKept bounds each loop's free relay buffers (4 MiB at 16 KiB).
const bufsKept = 256

// newUconn returns a zeroed uconn.
func (l *uloop) newUconn() *uconn {
	if n := len(l.spare); n > 0 {
		u := l.spare[n-1]
		l.spare[n-1] = nil
		l.spare = l.spare[:n-1]
		return u
	}
	return &uconn{}
}

// release drops one of u's holds (see uconn.holds); the last keeps u for
// a later accept. Nothing is kept once the ring failed: failRing reports
// its live connections without waiting for their requests, which may
// still write their buffers.
func (l *uloop) release(u *uconn) {
	if u.holds--; u.holds > 0 || l.fail != nil {
		return
	}
	l.keep(u)
}

// keep zeroes u, which no request points at, for a later accept.
func (l *uloop) keep(u *uconn) {
	*u = uconn{}
	if len(l.spare) < sparesKept {
		l.spare = append(l.spare, u)
	}
}

// sparesKept bounds each loop's spare uconns.
const sparesKept = 256

// getBuf returns a relay buffer, max(ubufSize, PeekMax) long.
func (l *uloop) getBuf() []byte {
	if n := len(l.bufs); n > 0 {
		b := l.bufs[n-1]
		l.bufs[n-1] = nil
		l.bufs = l.bufs[:n-1]
		return b
	}
	return make([]byte, max(ubufSize, l.e.cfg.PeekMax))
}

// putBufs keeps u's buffers for later connections. Only once no request
// of u's is in flight: the kernel may write a recv's buffer until its
// completion.
func (l *uloop) putBufs(u *uconn) {
	for i, b := range u.buf {
		if b != nil && len(l.bufs) < bufsKept {
			l.bufs = append(l.bufs, b)
		}
		u.buf[i] = nil
	}
}

// ubufSize is each side's relay buffer (PeekMax, if larger, for the
// client's): owned per connection, since a request owns its buffer until
// its completion.
const ubufSize = 16 << 10

// uconn is a connection as the uring loop owns it: the shared Conn, and
// the memory its requests point at, which the slot table keeps reachable
// until the last of them is back.
type uconn struct {
	Conn
	slot uint32
	buf  [2][]byte
	n    [2]int // bytes of buf[i] read from side i (while peeking: all read so far)
	off  [2]int // of those, how many were sent to the other side
	addr rawAddr
	// ending is the error of a failed write to the backend while the
	// backend's side still had a request out: its bytes go to the client
	// first (endRest), then the reset.
	ending error
	// After the loop is done with it (phase done), what to do when its
	// last request is back.
	handing bool  // hand the client socket off
	why     error // the hand-off's error (Abort), or nil
	closeFD bool  // close both sockets
	// holds counts what must let go of an ended connection before its
	// uconn can serve another: the report (Handler.Closed) and the last
	// of its requests. A handed-off connection is never reused: the
	// goroutine path owns its Conn from then on.
	holds int8
}

type uloop struct {
	e   *Engine
	r   *ring
	lfd int // -1 once closed
	// accs are the accepts armed on lfd (accOn), each with the buffer
	// the kernel writes the client's address to. stopping: they were
	// cancelled at Stop, and lfd closes when the last one ends.
	accs         *[acceptsArmed]acceptAddr
	accOn        [acceptsArmed]bool
	stopping     bool
	notListening bool
	listensSeen  uint64
	listensArmed [acceptsArmed]uint64 // e.listens when each accept was armed
	paused       time.Time
	slots        slotTable[uconn]
	live         map[*uconn]struct{} // owned, phase not done
	draining     int                 // done, requests still out
	swept, idled time.Time
	ended        []*uconn
	// spare holds ended uconns for later accepts: allocated per
	// connection, they brought a garbage collection every few hundred
	// connections (23 in a 5 s run against the epoll loops' 8); reusing
	// them gained 0-5% of the rate (BENCHMARKS.md, "Session 23"). A loop's own list, not
	// the epoll loops' pool: a uconn never leaves the loop that accepted it.
	spare   []*uconn
	in      inbox
	wakeBuf *[8]byte // the eventfd read's buffer
	// bufs are relay buffers no request points at any more, for the
	// next connections: a short connection then allocates none.
	bufs   [][]byte
	wakeOn bool
	// fail is why the ring stopped taking requests; scratch is the SQE
	// sqe hands out from then on, which the kernel never sees.
	fail    error
	scratch sqe
	// now is the clock as read before this reap: the completions of
	// one reap are handled at one time.
	now    time.Time
	load   atomic.Int32
	parked atomic.Bool
}

func newULoop(e *Engine, lfd int) (*uloop, error) {
	r, err := newRing(uringEntries)
	if err != nil {
		return nil, err
	}
	efd, err := newEventfd()
	if err != nil {
		r.close()
		return nil, err
	}
	l := &uloop{e: e, r: r, lfd: lfd, live: make(map[*uconn]struct{}), wakeBuf: new([8]byte), accs: new([acceptsArmed]acceptAddr)}
	l.in.efd = efd
	return l, nil
}

// close releases a loop that never ran.
func (l *uloop) close() {
	if l.lfd >= 0 {
		_ = syscall.Close(l.lfd)
		l.lfd = -1
	}
	l.closeFiles()
}

func (l *uloop) closeFiles() {
	l.r.close()
	l.in.mu.Lock()
	l.in.closed = true
	if l.in.efd >= 0 {
		_ = syscall.Close(l.in.efd)
		l.in.efd = -1
	}
	l.in.mu.Unlock()
}

// sqe returns an SQE, submitting to make room when the SQ is full: the
// loop never drops a request. It never reaps: a completion handled here
// would run inside the handler that asked for the SQE, on state that
// handler has not finished changing. Under NODROP the kernel takes SQEs
// whatever the CQ holds, so a submit makes room; EAGAIN and EBUSY are
// retried a few times, and any other error, or the kernel taking nothing,
// marks the ring failed (run then ends the loop, see failRing): the
// caller gets a scratch SQE the kernel never sees.
func (l *uloop) sqe() *sqe {
	for try := 0; l.fail == nil; try++ {
		if s := l.r.get(); s != nil {
			return s
		}
		if try >= sqeTries {
			l.fail = fmt.Errorf("fastpath: io_uring SQ still full after %d submits (%d queued)", try, l.r.queued)
			break
		}
		if _, err := l.r.submit(); err != nil {
			if !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.EBUSY) {
				l.fail = fmt.Errorf("fastpath: io_uring failed: %w", err)
				break
			}
			time.Sleep(time.Duration(try+1) * 100 * time.Microsecond)
		}
	}
	l.scratch = sqe{}
	return &l.scratch
}

// sqeTries bounds sqe's submits for room (about 6 ms of back-off).
const sqeTries = 10

func (l *uloop) run() {
	// The loop's thread is the ring's only submitter (a deferred ring
	// refuses any other) and blocks in io_uring_enter between turns, the
	// way the session-17 experiment measured cheapest: waking a parked
	// goroutine through the netpoller for every completion cost more
	// CPU than the system calls io_uring saved (URING.md).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer l.closeFiles()
	if err := l.r.enable(); err != nil {
		l.fail = fmt.Errorf("fastpath: io_uring: %w", err)
	}
	raw := l.e.cfg.UringHoldP && runtime.GOMAXPROCS(0) > 1 // see ring.wait
	l.armAccepts()
	l.armWake()
	busy := 0 // io_uring_enter's EAGAIN or EBUSY in a row
	for {
		if l.fail != nil {
			l.failRing()
			l.report()
			return
		}
		now := l.e.cfg.Now()
		if now.Sub(l.swept) >= tick {
			l.sweep(now)
		}
		l.report()
		if l.e.stop.Load() && l.lfd >= 0 && !l.stopping {
			l.stopping = true
			if l.acceptsOn() {
				s := l.sqe()
				prepCancelFD(s, l.lfd)
				s.userData = tagNone(kIgnore)
			} else {
				_ = syscall.Close(l.lfd)
				l.lfd = -1
			}
		}
		if l.e.abort.Load() {
			l.abortAll()
			l.report()
		}
		if l.lfd < 0 && len(l.live) == 0 && l.draining == 0 {
			l.in.mu.Lock()
			l.in.closed = true
			l.in.mu.Unlock()
			return
		}
		// One system call per turn: submit what the turn queued and,
		// unless completions are already waiting, block for the next one
		// (at most until the next sweep).
		var err error
		if l.r.ready() {
			_, err = l.r.submit()
		} else {
			idle := len(l.live) == 0 && l.draining == 0 && l.paused.IsZero()
			wait, hold := uringWait(idle, raw, l.e.cfg.Now().Sub(l.swept))
			l.parked.Store(true)
			_, err = l.r.wait(wait, hold)
			l.parked.Store(false)
		}
		switch {
		case err == nil:
			busy = 0
		case (errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EBUSY)) && busy < sqeTries:
			// Short of kernel memory for the moment: reap, back off, retry.
			busy++
			time.Sleep(time.Duration(busy) * 100 * time.Microsecond)
		default:
			// A broken ring fails at once every time: end the loop
			// rather than spin.
			l.fail = fmt.Errorf("fastpath: io_uring failed: %w", err)
		}
		if l.r.ready() {
			l.now = l.e.cfg.Now() // once per reap, not per completion
			l.r.reap(l.complete)
		}
	}
}

func (l *uloop) report() {
	for i, u := range l.ended {
		l.e.h.Closed(&u.Conn, u.res)
		l.ended[i] = nil
		l.release(u)
	}
	l.ended = l.ended[:0]
}

// complete handles one completion.
func (l *uloop) complete(q *cqe) {
	more := q.flags&cqeFMore != 0
	u, kind, st := l.slots.done(q.userData, more)
	switch st {
	case slotFree:
		l.completeNone(kind, q.res, q.userData)
		return
	case slotStale:
		return
	case slotRetired, slotDrained:
		l.late(u, kind, q.res, st == slotDrained)
		return
	}
	now := l.now
	if u.ending != nil {
		l.endingDone(u, kind, q.res, now)
		return
	}
	switch kind {
	case kConnect:
		l.connected(u, q.res, now)
	case kRecv0, kRecv1:
		if u.phase == peeking {
			l.peeked(u, q.res, now)
			return
		}
		l.received(u, int(kind-kRecv0), q.res, now)
	case kSend0, kSend1:
		l.sent(u, int(kind-kSend0), q.res, now)
	}
}

func (l *uloop) recv(u *uconn, from int, b []byte) {
	s := l.sqe()
	prepRecv(s, u.fd(from), b)
	s.userData = l.slots.arm(u.slot, kRecv0+uint8(from))
}

func (l *uloop) send(u *uconn, from int) {
	s := l.sqe()
	prepSend(s, u.fd(1-from), u.buf[from][u.off[from]:u.n[from]])
	s.userData = l.slots.arm(u.slot, kSend0+uint8(from))
}

// peeked handles the client's first bytes, as the epoll loop's peek.
func (l *uloop) peeked(u *uconn, res int32, now time.Time) {
	if res <= 0 {
		if res < 0 {
			u.ReadErr = os.NewSyscallError("read", syscall.Errno(-res))
		}
		l.handoff(u, nil)
		return
	}
	u.n[0] += int(res)
	b := u.buf[0][:u.n[0]]
	v, target := l.e.h.Decide(&u.Conn, b)
	if v == Relay && target.IsValid() {
		l.dial(u, target, now)
		return
	}
	if v == Wait && len(b) < l.e.cfg.PeekMax {
		l.recv(u, 0, u.buf[0][u.n[0]:l.e.cfg.PeekMax])
		return
	}
	l.handoff(u, nil)
}
