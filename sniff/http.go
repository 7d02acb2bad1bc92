package sniff

import (
	"bytes"
	"fmt"
)

// MaxRequestLine is the longest HTTP/1 request line ParseHTTPRequest waits
// for; past it, more bytes cannot help and the request is refused.
const MaxRequestLine = 8192

// ParseHTTPRequest reads the request line (RFC 9112 §3) and the Host header
// from the first bytes of a plaintext connection. It returns an error
// wrapping ErrNeedMore until the request line has ended. The Host header is
// taken from whichever complete header lines are present, so Host may be ""
// when the client has not sent it yet; the caller decides whether to wait for
// "\r\n\r\n". The method may be any token, not only the standard ones, so the
// line a client actually sent can be reported.
func ParseHTTPRequest(b []byte) (*HTTPRequest, error) {
	var req HTTPRequest
	if err := ParseHTTPRequestInto(&req, b); err != nil {
		return nil, err
	}
	r := new(HTTPRequest)
	*r = req
	return r, nil
}

// ParseHTTPRequestInto is ParseHTTPRequest into req, for a caller that
// keeps the request in memory of its own (the listener's epoll path, one
// per connection). req is only meaningful when it returns nil.
func ParseHTTPRequestInto(req *HTTPRequest, b []byte) error {
	eol := bytes.IndexByte(b, '\n')
	if eol < 0 {
		if len(b) > MaxRequestLine {
			return fmt.Errorf("sniff: http request: no end of request line in %d bytes, limit %d: %q",
				len(b), MaxRequestLine, excerpt(b))
		}
		// Refuse a bad method now rather than after waiting for the line end.
		if err := checkMethod(b[:indexOr(b, ' ', len(b))]); err != nil {
			return err
		}
		return fmt.Errorf("%w: http request: request line not ended after %d bytes", ErrNeedMore, len(b))
	}
	if eol > MaxRequestLine {
		return fmt.Errorf("sniff: http request: request line of %d bytes exceeds %d: %q", eol, MaxRequestLine, excerpt(b))
	}
	line := bytes.TrimSuffix(b[:eol], []byte("\r"))
	sp1 := bytes.IndexByte(line, ' ')
	sp2 := bytes.LastIndexByte(line, ' ')
	if sp1 <= 0 || sp2 <= sp1+1 {
		return fmt.Errorf("sniff: http request: request line %q is not \"method target version\"", excerpt(line))
	}
	if err := checkMethod(line[:sp1]); err != nil {
		return err
	}
	for i := sp1 + 1; i < sp2; i++ {
		if c := line[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("sniff: http request: target %q has byte 0x%02x at offset %d", excerpt(line[sp1+1:sp2]), c, i)
		}
	}
	if p := line[sp2+1:]; len(p) != 8 || string(p[:5]) != "HTTP/" || !isDigit(p[5]) || p[6] != '.' || !isDigit(p[7]) {
		return fmt.Errorf("sniff: http request: version %q at offset %d is not HTTP/d.d", excerpt(line[sp2+1:]), sp2+1)
	}
	host, err := hostHeader(b[eol+1:])
	if err != nil {
		return err
	}
	*req = HTTPRequest{Method: known(line[:sp1]), Target: string(line[sp1+1 : sp2]), Proto: known(line[sp2+1:]), Host: host}
	return nil
}

// known is string(b) without an allocation for the methods and versions
// nearly every request has (the listener parses one per plaintext
// connection); any other token is copied.
func known(b []byte) string {
	switch string(b) { // compared in place, not converted
	case "GET":
		return "GET"
	case "POST":
		return "POST"
	case "HEAD":
		return "HEAD"
	case "PUT":
		return "PUT"
	case "HTTP/1.1":
		return "HTTP/1.1"
	case "HTTP/1.0":
		return "HTTP/1.0"
	}
	return string(b)
}

// hostHeader returns the first Host field among the complete header lines.
// Control bytes in its value (a bare CR, say, which RFC 9112 §2.2 forbids)
// make the request malformed rather than leak into logs.
func hostHeader(b []byte) (string, error) {
	for {
		eol := bytes.IndexByte(b, '\n')
		if eol < 0 {
			return "", nil
		}
		line := bytes.TrimSuffix(b[:eol], []byte("\r"))
		if len(line) == 0 {
			return "", nil // end of the header section
		}
		if name, value, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(name, []byte("Host")) {
			value = bytes.Trim(value, " \t")
			for _, c := range value {
				if c < ' ' || c == 0x7f {
					return "", fmt.Errorf("sniff: http request: host header %q has control byte 0x%02x", excerpt(value), c)
				}
			}
			return string(value), nil
		}
		b = b[eol+1:]
	}
}

// checkMethod insists on an HTTP token (RFC 9110 §5.6.2).
func checkMethod(m []byte) error {
	for i, c := range m {
		if !isTokenChar(c) {
			return fmt.Errorf("sniff: http request: method %q has byte 0x%02x at offset %d", excerpt(m), c, i)
		}
	}
	return nil
}

func isTokenChar(c byte) bool {
	return isAlnum(c) || bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), c) >= 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func indexOr(b []byte, c byte, def int) int {
	if i := bytes.IndexByte(b, c); i >= 0 {
		return i
	}
	return def
}

// excerpt bounds the evidence quoted in an error.
func excerpt(b []byte) []byte {
	const n = 64
	if len(b) > n {
		return b[:n]
	}
	return b
}
