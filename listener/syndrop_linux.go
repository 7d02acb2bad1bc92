//go:build linux

package listener

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/tlsgate/tlsgate/fastpath"
)

// A syn_drop refuse rule (the catalog's tcp.connect_timeout) makes the
// port drop SYNs instead of answering them. A userspace listener cannot
// ignore a SYN: while a socket listens, the kernel completes handshakes on
// its own. It drops one only when the socket's accept queue is full
// (tcp_conn_request: sk_acceptq_is_full), unanswered, so the client
// retransmits its SYN until its connect times out.
//
// The listener's own socket goes down as for listener_down (its engines
// wait for it to listen again, as they do there), and a dropper takes the
// port in its place: a second socket bound to the same address, listening
// with a backlog of one, whose queue tlsgate fills with connections of its
// own and never accepts from. Linux lets it bind and listen there because
// both sockets reuse the address and the listener's does not listen; while
// it listens, nothing else can bind the port. When the rule ends the
// dropper's queue is taken (tlsgate's own connections closed, a client's
// that got in before the queue filled served), the dropper closed, and the
// listener's socket listens again.

// dropBacklog is the dropper's listen backlog. Linux counts the queue full
// once it holds more than the backlog, so two connections fill it; with a
// backlog of 0 the empty request queue reads as full too, which sends the
// first SYN a syncookie and logs "Possible SYN flooding" to the kernel.
const dropBacklog = 1

// fillMax bounds the connections fill opens: two fill the queue, and more
// are needed only when clients took places in between (theirs count too).
const fillMax = 8

// fillWait bounds how long fill waits for the queue to fill: loopback
// handshakes take microseconds, so only a dropper nobody can reach (bound
// to an address this host cannot connect to) waits it out.
const fillWait = 2 * time.Second

// dropper is the socket a syn_drop rule holds the port with.
type dropper struct {
	fd      int
	fillers []int                   // the client ends of tlsgate's own connections
	ours    map[netip.AddrPort]bool // their addresses, to tell them from clients' in the queue
	addr    netip.AddrPort          // where they connect
}

// startDropping binds a dropper to addr, the address of the listener's
// socket rc, which must not be listening, and fills its queue. It copies
// what lets the socket receive the listener's SYNs (family, dual-stack,
// IP_TRANSPARENT, SO_MARK, SO_BINDTODEVICE). The listener's socket reuses
// the address only while the dropper binds and listens, as Linux checks
// the port then; after, it holds it alone again (stopListening says why).
func startDropping(rc syscall.RawConn, addr syscall.Sockaddr) (*dropper, error) {
	var d *dropper
	var err error
	if cerr := rc.Control(func(lfd uintptr) {
		if err = setReuseAddr(int(lfd), true); err != nil {
			return
		}
		defer func() { _ = setReuseAddr(int(lfd), false) }()
		d, err = bindDropper(int(lfd), addr)
	}); cerr != nil {
		return nil, fmt.Errorf("listener: %w", cerr)
	}
	if err != nil {
		return nil, fmt.Errorf("listener: syn_drop: %w", err)
	}
	if err := d.fill(); err != nil {
		d.close()
		return nil, fmt.Errorf("listener: syn_drop: %w", err)
	}
	return d, nil
}

// bindDropper makes the dropper socket for the listener's socket lfd,
// bound to addr and listening.
func bindDropper(lfd int, addr syscall.Sockaddr) (*dropper, error) {
	family, err := syscall.GetsockoptInt(lfd, syscall.SOL_SOCKET, syscall.SO_DOMAIN)
	if err != nil {
		return nil, fmt.Errorf("getsockopt SO_DOMAIN: %w", err)
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, syscall.IPPROTO_TCP)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	d := &dropper{fd: fd, ours: map[netip.AddrPort]bool{}}
	v6only := 0
	if family == syscall.AF_INET6 {
		v6only, _ = syscall.GetsockoptInt(lfd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY)
	}
	if err := copySockopts(lfd, fd, family); err != nil {
		d.close()
		return nil, err
	}
	for _, step := range []struct {
		what string
		do   func() error
	}{
		{"setsockopt SO_REUSEADDR", func() error { return syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1) }},
		{"bind", func() error { return syscall.Bind(fd, addr) }},
		{"listen", func() error { return syscall.Listen(fd, dropBacklog) }},
	} {
		if err := step.do(); err != nil {
			d.close()
			return nil, fmt.Errorf("dropper %s: %w", step.what, err)
		}
	}
	d.addr = fillTarget(fastpath.SockaddrAddrPort(addr), family, v6only == 1)
	return d, nil
}

