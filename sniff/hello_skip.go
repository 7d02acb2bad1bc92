package sniff

import "fmt"

// recordAlert is the alert content type (RFC 8446 §5.1).
const recordAlert = 21

// maxSkipped is crypto/tls's maxUselessRecords: its server refuses the
// next record after this many dropped in a row ("tls: too many ignored
// records"); a handshake record with data resets the count.
const maxSkipped = 16

// SkippedAlert is a warning alert record that came before or between the
// records of a ClientHello. crypto/tls's server drops such a record and
// reads on, so the hello after it is the one it answers.
type SkippedAlert struct {
	Offset int   // stream offset of the alert's record header
	Desc   uint8 // AlertDescription; the level is always warning (1)
}

// skipAlert decides whether the alert record at pos is one crypto/tls's
// server drops while it waits for the ClientHello (conn.go,
// readRecordOrCCS, before a version is negotiated): a 2-byte record at
// warning level whose description is not close_notify, at most maxSkipped
// in a row (idle counts those already dropped). Anything else ends that
// handshake there, and is a HelloError saying why. These alerts are the
// only records it drops there: a change_cipher_spec before the hello is
// refused ("first record does not look like a TLS handshake"), as
// checkHelloRecord refuses it.
func skipAlert(b []byte, pos int, vers uint16, n, idle int) (SkippedAlert, error) {
	bad := func(reason string) error {
		return &HelloError{Offset: pos, Field: "record header", Extension: -1, Reason: reason}
	}
	switch {
	case vers>>8 != 3:
		return SkippedAlert{}, bad(fmt.Sprintf("has version 0x%04x, not 0x03xx", vers))
	case n != 2:
		// crypto/tls answers unexpected_message.
		return SkippedAlert{}, bad(fmt.Sprintf("has content type 21 (alert) and length %d, not 2", n))
	case pos+7 > len(b):
		return SkippedAlert{}, streamNeedMore(b, pos, fmt.Sprintf("alert record at offset %d has %d of its 2 bytes", pos, len(b)-pos-5))
	}
	level, desc := b[pos+5], b[pos+6]
	switch {
	case desc == 0:
		return SkippedAlert{}, bad("has content type 21 (alert): close_notify, which closes the connection before a ClientHello")
	case level == 2:
		return SkippedAlert{}, bad(fmt.Sprintf("has content type 21 (alert): fatal %s (%d), which ends the handshake (crypto/tls skips only warning alerts)",
			AlertName(desc), desc))
	case level != 1:
		return SkippedAlert{}, bad(fmt.Sprintf("has content type 21 (alert) with level %d, neither warning (1) nor fatal (2)", level))
	case idle >= maxSkipped:
		return SkippedAlert{}, bad(fmt.Sprintf("has content type 21 (alert): warning alert %d in a row, and crypto/tls skips at most %d (too many ignored records)",
			idle+1, maxSkipped))
	}
	return SkippedAlert{Offset: pos, Desc: desc}, nil
}

// HelloMayFollow says b begins with a record crypto/tls's server drops
// before a ClientHello (a warning alert other than close_notify), or with
// a prefix of one. Classify names such bytes TLSOther by their first
// record; ParseClientHello reads past it, so a caller should still look
// for a hello there.
func HelloMayFollow(b []byte) bool {
	at := func(i int, ok func(byte) bool) bool { return len(b) <= i || ok(b[i]) }
	return len(b) > 0 && b[0] == recordAlert &&
		at(1, func(c byte) bool { return c == 3 }) &&
		at(2, func(c byte) bool { return c <= 4 }) && // as Classify's TLS record check
		at(3, func(c byte) bool { return c == 0 }) &&
		at(4, func(c byte) bool { return c == 2 }) &&
		at(5, func(c byte) bool { return c == 1 }) &&
		at(6, func(c byte) bool { return c != 0 })
}

// streamNeedMore asks for more bytes while the stream is below the cap,
// and says the hello is too large once it is not.
func streamNeedMore(b []byte, pos int, what string) error {
	if len(b) >= MaxHelloBytes {
		return tooLarge(pos, fmt.Sprintf("not complete within %d bytes of stream: %s", MaxHelloBytes, what))
	}
	return fmt.Errorf("%w: client hello: %s", ErrNeedMore, what)
}

// recordNeedMore is the wait for the rest of the record at pos, which
// declares n bytes, once the handshake message inside is whole.
func recordNeedMore(b []byte, pos, n int) error {
	return streamNeedMore(b, pos, fmt.Sprintf("the message is whole, but its record at offset %d declares %d bytes and %d have come (crypto/tls reads a record whole before it looks inside)",
		pos, n, len(b)-pos-5))
}
