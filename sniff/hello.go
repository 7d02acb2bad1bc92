package sniff

import (
	"errors"
	"fmt"
)

// MaxHelloBytes caps the stream ParseClientHello will read: a ClientHello
// whose records (headers included) need more than 16 KiB is refused, as
// HAProxy, Envoy and caddy-l4 refuse it. A caller that peeks this many bytes
// never waits forever on ErrNeedMore.
const MaxHelloBytes = 16384

// maxRecordLen is the largest legal TLSPlaintext.length (RFC 8446 §5.1).
const maxRecordLen = 1 << 14

// ErrTooLarge marks a ClientHello (or SSLv2 hello) that does not fit in
// MaxHelloBytes. It is wrapped in a *HelloError.
var ErrTooLarge = errors.New("sniff: client hello too large")

// HelloError says where and why a ClientHello is malformed. Offsets count from
// the first byte given to the parser, record headers included, so they match
// a hex dump of what the client sent.
type HelloError struct {
	Offset    int    // stream offset of the faulty field
	Field     string // the field at fault: "record header", "cipher_suites", "extension 0x002b" …
	Extension int    // extension type involved, or -1 when the fault is outside any extension
	Reason    string // what is wrong, e.g. "length overruns message"
	Err       error  // a sentinel such as ErrTooLarge, or nil
}

// Error reads like "sniff: client hello: extension 0x002b length overruns
// message at offset 412".
func (e *HelloError) Error() string {
	return fmt.Sprintf("sniff: client hello: %s %s at offset %d", e.Field, e.Reason, e.Offset)
}

// Unwrap exposes the sentinel, if any, to errors.Is.
func (e *HelloError) Unwrap() error { return e.Err }

// fragment maps a run of reassembled handshake bytes back to the stream.
type fragment struct{ msgOff, wireOff int }

// streamOffset converts an offset in the reassembled handshake message
// (header included) into an offset in the stream.
func streamOffset(frags []fragment, off int) int {
	f := frags[0]
	for _, g := range frags[1:] {
		if g.msgOff > off {
			break
		}
		f = g
	}
	return f.wireOff + off - f.msgOff
}

// ParseClientHello parses the ClientHello at the start of b, a stream that
// begins with a TLS record header. The handshake message may span several
// records, and b may end anywhere: until the whole message and the whole
// record that ends it are present it returns an error wrapping
// ErrNeedMore, so the caller can read more and call again with the longer
// stream. A record header that promises more bytes than came is not
// complete, whatever it holds: crypto/tls reads every record whole before
// it looks inside. Warning alerts before or between the hello's records
// are skipped as crypto/tls's server skips them (see skipAlert) and listed
// in Skipped. Malformed input gives a *HelloError; a hello that cannot fit
// in MaxHelloBytes gives one wrapping ErrTooLarge. Bytes after the hello
// (in its last record or beyond) are not examined.
func ParseClientHello(b []byte) (*ClientHello, error) {
	var (
		msg     []byte     // the handshake message, header included
		frags   []fragment // where each record's piece of msg sits in b
		pos     int        // stream offset of the next record header
		records int
		recVers uint16
		skipped []SkippedAlert
		idle    int  // records skipped since the last handshake record
		need    = -1 // full message length, once its header is in
	)
	for {
		if pos+5 > len(b) {
			return nil, helloNeedMore(b, pos, len(msg), need)
		}
		typ, vers, n := b[pos], uint16(b[pos+1])<<8|uint16(b[pos+2]), int(b[pos+3])<<8|int(b[pos+4])
		if typ == recordAlert {
			a, err := skipAlert(b, pos, vers, n, idle)
			if err != nil {
				return nil, err
			}
			skipped, idle = append(skipped, a), idle+1
			pos += 5 + n
			continue
		}
		if err := checkHelloRecord(pos, typ, vers, n); err != nil {
			return nil, err
		}
		if records == 0 {
			recVers = vers
		}
		records, idle = records+1, 0
		body := b[pos+5 : min(pos+5+n, len(b))]
		frags = append(frags, fragment{msgOff: len(msg), wireOff: pos + 5})
		switch records {
		case 1:
			msg = body // no copy for the usual single-record hello
		case 2:
			// msg aliases b: copy it out before appending, never write into b.
			msg = append(make([]byte, 0, len(msg)+n), msg...)
			msg = append(msg, body...)
		default:
			msg = append(msg, body...)
		}
		if need < 0 && len(msg) >= 4 {
			var err error
			if need, err = checkHandshakeHeader(msg, frags); err != nil {
				return nil, err
			}
		}
		if need >= 0 && len(msg) >= need {
			wire := streamOffset(frags, need-1) + 1
			if wire > MaxHelloBytes {
				return nil, tooLarge(0, fmt.Sprintf("needs %d bytes of stream in %d records, over the %d-byte cap",
					wire, records, MaxHelloBytes))
			}
			if pos+5+n > len(b) {
				// The message is whole, but a record header that
				// promised more than came is a record still arriving,
				// or a lie that stalls crypto/tls all the same.
				return nil, recordNeedMore(b, pos, n)
			}
			h := &ClientHello{RecordVersion: recVers, HandshakeLen: need - 4, Records: records, WireLen: wire, Skipped: skipped}
			p := helloParser{h: h, frags: frags, base: need}
			if err := p.parse(msg[4:need:need]); err != nil {
				return nil, err
			}
			return h, nil
		}
		if pos+5+n > len(b) {
			return nil, helloNeedMore(b, pos, len(msg), need)
		}
		pos += 5 + n
	}
}

