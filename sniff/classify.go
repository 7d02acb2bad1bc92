package sniff

import (
	"fmt"
	"strings"
)

// h2Preface is the HTTP/2 client connection preface (RFC 9113 §3.4). Its first
// line reads like an HTTP/1 request with the reserved method "PRI", so only
// the whole 24 bytes prove HTTP/2.
const h2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// proxyV2Sig is the 12-byte PROXY protocol v2 signature.
const proxyV2Sig = "\r\n\r\n\x00\r\nQUIT\n"

// MaxClassifyBytes is the most bytes Classify ever needs: with this many bytes
// it always decides. The longest fixed signature is the HTTP/2 preface (24
// bytes), but a request line with an extension method (PROPFIND, MKCOL …)
// is known only at its end, which may come as late as MaxRequestLine.
const MaxClassifyBytes = MaxRequestLine + 1

// verdict is one protocol's opinion of the bytes seen so far.
type verdict uint8

const (
	no    verdict = iota // this protocol is excluded
	maybe                // the bytes are a prefix of this protocol
	yes                  // the bytes prove this protocol
)

// httpMethods lists the standard request methods (RFC 9110 §9, RFC 5789) with
// their trailing space. It is a function returning an array so that the
// package holds no mutable state and the call does not allocate.
func httpMethods() [9]string {
	return [9]string{"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "CONNECT ", "OPTIONS ", "TRACE ", "PATCH "}
}

// Classify decides which protocol the first bytes of a connection belong to.
//
// It decides as soon as the bytes allow: three bytes settle a TLS record
// header, "GET /" settles HTTP/1 at once, while the HTTP/2 preface needs all
// 24 bytes and the PROXY v2 signature all 12 (but a mismatch at any byte
// excludes them). A request line with another method ("PROPFIND /dav
// HTTP/1.1") is HTTP/1 only once its line has ended; until then an
// upper-case token, a space and a target keep HTTP/1 a candidate. None of
// that waiting concerns TLS: CouldBeTLS is false from the first byte that
// is not a TLS record's. While the bytes are a valid prefix of some protocol and too
// short to decide, it returns Unknown and an error wrapping ErrNeedMore, which
// names the candidates. Empty input also returns ErrNeedMore: silence is the
// caller's to judge (it sets Empty when the peer closes or the deadline
// passes). Bytes that fit nothing return (Unknown, nil).
func Classify(b []byte) (Kind, error) {
	var pending uint16 // bit k set: Kind k is still possible
	note := func(k Kind, v verdict) bool {
		if v == maybe {
			pending |= 1 << k
		}
		return v == yes
	}
	if len(b) == 0 {
		return Unknown, fmt.Errorf("%w: no bytes yet", ErrNeedMore)
	}
	if note(TLSHandshake, tlsRecordVerdict(b, true)) {
		return TLSHandshake, nil
	}
	if note(TLSOther, tlsRecordVerdict(b, false)) {
		return TLSOther, nil
	}
	if note(SSLv2Hello, sslv2Verdict(b)) {
		return SSLv2Hello, nil
	}
	if note(HTTP1, httpVerdict(b)) {
		return HTTP1, nil
	}
	if note(HTTP2, prefixVerdict(b, h2Preface)) {
		return HTTP2, nil
	}
	if note(ProxyV1, prefixVerdict(b, "PROXY ")) {
		return ProxyV1, nil
	}
	if note(ProxyV2, prefixVerdict(b, proxyV2Sig)) {
		return ProxyV2, nil
	}
	if note(SSH, prefixVerdict(b, "SSH-")) {
		return SSH, nil
	}
	// Last, so that the fixed signatures above, which also read as an
	// upper-case token ("PROXY ", "SSH-", "PRI "), keep their bytes.
	if note(HTTP1, requestLineVerdict(b)) {
		return HTTP1, nil
	}
	if pending != 0 {
		return Unknown, fmt.Errorf("%w: %d bytes [% x] could still be %s",
			ErrNeedMore, len(b), b, kindList(pending))
	}
	return Unknown, nil
}

// CouldBeTLS says b is, or may still grow into, a TLS record or an
// SSLv2-format ClientHello. Bytes a client sent before it left undecided
// are "not SSL" only when this is false: "GET" is, "16 03" is not yet.
func CouldBeTLS(b []byte) bool {
	return len(b) > 0 && (tlsRecordVerdict(b, true) != no || tlsRecordVerdict(b, false) != no || sslv2Verdict(b) != no)
}

// TLSRecordPrefix says b is the first two bytes of a TLS record header
// and no more: a content type (handshake, alert, change_cipher_spec or
// application_data) and major version 3. Classify cannot name them yet
// (the minor version is the third byte), but none of the other protocols
// it knows begins so: not an SSLv2 hello (its first byte has the high bit
// set), a request line or any text protocol. A client that stops there was starting TLS, which a
// listener that expects plaintext must not relay as its data
// (StalledHello, which also takes a lone 0x16 and SSLv2 headers).
func TLSRecordPrefix(b []byte) bool {
	return len(b) == 2 && (tlsRecordVerdict(b, true) == maybe || tlsRecordVerdict(b, false) == maybe)
}

// StalledHello says b, bytes Classify cannot name yet, begin a ClientHello
// far more likely than anything else, so a client that stops after them
// began a TLS handshake whose hello never came. It decides per length:
//
//   - one byte, 0x16 (a handshake record's content type): it is the
//     control character SYN, which no text protocol begins with; TLS is
//     what sends it first, nearly always.
//   - two bytes, a TLS record's start (TLSRecordPrefix).
//   - three or four bytes of an SSLv2-format ClientHello's header (RFC 5246
//     E.2): a length with the high bit set, at least the 9-byte fixed part,
//     then msg_type 1 (client_hello), and a version byte still undecided.
//
// One or two bytes with the high bit set say too little: UTF-8 text and
// binary protocols (msgpack, protobuf frames) begin so too, and a length
// alone has no signature. They stay undecided.
func StalledHello(b []byte) bool {
	switch len(b) {
	case 1:
		return b[0] == 22
	case 2:
		return TLSRecordPrefix(b)
	case 3, 4:
		return sslv2Verdict(b) == maybe
	}
	return false
}

// ProxyPrefix says whether b is a non-empty prefix, too short to decide,
// of the PROXY v1 signature ("PROXY ") and of the v2 one: a client that
// stops there may have begun a header it never finished.
func ProxyPrefix(b []byte) (v1, v2 bool) {
	if len(b) == 0 {
		return false, false
	}
	return prefixVerdict(b, "PROXY ") == maybe, prefixVerdict(b, proxyV2Sig) == maybe
}

// kindList names the kinds whose bits are set, for the need-more evidence.
func kindList(set uint16) string {
	var names []string
	for k := Unknown; k <= Empty; k++ {
		if set&(1<<k) != 0 {
			names = append(names, k.String())
		}
	}
	return strings.Join(names, " or ")
}

// prefixVerdict compares b with a fixed signature.
func prefixVerdict(b []byte, sig string) verdict {
	n := min(len(b), len(sig))
	if string(b[:n]) != sig[:n] {
		return no
	}
	if n == len(sig) {
		return yes
	}
	return maybe
}

// tlsRecordVerdict checks a TLS record header (RFC 8446 §5.1): content type,
// then protocol major version 3 and minor 0–4 (SSLv3 to TLS 1.3). The length
// is left to the parsers, which can say precisely what is wrong with it.
func tlsRecordVerdict(b []byte, handshake bool) verdict {
	switch ct := b[0]; {
	case handshake && ct == 22:
	case !handshake && (ct == 20 || ct == 21 || ct == 23):
	default:
		return no
	}
	if len(b) < 2 {
		return maybe
	}
	if b[1] != 3 {
		return no
	}
	if len(b) < 3 {
		return maybe
	}
	if b[2] > 4 {
		return no
	}
	return yes
}

// sslv2Verdict checks the SSLv2-compatible ClientHello header (RFC 5246 E.2):
// a two-byte length with the high bit set, msg_type 1, and a version of
// 0x0002 (SSLv2) or 0x03xx (SSLv3 and later).
func sslv2Verdict(b []byte) verdict {
	if b[0]&0x80 == 0 {
		return no
	}
	if len(b) < 3 {
		return maybe
	}
	// msg_type + version + three uint16 lengths is the smallest body.
	if int(b[0]&0x7f)<<8|int(b[1]) < 9 || b[2] != 1 {
		return no
	}
	if len(b) < 4 {
		return maybe
	}
	switch b[3] {
	case 3:
		return yes
	case 0:
		if len(b) < 5 {
			return maybe
		}
		if b[4] == 2 {
			return yes
		}
	}
	return no
}

// httpVerdict matches a standard method, a space and the first byte of the
// request target. Any visible ASCII byte may start a target: '/' for
// origin-form, '*' for asterisk-form, a letter for absolute-form, a letter,
// digit or '[' for CONNECT's authority-form.
func httpVerdict(b []byte) verdict {
	out := no
	for _, m := range httpMethods() {
		switch prefixVerdict(b, m) {
		case maybe:
			out = maybe
		case yes:
			if len(b) == len(m) {
				return maybe
			}
			if c := b[len(m)]; c > ' ' && c < 0x7f {
				return yes
			}
			return no
		}
	}
	return out
}
