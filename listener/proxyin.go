package listener

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"

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
// never complete (v1 is at most 107 bytes; v2 at most 16+65535).
func proxyHeaderLen(k sniff.Kind, b []byte) (int, error) {
	switch k {
	case sniff.ProxyV1:
		limit := min(len(b), 107)
		if i := bytes.Index(b[:limit], []byte("\r\n")); i >= 0 {
			return i + 2, nil
		}
		if len(b) >= 107 {
			return 0, fmt.Errorf("listener: PROXY v1 header has no CRLF in its first 107 bytes: %q", b[:min(len(b), 40)])
		}
		return 0, nil
	case sniff.ProxyV2:
		if len(b) < 16 {
			return 0, nil
		}
		n := 16 + int(binary.BigEndian.Uint16(b[14:16]))
		if len(b) < n {
			return 0, nil
		}
		return n, nil
	}
	return 0, fmt.Errorf("listener: not a PROXY header (%s)", k)
}

// parseProxy parses exactly one complete header with go-proxyproto.
func parseProxy(hdr []byte) (*proxyproto.Header, error) {
	h, err := proxyproto.Read(bufio.NewReader(bytes.NewReader(hdr)))
	if err != nil {
		return nil, fmt.Errorf("listener: PROXY header %q: %w", hdr[:min(len(hdr), 48)], err)
	}
	return h, nil
}

// applyProxy records a parsed header in the outcome and rewrites the client
// and virtual addresses to the ones the header carries.
func applyProxy(o *explain.Outcome, h *proxyproto.Header) {
	o.Proxy.Version = int(h.Version)
	src, dst, ok := h.TCPAddrs()
	if !ok {
		return // LOCAL command or non-TCP: keep the socket addresses
	}
	if ap, ok := netip.AddrFromSlice(src.IP); ok {
		o.Proxy.Src = netip.AddrPortFrom(ap.Unmap(), uint16(src.Port))
		o.Client = o.Proxy.Src
	}
	if ap, ok := netip.AddrFromSlice(dst.IP); ok {
		o.Proxy.Dst = netip.AddrPortFrom(ap.Unmap(), uint16(dst.Port))
		o.Virtual = o.Proxy.Dst
	}
}