// ipv6Transparent is IPV6_TRANSPARENT, missing from the syscall package.
const ipv6Transparent = 75

// copySockopts gives the dropper fd what the listener's socket lfd has
// that decides which SYNs reach it; IPV6_V6ONLY first, which only an
// unbound socket takes. Each is copied only where it is set, so a
// listener without them needs no privilege.
func copySockopts(lfd, fd, family int) error {
	type opt struct {
		level, name int
		what        string
	}
	opts := []opt{{syscall.SOL_IP, syscall.IP_TRANSPARENT, "IP_TRANSPARENT"}, {syscall.SOL_SOCKET, syscall.SO_MARK, "SO_MARK"}}
	if family == syscall.AF_INET6 {
		opts = append([]opt{{syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, "IPV6_V6ONLY"}, {syscall.SOL_IPV6, ipv6Transparent, "IPV6_TRANSPARENT"}}, opts...)
	}
	for _, o := range opts {
		v, err := syscall.GetsockoptInt(lfd, o.level, o.name)
		if err != nil || v == 0 {
			continue // unset, or not this family's
		}
		if err := syscall.SetsockoptInt(fd, o.level, o.name, v); err != nil {
			return fmt.Errorf("dropper setsockopt %s=%d: %w", o.what, v, err)
		}
	}
	if dev := boundDevice(lfd); dev != "" {
		if err := syscall.BindToDevice(fd, dev); err != nil {
			return fmt.Errorf("dropper SO_BINDTODEVICE %s: %w", dev, err)
		}
	}
	return nil
}

// boundDevice is the device lfd is bound to (SO_BINDTODEVICE), or "".
func boundDevice(lfd int) string {
	var buf [syscall.IFNAMSIZ]byte
	n := uint32(len(buf))
	_, _, e := syscall.Syscall6(syscall.SYS_GETSOCKOPT, uintptr(lfd), syscall.SOL_SOCKET, syscall.SO_BINDTODEVICE,
		uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n)), 0)
	if e != 0 || n == 0 {
		return ""
	}
	return strings.TrimRight(string(buf[:n]), "\x00")
}

// fillTarget is where tlsgate's own connections reach a dropper bound to
// bound: that address, or loopback for a wildcard (IPv4's where the
// socket takes IPv4, as a dual-stack one does).
func fillTarget(bound netip.AddrPort, family int, v6only bool) netip.AddrPort {
	ip := bound.Addr()
	if ip.IsUnspecified() {
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		if family == syscall.AF_INET6 && v6only {
			ip = netip.IPv6Loopback()
		}
	}
	return netip.AddrPortFrom(ip.WithZone(bound.Addr().Zone()), bound.Port())
}

// fill connects to the dropper until its accept queue is full, so the
// kernel drops every SYN after. A client's connection that lands in the
// queue meanwhile takes a place as one of tlsgate's would; it is served
// when the rule ends (drain). One of tlsgate's that lost its place to a
// client is left connecting: its SYNs are dropped like anyone's.
func (d *dropper) fill() error {
	deadline := time.Now().Add(fillWait)
	pending := -1 // the filler not yet connected
	for !d.full() {
		if time.Now().After(deadline) {
			return fmt.Errorf("accept queue of the dropper on %s not full after %s (%d connections of tlsgate's own)", d.addr, fillWait, len(d.fillers))
		}
		if pending < 0 {
			if len(d.fillers) == fillMax {
				return fmt.Errorf("accept queue of the dropper on %s not full after %d connections of tlsgate's own", d.addr, fillMax)
			}
			fd, err := d.connect()
			if err != nil {
				return err
			}
			pending = fd
		}
		// Wait for its handshake; a connection the kernel completed on
		// both ends is in the queue, and the loop checks again.
		pfd := []pollFd{{fd: int32(pending), events: pollOut}}
		if n, err := poll(pfd, 10*time.Millisecond); err == nil && n > 0 {
			pending = -1
		}
	}
	return nil
}

