package listener

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	proxyproto "github.com/pires/go-proxyproto"

	"github.com/tlsgate/tlsgate/sniff"
)

// castagnoli is the CRC32c table the PROXY v2 checksum TLV uses.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checkTLVs refuses a v2 header whose TLVs go-proxyproto parsed without
// looking at them: it keeps the bytes after the address block as they came,
// so a TLV whose length runs past the header, one cut short, or a CRC32c
// that does not match would pass. hdr is the whole header h was parsed
// from. The split is go-proxyproto's (Header.TLVs); the error names the
// TLV at fault, its offset in the header and the lengths involved.
func checkTLVs(h *proxyproto.Header, hdr []byte) error {
	if h.Version != 2 {
		return nil
	}
	tlvs, err := h.TLVs()
	base := 16 + addrBlockLen(h.TransportProtocol)
	if base > len(hdr) {
		base = len(hdr)
	}
	if err != nil {
		return fmt.Errorf("listener: PROXY v2 header of %d bytes: %s: %w", len(hdr), tlvFault(hdr, base), err)
	}
	// The split is contiguous from base, so each TLV's offset in the
	// header is the sum of the ones before it.
	at := base
	for _, t := range tlvs {
		switch t.Type {
		case proxyproto.PP2_TYPE_CRC32C:
			if err := checkCRC32C(hdr, base, t.Value); err != nil {
				return err
			}
		case proxyproto.PP2_TYPE_SSL:
			if _, err := parseSSLTLV(t.Value, at); err != nil {
				return fmt.Errorf("listener: PROXY v2 header of %d bytes: %w", len(hdr), err)
			}
		}
		at += 3 + len(t.Value)
	}
	return nil
}

// addrBlockLen is the size of the address block a v2 header of family and
// transport p carries before its TLVs (PROXY protocol spec, section 2.2).
func addrBlockLen(p proxyproto.AddressFamilyAndProtocol) int {
	switch {
	case p.IsIPv4():
		return 12
	case p.IsIPv6():
		return 36
	case p.IsUnix():
		return 216
	}
	return 0
}

// tlvFault walks the TLVs of hdr from offset base and says where the first
// one stops fitting: a type and length that need 3 bytes, or a value longer
// than what is left of the header.
func tlvFault(hdr []byte, base int) string {
	for i := base; i < len(hdr); {
		if what := dataKind(hdr[i:]); i == base && what != "" && !tlvFits(hdr, i) {
			// A length field too large swallows the client's own first
			// bytes, whose first "TLV" then does not fit: name what they
			// are. Only the first: valid TLVs before it mean a header.
			return fmt.Sprintf("the %d bytes after the addresses (offset %d) are no TLVs but begin %s (% x): the header's length field counts bytes of the connection's own data, so the sender wrote too large a length",
				len(hdr)-base, base, what, hdr[base:min(len(hdr), base+5)])
		}
		if len(hdr)-i < 3 {
			return fmt.Sprintf("TLV at offset %d is cut short: %d byte(s) left, its type and length need 3 (% x)", i, len(hdr)-i, hdr[i:])
		}
		n := int(binary.BigEndian.Uint16(hdr[i+1 : i+3]))
		if i+3+n > len(hdr) {
			return fmt.Sprintf("TLV type 0x%02x at offset %d declares %d bytes of value, %d left in the header", hdr[i], i, n, len(hdr)-i-3)
		}
		i += 3 + n
	}
	return fmt.Sprintf("TLVs from offset %d", base)
}

// tlvFits says the TLV at offset i of hdr has its type, length and value
// inside hdr.
func tlvFits(hdr []byte, i int) bool {
	return len(hdr)-i >= 3 && i+3+int(binary.BigEndian.Uint16(hdr[i+1:i+3])) <= len(hdr)
}

// dataKind names what b begins with when it is a protocol's first bytes
// (a TLS record, an HTTP request, an SSH banner), "" when it is not. Not
// an SSLv2 hello: its high-bit first byte is also a custom TLV's type
// (0xE0-0xEF).
func dataKind(b []byte) string {
	k, err := sniff.Classify(b)
	if err != nil {
		return ""
	}
	switch k {
	case sniff.TLSHandshake:
		return "a TLS handshake record"
	case sniff.TLSOther:
		return "a TLS record"
	case sniff.HTTP1:
		return "an HTTP request"
	case sniff.HTTP2:
		return "the HTTP/2 preface"
	case sniff.SSH:
		return "an SSH banner"
	}
	return ""
}

// checkCRC32C checks the checksum TLV whose value is sum: the CRC32c of
// the whole header with the checksum's own four bytes zeroed, big-endian,
// as the spec (section 2.2.5) has the sender compute it and the receiver
// drop the connection when it does not match.
func checkCRC32C(hdr []byte, base int, sum []byte) error {
	if len(sum) != 4 {
		return fmt.Errorf("listener: PROXY v2 CRC32C TLV has %d bytes of value, want 4: %w", len(sum), proxyproto.ErrMalformedTLV)
	}
	at := crcOffset(hdr, base)
	if at < 0 {
		return fmt.Errorf("listener: PROXY v2 CRC32C TLV not found in the header bytes: %w", proxyproto.ErrMalformedTLV)
	}
	zeroed := append([]byte(nil), hdr...)
	clear(zeroed[at : at+4])
	got, want := binary.BigEndian.Uint32(sum), crc32.Checksum(zeroed, castagnoli)
	if got != want {
		return fmt.Errorf("listener: PROXY v2 CRC32C TLV at offset %d says %08x, the %d-byte header sums to %08x: %w",
			at-3, got, len(hdr), want, proxyproto.ErrMalformedTLV)
	}
	return nil
}

// crcOffset is where the value of the first CRC32C TLV of hdr begins, or
// -1; the TLVs from base are known to fit.
func crcOffset(hdr []byte, base int) int {
	for i := base; i+3 <= len(hdr); {
		n := int(binary.BigEndian.Uint16(hdr[i+1 : i+3]))
		if proxyproto.PP2Type(hdr[i]) == proxyproto.PP2_TYPE_CRC32C && n == 4 && i+7 <= len(hdr) {
			return i + 3
		}
		i += 3 + n
	}
	return -1
}
