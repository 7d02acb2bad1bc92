// epollrelay is the control: a minimal Go epoll relay (session 5's shape).
// N LockOSThread goroutines, each with its own SO_REUSEPORT listener and
// epoll set, blocking in syscall.EpollWait; read the first bytes, connect the
// backend, write them, relay both ways with half-close, close both when both
// directions ended. No logging, no deadlines. Throw-away experiment.
package main

import (
	"flag"
	"log"
	"net/netip"
	"runtime"
	"syscall"
)

const bufSize = 16 << 10

type conn struct {
	fd     [2]int // 0 client, 1 backend
	buf    [2][]byte
	pend   [2][]byte // bytes read from side i not yet written to the other
	done   [2]bool   // side i sent EOF (and it was passed on)
	rdhup  [2]bool   // side i's FIN has arrived: a short read no longer means drained
	state  int       // 0 peek, 1 connecting, 2 relaying
	closed bool
	id     int32 // in every epoll event's Pad: a stale event for a reused fd is dropped
}

type loop struct {
	ep    int
	ln    int
	conns map[int]*conn
	be    syscall.SockaddrInet4
	next  int32
}

func listen(addr netip.AddrPort) int {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
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

func (l *loop) run() {
	runtime.LockOSThread()
	evs := make([]syscall.EpollEvent, 256)
	for {
		n, err := syscall.EpollWait(l.ep, evs, -1)
		if err == syscall.EINTR {
			continue
		}
		must(err)
		for i := 0; i < n; i++ {
			fd := int(evs[i].Fd)
			if fd == l.ln {
				l.accept()
				continue
			}
			if c := l.conns[fd]; c != nil && c.id == evs[i].Pad {
				l.event(c, fd, evs[i].Events)
			}
		}
	}
}

func (l *loop) accept() {
	for {
		nfd, _, err := syscall.Accept4(l.ln, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		if err != nil {
			return // EAGAIN or a transient error
		}
		l.next++
		c := &conn{fd: [2]int{nfd, -1}, id: l.next}
		c.buf[0] = make([]byte, bufSize)
		l.conns[nfd] = c
		must(syscall.EpollCtl(l.ep, syscall.EPOLL_CTL_ADD, nfd, &syscall.EpollEvent{
			Events: syscall.EPOLLIN | syscall.EPOLLOUT | syscall.EPOLLRDHUP | -syscall.EPOLLET, Fd: int32(nfd), Pad: c.id}))
	}
}

func (l *loop) event(c *conn, fd int, ev uint32) {
	switch c.state {
	case 0: // peek: wait for the client's first bytes
		n, err := syscall.Read(c.fd[0], c.buf[0])
		if err == syscall.EAGAIN {
			return
		}
		if n <= 0 {
			l.close(c)
			return
		}
		c.pend[0] = c.buf[0][:n]
		bfd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			l.close(c)
			return
		}
		c.fd[1] = bfd
		c.buf[1] = make([]byte, bufSize)
		l.conns[bfd] = c
		c.state = 1
		if err := syscall.Connect(bfd, &l.be); err != nil && err != syscall.EINPROGRESS {
			l.close(c)
			return
		}
		must(syscall.EpollCtl(l.ep, syscall.EPOLL_CTL_ADD, bfd, &syscall.EpollEvent{
			Events: syscall.EPOLLIN | syscall.EPOLLOUT | syscall.EPOLLRDHUP | -syscall.EPOLLET, Fd: int32(bfd), Pad: c.id}))
		return
	case 1:
		if fd != c.fd[1] {
			return // client event while connecting: the edge is seen again in pump
		}
		if ev&(syscall.EPOLLERR|syscall.EPOLLHUP) != 0 {
			l.close(c)
			return
		}
		if ev&syscall.EPOLLOUT == 0 {
			return
		}
		c.state = 2
		c.rdhup[1] = ev&(syscall.EPOLLRDHUP|syscall.EPOLLHUP) != 0
		c.rdhup[0] = true // the client's edges were not looked at while connecting
		l.pump(c, 0)
		l.pump(c, 1)
		return
	}
	if ev&syscall.EPOLLERR != 0 {
		l.close(c)
		return
	}
	if ev&(syscall.EPOLLRDHUP|syscall.EPOLLHUP) != 0 {
		c.rdhup[side(c, fd)] = true
	}
	l.pump(c, 0)
	if !c.closed {
		l.pump(c, 1)
	}
}

// pump moves bytes from side s to the other side until one of them would block.
func (l *loop) pump(c *conn, s int) {
	d := 1 - s
	for !c.done[s] {
		if len(c.pend[s]) > 0 {
			n, err := syscall.Write(c.fd[d], c.pend[s])
			if err == syscall.EAGAIN {
				return
			}
			if err != nil {
				l.close(c)
				return
			}
			c.pend[s] = c.pend[s][n:]
			continue
		}
		n, err := syscall.Read(c.fd[s], c.buf[s])
		if err == syscall.EAGAIN {
			return
		}
		if err != nil {
			l.close(c)
			return
		}
		if n == 0 {
			c.done[s] = true
			if c.done[d] {
				l.close(c)
				return
			}
			syscall.Shutdown(c.fd[d], syscall.SHUT_WR)
			return
		}
		c.pend[s] = c.buf[s][:n]
		if n < len(c.buf[s]) {
			// A short read drained the socket: write, and wait for the next edge.
			w, err := syscall.Write(c.fd[d], c.pend[s])
			if err != nil && err != syscall.EAGAIN {
				l.close(c)
				return
			}
			if w > 0 {
				c.pend[s] = c.pend[s][w:]
			}
			if !c.rdhup[s] || len(c.pend[s]) > 0 {
				return
			}
			// The FIN came with the last bytes, and no edge will follow it: read it now.
		}
	}
}

func side(c *conn, fd int) int {
	if fd == c.fd[0] {
		return 0
	}
	return 1
}

func (l *loop) close(c *conn) {
	if c.closed {
		return
	}
	c.closed = true
	for _, fd := range c.fd {
		if fd >= 0 {
			delete(l.conns, fd)
			syscall.Close(fd)
		}
	}
}

func main() {
	listenAddr := flag.String("listen", "127.0.0.1:27501", "listen address")
	target := flag.String("target", "127.0.0.1:27102", "backend address")
	threads := flag.Int("threads", 2, "loops")
	flag.Parse()
	la := netip.MustParseAddrPort(*listenAddr)
	ta := netip.MustParseAddrPort(*target)
	for i := 0; i < *threads; i++ {
		ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		must(err)
		l := &loop{ep: ep, ln: listen(la), conns: map[int]*conn{},
			be: syscall.SockaddrInet4{Port: int(ta.Port()), Addr: ta.Addr().As4()}}
		must(syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, l.ln, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(l.ln)}))
		if i == *threads-1 {
			l.run()
		}
		go l.run()
	}
}
