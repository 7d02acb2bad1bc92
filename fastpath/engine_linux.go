//go:build linux

package fastpath

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// epollExclusive wakes one loop, not all, per new connection (Linux 4.5+).
const epollExclusive = 1 << 28

// Engine serves one listening socket with Config.Loops event loops.
type Engine struct {
	cfg   Config
	h     Handler
	loops []*loop
	// uloops serve instead of loops with Config.Uring (URING.md).
	uloops []*uloop
	local  netip.AddrPort // the listener's address, when it names one IP
	// noDelay: TCP_NODELAY is set on the listening socket, so accepted
	// sockets inherit it and need no setsockopt of their own.
	noDelay bool
	// busyAt is when a loop last saw more than one live connection
	// (UnixNano from Config.Now): loops poll before parking only once it
	// is quietFor in the past.
	busyAt atomic.Int64
	stop   atomic.Bool // stop accepting; loops end when their conns do
	abort  atomic.Bool // close every connection now
	// listens counts Listening calls: a loop that found the socket not
	// listening waits for it to move instead of checking the socket.
	listens atomic.Uint64
	// life orders Serve and Stop: a Stop that comes first releases the
	// loops' sockets itself, and Serve must then not start them.
	life   sync.Mutex
	served bool // Serve was called (under life)
	freed  bool // Stop released the loops before Serve (under life)
	wg     sync.WaitGroup
	// spare holds the epoll loops' ended *Conns for accept to reuse: at
	// about 440 bytes each they were most of what a relayed connection
	// still allocated once the listener reused its own state, and every
	// allocation brings the next garbage collection closer (BENCHMARKS.md,
	// "Session 21"). A pool, not a per-loop list: one loop may accept a
	// connection that a sibling ends.
	spare sync.Pool
}

// newConn returns a zeroed Conn.
func (e *Engine) newConn() *Conn {
	if c, ok := e.spare.Get().(*Conn); ok {
		return c
	}
	return &Conn{}
}

// reuse keeps c, which the Handler is done with (Closed returned), for a
// later accept.
func (e *Engine) reuse(c *Conn) {
	*c = Conn{}
	e.spare.Put(c)
}

// New prepares loops for ln. The engine accepts on its own duplicates of
// ln's socket, so closing ln (as a listener's Shutdown does) and Stop are
// independent; nothing is accepted until Serve.
func New(ln *net.TCPListener, h Handler, cfg Config) (*Engine, error) {
	if h == nil {
		return nil, fmt.Errorf("fastpath: a handler is required")
	}
	fill(&cfg)
	e := &Engine{cfg: cfg, h: h}
	if ap := ln.Addr().(*net.TCPAddr).AddrPort(); !ap.Addr().IsUnspecified() {
		e.local = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	rc, err := ln.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("fastpath: listener %s: %w", ln.Addr(), err)
	}
	var lfds []int
	var dupErr error
	if err := rc.Control(func(fd uintptr) {
		// Linux copies TCP_NODELAY from a listening socket to the sockets
		// it accepts: one call here instead of one per connection.
		e.noDelay = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1) == nil
		for range cfg.Loops {
			nfd, err := dupCloexec(int(fd))
			if err != nil {
				dupErr = err
				return
			}
			lfds = append(lfds, nfd)
		}
	}); err != nil {
		dupErr = err
	}
	if dupErr != nil {
		closeAll(lfds)
		return nil, fmt.Errorf("fastpath: duplicating listener %s: %w", ln.Addr(), dupErr)
	}
	if cfg.Uring {
		for i, lfd := range lfds {
			l, err := newULoop(e, lfd)
			if err != nil {
				for _, l := range e.uloops {
					l.close()
				}
				closeAll(lfds[i:])
				return nil, fmt.Errorf("fastpath: listener %s: %w", ln.Addr(), err)
			}
			e.uloops = append(e.uloops, l)
		}
		return e, nil
	}
	for i, lfd := range lfds {
		l, err := newLoop(e, lfd)
		if err != nil {
			for _, l := range e.loops {
				l.close()
			}
			closeAll(lfds[i:])
			return nil, fmt.Errorf("fastpath: listener %s: %w", ln.Addr(), err)
		}
		e.loops = append(e.loops, l)
	}
	return e, nil
}

func fill(c *Config) {
	if c.Loops <= 0 {
		// One loop more than the runtime runs at once. Where the client
		// and the backend share the CPUs (a lab box), the kernel often
		// preempts a loop's thread for the peer it just woke, and the
		// loop's connections wait until it runs again; with one loop
		// more, each holds fewer of them. Measured at 8 connections in
		// flight on 2 CPUs: 3 loops +3-4% new connections per second
		// over 2, 4 loops +3% (BENCHMARKS.md, "Session 7").
		c.Loops = runtime.GOMAXPROCS(0) + 1
		if c.Uring {
			// One io_uring loop: its thread keeps a P while it waits (see
			// ring.wait), and a second one would take the other P from
			// everything else on a 2-CPU box. A loop rarely needs a whole
			// CPU: the kernel does most of the relaying inside its system
			// calls. Measured: 3 loops made 3 futex calls per connection
			// (threads queuing for the 2 Ps) against 0.3 with 1.
			c.Loops = 1
		}
	}
	if c.PeekMax <= 0 {
		c.PeekMax = 16 << 10
	}
	if c.PeekTimeout <= 0 {
		c.PeekTimeout = 5 * time.Second
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = 5 * time.Second
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 300 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.BusyPoll == 0 {
		c.BusyPoll = 100 * time.Microsecond
	}
}

// Serve runs the loops until Stop (or Abort) and the end of every
// connection they own. It may be called once. Its error is why an
// io_uring loop's ring failed: that loop stopped listening and reset its
// connections (reporting each with that error) rather than spin.
func (e *Engine) Serve() error {
	e.life.Lock()
	if e.served {
		e.life.Unlock()
		return fmt.Errorf("fastpath: Serve called twice")
	}
	e.served = true
	if e.freed {
		e.life.Unlock()
		return nil // stopped before it was served
	}
	for _, l := range e.loops {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			l.run()
		}()
	}
	for _, l := range e.uloops {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			l.run()
		}()
	}
	e.life.Unlock()
	e.wg.Wait()
	var errs []error
	for _, l := range e.uloops {
		if l.fail != nil {
			errs = append(errs, l.fail)
		}
	}
	return errors.Join(errs...)
}

