package upstream

import (
	"errors"
	"net"
	"syscall"
	"unsafe"
)

// tcpClose is TCP_CLOSE in tcp_info's first byte: the state a socket is
// left in by a reset from its peer (or by its own close).
const tcpClose = 7

// peerReset reports whether c's socket is closed at the TCP level while we
// still hold it open, which after a failed splice means its peer reset it.
func peerReset(c net.Conn) bool { return tcpState(c) == tcpClose }

// tcpState is tcp_info's tcpi_state for the socket beneath c, or 0 when
// there is none or the kernel does not say.
func tcpState(c net.Conn) byte {
	tcp, ok := beneath(c).(*net.TCPConn)
	if !ok {
		return 0
	}
	rc, err := tcp.SyscallConn()
	if err != nil {
		return 0
	}
	var info [8]byte // tcpi_state is the first byte; the kernel copies what fits
	var state byte
	_ = rc.Control(func(fd uintptr) {
		n := uint32(len(info))
		_, _, e := syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, syscall.IPPROTO_TCP, syscall.TCP_INFO,
			uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&n)), 0)
		if e == 0 && n > 0 {
			state = info[0]
		}
	})
	return state
}

// tcpCloseWait is TCP_CLOSE_WAIT: the peer's FIN has arrived and this side
// has not sent its own.
const tcpCloseWait = 8

// PeerFINPending reports whether c's peer has sent its FIN while the relay
// has not read up to it yet (nor half-closed c): the kernel knows at once,
// a read only after every byte queued before it. The listener asks it too,
// of a client that may have closed before tlsgate's handshake flight.
func PeerFINPending(c net.Conn) bool {
	return tcpState(c) == tcpCloseWait
}

// finBeforeReset reports whether a write to c failed because c's peer reset
// the connection after its FIN, with every byte before that FIN already read
// by the relay. Linux reports a reset that comes after the peer's FIN
// (TCP_CLOSE_WAIT) as EPIPE to the first call that meets it, and one that
// comes before as ECONNRESET; SIOCINQ counts the bytes still unread, not
// the FIN.
func finBeforeReset(c net.Conn, err error) bool {
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "write" || !errors.Is(err, syscall.EPIPE) {
		return false
	}
	tcp, ok := beneath(c).(*net.TCPConn)
	if !ok {
		return false
	}
	rc, rerr := tcp.SyscallConn()
	if rerr != nil {
		return false
	}
	drained := false
	_ = rc.Control(func(fd uintptr) {
		var unread int32
		_, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&unread)))
		drained = e == 0 && unread == 0
	})
	return drained
}

// errPending reports whether c's socket holds an error no call has taken
// yet (POLLERR), without taking it as SO_ERROR or a read would. A reset's
// error goes to the first call that meets it; a reset with no FIN before
// it leaves reads a plain EOF only once some write took that error.
func errPending(c net.Conn) bool {
	tcp, ok := beneath(c).(*net.TCPConn)
	if !ok {
		return false
	}
	rc, err := tcp.SyscallConn()
	if err != nil {
		return false
	}
	pending := false
	_ = rc.Control(func(fd uintptr) {
		pfd := struct {
			fd             int32
			events, revent int16
		}{fd: int32(fd)}
		var zero syscall.Timespec // poll, do not wait
		n, _, e := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd)), 1,
			uintptr(unsafe.Pointer(&zero)), 0, 0, 0)
		pending = e == 0 && n == 1 && pfd.revent&pollErr != 0
	})
	return pending
}

// pollErr is POLLERR, which poll reports whether asked for or not.
const pollErr = 0x8
