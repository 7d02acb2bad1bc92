//go:build linux

package fastpath

import (
	"syscall"
	"unsafe"
)

// SQE preparation, one function per operation the io_uring engine uses.
// Each fills an SQE from ring.get; the caller sets userData (slotTable.
// arm) and keeps every buffer it passes reachable until the completion.

// prepAccept accepts on lfd, with SOCK_NONBLOCK|SOCK_CLOEXEC sockets as
// rawAccept makes: a hand-off's net.FileConn needs a non-blocking socket
// for the netpoller. multishot (the ring's tests only: the loop needs
// each client's address) keeps the request armed (CQE F_MORE) until
// an error or cancel ends it; a, when not nil, receives the peer's address
// (single-shot only: a multishot accept would overwrite it with each
// connection before its CQE is read).
func prepAccept(s *sqe, lfd int, multishot bool, a *acceptAddr) {
	s.opcode = opAccept
	s.fd = int32(lfd)
	s.opFlags = syscall.SOCK_NONBLOCK | syscall.SOCK_CLOEXEC
	if multishot {
		s.ioprio = acceptMultishot
	}
	if a != nil {
		a.n = uint32(unsafe.Sizeof(a.rsa))
		s.addr = uint64(uintptr(unsafe.Pointer(&a.rsa)))
		s.off = uint64(uintptr(unsafe.Pointer(&a.n))) // addrlen's address travels in addr2
	}
}

// acceptAddr is where an accept writes the client's address (kept
// reachable until its completion, as every request's memory).
type acceptAddr struct {
	rsa syscall.RawSockaddrAny
	n   uint32
}

// prepRecv reads into buf (not empty) from fd.
func prepRecv(s *sqe, fd int, buf []byte) {
	s.opcode = opRecv
	s.fd = int32(fd)
	s.addr = uint64(uintptr(unsafe.Pointer(&buf[0])))
	s.len = uint32(len(buf))
}

// prepSend writes buf (not empty) to fd, without SIGPIPE: a peer that
// reset comes back as -EPIPE or -ECONNRESET in the CQE, as rawWrite's
// errors do on the epoll engine (Go ignores SIGPIPE on sockets anyway).
func prepSend(s *sqe, fd int, buf []byte) {
	s.opcode = opSend
	s.fd = int32(fd)
	s.addr = uint64(uintptr(unsafe.Pointer(&buf[0])))
	s.len = uint32(len(buf))
	s.opFlags = syscall.MSG_NOSIGNAL
}

// prepConnect connects fd to a (kept reachable by the caller).
func prepConnect(s *sqe, fd int, a *rawAddr) {
	s.opcode = opConnect
	s.fd = int32(fd)
	s.addr = uint64(uintptr(unsafe.Pointer(&a.b[0])))
	s.off = uint64(a.n) // addrlen travels in off
}

// prepClose closes fd. skip posts no completion on success: most closes
// need no answer, and a failed one still reports. Only the ring's tests
// use it: the loop closes with close(2), which ends nothing in flight
// either way.
func prepClose(s *sqe, fd int, skip bool) {
	s.opcode = opClose
	s.fd = int32(fd)
	if skip {
		s.flags |= sqeCQESkipSucc
	}
}

// prepCancelFD cancels every request in flight on fd (ASYNC_CANCEL with
// CANCEL_FD|CANCEL_ALL; Linux 5.19). Its own completion's res is how many
// it found; each cancelled request completes with -ECANCELED, or with
// its own result when it had already finished.
func prepCancelFD(s *sqe, fd int) {
	s.opcode = opAsyncCancel
	s.fd = int32(fd)
	s.opFlags = cancelFD | cancelAll
}

// rawAddr is a socket address in the kernel's layout, for connect. It is
// a byte array, not a Go pointer-bearing struct, so an SQE can point at
// it for as long as the request is in flight.
type rawAddr struct {
	b [syscall.SizeofSockaddrInet6]byte
	n uint32
}

// set fills a from sa (from addrPortSockaddr).
func (a *rawAddr) set(sa syscall.Sockaddr) error {
	*a = rawAddr{}
	switch s := sa.(type) {
	case *syscall.SockaddrInet4:
		r := (*syscall.RawSockaddrInet4)(unsafe.Pointer(&a.b[0]))
		r.Family = syscall.AF_INET
		r.Addr = s.Addr
		p := (*[2]byte)(unsafe.Pointer(&r.Port))
		p[0], p[1] = byte(s.Port>>8), byte(s.Port)
		a.n = syscall.SizeofSockaddrInet4
	case *syscall.SockaddrInet6:
		r := (*syscall.RawSockaddrInet6)(unsafe.Pointer(&a.b[0]))
		r.Family = syscall.AF_INET6
		r.Addr = s.Addr
		r.Scope_id = s.ZoneId
		p := (*[2]byte)(unsafe.Pointer(&r.Port))
		p[0], p[1] = byte(s.Port>>8), byte(s.Port)
		a.n = syscall.SizeofSockaddrInet6
	default:
		return syscall.EAFNOSUPPORT
	}
	return nil
}
