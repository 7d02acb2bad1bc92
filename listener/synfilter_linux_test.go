//go:build linux

package listener

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"go.uber.org/zap"
	"golang.org/x/sys/unix"
)

// tcpListen listens on addr with a TCP socket, as Server.Listen makes.
func tcpListen(t *testing.T, addr string) *net.TCPListener {
	t.Helper()
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln.(*net.TCPListener)
}

// rawConn is c's syscall.RawConn.
func rawConn(t *testing.T, c syscall.Conn) syscall.RawConn {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// filterLen is the number of instructions in the socket filter of c's
// socket (SO_GET_FILTER with no buffer reports it), 0 for none.
func filterLen(t *testing.T, c syscall.Conn) int {
	t.Helper()
	var n uint32
	var e syscall.Errno
	if err := rawConn(t, c).Control(func(fd uintptr) {
		_, _, e = syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_GET_FILTER, 0, uintptr(unsafe.Pointer(&n)), 0)
	}); err != nil || e != 0 {
		t.Fatalf("SO_GET_FILTER: %v %v", err, e)
	}
	return int(n)
}

// echoes wants a byte client writes read by server and written back.
func echoes(t *testing.T, client, server net.Conn) {
	t.Helper()
	// The bound only stops a broken test from hanging.
	_ = client.SetDeadline(time.Now().Add(20 * time.Second))
	_ = server.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := client.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	if _, err := io.ReadFull(server, b); err != nil {
		t.Fatalf("server read: %v", err)
	}
	if _, err := server.Write(b); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(client, b); err != nil || b[0] != 'x' {
		t.Fatalf("client read %q, %v; want the byte echoed", b, err)
	}
}

// TestSynFilter: the filter on a listening socket, attached through a
// duplicate of its descriptor as the event loops hold it, drops SYNs on
// IPv4 and on a dual-stack wildcard (IPv4 and IPv6 clients): a dial times
// out, never refused. What the kernel completed before is untouched: a
// connection already accepted keeps working, and those in the accept
// queue are accepted and served while the filter holds, with no filter of
// their own. Once it is detached the port connects again, and detaching
// twice is no error.
func TestSynFilter(t *testing.T) {
	for _, listen := range []string{"127.0.0.1:0", "[::]:0"} {
		t.Run(listen, func(t *testing.T) {
			ln := tcpListen(t, listen)
			_, port, _ := net.SplitHostPort(ln.Addr().String())
			targets := []string{"127.0.0.1:" + port}
			if strings.HasPrefix(listen, "[") {
				targets = append(targets, "[::1]:"+port)
			}
			live, err := net.Dial("tcp", targets[0])
			if err != nil {
				t.Fatal(err)
			}
			defer live.Close()
			liveS, err := ln.AcceptTCP()
			if err != nil {
				t.Fatal(err)
			}
			defer liveS.Close()
			var queued []net.Conn
			for range 3 {
				c, err := net.Dial("tcp", targets[0])
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				queued = append(queued, c)
			}

			var dupErr error
			var dup int
			if err := rawConn(t, ln).Control(func(fd uintptr) { dup, dupErr = unix.Dup(int(fd)) }); err != nil || dupErr != nil {
				t.Fatal(err, dupErr)
			}
			df := os.NewFile(uintptr(dup), "duplicate of the listening socket")
			defer df.Close()
			if err := attachDrop(rawConn(t, df)); err != nil {
				t.Fatal(err)
			}
			if n := filterLen(t, ln); n != len(synFilter) {
				t.Fatalf("listening socket's filter has %d instructions, want synFilter's %d", n, len(synFilter))
			}
			for _, a := range targets {
				assertDropped(t, a)
			}
			echoes(t, live, liveS)
			accepted := map[string]net.Conn{}
			for range queued {
				s, err := ln.AcceptTCP()
				if err != nil {
					t.Fatalf("accept of a queued connection while the filter holds: %v", err)
				}
				defer s.Close()
				if n := filterLen(t, s); n != 0 {
					t.Errorf("a connection completed before the filter has a filter of %d instructions", n)
				}
				accepted[s.RemoteAddr().String()] = s
			}
			for _, c := range queued {
				s, ok := accepted[c.LocalAddr().String()]
				if !ok {
					t.Fatalf("queued connection from %s not accepted (got %v)", c.LocalAddr(), accepted)
				}
				echoes(t, c, s)
			}
			if err := detachDrop(rawConn(t, ln)); err != nil {
				t.Fatal(err)
			}
			if err := detachDrop(rawConn(t, ln)); err != nil {
				t.Fatalf("detaching a socket without a filter: %v", err)
			}
			for _, a := range targets {
				c, err := net.DialTimeout("tcp", a, 10*time.Second)
				if err != nil {
					t.Fatalf("dial %s after detaching: %v", a, err)
				}
				defer c.Close()
				s, err := ln.AcceptTCP()
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				echoes(t, c, s)
			}
		})
	}
}

