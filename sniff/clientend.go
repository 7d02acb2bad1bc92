package sniff

// A passthrough relay sees the client's bytes after its ClientHello only as
// a relay does: the first few of them, and how many there were. That is
// enough to tell the end of a handshake the client refused from one it
// finished. A finished handshake always has the client's Finished after its
// hello (RFC 8446 §4.4.4, RFC 5246 §7.4.9): a ClientKeyExchange record
// first in TLS 1.2, an encrypted record of 53 or more bytes in TLS 1.3.
// A refusal is one alert and the client's close.

// ClientEndKind says how a client's handshake ended, as read from the bytes
// it sent after its ClientHello.
type ClientEndKind uint8

// How a client's bytes after its hello can end a handshake.
const (
	// ClientEndUnknown: nothing that ends a handshake early, or too few
	// bytes kept to say.
	ClientEndUnknown ClientEndKind = iota
	// ClientEndAlert: the client's first record after the hello (an
	// optional ChangeCipherSpec aside) is an alert in the clear: TLS 1.2
	// before its keys are in use, or OpenSSL's TLS 1.3 certificate alert
	// (which it sends unencrypted). Level and Desc are read.
	ClientEndAlert
	// ClientEndEncryptedAlert: after an optional ChangeCipherSpec the
	// client sent exactly one application_data record of
	// EncryptedAlertLen bytes and nothing more: a TLS 1.3 alert under the
	// handshake keys. Which alert it is cannot be read.
	ClientEndEncryptedAlert
	// ClientEndSilent: the client sent nothing after its hello. Whether
	// it abandoned a handshake depends on what the server sent.
	ClientEndSilent
)

// ClientEnd is what the bytes after a ClientHello say about its end.
type ClientEnd struct {
	Kind ClientEndKind
	// CCS: a ChangeCipherSpec record came first (TLS 1.3 middlebox
	// compatibility mode, RFC 8446 §D.4).
	CCS bool
	// Level and Desc are the alert's, with ClientEndAlert only.
	Level, Desc uint8
}

// EncryptedAlertLen is the record length of a TLS 1.3 alert under an AEAD
// with a 16-byte tag and no padding: 2 alert bytes, 1 inner content type,
// 16 tag bytes (RFC 8446 §5.2). Go, OpenSSL and curl pad nothing by
// default. A Finished is 53 (SHA-256) or 69 (SHA-384) bytes long.
const EncryptedAlertLen = 19

// ccsRecord is the ChangeCipherSpec record a TLS 1.3 client in middlebox
// compatibility mode sends before its first encrypted record.
const ccsRecord = "\x14\x03\x03\x00\x01\x01"

// ClientAfterHello reads the end of a client's handshake from what it sent
// after its ClientHello: head is the first bytes that followed the hello
// (possibly fewer than were sent), and up is the total the client sent,
// helloLen included. It needs the first record's header whole (and, after a
// ChangeCipherSpec, that one too); with fewer bytes kept, or bytes that are
// not TLS records, it says ClientEndUnknown.
func ClientAfterHello(helloLen int, head []byte, up int64) ClientEnd {
	after := up - int64(helloLen)
	if helloLen <= 0 || after < 0 || int64(len(head)) > after {
		return ClientEnd{} // counts that disagree say nothing
	}
	if after == 0 {
		return ClientEnd{Kind: ClientEndSilent}
	}
	var e ClientEnd
	if len(head) >= len(ccsRecord) && string(head[:len(ccsRecord)]) == ccsRecord {
		e.CCS = true
		head = head[len(ccsRecord):]
		after -= int64(len(ccsRecord))
	}
	if len(head) < 5 || head[1] != 3 || head[2] > 4 {
		return ClientEnd{}
	}
	n := int64(head[3])<<8 | int64(head[4])
	switch {
	case head[0] == 21 && n == 2 && len(head) >= AlertRecordLen && (head[5] == 1 || head[5] == 2):
		e.Kind, e.Level, e.Desc = ClientEndAlert, head[5], head[6]
		return e
	case head[0] == 23 && n == EncryptedAlertLen && after == 5+EncryptedAlertLen:
		e.Kind = ClientEndEncryptedAlert
		return e
	}
	return ClientEnd{}
}

// ServerSentFlight reports whether a server's first bytes (head, from a
// total of down) show a handshake flight beyond a bare ServerHello: the
// first record is a handshake record starting with a ServerHello and more
// bytes followed it (TLS 1.3's encrypted records, or TLS 1.2's Certificate
// in records of its own), or the record is too long for a ServerHello
// alone (a TLS 1.2 server that packs its whole flight into one record).
// A client that then sends nothing has seen the server's certificate.
func ServerSentFlight(head []byte, down int64) bool {
	if len(head) < 6 || head[0] != 22 || head[1] != 3 || head[5] != 2 {
		return false
	}
	n := int64(head[3])<<8 | int64(head[4])
	return down > 5+n || n > maxBareServerHello
}

// maxBareServerHello bounds a TLS 1.2 ServerHello record: 38 fixed bytes,
// a 32-byte session ID and a few extensions. TLS 1.3's hybrid key shares
// make longer ones, but a TLS 1.3 flight always continues after them.
const maxBareServerHello = 512
