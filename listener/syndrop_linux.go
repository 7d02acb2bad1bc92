//go:build linux

package listener

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// A syn_drop refuse rule (the catalog's tcp.connect_timeout) makes the
// port drop SYNs instead of answering them. A userspace listener cannot
// ignore a SYN: while a socket listens, the kernel completes handshakes on
// its own. But the kernel runs the listening socket's filter (a classic
// BPF program, SO_ATTACH_FILTER) on every segment it delivers to the
// socket before it looks at it (tcp_v4_rcv, tcp_v6_rcv: tcp_filter), and
// a segment the filter drops is gone: no SYN-ACK, no RST. The client
// retransmits its SYN until its connect times out.
//
// So the socket keeps listening, on every engine, with synFilter
// attached, and SO_DETACH_FILTER undoes it: no second socket, and no
// moment in which the port does not listen (a SYN then would get an RST).
// The filter drops only a SYN without ACK, not every segment:
//   - The last ACK of a handshake the kernel answered just before the
//     filter came passes, so that connection completes and is accepted
//     and served, as those already in the accept queue are (the filter
//     never touches a queued connection: they are sockets of their own).
//     A drop-all filter (`ret #0`) held it half-open until the rule ended.
//   - A socket the kernel creates for a connection that completes while
//     the filter is on gets a copy of it (sk_clone_lock), for its whole
//     life. A drop-all copy would make that connection deaf; this one
//     drops nothing a connected socket needs.
//
// Only a TCP socket takes a filter. Go's net.Listen makes MPTCP listening
// sockets where the kernel has MPTCP (since Go 1.24), and those answer
// SO_ATTACH_FILTER with EOPNOTSUPP: Server.Listen turns MPTCP off.

// synFilter drops a segment with SYN set and ACK clear, and keeps the rest
// whole. A socket filter sees the segment from its TCP header, on IPv4
// and IPv6 alike, so the flags are byte 13.
var synFilter = []unix.SockFilter{
	{Code: unix.BPF_LD | unix.BPF_B | unix.BPF_ABS, K: 13},           // A = TCP flags
	{Code: unix.BPF_ALU | unix.BPF_AND | unix.BPF_K, K: 0x12},        // A &= SYN|ACK
	{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: 0x02, Jf: 1}, // A == SYN?
	{Code: unix.BPF_RET | unix.BPF_K, K: 0},                          // drop
	{Code: unix.BPF_RET | unix.BPF_K, K: 0xffffffff},                 // keep all of it
}

// attachDrop attaches synFilter to the socket rc, listening or not. It
// replaces any filter the socket had.
func attachDrop(rc syscall.RawConn) error {
	var err error
	if cerr := rc.Control(func(fd uintptr) {
		prog := unix.SockFprog{Len: uint16(len(synFilter)), Filter: &synFilter[0]}
		if err = unix.SetsockoptSockFprog(int(fd), unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog); err != nil {
			err = fmt.Errorf("setsockopt SO_ATTACH_FILTER: %w%s", err, notTCP(int(fd)))
		}
	}); cerr != nil {
		return fmt.Errorf("listener: %w", cerr)
	}
	if err != nil {
		return fmt.Errorf("listener: syn_drop: %w", err)
	}
	return nil
}

// notTCP says why a socket took no filter when it is not a TCP socket (an
// MPTCP one, as net.Listen makes), "" otherwise.
func notTCP(fd int) string {
	proto, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PROTOCOL)
	switch {
	case err != nil || proto == unix.IPPROTO_TCP:
		return ""
	case proto == unix.IPPROTO_MPTCP:
		return " (the listening socket is MPTCP, as Go's net.Listen makes where the kernel has it; only a TCP socket takes a filter: listen with a net.ListenConfig whose SetMultipathTCP(false), as Server.Listen does)"
	}
	return fmt.Sprintf(" (the listening socket's protocol is %d, not TCP)", proto)
}

// detachDrop removes the socket's filter; one without a filter is fine.
func detachDrop(rc syscall.RawConn) error {
	var err error
	if cerr := rc.Control(func(fd uintptr) {
		err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_DETACH_FILTER, 0)
		if errors.Is(err, unix.ENOENT) {
			err = nil // none attached
		}
	}); cerr != nil {
		return fmt.Errorf("listener: %w", cerr)
	}
	if err != nil {
		return fmt.Errorf("listener: syn_drop: setsockopt SO_DETACH_FILTER: %w", err)
	}
	return nil
}