// Stop makes the loops close their listening sockets (within one tick,
// 100 ms at most) and return once their connections have ended.
func (e *Engine) Stop() {
	e.stop.Store(true)
	// A uring loop blocks in io_uring_enter for up to a tick (a second
	// when idle, see uringWait): wake it.
	for _, l := range e.uloops {
		l.ring()
	}
	e.life.Lock()
	defer e.life.Unlock()
	if !e.served && !e.freed {
		// Never served: nothing else will close the loops' sockets. Under
		// life, so a Serve racing this one cannot start loops on them.
		e.freed = true
		for _, l := range e.loops {
			l.close()
		}
		for _, l := range e.uloops {
			l.close()
		}
	}
}

// Abort closes every connection with a reset, reporting ErrAborted, and
// stops the engine.
func (e *Engine) Abort() {
	e.abort.Store(true)
	e.Stop()
}

// Listening tells the loops that the listening socket listens again
// after it stopped (shutdown SHUT_RD: a refuse rule takes the listener
// down, so accept fails with EINVAL). A loop that met such a socket stops
// watching it and waits for this call instead of checking it every tick:
// whoever makes the socket listen again must call Listening after it
// does. It wakes each loop through its eventfd, so the queued SYNs are
// accepted at once.
func (e *Engine) Listening() {
	e.listens.Add(1)
	for _, l := range e.loops {
		l.ring()
	}
	for _, l := range e.uloops {
		l.ring()
	}
}

// Live is how many connections the loops own right now.
func (e *Engine) Live() int64 {
	var n int64
	for _, l := range e.loops {
		n += int64(l.load.Load())
	}
	for _, l := range e.uloops {
		n += int64(l.load.Load())
	}
	return n
}

// UringCheck says whether io_uring engines can run here: nil, or the
// error New would return with Config.Uring (wrapping ErrUringUnavailable
// and the errno).
func UringCheck() error {
	r, err := newRing(8)
	if err != nil {
		return err
	}
	r.close()
	return nil
}

func dupCloexec(fd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}

func closeAll(fds []int) {
	for _, fd := range fds {
		_ = syscall.Close(fd)
	}
}

// rstClose closes fd with a reset (SO_LINGER 0), as a refusing proxy does.
func rstClose(fd int) {
	_ = syscall.SetsockoptLinger(fd, syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1, Linger: 0})
	rawClose(fd)
}

// SockaddrAddrPort is a socket address as the engines report it: IPv4-mapped
// addresses unmapped, and a link-local peer's zone named as net.TCPAddr
// names it (the listener's own accepts use it too).
func SockaddrAddrPort(sa syscall.Sockaddr) netip.AddrPort { return sockaddrAddrPort(sa) }

func sockaddrAddrPort(sa syscall.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *syscall.SockaddrInet6:
		ip := netip.AddrFrom16(a.Addr).Unmap()
		if a.ZoneId != 0 && ip.Is6() {
			// Link-local peers: the zone says which link, as it does in
			// the goroutine path's net.TCPAddr.
			ip = ip.WithZone(zoneName(int(a.ZoneId)))
		}
		return netip.AddrPortFrom(ip, uint16(a.Port))
	}
	return netip.AddrPort{}
}

// addrPortSockaddr is the sockaddr for connecting to ap. A zone that names
// no interface is an error here rather than a connect without a scope,
// which the kernel would refuse with a less telling EINVAL.
func addrPortSockaddr(ap netip.AddrPort) (syscall.Sockaddr, int, error) {
	if ap.Addr().Is4() {
		return &syscall.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}, syscall.AF_INET, nil
	}
	sa := &syscall.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
	if z := ap.Addr().Zone(); z != "" {
		id, err := zoneIndex(z)
		if err != nil {
			return nil, 0, err
		}
		sa.ZoneId = uint32(id)
	}
	return sa, syscall.AF_INET6, nil
}

// zoneName names interface index i as net.TCPAddr does: the interface's
// name, or the number when it has none (it went away).
func zoneName(i int) string {
	if ifi, err := net.InterfaceByIndex(i); err == nil {
		return ifi.Name
	}
	return strconv.Itoa(i)
}

// zoneIndex is the inverse of zoneName: a name or a number.
func zoneIndex(z string) (int, error) {
	if ifi, err := net.InterfaceByName(z); err == nil {
		return ifi.Index, nil
	}
	if i, err := strconv.Atoi(z); err == nil && i > 0 {
		return i, nil
	}
	return 0, fmt.Errorf("fastpath: IPv6 zone %q names no interface", z)
}
