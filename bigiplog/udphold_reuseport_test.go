//go:build linux && (amd64 || arm64)

package bigiplog

import (
	"context"
	"net"
	"syscall"
	"testing"
	"unsafe"
)

// soReusePort is SO_REUSEPORT in asm-generic/socket.h, which amd64 and
// arm64 use; package syscall does not name it.
const soReusePort = 0xf

// refusingUDP returns a loopback UDP address that refuses datagrams until
// open is called, and a socket that then receives them. The port stays
// held the whole time, so no other process can take it between the two:
// the socket is connected to another port, so datagrams from anywhere else
// find no socket and are answered with port unreachable, until open
// dissolves the association (connect with AF_UNSPEC). The socket is bound
// to its port by number (a second SO_REUSEPORT socket takes the number
// from a first): one bound to port 0 would lose its port on that connect.
func refusingUDP(t *testing.T) (addr string, open func() net.PacketConn) {
	t.Helper()
	reuse := func(_, _ string, rc syscall.RawConn) error {
		var serr error
		if err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soReusePort, 1)
		}); err != nil {
			return err
		}
		return serr
	}
	first, err := (&net.ListenConfig{Control: reuse}).ListenPacket(context.Background(), "udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = elsewhere.Close() })
	d := net.Dialer{LocalAddr: first.LocalAddr(), Control: reuse}
	nc, err := d.Dial("udp", elsewhere.LocalAddr().String())
	_ = first.Close() // it would receive what the connected socket refuses
	if err != nil {
		t.Fatal(err)
	}
	c := nc.(*net.UDPConn)
	t.Cleanup(func() { _ = c.Close() })
	return c.LocalAddr().String(), func() net.PacketConn {
		rc, err := c.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var errno syscall.Errno
		sa := syscall.RawSockaddr{Family: syscall.AF_UNSPEC}
		if cerr := rc.Control(func(fd uintptr) {
			_, _, errno = syscall.Syscall(syscall.SYS_CONNECT, fd, uintptr(unsafe.Pointer(&sa)), unsafe.Sizeof(sa))
		}); cerr != nil {
			t.Fatal(cerr)
		}
		if errno != 0 {
			t.Fatalf("disconnect the UDP socket on %s: %v", c.LocalAddr(), errno)
		}
		return c
	}
}
