//go:build linux

package fastpath

import (
	"syscall"
	"unsafe"
)

// The loops' per-connection syscalls go through RawSyscall: every socket
// here is non-blocking, so each call returns in microseconds. syscall.Read
// and friends would tell the scheduler the thread may block
// (entersyscall/exitsyscall); under load that made sysmon take the loop's
// P away and wake other threads to run it, and those context switches
// cost more than the syscalls (BENCHMARKS.md, "What the epoll engine
// changed"). An idle loop sleeps in Go's netpoller, not here.

func errnoErr(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func rawRead(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

func rawWrite(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

func rawAccept(lfd int) (int, syscall.Sockaddr, error) {
	var rsa syscall.RawSockaddrAny
	l := uint32(unsafe.Sizeof(rsa))
	fd, _, e := syscall.RawSyscall6(syscall.SYS_ACCEPT4, uintptr(lfd), uintptr(unsafe.Pointer(&rsa)), uintptr(unsafe.Pointer(&l)),
		syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0, 0)
	if e != 0 {
		return -1, nil, e
	}
	return int(fd), rawToSockaddr(&rsa), nil
}

func rawToSockaddr(rsa *syscall.RawSockaddrAny) syscall.Sockaddr {
	switch rsa.Addr.Family {
	case syscall.AF_INET:
		p := (*syscall.RawSockaddrInet4)(unsafe.Pointer(rsa))
		port := (*[2]byte)(unsafe.Pointer(&p.Port))
		return &syscall.SockaddrInet4{Port: int(port[0])<<8 | int(port[1]), Addr: p.Addr}
	case syscall.AF_INET6:
		p := (*syscall.RawSockaddrInet6)(unsafe.Pointer(rsa))
		port := (*[2]byte)(unsafe.Pointer(&p.Port))
		return &syscall.SockaddrInet6{Port: int(port[0])<<8 | int(port[1]), Addr: p.Addr}
	}
	return nil
}

// rawConnect starts a non-blocking connect to sa (from addrPortSockaddr).
func rawConnect(fd int, sa syscall.Sockaddr) error {
	var e syscall.Errno
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		raw := syscall.RawSockaddrInet4{Family: syscall.AF_INET, Addr: a.Addr}
		port := (*[2]byte)(unsafe.Pointer(&raw.Port))
		port[0], port[1] = byte(a.Port>>8), byte(a.Port)
		_, _, e = syscall.RawSyscall(syscall.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&raw)), unsafe.Sizeof(raw))
	case *syscall.SockaddrInet6:
		raw := syscall.RawSockaddrInet6{Family: syscall.AF_INET6, Addr: a.Addr}
		port := (*[2]byte)(unsafe.Pointer(&raw.Port))
		port[0], port[1] = byte(a.Port>>8), byte(a.Port)
		_, _, e = syscall.RawSyscall(syscall.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&raw)), unsafe.Sizeof(raw))
	default:
		return syscall.EAFNOSUPPORT
	}
	return errnoErr(e)
}

func rawClose(fd int) {
	_, _, _ = syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(fd), 0, 0)
}

func rawShutdownWrite(fd int) {
	_, _, _ = syscall.RawSyscall(syscall.SYS_SHUTDOWN, uintptr(fd), syscall.SHUT_WR, 0)
}

// tcpCloseWait is TCP_CLOSE_WAIT in tcp_info's first byte: the peer's FIN
// has arrived and this side has not sent its own.
const tcpCloseWait = 8

// rawTCPState is tcp_info's tcpi_state for fd, or 0 when the kernel does
// not say.
func rawTCPState(fd int) byte {
	var info [8]byte // tcpi_state is the first byte; the kernel copies what fits
	n := uint32(len(info))
	_, _, e := syscall.RawSyscall6(syscall.SYS_GETSOCKOPT, uintptr(fd), syscall.IPPROTO_TCP, syscall.TCP_INFO,
		uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&n)), 0)
	if e != 0 || n == 0 {
		return 0
	}
	return info[0]
}

// rawUnread is how many bytes wait unread on fd (SIOCINQ; a FIN is not
// counted), or -1 when the kernel does not say.
func rawUnread(fd int) int {
	var n int32
	_, _, e := syscall.RawSyscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TIOCINQ, uintptr(unsafe.Pointer(&n)))
	if e != 0 {
		return -1
	}
	return int(n)
}

func rawNoDelay(fd int) {
	one := int32(1)
	_, _, _ = syscall.RawSyscall6(syscall.SYS_SETSOCKOPT, uintptr(fd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY,
		uintptr(unsafe.Pointer(&one)), 4, 0)
}

// rawEpollPoll is epoll_wait with a zero timeout: it never sleeps.
func rawEpollPoll(ep int, evs []syscall.EpollEvent) int {
	n, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_WAIT, uintptr(ep), uintptr(unsafe.Pointer(&evs[0])), uintptr(len(evs)), 0, 0, 0)
	if e != 0 {
		return 0
	}
	return int(n)
}
