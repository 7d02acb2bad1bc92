package transparent

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// loopbackPair returns both ends of a real TCP connection on addr.
func loopbackPair(t *testing.T, network, addr string) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("no %s loopback here: %v", network, err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial(network, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// wrapped hides a conn the way crypto/tls and the listener's replay conns
// do, exposing it only through NetConn.
type wrapped struct{ net.Conn }

func (w wrapped) NetConn() net.Conn { return w.Conn }

// rawWrapped exposes its conn as go-proxyproto does.
type rawWrapped struct{ net.Conn }

func (w rawWrapped) Raw() net.Conn { return w.Conn }

// TestOriginalDstNotRedirected: a connection nothing redirected has no
// original destination, whether conntrack tracks it (the entry shows no
// rewrite) or not (ENOENT, ENOPROTOOPT). The error names both ends.
func TestOriginalDstNotRedirected(t *testing.T) {
	for _, tc := range []struct{ network, addr string }{{"tcp4", "127.0.0.1:0"}, {"tcp6", "[::1]:0"}} {
		t.Run(tc.network, func(t *testing.T) {
			client, server := loopbackPair(t, tc.network, tc.addr)
			for _, c := range []net.Conn{server, wrapped{server}, rawWrapped{wrapped{server}}} {
				dst, err := OriginalDst(c)
				if !errors.Is(err, ErrNoOriginalDst) {
					t.Fatalf("OriginalDst(%T) = %v, %v; want ErrNoOriginalDst", c, dst, err)
				}
				for _, ev := range []string{client.LocalAddr().String(), server.LocalAddr().String()} {
					if !strings.Contains(err.Error(), ev) {
						t.Errorf("error %q lacks the address %s", err, ev)
					}
				}
			}
		})
	}
}

func TestOriginalDstNotASocket(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	for _, c := range []net.Conn{a, wrapped{a}, wrapped{nil}} {
		if _, err := OriginalDst(c); !errors.Is(err, ErrNotSocket) {
			t.Errorf("OriginalDst(%T) error = %v, want ErrNotSocket", c, err)
		}
		if got := TProxyDst(c); got.IsValid() {
			t.Errorf("TProxyDst(%T) = %v, want zero", c, got)
		}
		if _, err := Lookup(c, ModeTProxy); !errors.Is(err, ErrNotSocket) {
			t.Errorf("Lookup(%T, tproxy) error = %v, want ErrNotSocket", c, err)
		}
	}
}

func TestOriginalDstClosedConn(t *testing.T) {
	_, server := loopbackPair(t, "tcp4", "127.0.0.1:0")
	server.Close()
	_, err := OriginalDst(server)
	if err == nil || errors.Is(err, ErrNoOriginalDst) {
		t.Fatalf("OriginalDst on a closed conn = %v, want an error about the socket", err)
	}
}

// TestTProxyDstIsLocalAddr: without TPROXY the local address is simply the
// listener's, unmapped and read through wrappers.
func TestTProxyDstIsLocalAddr(t *testing.T) {
	_, server := loopbackPair(t, "tcp", "127.0.0.1:0")
	want := server.LocalAddr().(*net.TCPAddr).AddrPort()
	for _, c := range []net.Conn{server, wrapped{server}, rawWrapped{server}} {
		if got := TProxyDst(c); got != want {
			t.Errorf("TProxyDst(%T) = %v, want %v", c, got, want)
		}
		got, err := Lookup(c, ModeTProxy)
		if err != nil || got != want {
			t.Errorf("Lookup(%T, tproxy) = %v, %v; want %v", c, got, err, want)
		}
	}
	if _, err := Lookup(server, ModeRedirect); !errors.Is(err, ErrNoOriginalDst) {
		t.Errorf("Lookup(redirect) on an unredirected conn = %v, want ErrNoOriginalDst", err)
	}
	if _, err := Lookup(server, "nat"); err == nil || !strings.Contains(err.Error(), `"nat"`) {
		t.Errorf("Lookup with an unknown mode = %v", err)
	}
}

func TestTProxyDstUnmapsV4(t *testing.T) {
	ln, err := net.Listen("tcp", "[::]:0")
	if err != nil {
		t.Skipf("no dual-stack listener: %v", err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp4", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(ln.Addr().(*net.TCPAddr).Port)).String())
	if err != nil {
		t.Skipf("dual-stack listener takes no IPv4 here: %v", err)
	}
	defer c.Close()
	s := <-accepted
	defer s.Close()
	if got := TProxyDst(s); !got.Addr().Is4() || got.Addr() != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("TProxyDst on a v4-mapped socket = %v, want plain 127.0.0.1", got)
	}
}

// haveNetCaps says this thread may set IP_TRANSPARENT.
func haveNetCaps(t *testing.T) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/thread-self/status")
	if err != nil {
		b, _ = os.ReadFile("/proc/self/status")
	}
	bits, _ := capBits(statusField(string(b), "CapEff"))
	return bits&(1<<capNetAdmin|1<<capNetRaw) != 0
}

func TestListenConfigSetsTransparent(t *testing.T) {
	if !haveNetCaps(t) {
		t.Skip("needs CAP_NET_ADMIN or CAP_NET_RAW to set IP_TRANSPARENT")
	}
	for _, tc := range []struct{ network, addr string }{{"tcp4", "127.0.0.1:0"}, {"tcp6", "[::1]:0"}, {"tcp", ":0"}} {
		t.Run(tc.network, func(t *testing.T) {
			lc := ListenConfig(true)
			ln, err := lc.Listen(context.Background(), tc.network, tc.addr)
			if err != nil {
				if strings.Contains(err.Error(), "address") {
					t.Skipf("no %s here: %v", tc.network, err)
				}
				t.Fatal(err)
			}
			defer ln.Close()
			rc, err := ln.(*net.TCPListener).SyscallConn()
			if err != nil {
				t.Fatal(err)
			}
			var v4, v6 int
			var e4, e6 error
			rc.Control(func(fd uintptr) {
				v4, e4 = syscall.GetsockoptInt(int(fd), syscall.SOL_IP, syscall.IP_TRANSPARENT)
				v6, e6 = syscall.GetsockoptInt(int(fd), syscall.SOL_IPV6, ipv6Transparent)
			})
			// Both options read the same per-socket bit; a v4 socket only
			// answers the v4 one.
			if e4 == nil && v4 != 1 || e6 == nil && v6 != 1 || e4 != nil && e6 != nil {
				t.Errorf("after ListenConfig(true): IP_TRANSPARENT=%d (%v), IPV6_TRANSPARENT=%d (%v); want 1", v4, e4, v6, e6)
			}
		})
	}
	lc := ListenConfig(false)
	if lc.Control != nil {
		t.Error("ListenConfig(false) sets a Control hook")
	}
}

// TestListenConfigWithoutCapability drops CAP_NET_ADMIN and CAP_NET_RAW
// from one OS thread and listens from it: the kernel's EPERM must come back
// as ErrNoCapNetAdmin. The goroutine never unlocks its thread, so the
// thread, with its reduced capabilities, dies with it.
func TestListenConfigWithoutCapability(t *testing.T) {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := dropNetCaps(); err != nil {
			errc <- err
			return
		}
		lc := ListenConfig(true)
		ln, err := lc.Listen(context.Background(), "tcp4", "127.0.0.1:0")
		if ln != nil {
			ln.Close()
		}
		if err == nil {
			err = errors.New("listen succeeded")
		}
		errc <- err
	}()
	err := <-errc
	if errors.Is(err, errCapsetUnavailable) {
		t.Skip(err)
	}
	t.Log(err)
	if !errors.Is(err, ErrNoCapNetAdmin) || !errors.Is(err, syscall.EPERM) {
		t.Fatalf("listen without CAP_NET_ADMIN: %v; want ErrNoCapNetAdmin wrapping EPERM", err)
	}
	for _, ev := range []string{"CAP_NET_ADMIN", "IP_TRANSPARENT", "127.0.0.1:0", "setcap"} {
		if !strings.Contains(err.Error(), ev) {
			t.Errorf("error %q lacks %q", err, ev)
		}
	}
}

// errCapsetUnavailable marks a kernel or arch where the test cannot drop
// capabilities itself.
var errCapsetUnavailable = errors.New("cannot drop capabilities on this thread")

// dropNetCaps clears CAP_NET_ADMIN and CAP_NET_RAW from the calling
// thread's effective set (capget/capset, version 3).
func dropNetCaps() error {
	type capHeader struct {
		version uint32
		pid     int32
	}
	type capData struct{ effective, permitted, inheritable uint32 }
	hdr := capHeader{version: 0x20080522}
	var data [2]capData
	if _, _, e := syscall.RawSyscall(syscall.SYS_CAPGET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 {
		return errors.Join(errCapsetUnavailable, e)
	}
	data[0].effective &^= 1<<capNetAdmin | 1<<capNetRaw
	if _, _, e := syscall.RawSyscall(syscall.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 {
		return errors.Join(errCapsetUnavailable, e)
	}
	return nil
}
