package httpflow

import (
	"bytes"
	"errors"
	"fmt"
)

// MaxHeadBytes caps a message head (start line, fields and the empty line
// that ends them). Past it the tracker stops with ErrHeadTooLarge: a peer
// that never ends its head must not make the tracker grow without bound.
const MaxHeadBytes = 64 << 10

// ErrIncomplete reports that the bytes end before the head does; the caller
// should retry with more bytes.
var ErrIncomplete = errors.New("httpflow: incomplete head")

// ErrHeadTooLarge reports a head with no empty line within MaxHeadBytes.
var ErrHeadTooLarge = errors.New("httpflow: head too large")

// ErrMalformed reports bytes that do not follow HTTP/1.1 message framing
// (RFC 9112): a bad start line, field line, length or chunk.
var ErrMalformed = errors.New("httpflow: malformed HTTP/1.1 framing")

// head holds what framing needs from a parsed head. The byte slices alias
// the parsed bytes and are copied only for exchanges that are kept.
type head struct {
	method, target, proto []byte // request line
	status                int    // status line
	reason                []byte
	host                  []byte
	contentLength         int64 // -1 when absent
	te                    bool  // a Transfer-Encoding field is present
	chunked               bool  // chunked is the final transfer coding
	chunkedEarly          bool  // chunked appears before the final coding
	upgrade               bool  // an Upgrade field with a value is present
}

// headEnd finds the empty line that ends a head, accepting CRLF and bare LF
// line ends (RFC 9112 §2.2 lets a recipient accept bare LF). It scans from
// `from`, which must be a position the previous call returned as resume, so
// feeding a head one byte at a time stays linear. end is the length of the
// head including the empty line, or 0 when not found yet.
func headEnd(b []byte, from int) (end, resume int) {
	i := from
	for {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return 0, len(b)
		}
		p := i + j
		switch {
		case p+1 >= len(b):
			return 0, p
		case b[p+1] == '\n':
			return p + 2, 0
		case b[p+1] == '\r':
			if p+2 >= len(b) {
				return 0, p
			}
			if b[p+2] == '\n' {
				return p + 3, 0
			}
		}
		i = p + 1
	}
}

// ParseResponseHead parses the status line and field lines of a response
// head at the start of b. It returns ErrIncomplete while the head has not
// ended (unless the bytes so far are already malformed), and headerLen, the
// number of bytes up to and including the empty line, on success.
func ParseResponseHead(b []byte) (status int, reason string, headerLen int, err error) {
	end, _ := headEnd(b, 0)
	if end == 0 || end > MaxHeadBytes {
		capped := b[:min(len(b), MaxHeadBytes)]
		if bad := startPrefixError(capped, false); bad != nil {
			return 0, "", 0, bad
		}
		if eol := bytes.IndexByte(capped, '\n'); eol >= 0 {
			if _, err := parseStartLine(trimCR(b[:eol]), false); err != nil {
				return 0, "", 0, err
			}
		}
		if end > MaxHeadBytes || len(b) >= MaxHeadBytes {
			return 0, "", 0, fmt.Errorf("%w: no empty line in the first %d bytes", ErrHeadTooLarge, MaxHeadBytes)
		}
		return 0, "", 0, fmt.Errorf("%w: no empty line in %d bytes", ErrIncomplete, len(b))
	}
	h, err := parseHead(b[:end], false)
	if err != nil {
		return 0, "", 0, err
	}
	return h.status, string(h.reason), end, nil
}

// startPrefixError checks the first bytes of a start line before the line
// has ended, so that a stream which is not HTTP at all (a TLS record, say)
// is refused at once instead of after MaxHeadBytes. It looks only at bytes
// whose verdict cannot change with more input, and its message depends only
// on the stream, never on how the stream was chunked. It stops at CR or LF
// because the start line's full check, which sees the line without its
// line end, must reach the same verdict.
func startPrefixError(b []byte, isReq bool) error {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	if isReq {
		for i, c := range b {
			if c == ' ' {
				if i == 0 {
					return fmt.Errorf("%w: request line starts with a space", ErrMalformed)
				}
				return nil
			}
			if !isTchar(c) {
				return fmt.Errorf("%w: byte 0x%02x at offset %d of the request method", ErrMalformed, c, i)
			}
		}
		return nil
	}
	const prefix = "HTTP/"
	for i := 0; i < len(b) && i < len(prefix); i++ {
		if b[i] != prefix[i] {
			return fmt.Errorf("%w: byte 0x%02x at offset %d of a status line that must start with %q", ErrMalformed, b[i], i, prefix)
		}
	}
	return nil
}

