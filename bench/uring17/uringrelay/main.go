// uringrelay: the same relay as epollrelay on io_uring. N LockOSThread
// goroutines, each with its own ring and SO_REUSEPORT listener; multishot
// accept, recv, connect, send, shutdown and close as SQEs, one
// io_uring_enter(GETEVENTS) per loop turn. Throw-away experiment.
package main

import (
	"flag"
	"log"
	"net/netip"
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

const bufSize = 16 << 10

// Operation kinds, the low byte of user_data; the slot is above it.
const (
	kAccept = iota
	kRecv0  // recv from client
	kRecv1  // recv from backend
	kSend0  // send of client bytes to backend
	kSend1  // send of backend bytes to client
	kConnect
	kIgnore // shutdown and close (CQE only on failure)
)

type conn struct {
	fd      [2]int32
	buf     [2][]byte
	n, off  [2]int
	done    [2]bool
	pending int
	dead    bool
}

type loop struct {
	r           *ring
	ln          int
	conns       []*conn
	free        []uint32
	pollFirst   bool
	park        bool
	sqeShutdown bool
}

var backendAddr syscall.RawSockaddrInet4 // global: its address stays put for the kernel

func (l *loop) alloc() (uint32, *conn) {
	if n := len(l.free); n > 0 {
		s := l.free[n-1]
		l.free = l.free[:n-1]
		c := l.conns[s]
		b := c.buf
		*c = conn{buf: b, fd: [2]int32{-1, -1}}
		return s, c
	}
	c := &conn{fd: [2]int32{-1, -1}}
	c.buf[0] = make([]byte, bufSize)
	c.buf[1] = make([]byte, bufSize)
	l.conns = append(l.conns, c)
	return uint32(len(l.conns) - 1), c
}

func ud(slot uint32, kind int) uint64 { return uint64(slot)<<8 | uint64(kind) }

func (l *loop) accept() {
	s := l.r.get()
	s.opcode = opAccept
	s.fd = int32(l.ln)
	s.ioprio = acceptMultishot
	s.opFlags = syscall.SOCK_CLOEXEC
	s.userData = ud(0, kAccept)
}

func (l *loop) recv(slot uint32, c *conn, side int) {
	s := l.r.get()
	s.opcode = opRecv
	s.fd = c.fd[side]
	s.addr = uint64(uintptr(unsafe.Pointer(&c.buf[side][0])))
	s.len = bufSize
	if l.pollFirst {
		s.ioprio = recvsendPollFirst
	}
	s.userData = ud(slot, kRecv0+side)
	c.pending++
}

func (l *loop) send(slot uint32, c *conn, side int) {
	s := l.r.get()
	s.opcode = opSend
	s.fd = c.fd[1-side]
	s.addr = uint64(uintptr(unsafe.Pointer(&c.buf[side][c.off[side]])))
	s.len = uint32(c.n[side] - c.off[side])
	s.opFlags = syscall.MSG_NOSIGNAL
	s.userData = ud(slot, kSend0+side)
	c.pending++
}

func (l *loop) simple(op uint8, fd int32, how uint32) {
	s := l.r.get()
	s.opcode = op
	s.fd = fd
	s.len = how
	s.flags = sqeCQESkipSuccess
	s.userData = ud(0, kIgnore)
}

// finish closes both sockets once nothing of the connection is in flight.
func (l *loop) finish(slot uint32, c *conn) {
	if c.pending > 0 {
		return
	}
	for _, fd := range c.fd {
		if fd >= 0 {
			l.simple(opClose, fd, 0)
		}
	}
	c.fd = [2]int32{-1, -1}
	l.free = append(l.free, slot)
}

// abort wakes every pending operation; finish closes when they are back.
func (l *loop) abort(slot uint32, c *conn) {
	if !c.dead {
		c.dead = true
		for _, fd := range c.fd {
			if fd >= 0 {
				syscall.Shutdown(int(fd), syscall.SHUT_RDWR)
			}
		}
	}
	l.finish(slot, c)
}

func (l *loop) complete(e *cqe) {
	kind := int(e.userData & 0xff)
	slot := uint32(e.userData >> 8)
	switch kind {
	case kIgnore:
		return
	case kAccept:
		if e.flags&cqeFMore == 0 {
			l.accept()
		}
		if e.res < 0 {
			return
		}
		s, c := l.alloc()
		c.fd[0] = e.res
		l.recv(s, c, 0)
		return
	}
	c := l.conns[slot]
	c.pending--
	if c.dead {
		l.finish(slot, c)
		return
	}
	res := int(e.res)
	if res < 0 {
		l.abort(slot, c)
		return
	}
	switch kind {
	case kRecv0, kRecv1:
		side := kind - kRecv0
		if side == 0 && c.fd[1] < 0 { // the first bytes: connect now
			if res == 0 {
				l.finish(slot, c)
				return
			}
			c.n[0], c.off[0] = res, 0
			bfd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
			if err != nil {
				l.abort(slot, c)
				return
			}
			c.fd[1] = int32(bfd)
			s := l.r.get()
			s.opcode = opConnect
			s.fd = int32(bfd)
			s.addr = uint64(uintptr(unsafe.Pointer(&backendAddr)))
			s.off = uint64(unsafe.Sizeof(backendAddr))
			s.userData = ud(slot, kConnect)
			c.pending++
			return
		}
		if res == 0 {
			c.done[side] = true
			if c.done[1-side] {
				l.finish(slot, c)
				return
			}
			if l.sqeShutdown {
				// IORING_OP_SHUTDOWN is always punted to an io-wq worker thread.
				l.simple(opShutdown, c.fd[1-side], syscall.SHUT_WR)
			} else {
				syscall.Shutdown(int(c.fd[1-side]), syscall.SHUT_WR)
			}
			return
		}
		c.n[side], c.off[side] = res, 0
		l.send(slot, c, side)
	case kSend0, kSend1:
		side := kind - kSend0
		c.off[side] += res
		if c.off[side] < c.n[side] {
			l.send(slot, c, side)
			return
		}
		l.recv(slot, c, side)
	case kConnect:
		l.send(slot, c, 0)
		l.recv(slot, c, 1)
	}
}

func (l *loop) run(la netip.AddrPort, entries, flags uint32, ready chan<- error) {
	if !l.park || flags&setupSingleIssuer != 0 {
		runtime.LockOSThread() // the ring's single issuer is this thread
	}
	r, err := newRing(entries, flags)
	if err != nil {
		ready <- err
		return
	}
	l.r = r
	l.ln = listen(la)
	ready <- nil
	l.accept()
	if l.park {
		l.runParked()
	}
	for {
		r.enter(1)
		r.reap(l.complete)
	}
}

// runParked waits for completions in Go's netpoller, on the ring fd, as
// tlsgate's epoll loops park on their epoll fd, instead of blocking a
// thread in io_uring_enter.
func (l *loop) runParked() {
	r := l.r
	must(syscall.SetNonblock(r.fd, true))
	f := os.NewFile(uintptr(r.fd), "io_uring")
	rc, err := f.SyscallConn()
	must(err)
	for {
		r.flush()
		if r.reap(l.complete) > 0 {
			continue
		}
		must(rc.Read(func(uintptr) bool {
			r.flush()
			return r.ready()
		}))
	}
}

func listen(addr netip.AddrPort) int {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	must(err)
	must(syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1))
	must(syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, 0xf /* SO_REUSEPORT */, 1))
	must(syscall.Bind(fd, &syscall.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}))
	must(syscall.Listen(fd, 4096))
	return fd
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func main() {
	listenAddr := flag.String("listen", "127.0.0.1:27511", "listen address")
	target := flag.String("target", "127.0.0.1:27102", "backend address")
	threads := flag.Int("threads", 1, "loops, one ring each")
	mode := flag.String("setup", "defer", "ring flags: none, coop (COOP_TASKRUN|TASKRUN_FLAG), single (SINGLE_ISSUER), defer (SINGLE_ISSUER|DEFER_TASKRUN)")
	pollFirst := flag.Bool("pollfirst", false, "IORING_RECVSEND_POLL_FIRST on every recv")
	sqeShutdown := flag.Bool("sqe-shutdown", false, "half-close with IORING_OP_SHUTDOWN (an io-wq punt) instead of shutdown(2)")
	park := flag.Bool("park", false, "wait in Go's netpoller on the ring fd (no locked thread unless the setup needs one)")
	flag.Parse()
	la := netip.MustParseAddrPort(*listenAddr)
	ta := netip.MustParseAddrPort(*target)
	backendAddr.Family = syscall.AF_INET
	p := ta.Port()
	backendAddr.Port = p>>8 | p<<8 // network byte order
	backendAddr.Addr = ta.Addr().As4()
	flags := map[string]uint32{"none": 0, "coop": setupCoopTaskrun | setupTaskrunFlag,
		"single": setupSingleIssuer, "defer": setupSingleIssuer | setupDeferTaskrun}[*mode]
	ready := make(chan error)
	for i := 0; i < *threads; i++ {
		l := &loop{pollFirst: *pollFirst, park: *park, sqeShutdown: *sqeShutdown}
		go l.run(la, 1024, flags, ready)
		must(<-ready)
	}
	select {}
}