// connect starts one of tlsgate's own connections to the dropper.
func (d *dropper) connect() (int, error) {
	family, sa := syscall.AF_INET, syscall.Sockaddr(nil)
	if ip := d.addr.Addr(); ip.Is4() {
		sa = &syscall.SockaddrInet4{Port: int(d.addr.Port()), Addr: ip.As4()}
	} else {
		family = syscall.AF_INET6
		// A link-local address needs its zone to be dialled at all.
		sa = &syscall.SockaddrInet6{Port: int(d.addr.Port()), Addr: ip.As16(), ZoneId: zoneIndex(ip.Zone())}
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, syscall.IPPROTO_TCP)
	if err != nil {
		return -1, fmt.Errorf("socket to fill the dropper: %w", err)
	}
	if err := syscall.Connect(fd, sa); err != nil && !errors.Is(err, syscall.EINPROGRESS) {
		_ = syscall.Close(fd)
		return -1, fmt.Errorf("connect to fill the dropper on %s: %w", d.addr, err)
	}
	la, err := syscall.Getsockname(fd)
	if err != nil {
		_ = syscall.Close(fd)
		return -1, fmt.Errorf("getsockname of a connection filling the dropper: %w", err)
	}
	d.fillers = append(d.fillers, fd)
	d.ours[fastpath.SockaddrAddrPort(la)] = true
	return fd, nil
}

// full reports whether the dropper's accept queue is full: for a
// listening socket, TCP_INFO's unacked is the queue's length and sacked
// its backlog, and Linux drops SYNs once the first exceeds the second.
func (d *dropper) full() bool {
	var ti syscall.TCPInfo
	n := uint32(unsafe.Sizeof(ti))
	_, _, e := syscall.Syscall6(syscall.SYS_GETSOCKOPT, uintptr(d.fd), syscall.IPPROTO_TCP, syscall.TCP_INFO,
		uintptr(unsafe.Pointer(&ti)), uintptr(unsafe.Pointer(&n)), 0)
	return e == 0 && ti.Unacked > ti.Sacked
}

// drain takes the dropper's queue and closes it, and tlsgate's own
// connections: it returns the clients' connections that got in before
// the queue filled, made into net.Conns by fileConn, for serveQueued.
// A SYN that arrives between the last accept and the close (microseconds)
// is answered by the closed port with an RST, as one arriving before the
// listener's socket listens again is.
func (d *dropper) drain(fileConn func(*os.File) (net.Conn, error)) []queuedConn {
	var theirs []acceptedFD
	for _, a := range takeQueued(d.fd) {
		if d.ours[fastpath.SockaddrAddrPort(a.sa)] {
			_ = syscall.Close(a.fd)
			continue
		}
		theirs = append(theirs, a)
	}
	d.close()
	return queuedConns(theirs, fileConn)
}

// port is the port the dropper holds.
func (d *dropper) port() uint16 { return d.addr.Port() }

// close closes the dropper and tlsgate's own connections to it.
func (d *dropper) close() {
	for _, fd := range d.fillers {
		_ = syscall.Close(fd)
	}
	d.fillers = nil
	_ = syscall.Close(d.fd)
}

// pollFd is struct pollfd, for ppoll.
type pollFd struct {
	fd             int32
	events, revent int16
}

const pollOut = 0x4 // POLLOUT

// poll waits up to timeout for an event on fds (ppoll: the syscall
// package has no poll).
func poll(fds []pollFd, timeout time.Duration) (int, error) {
	ts := syscall.NsecToTimespec(timeout.Nanoseconds())
	n, _, e := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), uintptr(len(fds)),
		uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// zoneIndex is the interface index of an IPv6 zone ("eth0" or "2"), 0 for
// none or one that names no interface.
func zoneIndex(zone string) uint32 {
	if zone == "" {
		return 0
	}
	if ifi, err := net.InterfaceByName(zone); err == nil {
		return uint32(ifi.Index)
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n)
	}
	return 0
}
