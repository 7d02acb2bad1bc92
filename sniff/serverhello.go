package sniff

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
)

// ErrNotServerHello says a server's first bytes are not a TLS record
// carrying a ServerHello, or one too broken to read its version from.
var ErrNotServerHello = errors.New("sniff: not a ServerHello")

// ServerHelloVersion reads the protocol version a server chose from its
// first bytes b, which begin with the record that carries its ServerHello:
// the supported_versions extension when present (TLS 1.3, RFC 8446
// §4.2.1, a HelloRetryRequest included), else the ServerHello's
// legacy_version (TLS 1.2 and older, RFC 5246 §7.4.1.3). A relay in the
// middle needs it to tell encrypted handshake records from application
// data: TLS 1.3 sends both as type 23. Servers put the ServerHello first
// in its record, and it fits in one (it is far below 2^14 bytes), so only
// the first record is read.
//
// Too few bytes give an error wrapping ErrNeedMore; bytes that are not a
// ServerHello give one wrapping ErrNotServerHello, naming what was there.
func ServerHelloVersion(b []byte) (uint16, error) {
	v, _, err := ServerHelloChoice(b)
	return v, err
}

// ServerHelloChoice is ServerHelloVersion that also returns the cipher
// suite the server chose. Under TLS 1.3 the suite fixes the sizes of
// records a relay cannot open: a sealed Finished is the suite's hash
// length plus 5 bytes plus its AEAD tag, an alert 3 plus the tag.
func ServerHelloChoice(b []byte) (version, suite uint16, err error) {
	if len(b) < 5 {
		if len(b) > 0 && b[0] != 22 {
			return 0, 0, fmt.Errorf("%w: first record type %d, want 22 (handshake)", ErrNotServerHello, b[0])
		}
		return 0, 0, fmt.Errorf("%w: server hello: %d of 5 record header bytes", ErrNeedMore, len(b))
	}
	typ, major, n := b[0], b[1], int(b[3])<<8|int(b[4])
	switch {
	case typ != 22:
		return 0, 0, fmt.Errorf("%w: first record type %d, want 22 (handshake)", ErrNotServerHello, typ)
	case major != 3:
		return 0, 0, fmt.Errorf("%w: record version 0x%02x%02x", ErrNotServerHello, b[1], b[2])
	case n < 4:
		return 0, 0, fmt.Errorf("%w: first record holds %d bytes, too few for a handshake header", ErrNotServerHello, n)
	}
	body := b[5:min(len(b), 5+n)]
	if len(body) >= 1 && body[0] != 2 {
		return 0, 0, fmt.Errorf("%w: handshake message type %d, want 2 (server_hello)", ErrNotServerHello, body[0])
	}
	if len(body) < 4 {
		return 0, 0, fmt.Errorf("%w: server hello: %d of 4 handshake header bytes", ErrNeedMore, len(body))
	}
	need := 4 + (int(body[1])<<16 | int(body[2])<<8 | int(body[3]))
	if need > n {
		return 0, 0, fmt.Errorf("%w: server hello of %d bytes does not fit its %d-byte record", ErrNotServerHello, need, n)
	}
	if len(body) < need {
		return 0, 0, fmt.Errorf("%w: server hello: %d of %d bytes", ErrNeedMore, len(body), need)
	}
	return serverHelloVersion(cryptobyte.String(body[4:need]))
}

// serverHelloVersion reads the version and the suite from a
// ServerHello's body.
func serverHelloVersion(s cryptobyte.String) (version, suite uint16, err error) {
	var legacy uint16
	var sid, exts cryptobyte.String
	var comp uint8
	if !s.ReadUint16(&legacy) || !s.Skip(32) || !s.ReadUint8LengthPrefixed(&sid) || !s.ReadUint16(&suite) || !s.ReadUint8(&comp) {
		return 0, 0, fmt.Errorf("%w: server hello cut short before its extensions", ErrNotServerHello)
	}
	if s.Empty() {
		return legacy, suite, nil // no extensions at all (RFC 5246 §7.4.1.3)
	}
	if !s.ReadUint16LengthPrefixed(&exts) || !s.Empty() {
		return 0, 0, fmt.Errorf("%w: server hello extensions block does not fill the message", ErrNotServerHello)
	}
	for !exts.Empty() {
		var typ uint16
		var body cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&body) {
			return 0, 0, fmt.Errorf("%w: server hello extension cut short", ErrNotServerHello)
		}
		if typ != extSupportedVersions {
			continue
		}
		var v uint16
		if !body.ReadUint16(&v) || !body.Empty() {
			return 0, 0, fmt.Errorf("%w: server hello supported_versions of %d bytes, want 2", ErrNotServerHello, len(body))
		}
		return v, suite, nil
	}
	return legacy, suite, nil
}

// helloRetryRandom is the Random of a ServerHello that is a
// HelloRetryRequest (RFC 8446 §4.1.3).
const helloRetryRandom = "\xcf\x21\xad\x74\xe5\x9a\x61\x11\xbe\x1d\x8c\x02\x1e\x65\xb8\x91" +
	"\xc2\xa2\x11\x16\x7a\xbb\x8c\x5e\x07\x9e\x09\xe2\xc8\xa8\x33\x9c"

// HelloRetryOnly reports whether b, what a TLS server wrote on a
// connection, is a HelloRetryRequest (RFC 8446 §4.1.4) with nothing after
// it but change_cipher_spec records (the middlebox-compatibility CCS of
// §D.4). Such a server asked for a second ClientHello and answered none:
// no certificate left it. A ServerHello, an alert or any other record
// after the retry, or a first record that is not a whole retry, is false.
func HelloRetryOnly(b []byte) bool {
	if len(b) < 5 || b[0] != 22 || b[1] != 3 {
		return false
	}
	n := int(b[3])<<8 | int(b[4])
	if len(b) < 5+n {
		return false
	}
	// type(1) length(3) legacy_version(2) random(32)
	msg := b[5 : 5+n]
	if len(msg) < 4+2+32 || msg[0] != 2 || string(msg[6:38]) != helloRetryRandom {
		return false
	}
	for rest := b[5+n:]; len(rest) > 0; {
		if rest[0] != 20 {
			return false
		}
		if len(rest) < 5 {
			return true // a CCS header cut by the caller's cap
		}
		rest = rest[min(len(rest), 5+(int(rest[3])<<8|int(rest[4]))):]
	}
	return true
}
