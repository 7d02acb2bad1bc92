package upstream

import (
	"net"
	"syscall"
	"unsafe"
)

// tcpClose is TCP_CLOSE in tcp_info's first byte: the state a socket is
// left in by a reset from its peer (or by its own close).
const tcpClose = 7

// peerReset reports whether c's socket is closed at the TCP level while we
// still hold it open, which after a failed splice means its peer reset it.
func peerReset(c net.Conn) bool {
	tcp, ok := beneath(c).(*net.TCPConn)
	if !ok {
		return false
	}
	rc, err := tcp.SyscallConn()
	if err != nil {
		return false
	}
	var info [8]byte // tcpi_state is the first byte; the kernel copies what fits
	gone := false
	_ = rc.Control(func(fd uintptr) {
		n := uint32(len(info))
		_, _, e := syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, syscall.IPPROTO_TCP, syscall.TCP_INFO,
			uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&n)), 0)
		gone = e == 0 && n > 0 && info[0] == tcpClose
	})
	return gone
}
