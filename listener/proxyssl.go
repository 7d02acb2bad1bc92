package listener

import (
	"encoding/binary"
	"fmt"

	proxyproto "github.com/pires/go-proxyproto"
)

// sslFixedLen is what a PP2_TYPE_SSL value holds before its sub-TLVs: the
// client bit field (1 byte) and the verify result (4 bytes).
const sslFixedLen = 5

// sslEvidenceMax caps the bytes of a malformed SSL TLV an error quotes.
const sslEvidenceMax = 32

// sslTLV is a parsed PP2_TYPE_SSL value (PROXY protocol spec, section
// 2.2.5): the client bit field (PP2_CLIENT_SSL, _CERT_CONN, _CERT_SESS),
// verify (0 when the client's certificate was verified), and the sub-TLVs
// in order, unknown types included.
type sslTLV struct {
	Client uint8
	Verify uint32
	Subs   []proxyproto.TLV
}

// parseSSLTLV parses val, the value of a PP2_TYPE_SSL TLV whose type byte
// sits at offset at of the header (for the error only). go-proxyproto
// hands the value over unread, so a sender's bug would pass: a value too
// short for its client and verify fields, or sub-TLVs (version, CN,
// cipher, signature and key algorithm, or types this code does not know,
// which the spec lets a receiver skip) that do not tile the rest exactly,
// one declaring more bytes than are left or one cut short before its
// type and length. The error names the TLV, the offsets and the lengths,
// quotes the bytes, and wraps go-proxyproto's ErrMalformedTLV or
// ErrTruncatedTLV like the checks of the TLVs around it.
func parseSSLTLV(val []byte, at int) (sslTLV, error) {
	var s sslTLV
	if len(val) < sslFixedLen {
		return s, fmt.Errorf("SSL TLV (type 0x%02x) at offset %d has %d byte(s) of value, its client and verify fields need %d (%s): %w",
			byte(proxyproto.PP2_TYPE_SSL), at, len(val), sslFixedLen, sslEvidence(val), proxyproto.ErrMalformedTLV)
	}
	s.Client = val[0]
	s.Verify = binary.BigEndian.Uint32(val[1:sslFixedLen])
	// Offsets in the header: the SSL TLV's value starts 3 bytes after its
	// type byte.
	for i := sslFixedLen; i < len(val); {
		sub := at + 3 + i
		if len(val)-i < 3 {
			return s, fmt.Errorf("SSL TLV (type 0x%02x) at offset %d of %d byte(s): sub-TLV at offset %d is cut short: %d byte(s) left, its type and length need 3 (%s): %w",
				byte(proxyproto.PP2_TYPE_SSL), at, len(val), sub, len(val)-i, sslEvidence(val), proxyproto.ErrTruncatedTLV)
		}
		n := int(binary.BigEndian.Uint16(val[i+1 : i+3]))
		if left := len(val) - i - 3; n > left {
			return s, fmt.Errorf("SSL TLV (type 0x%02x) at offset %d of %d byte(s): sub-TLV type 0x%02x at offset %d declares %d byte(s) of value, %d left in the SSL TLV (%s): %w",
				byte(proxyproto.PP2_TYPE_SSL), at, len(val), val[i], sub, n, left, sslEvidence(val), proxyproto.ErrTruncatedTLV)
		}
		s.Subs = append(s.Subs, proxyproto.TLV{Type: proxyproto.PP2Type(val[i]), Value: val[i+3 : i+3+n]})
		i += 3 + n
	}
	return s, nil
}

// sslEvidence is the value's bytes in hex, the first sslEvidenceMax of
// them when it is longer.
func sslEvidence(val []byte) string {
	if len(val) > sslEvidenceMax {
		return fmt.Sprintf("% x … %d more", val[:sslEvidenceMax], len(val)-sslEvidenceMax)
	}
	if len(val) == 0 {
		return "no bytes"
	}
	return fmt.Sprintf("% x", val)
}
