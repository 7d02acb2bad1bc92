package faultse2e

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLargeHelloSegments drives large_hello with its default selector: a
// ClientHello that spans more than one segment on a real path, because it
// is larger than one full-size segment (1,448 bytes) or because it arrived
// in more than one read. On loopback (MTU 65,536) Go's default ~1.5 KB
// post-quantum hello arrives in one read, yet it spans two segments on any
// Ethernet path, so it must fire on its size alone. A small hello fires
// only when it comes in pieces: the split client sends its classic hello
// in two writes, the second only after tlsgate's socket has read the
// first, as a first-packet-only middlebox would see it.
func TestLargeHelloSegments(t *testing.T) {
	t.Parallel()
	runCases(t, []faultCase{
		{name: "large_hello_split", symptom: "connection reset", rule: "action = \"large_hello\"\n", stop: "large_hello", checks: []check{
			goSplitHello(200, "reset", classicCurves),
			goFails("reset", nil), // the post-quantum hello in one read
			quiet(goHandshakes(classicCurves)),
			quiet(curlGets("/hello")),
		}},
		{name: "large_hello_split_fin", symptom: "connection closed (EOF)", rule: "action = \"large_hello\"\nthen = \"fin\"\n", stop: "large_hello", checks: []check{
			goSplitHello(200, "eof", nil),
		}},
	})
}

// goSplitHello handshakes with the ClientHello split after head bytes and
// expects class; mod may change the client config.
func goSplitHello(head int, class string, mod func(*tls.Config)) check {
	return check{run: func(t *testing.T, x *env) string {
		raw, err := net.DialTimeout("tcp", x.addr(), 5*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer raw.Close()
		_ = raw.SetDeadline(time.Now().Add(clientTimeout))
		sc := &splitConn{Conn: raw, head: head}
		cfg := x.config(labHost)
		if mod != nil {
			mod(cfg)
		}
		tc := tls.Client(sc, cfg)
		err = tc.Handshake()
		if sc.err != nil {
			t.Fatalf("splitting the hello: %v", sc.err)
		}
		wantGo(t, err, class)
		return raw.LocalAddr().String()
	}}
}

// splitConn sends its first Write in two pieces: head bytes, then, once
// the peer's socket has read them, the rest.
type splitConn struct {
	net.Conn
	head int
	done bool
	err  error
}

func (s *splitConn) Write(p []byte) (int, error) {
	if s.done || len(p) <= s.head {
		return s.Conn.Write(p)
	}
	s.done = true
	n, err := s.Conn.Write(p[:s.head])
	if err != nil {
		return n, err
	}
	if s.err = waitPeerRead(s.Conn, time.Now().Add(clientTimeout)); s.err != nil {
		return n, s.err
	}
	m, err := s.Conn.Write(p[s.head:])
	return n + m, err
}

// waitPeerRead waits until the peer's end of c has no unread bytes: its
// receive queue in /proc/net/tcp is empty. That is the sync that makes the
// next write a separate read on the other side.
func waitPeerRead(c net.Conn, deadline time.Time) error {
	local, err := netip.ParseAddrPort(c.LocalAddr().String())
	if err != nil {
		return err
	}
	remote, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return err
	}
	for {
		rx, found, err := rxQueue(remote, local)
		if err != nil {
			return err
		}
		if found && rx == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the peer socket %s -> %s never read our bytes (found %v, rx_queue %d)", remote, local, found, rx)
		}
		time.Sleep(time.Millisecond)
	}
}

// rxQueue reads the receive queue of the IPv4 TCP socket local -> remote
// from /proc/net/tcp.
func rxQueue(local, remote netip.AddrPort) (int, bool, error) {
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	want := [2]string{procAddr(local), procAddr(remote)}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 5 || fs[1] != want[0] || fs[2] != want[1] {
			continue
		}
		_, rx, _ := strings.Cut(fs[4], ":")
		n, err := strconv.ParseInt(rx, 16, 64)
		return int(n), true, err
	}
	return 0, false, sc.Err()
}

// procAddr writes an IPv4 address and port as /proc/net/tcp does: the
// address as a little-endian 32-bit hex number, the port in hex.
func procAddr(ap netip.AddrPort) string {
	b := ap.Addr().Unmap().As4()
	return fmt.Sprintf("%02X%02X%02X%02X:%04X", b[3], b[2], b[1], b[0], ap.Port())
}
