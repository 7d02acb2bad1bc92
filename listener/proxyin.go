package listener

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	proxyproto "github.com/pires/go-proxyproto"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// proxyPolicy maps our per-listener setting onto go-proxyproto's policy
// names, so the behaviour is explicit rather than the library's default
// (which has changed between releases).
func proxyPolicy(setting string) proxyproto.Policy {
	switch setting {
	case "v1", "v2":
		return proxyproto.REQUIRE
	case "optional":
		return proxyproto.USE
	default:
		return proxyproto.REJECT
	}
}

// proxyHeaderLen reports how many bytes the PROXY header at the start of b
// occupies, 0 while more bytes are needed, or an error for a header that can
// never complete or never be accepted (v1 is at most 107 bytes; v2 declares
// up to 65535 bytes after its 16-byte prefix, and go-proxyproto accepts
// MaxV2HeaderSize of them, so a longer one is refused from its length
// field rather than read whole for the library's vague "invalid length").
func proxyHeaderLen(k sniff.Kind, b []byte) (int, error) {
	switch k {
	case sniff.ProxyV1:
		limit := min(len(b), 107)
		if i := bytes.IndexByte(b[:limit], '\n'); i >= 0 {
			if i > 0 && b[i-1] == '\r' {
				return i + 1, nil
			}
			// The line ended without its CR: no CRLF can follow, so the
			// header is refused now, with the reason, rather than waited
			// on until the peek deadline as if it were unfinished.
			return 0, fmt.Errorf("listener: PROXY v1 header %q ends with a bare LF, not CRLF", b[:i+1])
		}
		if len(b) >= 107 {
			return 0, fmt.Errorf("listener: PROXY v1 header has no CRLF in its first 107 bytes: %q", b[:min(len(b), 40)])
		}
		return 0, nil
	case sniff.ProxyV2:
		if len(b) < 16 {
			return 0, nil
		}
		declared := binary.BigEndian.Uint16(b[14:16])
		if declared > proxyproto.MaxV2HeaderSize {
			return 0, fmt.Errorf("listener: PROXY v2 header %q declares %d bytes after its 16-byte prefix, over go-proxyproto's limit of %d (MaxV2HeaderSize): %w",
				b[:16], declared, proxyproto.MaxV2HeaderSize, proxyproto.ErrInvalidLength)
		}
		n := 16 + int(declared)
		if len(b) < n {
			return 0, nil
		}
		return n, nil
	}
	return 0, fmt.Errorf("listener: not a PROXY header (%s)", k)
}

// readProxyHeader peeks until the PROXY header of kind k at the start of
// p.buf is whole and parses it, returning it and its length in bytes. The
// error says what is wrong with the header or why it never ended; p.end
// says how the peek ended.
func (s *Server) readProxyHeader(c net.Conn, p *peeked, k sniff.Kind, deadline time.Time) (*proxyproto.Header, int, error) {
	var n int
	var herr error
	p.end = explain.PeerSpoke
	peekRead(c, p, s.opts.PeekMax, deadline, func(b []byte) bool {
		n, herr = proxyHeaderLen(k, b)
		return n > 0 || herr != nil
	})
	if herr != nil {
		return nil, 0, herr
	}
	if n == 0 {
		return nil, 0, errors.New(proxyIncomplete(p.end, len(p.buf), s.opts.PeekMax))
	}
	h, err := parseProxy(p.buf[:n])
	return h, n, err
}

// secondHeader says the bytes after a PROXY header, classified in p, begin
// another one, and of which version; 0 when they do not. A header begun
// and never finished counts from "PROX" or five bytes of the v2 signature,
// as on an optional listener: shorter starts may be the client's data.
func secondHeader(p *peeked) int {
	switch p.kind {
	case sniff.ProxyV1:
		return 1
	case sniff.ProxyV2:
		return 2
	}
	if p.end == explain.PeerSpoke {
		return 0
	}
	switch v1, v2 := sniff.ProxyPrefix(p.buf); {
	case v1 && len(p.buf) >= len("PROX"):
		return 1
	case v2 && len(p.buf) >= len("\r\n\r\n\x00"):
		return 2
	}
	return 0
}