// checkHelloRecord validates one record header of a ClientHello flight.
func checkHelloRecord(pos int, typ uint8, vers uint16, n int) error {
	bad := func(reason string) error {
		return &HelloError{Offset: pos, Field: "record header", Extension: -1, Reason: reason}
	}
	switch {
	case typ != 22:
		return bad(fmt.Sprintf("has content type %d, not handshake (22)", typ))
	case vers>>8 != 3:
		return bad(fmt.Sprintf("has version 0x%04x, not 0x03xx", vers))
	case n == 0:
		// RFC 8446 §5.1: zero-length handshake fragments are forbidden.
		return bad("has length 0")
	case n > maxRecordLen:
		// RFC 8446 §5.1: a record_overflow alert is due.
		return bad(fmt.Sprintf("length %d exceeds 2^14", n))
	}
	return nil
}

// checkHandshakeHeader reads the 4-byte handshake header and returns the full
// message length.
func checkHandshakeHeader(msg []byte, frags []fragment) (int, error) {
	if msg[0] != 1 {
		return 0, &HelloError{Offset: streamOffset(frags, 0), Field: "handshake type", Extension: -1,
			Reason: fmt.Sprintf("is %d, not client_hello (1)", msg[0])}
	}
	need := 4 + (int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3]))
	// At least one record header precedes the message.
	if 5+need > MaxHelloBytes {
		return 0, tooLarge(streamOffset(frags, 1), fmt.Sprintf("%d exceeds the %d-byte cap", need-4, MaxHelloBytes))
	}
	return need, nil
}

func tooLarge(off int, reason string) error {
	return &HelloError{Offset: off, Field: "handshake length", Extension: -1, Reason: reason, Err: ErrTooLarge}
}

// helloNeedMore reports what is still missing, or ErrTooLarge when the stream
// already holds MaxHelloBytes and the hello is still incomplete.
func helloNeedMore(b []byte, pos, have, need int) error {
	if len(b) >= MaxHelloBytes {
		return tooLarge(pos, fmt.Sprintf("not complete within %d bytes of stream (%d of %d message bytes)",
			MaxHelloBytes, have, need))
	}
	if need < 0 {
		return fmt.Errorf("%w: client hello: %d bytes of stream, handshake header not complete", ErrNeedMore, len(b))
	}
	return fmt.Errorf("%w: client hello: %d of %d message bytes in %d bytes of stream", ErrNeedMore, have, need, len(b))
}

// IsGREASE reports whether v is one of the reserved GREASE values
// 0x0a0a, 0x1a1a … 0xfafa (RFC 8701), which clients sprinkle into lists to
// keep servers tolerant of unknown values.
func IsGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// MaxVersion is the highest version the client offers: the largest
// non-GREASE supported_versions entry, or the legacy version when the
// extension is absent (TLS 1.2 and older clients).
func (h *ClientHello) MaxVersion() uint16 {
	if h == nil {
		return 0
	}
	best, found := uint16(0), false
	for _, v := range h.SupportedVersions {
		if !IsGREASE(v) && (!found || v > best) {
			best, found = v, true
		}
	}
	if !found {
		return h.LegacyVersion
	}
	return best
}

// MinVersion is the lowest version the client offers in supported_versions.
// Without that extension a hello names only its highest version, so the
// legacy version is the lowest one it proves; an older one may still be
// accepted.
func (h *ClientHello) MinVersion() uint16 {
	if h == nil {
		return 0
	}
	low, found := uint16(0), false
	for _, v := range h.SupportedVersions {
		if !IsGREASE(v) && (!found || v < low) {
			low, found = v, true
		}
	}
	if !found {
		return h.LegacyVersion
	}
	return low
}
