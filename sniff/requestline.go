package sniff

import "bytes"

// maxMethodLen bounds an extension method. The longest registered one
// (UPDATEREDIRECTREF, RFC 4437) has 17 bytes; 32 leaves room for private
// ones without letting any long upper-case text keep HTTP/1 a candidate.
const maxMethodLen = 32

// requestLineVerdict recognises an HTTP/1.x request line whatever its
// method (RFC 9112 §3: method SP request-target SP HTTP-version CRLF, the
// method a token, RFC 9110 §9.1), for the methods httpVerdict does not
// know: WebDAV's PROPFIND or MKCOL (RFC 4918), REPORT, MKCALENDAR, PURGE …
//
// Only the whole line proves it, so a prefix is maybe. The method must
// begin with an upper-case letter: methods are case-sensitive and every
// registered one is upper-case, and lower-case text ("hello") should not
// wait for a line end to be called unknown. PRI is excluded: RFC 9113
// §3.4 reserves it for the HTTP/2 preface.
func requestLineVerdict(b []byte) verdict {
	if b[0] < 'A' || b[0] > 'Z' {
		return no
	}
	// A line end past MaxRequestLine does not count: its prefix was
	// already refused, and a decision must not change with more bytes.
	b = b[:min(len(b), MaxRequestLine+1)]
	m := 0
	for m < len(b) && isTokenChar(b[m]) {
		m++
	}
	switch {
	case m > maxMethodLen:
		return no
	case m == len(b):
		return maybe
	case b[m] != ' ' || string(b[:m]) == "PRI":
		return no
	}
	rest := b[m+1:]
	t := 0
	for t < len(rest) && rest[t] > ' ' && rest[t] < 0x7f {
		t++
	}
	switch {
	case t == len(rest):
		return withinLine(b)
	case t == 0 || rest[t] != ' ':
		return no
	}
	return versionVerdict(b, rest[t+1:])
}

// versionVerdict checks what follows the target: "HTTP/1." and a digit,
// then CRLF or a bare LF (RFC 9112 §2.2 lets a recipient accept one).
// HTTP/2.0 here is the preface's line, and HTTP/0.9 has no version.
func versionVerdict(line, v []byte) verdict {
	const want = "HTTP/1."
	n := min(len(v), len(want))
	if !bytes.Equal(v[:n], []byte(want[:n])) {
		return no
	}
	if len(v) <= len(want) {
		return withinLine(line)
	}
	if !isDigit(v[len(want)]) {
		return no
	}
	switch tail := v[len(want)+1:]; {
	case len(tail) == 0, len(tail) == 1 && tail[0] == '\r':
		return withinLine(line)
	case tail[0] == '\n', tail[0] == '\r' && tail[1] == '\n':
		return yes
	}
	return no
}

// withinLine keeps an unended line a candidate only while its end could
// still come within MaxRequestLine, where ParseHTTPRequest gives up too.
func withinLine(b []byte) verdict {
	if len(b) > MaxRequestLine {
		return no
	}
	return maybe
}