// refuseSecond records a second PROXY header, of version v, that came
// right after first (already applied to o): two proxies in a chain that
// both add one, or a client that sends its own through a load balancer.
// It reads the second header to name its addresses, and the connection is
// not relayed: the second header would reach the backend as data.
func (s *Server) refuseSecond(c net.Conn, o *explain.Outcome, p *peeked, first *proxyproto.Header, v int, deadline time.Time) {
	o.Route = "proxy_malformed"
	o.Kind = p.kind
	o.Proxy.Second = v
	second := proxyIncomplete(p.end, len(p.buf), s.opts.PeekMax)
	if p.kind == sniff.ProxyV1 || p.kind == sniff.ProxyV2 {
		h, _, err := s.readProxyHeader(c, p, p.kind, deadline)
		if err != nil {
			second = err.Error()
		} else {
			o.Proxy.SecondSrc, o.Proxy.SecondDst = headerAddrs(h)
			second = headerText(h)
		}
	}
	keepFirst(o, p.buf)
	o.PeekEnd = p.end
	o.Proxy.Err = fmt.Sprintf("listener: a second PROXY v%d header follows the first (%s): %s", v, headerText(first), second)
}

// headerAddrs is the client and virtual address a header claims, zero
// for a LOCAL or non-TCP header. go-proxyproto keeps a LOCAL frame's
// address block when its length fits the family, but the spec (section
// 2.2) has the receiver use the real endpoints and ignore it: it is no
// client's.
func headerAddrs(h *proxyproto.Header) (src, dst netip.AddrPort) {
	if h.Version == 2 && h.Command.IsLocal() {
		return src, dst
	}
	s, d, ok := h.TCPAddrs()
	if !ok {
		return src, dst
	}
	if ap, ok := netip.AddrFromSlice(s.IP); ok {
		src = netip.AddrPortFrom(ap.Unmap(), uint16(s.Port))
	}
	if ap, ok := netip.AddrFromSlice(d.IP); ok {
		dst = netip.AddrPortFrom(ap.Unmap(), uint16(d.Port))
	}
	return src, dst
}

// headerText names a parsed header for an error: "v1 10.0.0.1:40004 ->
// 10.0.0.2:443", or its version alone when it carries no TCP addresses.
func headerText(h *proxyproto.Header) string {
	src, dst := headerAddrs(h)
	if !src.IsValid() {
		return fmt.Sprintf("v%d without TCP addresses", h.Version)
	}
	return fmt.Sprintf("v%d %s -> %s", h.Version, src, dst)
}

// parseProxy parses exactly one complete header with go-proxyproto, and
// refuses a v2 header whose TLVs do not hold together (checkTLVs).
func parseProxy(hdr []byte) (*proxyproto.Header, error) {
	if err := shortAddrBlock(hdr); err != nil {
		return nil, err
	}
	if err := v1Fields(hdr); err != nil {
		return nil, err
	}
	h, err := proxyproto.Read(bufio.NewReader(bytes.NewReader(hdr)))
	if err != nil {
		return nil, fmt.Errorf("listener: PROXY header %q: %w", hdr[:min(len(hdr), 48)], err)
	}
	if err := checkTLVs(h, hdr); err != nil {
		return nil, err
	}
	return h, nil
}

// applyProxy records a parsed header in the outcome and rewrites the client
// and virtual addresses to the ones the header carries.
func applyProxy(o *explain.Outcome, h *proxyproto.Header) {
	o.Proxy.Version = int(h.Version)
	// go-proxyproto gives a v1 UNKNOWN header the LOCAL command too; the
	// protocol is checked as well so that stays true if it ever changes.
	o.Proxy.Local = h.Command.IsLocal() || (h.Version == 1 && h.TransportProtocol == proxyproto.UNSPEC)
	// A LOCAL command or non-TCP header keeps the socket addresses.
	o.Proxy.Src, o.Proxy.Dst = headerAddrs(h)
	if o.Proxy.Src.IsValid() {
		o.Client = o.Proxy.Src
	}
	if o.Proxy.Dst.IsValid() {
		o.Virtual = o.Proxy.Dst
	}
}