// parseHead parses a complete head: start line, field lines and the empty
// line. Only the fields that decide framing and display are kept.
func parseHead(b []byte, isReq bool) (head, error) {
	eol := bytes.IndexByte(b, '\n')
	h, err := parseStartLine(trimCR(b[:eol]), isReq)
	if err != nil {
		return h, err
	}
	h.contentLength = -1
	var last []byte // name of the previous field, for obs-fold
	var lastCoding []byte
	rest := b[eol+1:]
	for {
		eol = bytes.IndexByte(rest, '\n')
		if eol < 0 {
			return h, fmt.Errorf("%w: head does not end with an empty line", ErrMalformed)
		}
		line := trimCR(rest[:eol])
		rest = rest[eol+1:]
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			// RFC 9112 §5.2: obs-fold is whitespace in a value, so it is
			// harmless except inside a framing field, where a fold would
			// hide a second value from one parser but not another.
			switch {
			case last == nil:
				return h, fmt.Errorf("%w: whitespace before the first field line: %q", ErrMalformed, excerpt(line))
			case fieldIs(last, "content-length"), fieldIs(last, "transfer-encoding"):
				return h, fmt.Errorf("%w: folded %s field: %q", ErrMalformed, last, excerpt(line))
			}
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return h, fmt.Errorf("%w: field line without a name and colon: %q", ErrMalformed, excerpt(line))
		}
		name := line[:colon]
		for i, c := range name {
			if !isTchar(c) {
				return h, fmt.Errorf("%w: byte 0x%02x at offset %d of field name %q", ErrMalformed, c, i, excerpt(name))
			}
		}
		last = name
		value := trimOWS(line[colon+1:])
		switch {
		case fieldIs(name, "content-length"):
			n, err := parseContentLength(value)
			if err != nil {
				return h, err
			}
			if h.contentLength >= 0 && h.contentLength != n {
				return h, fmt.Errorf("%w: conflicting Content-Length %d and %d", ErrMalformed, h.contentLength, n)
			}
			h.contentLength = n
		case fieldIs(name, "transfer-encoding"):
			h.te = true
			for coding := range bytes.SplitSeq(value, []byte(",")) {
				coding = trimOWS(coding)
				if i := bytes.IndexByte(coding, ';'); i >= 0 {
					coding = trimOWS(coding[:i])
				}
				if len(coding) == 0 {
					continue
				}
				if lastCoding != nil && fieldIs(lastCoding, "chunked") {
					h.chunkedEarly = true
				}
				lastCoding = coding
			}
			h.chunked = lastCoding != nil && fieldIs(lastCoding, "chunked")
		case fieldIs(name, "host"):
			if h.host == nil {
				h.host = value
			}
		case fieldIs(name, "upgrade"):
			h.upgrade = h.upgrade || len(value) > 0
		}
	}
	return h, nil
}

// parseStartLine parses a request line (RFC 9112 §3) or a status line
// (§4). Only HTTP/1.x is accepted: an HTTP/2 preface is not this tracker's
// business.
func parseStartLine(line []byte, isReq bool) (head, error) {
	var h head
	if err := startPrefixError(line, isReq); err != nil {
		return h, err
	}
	if isReq {
		sp1 := bytes.IndexByte(line, ' ')
		sp2 := bytes.LastIndexByte(line, ' ')
		if sp1 <= 0 || sp2 <= sp1+1 {
			return h, fmt.Errorf("%w: request line %q is not \"method target version\"", ErrMalformed, excerpt(line))
		}
		h.method, h.target, h.proto = line[:sp1], line[sp1+1:sp2], line[sp2+1:]
		for i, c := range h.target {
			if c <= ' ' || c == 0x7f {
				return h, fmt.Errorf("%w: byte 0x%02x at offset %d of request target %q", ErrMalformed, c, i, excerpt(h.target))
			}
		}
		if !isHTTP1(h.proto) {
			return h, fmt.Errorf("%w: version %q in request line %q is not HTTP/1.x", ErrMalformed, excerpt(h.proto), excerpt(line))
		}
		return h, nil
	}
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 || !isHTTP1(line[:sp]) {
		return h, fmt.Errorf("%w: status line %q does not start with HTTP/1.x and a space", ErrMalformed, excerpt(line))
	}
	h.proto = line[:sp]
	code := line[sp+1:]
	if len(code) < 3 || (len(code) > 3 && code[3] != ' ') ||
		!isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) || code[0] == '0' {
		return h, fmt.Errorf("%w: status line %q has no three-digit status code from 100 to 999", ErrMalformed, excerpt(line))
	}
	h.status = int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	if len(code) > 3 {
		h.reason = code[4:]
	}
	return h, nil
}

// parseContentLength accepts a list of identical decimal values, which RFC
// 9112 §6.3 allows a recipient to treat as one, and refuses anything else.
func parseContentLength(v []byte) (int64, error) {
	n := int64(-1)
	for part := range bytes.SplitSeq(v, []byte(",")) {
		part = trimOWS(part)
		if len(part) == 0 {
			return 0, fmt.Errorf("%w: empty Content-Length value in %q", ErrMalformed, excerpt(v))
		}
		var x int64
		for _, c := range part {
			if !isDigit(c) {
				return 0, fmt.Errorf("%w: Content-Length %q is not a decimal number", ErrMalformed, excerpt(v))
			}
			if x > (1<<62)/10 {
				return 0, fmt.Errorf("%w: Content-Length %q is too large", ErrMalformed, excerpt(v))
			}
			x = x*10 + int64(c-'0')
		}
		if n >= 0 && n != x {
			return 0, fmt.Errorf("%w: conflicting Content-Length values in %q", ErrMalformed, excerpt(v))
		}
		n = x
	}
	return n, nil
}

func isHTTP1(p []byte) bool {
	return len(p) == 8 && string(p[:7]) == "HTTP/1." && isDigit(p[7])
}

func fieldIs(name []byte, lower string) bool {
	return len(name) == len(lower) && bytes.EqualFold(name, []byte(lower))
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isTchar reports whether c may appear in a token (RFC 9110 §5.6.2).
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', isDigit(c):
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// excerpt bounds the evidence an error quotes, so a 64 KiB line does not
// end up in a log message.
func excerpt(b []byte) []byte {
	const max = 64
	if len(b) > max {
		return b[:max]
	}
	return b
}
