package listener

import (
	"net"
	"syscall"
	"unsafe"
)

// tcpCloseWait is TCP_CLOSE_WAIT in tcp_info's first byte: the peer's FIN
// has arrived and this side has not closed yet.
const tcpCloseWait = 8

// peerSentFIN reports whether the client's FIN has already reached c's
// socket, whatever data is still unread before it. The kernel knows at
// once; a read would learn it only after every queued byte.
func peerSentFIN(c net.Conn) bool {
	tcp, ok := socketOf(c).(*net.TCPConn)
	if !ok {
		return false
	}
	rc, err := tcp.SyscallConn()
	if err != nil {
		return false
	}
	var info [8]byte // tcpi_state is the first byte; the kernel copies what fits
	fin := false
	_ = rc.Control(func(fd uintptr) {
		n := uint32(len(info))
		_, _, e := syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, syscall.IPPROTO_TCP, syscall.TCP_INFO,
			uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&n)), 0)
		fin = e == 0 && n > 0 && info[0] == tcpCloseWait
	})
	return fin
}
