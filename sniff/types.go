// Package sniff classifies the first bytes of a connection and parses what it
// finds there (TLS ClientHello, HTTP/1.x request line, PROXY header). Every
// function is pure: bytes in, facts out, no I/O, no clock.
package sniff

import "errors"

// Kind is what the first bytes of a connection look like.
type Kind uint8

// The kinds a connection's first bytes can be classified as.
const (
	Unknown      Kind = iota // bytes seen, none of the known protocols
	TLSHandshake             // TLS record of type handshake (22), version 0x0300–0x0304
	SSLv2Hello               // SSLv2-compatible ClientHello (0x80 len, msg type 1)
	TLSOther                 // another TLS record type: change_cipher_spec, alert, application_data
	HTTP1                    // HTTP/1.x request line: a standard method, or any upper-case token once the line has ended
	HTTP2                    // HTTP/2 connection preface "PRI * HTTP/2.0"
	ProxyV1                  // PROXY protocol v1 text header "PROXY "
	ProxyV2                  // PROXY protocol v2 binary signature
	SSH                      // "SSH-" banner
	Empty                    // no bytes at all (client closed or silent)
)

// String returns the stable, lower-case name used in logs and JSON.
func (k Kind) String() string {
	switch k {
	case TLSHandshake:
		return "tls"
	case SSLv2Hello:
		return "sslv2"
	case TLSOther:
		return "tls_record"
	case HTTP1:
		return "http"
	case HTTP2:
		return "http2"
	case ProxyV1:
		return "proxy_v1"
	case ProxyV2:
		return "proxy_v2"
	case SSH:
		return "ssh"
	case Empty:
		return "empty"
	default:
		return "unknown"
	}
}

// IsTLS reports whether the kind is some form of TLS/SSL.
func (k Kind) IsTLS() bool { return k == TLSHandshake || k == SSLv2Hello || k == TLSOther }

// ErrNeedMore says the bytes so far are a valid prefix but too short to decide.
// Callers read more and call again; at the peek deadline they give up.
var ErrNeedMore = errors.New("sniff: need more bytes")

// ClientHello is what tlsgate learns from a client's first handshake message.
// Lists keep wire order and GREASE values; helpers filter them where a
// fingerprint needs that.
type ClientHello struct {
	RecordVersion       uint16   // version field of the first record header
	LegacyVersion       uint16   // client_version / legacy_version
	SupportedVersions   []uint16 // extension 43, wire order, may include GREASE
	CipherSuites        []uint16
	Compression         []uint8
	ServerName          string   // SNI host_name, "" when absent
	ALPN                []string // extension 16
	SupportedGroups     []uint16 // extension 10
	KeyShareGroups      []uint16 // extension 51 (group of each share)
	SignatureAlgorithms []uint16 // extension 13, wire order
	ECPointFormats      []uint8  // extension 11
	Extensions          []uint16 // every extension type, wire order, GREASE included
	GREASE              bool     // any GREASE value seen anywhere
	HandshakeLen        int      // length of the handshake message body
	Records             int      // TLS records the message spanned
	WireLen             int      // bytes of the stream consumed, record headers included
	// Skipped lists the warning alerts before or between the hello's
	// records, which crypto/tls's server drops and so does the parser;
	// WireLen counts them.
	Skipped []SkippedAlert
}

// SSLv2ClientHello is the old SSLv2-compatible hello (RFC 5246 appendix E.2).
type SSLv2ClientHello struct {
	Version     uint16   // highest version the client offers (0x0002 for pure SSLv2)
	CipherSpecs []uint32 // 3-byte cipher specs
	WireLen     int
}

// HTTPRequest is the request line and Host header of an HTTP/1.x request.
type HTTPRequest struct {
	Method string
	Target string // as sent: origin-form, absolute-form, authority-form (CONNECT) or "*"
	Proto  string // "HTTP/1.1"
	Host   string // Host header, "" when absent or not yet seen
}
