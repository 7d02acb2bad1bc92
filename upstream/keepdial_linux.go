package upstream

import (
	"encoding/binary"
	"syscall"
	"unsafe"
)

// tcpiSegsIn is the offset of tcp_info's tcpi_segs_in (a __u32, Linux 4.2
// and later): the segments the socket received.
const tcpiSegsIn = 140

// connectCompleted reports whether the socket fd, failed or closed since,
// had completed its TCP handshake: it received at least two segments (the
// SYN-ACK, then whatever ended it), where a refused connect receives one
// RST at most and an abandoned one none. False when the kernel does not
// say.
func connectCompleted(fd int) bool {
	var info [tcpiSegsIn + 4]byte
	n := uint32(len(info))
	_, _, e := syscall.Syscall6(syscall.SYS_GETSOCKOPT, uintptr(fd), syscall.IPPROTO_TCP, syscall.TCP_INFO,
		uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&n)), 0)
	if e != 0 || n < uint32(len(info)) {
		return false
	}
	return binary.NativeEndian.Uint32(info[tcpiSegsIn:]) >= 2
}