// shortAddrBlock refuses a v2 PROXY command whose declared length cannot
// hold the addresses its family needs, naming both numbers: go-proxyproto
// says only "invalid length", which leaves the operator to decode the
// header by hand. A LOCAL command carries no addresses the receiver uses,
// so it is left to the library.
func shortAddrBlock(hdr []byte) error {
	if len(hdr) < 16 || hdr[12]&0x0F != 0x01 {
		return nil
	}
	fam := proxyproto.AddressFamilyAndProtocol(hdr[13])
	need := addrBlockLen(fam)
	declared := int(binary.BigEndian.Uint16(hdr[14:16]))
	if declared >= need {
		return nil
	}
	return fmt.Errorf("listener: PROXY v2 header % x declares %d bytes after its 16-byte prefix; its %s addresses and ports need %d: %w",
		hdr[12:16], declared, familyName(fam), need, proxyproto.ErrInvalidLength)
}

// v1FieldNames are the fields of a v1 TCP4 or TCP6 line, in order
// (HAProxy's proxy-protocol.txt section 2.1).
var v1FieldNames = [...]string{"PROXY", "protocol", "source address", "destination address", "source port", "destination port"}

// v1Fields refuses a v1 line whose fields do not fit its protocol, naming
// what is wrong from the bytes: go-proxyproto answers a missing or extra
// field with "can't read address family or protocol", which sends the
// operator to look at a protocol field that is fine.
func v1Fields(hdr []byte) error {
	line, ok := bytes.CutSuffix(hdr, []byte("\r\n"))
	if !ok || !bytes.HasPrefix(line, []byte("PROXY")) {
		return nil
	}
	fields := bytes.Split(line, []byte(" "))
	if len(fields) < 2 {
		return fmt.Errorf("listener: PROXY v1 header %q has no protocol field (want TCP4, TCP6 or UNKNOWN after \"PROXY \")", hdr)
	}
	empty := func(after string) error {
		return fmt.Errorf("listener: PROXY v1 header %q has an empty field after %s: v1 fields are separated by exactly one space", hdr, after)
	}
	switch proto := string(fields[1]); proto {
	case "UNKNOWN":
		return nil // the receiver ignores the rest of the line (section 2.1)
	case "TCP4", "TCP6":
	case "":
		return empty("PROXY")
	default:
		return fmt.Errorf("listener: PROXY v1 header %q: protocol %q is not TCP4, TCP6 or UNKNOWN", hdr, proto)
	}
	for i := 2; i < len(fields) && i <= len(v1FieldNames); i++ {
		if len(fields[i]) == 0 {
			return empty("the " + v1FieldNames[i-1])
		}
	}
	switch n := len(fields); {
	case n < len(v1FieldNames):
		missing := v1FieldNames[n:]
		return fmt.Errorf("listener: PROXY v1 header %q has %d fields, a %s line needs %d: the %s %s missing",
			hdr, n, fields[1], len(v1FieldNames), joinNames(missing[:]), isAre(len(missing)))
	case n > len(v1FieldNames):
		return fmt.Errorf("listener: PROXY v1 header %q has %d fields, a %s line needs %d: %q follows the destination port",
			hdr, n, fields[1], len(v1FieldNames), bytes.Join(fields[len(v1FieldNames):], []byte(" ")))
	}
	return nil
}

// joinNames lists names as prose: "a", "a and b", "a, b and c".
func joinNames(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// isAre agrees the verb with a count.
func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// familyName names a v2 address family as the spec's table does.
func familyName(p proxyproto.AddressFamilyAndProtocol) string {
	switch {
	case p.IsIPv4():
		return "IPv4 (family 0x1)"
	case p.IsIPv6():
		return "IPv6 (family 0x2)"
	case p.IsUnix():
		return "UNIX (family 0x3)"
	}
	return fmt.Sprintf("family 0x%x", byte(p)>>4)
}
