package probe

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/tlsgate/tlsgate/sniff"
)

// What a server's first bytes turn out to be.
const (
	replyServerHello = "server_hello" // a TLS ServerHello
	replyHRR         = "hello_retry"  // a TLS 1.3 HelloRetryRequest
	replyAlert       = "alert"        // a plaintext TLS alert record
	replyTLSOther    = "tls_other"    // another TLS record, or a malformed one
	replyHTTP        = "http"         // an HTTP response
	replySSH         = "ssh"          // an SSH identification string
	replyGreeting    = "greeting"     // a "220" greeting: SMTP or FTP
	replyIMAP        = "imap"         // "* OK"
	replyPOP3        = "pop3"         // "+OK"
	replyText        = "text"         // some other line of text
	replyBinary      = "binary"       // bytes that fit nothing
	replyStalled     = "tls_stalled"  // a TLS record that started and stopped
)

// errNeedMore says the reply is a valid prefix that needs more bytes.
var errNeedMore = errors.New("probe: need more bytes")

// maxReplyRecord is the longest record parseReply waits for: TLSCiphertext
// may be 2^14+256 bytes (RFC 8446 §5.2); anything longer is not TLS.
const maxReplyRecord = 1<<14 + 256

// maxReplyLine is how much text parseReply waits for before it judges a
// reply without a newline.
const maxReplyLine = 512

// hrrRandom marks a ServerHello that is a HelloRetryRequest (RFC 8446 §4.1.3).
const hrrRandom = "\xcf\x21\xad\x74\xe5\x9a\x61\x11\xbe\x1d\x8c\x02\x1e\x65\xb8\x91" +
	"\xc2\xa2\x11\x16\x7a\xbb\x8c\x5e\x07\x9e\x09\xe2\xc8\xa8\x33\x9c"

// reply is what a server answered, as far as its first record or line shows.
type reply struct {
	kind       string
	version    uint16 // selected version: supported_versions, else legacy_version
	legacy     uint16 // ServerHello legacy_version
	cipher     uint16
	alertLevel int
	alert      int    // alert description, -1 when none
	line       string // first line of a text reply, without CR LF
	detail     string // what made a TLS record "other"
}

// parseReply judges the first bytes a server sent. Until the first TLS record
// or the first text line is complete it returns errNeedMore, unless atEOF
// says no more bytes will come; then it judges what is there.
func parseReply(b []byte, atEOF bool) (reply, error) {
	r := reply{alert: -1}
	if len(b) == 0 {
		if atEOF {
			return r, fmt.Errorf("probe: no reply bytes")
		}
		return r, errNeedMore
	}
	if b[0] >= 20 && b[0] <= 23 && (len(b) < 2 || b[1] == 3) {
		return parseTLSReply(b, atEOF)
	}
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 && len(b) < maxReplyLine && !atEOF {
		return r, errNeedMore
	}
	line := b
	if nl >= 0 {
		line = b[:nl]
	}
	line = bytes.TrimRight(line[:min(len(line), maxReplyLine)], "\r")
	r.line = string(line)
	r.kind = textKind(line)
	if r.kind == replyBinary {
		r.line = sniff.HexDump(b, 32)
	}
	return r, nil
}

// textKind names a line of text by the protocol greetings it could be.
func textKind(line []byte) string {
	for _, c := range line {
		if (c < 0x20 || c > 0x7e) && c != '\t' {
			return replyBinary
		}
	}
	s := string(line)
	switch {
	case strings.HasPrefix(s, "HTTP/"):
		return replyHTTP
	case strings.HasPrefix(s, "SSH-"):
		return replySSH
	case strings.HasPrefix(s, "220 ") || strings.HasPrefix(s, "220-") || s == "220":
		return replyGreeting
	case strings.HasPrefix(s, "* OK"):
		return replyIMAP
	case strings.HasPrefix(s, "+OK"):
		return replyPOP3
	case s == "":
		return replyBinary
	}
	return replyText
}

// parseTLSReply reads the first record (RFC 8446 §5.1) of a TLS reply.
func parseTLSReply(b []byte, atEOF bool) (reply, error) {
	r := reply{alert: -1, kind: replyTLSOther}
	if len(b) < 5 {
		if atEOF {
			r.detail = fmt.Sprintf("record header cut after %d bytes [% x]", len(b), b)
			return r, nil
		}
		return r, errNeedMore
	}
	typ, n := b[0], int(b[3])<<8|int(b[4])
	if n > maxReplyRecord {
		r.detail = fmt.Sprintf("record length %d exceeds %d", n, maxReplyRecord)
		return r, nil
	}
	// Servers such as OpenSSL pack ServerHello, Certificate and the rest of
	// the flight into one record: a whole ServerHello settles the reply even
	// when the rest of its record is still on the way (or never comes).
	if typ == 22 && len(b) >= 9 && b[5] == 2 {
		if msgLen := int(b[6])<<16 | int(b[7])<<8 | int(b[8]); 4+msgLen <= n && len(b) >= 9+msgLen {
			return parseServerHello(b[5 : 9+msgLen])
		}
	}
	if len(b) < 5+n {
		if !atEOF {
			return r, errNeedMore
		}
		r.detail = fmt.Sprintf("record of type %d declares %d bytes, only %d arrived", typ, n, len(b)-5)
		return r, nil
	}
	body := b[5 : 5+n]
	switch typ {
	case 21:
		if level, desc, ok := sniff.ParseAlert(b[:5+n]); ok {
			r.kind, r.alertLevel, r.alert = replyAlert, int(level), int(desc)
			return r, nil
		}
		r.detail = fmt.Sprintf("alert record of %d bytes (encrypted or malformed)", n)
	case 22:
		return parseServerHello(body)
	case 20:
		r.detail = "change_cipher_spec before any ServerHello"
	case 23:
		r.detail = fmt.Sprintf("application_data record of %d bytes before any ServerHello", n)
	}
	return r, nil
}

