package sniff

import "fmt"

// ParseSSLv2Hello parses an SSLv2-format ClientHello (RFC 5246 appendix E.2,
// the SSL 2.0 draft §2.6): a two-byte length with the high bit set, then
//
//	msg_type(1) version(2) cipher_spec_length(2) session_id_length(2)
//	challenge_length(2) cipher_specs session_id challenge
//
// Old clients send it to offer SSLv2 and SSLv3/TLS in one hello. Until the
// whole message is present it returns an error wrapping ErrNeedMore, but it
// rejects a bad header as soon as the header bytes are in.
func ParseSSLv2Hello(b []byte) (*SSLv2ClientHello, error) {
	bad := func(off int, field, reason string) error {
		return &HelloError{Offset: off, Field: "sslv2 " + field, Extension: -1, Reason: reason}
	}
	if len(b) < 2 {
		return nil, fmt.Errorf("%w: sslv2 hello: %d of 2 header bytes", ErrNeedMore, len(b))
	}
	if b[0]&0x80 == 0 {
		return nil, bad(0, "record header", fmt.Sprintf("0x%02x%02x lacks the two-byte-header bit", b[0], b[1]))
	}
	n := int(b[0]&0x7f)<<8 | int(b[1])
	switch {
	case n < 9:
		return nil, bad(0, "record header", fmt.Sprintf("length %d is shorter than the 9-byte fixed part", n))
	case 2+n > MaxHelloBytes:
		return nil, &HelloError{Offset: 0, Field: "sslv2 record header", Extension: -1,
			Reason: fmt.Sprintf("length %d exceeds the %d-byte cap", n, MaxHelloBytes), Err: ErrTooLarge}
	}
	if len(b) >= 3 && b[2] != 1 {
		return nil, bad(2, "msg_type", fmt.Sprintf("is %d, not client_hello (1)", b[2]))
	}
	h := &SSLv2ClientHello{WireLen: 2 + n}
	if len(b) >= 5 {
		h.Version = uint16(b[3])<<8 | uint16(b[4])
		if h.Version != 0x0002 && b[3] != 3 {
			return nil, bad(3, "version", fmt.Sprintf("0x%04x is neither 0x0002 nor 0x03xx", h.Version))
		}
	}
	if len(b) < 11 {
		return nil, fmt.Errorf("%w: sslv2 hello: %d of %d bytes", ErrNeedMore, len(b), 2+n)
	}
	specLen := int(b[5])<<8 | int(b[6])
	sidLen := int(b[7])<<8 | int(b[8])
	chLen := int(b[9])<<8 | int(b[10])
	switch {
	case specLen == 0 || specLen%3 != 0:
		return nil, bad(5, "cipher_spec_length", fmt.Sprintf("%d is not a positive multiple of 3", specLen))
	case sidLen != 0 && sidLen != 16:
		return nil, bad(7, "session_id_length", fmt.Sprintf("%d is neither 0 nor 16", sidLen))
	case chLen < 16 || chLen > 32:
		return nil, bad(9, "challenge_length", fmt.Sprintf("%d is outside 16..32", chLen))
	case 9+specLen+sidLen+chLen != n:
		return nil, bad(0, "record header", fmt.Sprintf("length %d disagrees with the 9+%d+%d+%d bytes of content",
			n, specLen, sidLen, chLen))
	}
	if len(b) < 2+n {
		return nil, fmt.Errorf("%w: sslv2 hello: %d of %d bytes", ErrNeedMore, len(b), 2+n)
	}
	specs := b[11 : 11+specLen]
	h.CipherSpecs = make([]uint32, 0, specLen/3)
	for i := 0; i < len(specs); i += 3 {
		h.CipherSpecs = append(h.CipherSpecs, uint32(specs[i])<<16|uint32(specs[i+1])<<8|uint32(specs[i+2]))
	}
	return h, nil
}
