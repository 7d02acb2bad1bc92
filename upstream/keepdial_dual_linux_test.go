package upstream

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
)

// keepDialChildDualEnv, set, makes TestKeepingDialChild resolve names with
// dualLoopbackResolver.
const keepDialChildDualEnv = "TLSGATE_KEEPDIAL_CHILD_DUAL"

// dualName is the backend name dualLoopbackResolver answers: ::1 and
// 127.0.0.1, so a dial tries both address families (Happy Eyeballs).
const dualName = "dual.keepdial.test"

// TestKeepingDialKeepsTailDualFamily: the race of TestKeepingDialKeepsTail
// on a dial of a name that resolves to ::1 and 127.0.0.1. The backend
// listens on ::1 (Go's first choice); 127.0.0.1 refuses. The dial makes
// two attempts, and KeepingDial reads the duplicate of the one that
// connected (::1, which the dial's error names) where it used to keep
// nothing for a dial of more than one attempt.
func TestKeepingDialKeepsTailDualFamily(t *testing.T) {
	for _, fin := range []bool{false, true} {
		t.Run(map[bool]string{false: "reset", true: "fin_then_reset"}[fin], func(t *testing.T) {
			ln, room := fullBacklogListenerOn(t, syscall.AF_INET6, &syscall.SockaddrInet6{Addr: [16]byte{15: 1}})
			port := ln.Addr().(*net.TCPAddr).Port
			refuseIPv4(t, port)
			got := keepingDialRace(t, ln, room, net.JoinHostPort(dualName, fmt.Sprint(port)), []string{keepDialChildDualEnv + "=1"}, fin)
			want := fmt.Sprintf("tail=%q local=true remote=%v fin=%v", raceSaid, ln.Addr(), fin)
			if len(got) == 0 || got[0] != want {
				t.Errorf("child printed %q; want %q first", got, want)
			}
		})
	}
}

// TestKeepingDialKeepsTailBehindRefusal: the same name, with the backend
// on 127.0.0.1 and ::1 refusing, the usual "localhost" case. Go tries ::1
// first and, when both attempts failed, reports only its refusal, which
// hid the IPv4 connection the backend accepted and reset. KeepingDial
// finds the attempt whose socket had completed its handshake and keeps
// its bytes; whether a FIN came first is then unknown (a reset).
func TestKeepingDialKeepsTailBehindRefusal(t *testing.T) {
	ln, room := fullBacklogListener(t)
	port := ln.Addr().(*net.TCPAddr).Port
	refuseOn(t, syscall.AF_INET6, &syscall.SockaddrInet6{Addr: [16]byte{15: 1}, Port: port})
	got := keepingDialRace(t, ln, room, net.JoinHostPort(dualName, fmt.Sprint(port)), []string{keepDialChildDualEnv + "=1"}, false)
	want := fmt.Sprintf("tail=%q local=true remote=%v fin=false", raceSaid, ln.Addr())
	if len(got) == 0 || got[0] != want {
		t.Errorf("child printed %q; want %q first", got, want)
	}
}

// refuseIPv4 holds 127.0.0.1:port, bound but not listening, until the
// test ends, so a connect to it is refused whatever else runs here.
func refuseIPv4(t *testing.T, port int) {
	t.Helper()
	refuseOn(t, syscall.AF_INET, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: port})
}

// refuseOn holds loopback address sa of family as refuseIPv4 does.
func refuseOn(t *testing.T, family int, sa syscall.Sockaddr) {
	t.Helper()
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, sa); err != nil {
		t.Skipf("%v is taken (%v); the refusing attempt needs it", sa, err)
	}
}

// dualLoopbackResolver is a Go resolver whose DNS server is in-process:
// every A query is answered 127.0.0.1 and every AAAA query ::1, over a
// net.Pipe (which the resolver speaks as DNS over TCP).
func dualLoopbackResolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		c, s := net.Pipe()
		go serveDualDNS(s)
		return c, nil
	}}
}

// serveDualDNS answers the length-prefixed DNS queries read from c until
// it closes.
func serveDualDNS(c net.Conn) {
	defer c.Close()
	for {
		var n [2]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		q := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(c, q); err != nil {
			return
		}
		resp := dualAnswer(q)
		if resp == nil {
			return
		}
		if _, err := c.Write(binary.BigEndian.AppendUint16(nil, uint16(len(resp)))); err != nil {
			return
		}
		if _, err := c.Write(resp); err != nil {
			return
		}
	}
}

// dualAnswer is the response to query q (one question): its ID and
// question, and one loopback record of the type asked, or none for other
// types. Nil when q is not one question.
func dualAnswer(q []byte) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil
	}
	end := 12
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 5 // the root label, QTYPE, QCLASS
	if end > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[end-4:])
	var rdata []byte
	switch qtype {
	case 1: // A
		rdata = []byte{127, 0, 0, 1}
	case 28: // AAAA
		rdata = net.IPv6loopback
	}
	r := append([]byte(nil), q[:2]...)
	r = append(r, 0x85, 0x80) // response, authoritative, recursion desired and available
	ancount := 0
	if rdata != nil {
		ancount = 1
	}
	r = binary.BigEndian.AppendUint16(r, 1)
	r = binary.BigEndian.AppendUint16(r, uint16(ancount))
	r = append(r, 0, 0, 0, 0) // no authority or additional records
	r = append(r, q[12:end]...)
	if rdata != nil {
		r = append(r, 0xc0, 12) // the question's name
		r = binary.BigEndian.AppendUint16(r, qtype)
		r = binary.BigEndian.AppendUint16(r, 1)  // IN
		r = binary.BigEndian.AppendUint32(r, 60) // TTL
		r = binary.BigEndian.AppendUint16(r, uint16(len(rdata)))
		r = append(r, rdata...)
	}
	return r
}