// parseServerHello reads a ServerHello (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3)
// from the body of a handshake record. A message longer than the record is
// read as far as the record goes: version and cipher come early.
func parseServerHello(body []byte) (reply, error) {
	r := reply{alert: -1, kind: replyTLSOther}
	if len(body) < 4 {
		r.detail = fmt.Sprintf("handshake record of %d bytes", len(body))
		return r, nil
	}
	if body[0] != 2 {
		r.detail = fmt.Sprintf("handshake message type %d where a ServerHello (2) belongs", body[0])
		return r, nil
	}
	msgLen := int(body[1])<<16 | int(body[2])<<8 | int(body[3])
	m := body[4:]
	if len(m) > msgLen {
		m = m[:msgLen]
	}
	// legacy_version(2) random(32) session_id<1> cipher_suite(2) compression(1)
	if len(m) < 35 || len(m) < 35+int(m[34])+3 {
		r.detail = fmt.Sprintf("ServerHello cut short at %d bytes", len(m))
		return r, nil
	}
	if m[0] != 3 {
		// Every SSL 3 and TLS version is 3.x (RFC 8446 §4.1.3 fixes
		// legacy_version at 0x0303): anything else is bytes shaped like a
		// ServerHello header, not a server's answer to read a version from.
		r.detail = fmt.Sprintf("ServerHello with legacy_version %#04x, not an SSL 3 or TLS version (03 xx)", uint16(m[0])<<8|uint16(m[1]))
		return r, nil
	}
	r.legacy = uint16(m[0])<<8 | uint16(m[1])
	r.version = r.legacy
	sid := int(m[34])
	p := 35 + sid
	r.cipher = uint16(m[p])<<8 | uint16(m[p+1])
	r.kind = replyServerHello
	if string(m[2:34]) == hrrRandom {
		r.kind = replyHRR
	}
	p += 3
	if len(m) < p+2 {
		return r, nil // no extensions: TLS 1.2 and older may omit them
	}
	extEnd := min(len(m), p+2+(int(m[p])<<8|int(m[p+1])))
	for p += 2; p+4 <= extEnd; {
		typ, n := int(m[p])<<8|int(m[p+1]), int(m[p+2])<<8|int(m[p+3])
		p += 4
		if p+n > extEnd {
			break
		}
		if typ == 43 && n == 2 { // supported_versions (RFC 8446 §4.2.1)
			r.version = uint16(m[p])<<8 | uint16(m[p+1])
		}
		p += n
	}
	return r, nil
}

// recordWalk summarises a server's byte stream as TLS records: how many came
// whole, and how the last one was cut. Step 9 uses it to tell a flight that
// stopped mid-record from one that never started.
type recordWalk struct {
	complete     int  // whole records
	serverHello  bool // the first record carries a ServerHello
	partial      bool // the stream ends inside a record
	partialType  byte
	partialIndex int // 1-based number of the cut record
	declared     int // the cut record's length field
	got          int // body bytes of the cut record that arrived
	garbage      int // stream offset where bytes stop looking like records, -1 when never
}

// walkRecords walks b as a sequence of TLS records.
func walkRecords(b []byte) recordWalk {
	w := recordWalk{garbage: -1}
	for pos := 0; pos < len(b); {
		if len(b)-pos < 5 {
			w.partial, w.partialType, w.partialIndex, w.got = true, b[pos], w.complete+1, 0
			w.declared = -1 // header itself is cut
			return w
		}
		typ, n := b[pos], int(b[pos+3])<<8|int(b[pos+4])
		if typ < 20 || typ > 23 || b[pos+1] != 3 || n > maxReplyRecord {
			w.garbage = pos
			return w
		}
		if len(b)-pos-5 < n {
			w.partial, w.partialType, w.partialIndex = true, typ, w.complete+1
			w.declared, w.got = n, len(b)-pos-5
			return w
		}
		if w.complete == 0 && typ == 22 && n > 0 && b[pos+5] == 2 {
			w.serverHello = true
		}
		w.complete++
		pos += 5 + n
	}
	return w
}
