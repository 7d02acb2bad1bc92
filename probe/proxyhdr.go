package probe

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// proxyV2Sig is the 12-byte signature that starts a PROXY protocol v2
// header (haproxy proxy-protocol.txt §2.2).
var proxyV2Sig = []byte{0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a}

// proxyHeader builds a PROXY protocol header of version 1 or 2 naming src
// and dst, the probe's own connection, as a load balancer in front would
// name its client and its VIP. Both addresses must be of one family.
func proxyHeader(version int, src, dst netip.AddrPort) ([]byte, error) {
	src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
	dst = netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())
	if !src.IsValid() || !dst.IsValid() || src.Addr().Is4() != dst.Addr().Is4() {
		return nil, fmt.Errorf("probe: PROXY header needs two addresses of one family, got %v and %v", src, dst)
	}
	switch version {
	case 1:
		fam := "TCP6"
		if src.Addr().Is4() {
			fam = "TCP4"
		}
		return fmt.Appendf(nil, "PROXY %s %s %s %d %d\r\n", fam, src.Addr(), dst.Addr(), src.Port(), dst.Port()), nil
	case 2:
		famByte, addrLen := byte(0x21), 36 // TCP over IPv6
		if src.Addr().Is4() {
			famByte, addrLen = 0x11, 12 // TCP over IPv4
		}
		b := append([]byte{}, proxyV2Sig...)
		b = append(b, 0x21, famByte) // version 2, PROXY command
		b = binary.BigEndian.AppendUint16(b, uint16(addrLen))
		b = append(b, src.Addr().AsSlice()...)
		b = append(b, dst.Addr().AsSlice()...)
		b = binary.BigEndian.AppendUint16(b, src.Port())
		b = binary.BigEndian.AppendUint16(b, dst.Port())
		return b, nil
	}
	return nil, fmt.Errorf("probe: no PROXY protocol version %d (want 1 or 2)", version)
}

// proxyTry is what a ClientHello after a PROXY header got.
type proxyTry struct {
	version  int
	header   string // the header as sent, v1 as text, v2 in hex
	answered bool   // a TLS answer came back
	detail   string
}

// proxyCheck sends hello after a PROXY v1 header, then after a v2 one,
// each naming the probe's own connection, and stops at the first that
// gets a TLS answer: a listener that requires the header resets a hello
// without it, whatever its name. tries holds every attempt made.
func (p *prober) proxyCheck(ctx context.Context, hello []byte) (tries []proxyTry) {
	for _, v := range []int{1, 2} {
		t := p.proxyExchange(ctx, v, hello)
		tries = append(tries, t)
		if t.answered {
			break
		}
	}
	return tries
}

// proxyExchange dials, writes a PROXY header of version v built from the
// connection's own addresses and then hello, and judges the answer.
func (p *prober) proxyExchange(ctx context.Context, v int, hello []byte) proxyTry {
	t := proxyTry{version: v}
	conn, err := p.dial(ctx)
	if err != nil {
		t.detail = err.Error()
		return t
	}
	defer conn.Close()
	src, dst := addrPortOf(conn.LocalAddr()), addrPortOf(conn.RemoteAddr())
	hdr, err := proxyHeader(v, src, dst)
	if err != nil {
		t.detail = err.Error()
		return t
	}
	t.header = fmt.Sprintf("%q", hdr)
	if v == 2 {
		t.header = sniff.HexDump(hdr, len(hdr))
	}
	_ = conn.SetWriteDeadline(time.Now().Add(p.o.Timeout))
	if _, err := conn.Write(append(hdr, hello...)); err != nil {
		t.detail = fmt.Sprintf("probe: write to %s: %v", p.addr, err)
		return t
	}
	rr := p.readReply(ctx, conn, time.Now().Add(p.o.Timeout))
	switch {
	case len(rr.b) == 0:
		t.detail = "no TLS answer either (" + rr.errText() + ")"
	case isTLSReply(rr.r.kind) && rr.r.kind != replyStalled:
		t.answered = true
		t.detail = "a TLS answer (" + rr.r.kind + "): " + sniff.HexDump(rr.b, 16)
	default:
		t.detail = describeReply(rr.r, p.t.en())
	}
	return t
}

// addrPortOf is a TCP address as a netip.AddrPort; zero for other kinds.
func addrPortOf(a net.Addr) netip.AddrPort {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.AddrPort()
	}
	ap, _ := netip.ParseAddrPort(a.String())
	return ap
}