// TestSynFilterInFlight: a handshake the kernel answered just before the
// filter came completes while it holds, when the client's last ACK (here
// carried by its first bytes) arrives: the connection is accepted and
// served, as a drop-all filter would not let it be. Its socket gets its
// own copy of the filter (the kernel clones the listener's into it) and
// still carries data both ways. A test filter that drops ACKs holds the
// handshake half-done until attachDrop replaces it.
func TestSynFilterInFlight(t *testing.T) {
	ln := tcpListen(t, "127.0.0.1:0")
	dropACK := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_B | unix.BPF_ABS, K: 13},
		{Code: unix.BPF_ALU | unix.BPF_AND | unix.BPF_K, K: 0x12},
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: 0x10, Jf: 1},
		{Code: unix.BPF_RET | unix.BPF_K, K: 0},
		{Code: unix.BPF_RET | unix.BPF_K, K: 0xffffffff},
	}
	var err error
	if cerr := rawConn(t, ln).Control(func(fd uintptr) {
		prog := unix.SockFprog{Len: uint16(len(dropACK)), Filter: &dropACK[0]}
		err = unix.SetsockoptSockFprog(int(fd), unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog)
	}); cerr != nil || err != nil {
		t.Fatal(cerr, err)
	}
	c, err := net.Dial("tcp", ln.Addr().String()) // its SYN-ACK came; its ACK did not reach the socket
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := attachDrop(rawConn(t, ln)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("y")); err != nil {
		t.Fatal(err)
	}
	_ = ln.SetDeadline(time.Now().Add(20 * time.Second)) // only against a hang
	s, err := ln.AcceptTCP()
	if err != nil {
		t.Fatalf("accept of the connection in flight while the filter holds: %v", err)
	}
	defer s.Close()
	b := make([]byte, 1)
	if _, err := io.ReadFull(s, b); err != nil || b[0] != 'y' {
		t.Fatalf("server read %q, %v; want the client's first byte", b, err)
	}
	if n := filterLen(t, s); n != len(synFilter) {
		t.Errorf("connection completed under the filter has a filter of %d instructions, want its copy (%d)", n, len(synFilter))
	}
	echoes(t, c, s)
	assertDropped(t, ln.Addr().String())
}

// TestSynFilterMPTCP: an MPTCP listening socket, which net.Listen makes
// where the kernel has MPTCP, takes no filter, and the error says why and
// what to listen with; Server.Listen's socket is TCP and takes it.
func TestSynFilterMPTCP(t *testing.T) {
	var lc net.ListenConfig
	lc.SetMultipathTCP(true)
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var proto int
	if cerr := rawConn(t, ln.(*net.TCPListener)).Control(func(fd uintptr) {
		proto, err = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PROTOCOL)
	}); cerr != nil || err != nil {
		t.Fatal(cerr, err)
	}
	err = attachDrop(rawConn(t, ln.(*net.TCPListener)))
	switch {
	case proto == unix.IPPROTO_MPTCP && (!errors.Is(err, unix.EOPNOTSUPP) || !strings.Contains(err.Error(), "MPTCP")):
		t.Errorf("attachDrop on an MPTCP socket: %v, want EOPNOTSUPP naming MPTCP", err)
	case proto != unix.IPPROTO_MPTCP && err != nil:
		t.Errorf("attachDrop on a %d socket (no MPTCP here): %v", proto, err)
	}

	srv, err := New(Options{Name: "web", Listen: "127.0.0.1:0", Mode: Plaintext, Backend: "127.0.0.1:1"}, Deps{Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	sl, err := srv.Listen(context.Background(), net.ListenConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer sl.Close()
	if err := attachDrop(rawConn(t, sl.(*net.TCPListener))); err != nil {
		t.Errorf("attachDrop on Server.Listen's socket: %v", err)
	}
}
