package faults

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// BlockPage is a complete HTTP/1.1 response (head and body, Connection:
// close) that looks like a WAF's block page. template is one of Templates();
// an unknown one gives the generic page. random supplies the support or
// reference ID, so a seeded rule gives the same page every time.
func BlockPage(status int, template string, random io.Reader) []byte {
	if http.StatusText(status) == "" {
		status = http.StatusForbidden
	}
	id := func(n int) string { return digits(random, n) }
	var headers []string
	var body string
	switch template {
	case TemplateF5ASM:
		// The wording of BIG-IP ASM's default blocking page, as users paste it.
		headers = []string{"Cache-Control: no-cache", "Pragma: no-cache"}
		body = "<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. " +
			"Please consult with your administrator.<br><br>Your support ID is: " + id(19) +
			"<br><br><a href='javascript:history.back();'>[Go Back]</a></body></html>"
	case TemplateAWSWAF:
		headers = []string{"Server: awselb/2.0"}
		body = fmt.Sprintf("<html>\r\n<head><title>%[1]d %[2]s</title></head>\r\n<body>\r\n<center><h1>%[1]d %[2]s</h1></center>\r\n</body>\r\n</html>\r\n",
			status, http.StatusText(status))
	case TemplateCloudflare:
		ray := hexDigits(random, 16)
		headers = []string{"Server: cloudflare", "CF-RAY: " + ray + "-LAB"}
		body = "<!DOCTYPE html>\n<html lang=\"en-US\"><head><title>Attention Required! | Cloudflare</title></head>\n<body>\n" +
			"<h1>Sorry, you have been blocked</h1>\n<h2>You are unable to access this site</h2>\n" +
			"<p>This website is using a security service to protect itself from online attacks. " +
			"The action you just performed triggered the security solution.</p>\n" +
			"<p>Cloudflare Ray ID: <strong>" + ray + "</strong></p>\n</body></html>\n"
	case TemplateAkamai:
		headers = []string{"Server: AkamaiGHost", "Mime-Version: 1.0"}
		ref := fmt.Sprintf("18&#46;%s&#46;%s&#46;%s", hexDigits(random, 8), digits(random, 10), hexDigits(random, 8))
		body = "<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n \n" +
			"You don't have permission to access this resource on this server.<P>\nReference&#32;&#35;" + ref + "\n</BODY>\n</HTML>\n"
	default:
		body = fmt.Sprintf("<html><head><title>%[1]d %[2]s</title></head><body><h1>%[1]d %[2]s</h1>"+
			"<p>The request was blocked by a security policy.</p><p>Reference: %[3]s</p></body></html>\n",
			status, http.StatusText(status), id(12))
	}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		headers = append(headers, "Retry-After: 60")
	}
	return response(status, "text/html; charset=utf-8", headers, body)
}

// PlaintextReply is a plain HTTP response for a TLS port, as a captive
// portal, a proxy error page or a misrouted listener sends it. The client,
// expecting a ServerHello, reports "wrong version number". Redirects point
// at a portal login page; 511 is the captive-portal status (RFC 6585).
func PlaintextReply(status int) []byte {
	if http.StatusText(status) == "" {
		status = http.StatusForbidden
	}
	const portal = "http://portal.lab.test/login"
	var headers []string
	var body string
	switch {
	case status >= 300 && status < 400:
		headers = []string{"Location: " + portal}
		body = fmt.Sprintf("<html><body><a href=%q>Sign in to the network</a></body></html>\n", portal)
	case status == http.StatusNetworkAuthenticationRequired:
		body = fmt.Sprintf("<html><head><title>Network Authentication Required</title>"+
			"<meta http-equiv=\"refresh\" content=\"0; url=%s\"></head>"+
			"<body><p>You need to <a href=%q>sign in</a> to use this network.</p></body></html>\n", portal, portal)
	default:
		body = fmt.Sprintf("<html><head><title>%[1]d %[2]s</title></head><body><h1>%[1]d %[2]s</h1></body></html>\n",
			status, http.StatusText(status))
	}
	return response(status, "text/html", headers, body)
}

// response assembles an HTTP/1.1 response with Content-Length and
// Connection: close.
func response(status int, ctype string, headers []string, body string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	fmt.Fprintf(&b, "Content-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n", ctype, len(body))
	for _, h := range headers {
		b.WriteString(h)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(body)
	return b.Bytes()
}

// RewriteHeaders rewrites the head of an HTTP/1.x response at the start of
// resp: header fields named in strip are removed (any case, with their
// continuation lines) and the "Name: value" lines of add are appended. The
// body and anything after the head are kept as they are. complete is false
// when resp does not yet hold the whole head; the caller reads more. Bytes
// that are not an HTTP response come back unchanged.
func RewriteHeaders(resp []byte, strip, add []string) (out []byte, complete bool) {
	out, complete, _ = rewriteHead(resp, strip, add)
	return out, complete
}

// rewriteHead is RewriteHeaders that also reports whether the head changed:
// a field was stripped or a line added. A rewrite rule fires only then.
func rewriteHead(resp []byte, strip, add []string) (out []byte, complete, changed bool) {
	out, complete, isHead := editFields(resp, func(_ *bytes.Buffer, name, _ string) bool {
		for _, s := range strip {
			if strings.EqualFold(name, s) {
				changed = true
				return false
			}
		}
		return true
	}, func(b *bytes.Buffer) {
		for _, a := range add {
			b.WriteString(a)
			b.WriteString("\r\n")
		}
	})
	return out, complete, isHead && complete && (changed || len(add) > 0)
}

// editFields rebuilds the HTTP/1.x response head at the start of resp
// field by field, for rewrite and http_date alike: a field line, with its
// obs-fold continuations, stays when keep says so (keep gets its trimmed
// name and raw value, and may write a replacement into b first); more then
// writes lines after the last field. Bytes that are not a response come
// back unchanged and complete, with isHead false; complete is false while
// resp does not yet hold the whole head.
func editFields(resp []byte, keep func(b *bytes.Buffer, name, value string) bool, more func(b *bytes.Buffer)) (out []byte, complete, isHead bool) {
	if !bytes.HasPrefix(resp, []byte("HTTP/")) {
		if len(resp) < 5 && bytes.HasPrefix([]byte("HTTP/"), resp) {
			return resp, false, false
		}
		return resp, true, false
	}
	end := bytes.Index(resp, []byte("\r\n\r\n"))
	if end < 0 {
		return resp, false, true
	}
	lines := strings.Split(string(resp[:end]), "\r\n")
	var b bytes.Buffer
	b.WriteString(lines[0])
	b.WriteString("\r\n")
	dropping := false
	for _, l := range lines[1:] {
		if l != "" && (l[0] == ' ' || l[0] == '\t') { // obs-fold continuation
			if !dropping {
				b.WriteString(l)
				b.WriteString("\r\n")
			}
			continue
		}
		name, value, _ := strings.Cut(l, ":")
		dropping = !keep(&b, strings.TrimSpace(name), value)
		if !dropping {
			b.WriteString(l)
			b.WriteString("\r\n")
		}
	}
	more(&b)
	b.WriteString("\r\n")
	b.Write(resp[end+4:])
	return b.Bytes(), true, true
}

// digits returns n decimal digits drawn from random (zeros if it runs dry).
func digits(random io.Reader, n int) string {
	return pickChars(random, n, "0123456789")
}

// hexDigits returns n lower-case hex digits drawn from random.
func hexDigits(random io.Reader, n int) string {
	return pickChars(random, n, "0123456789abcdef")
}

func pickChars(random io.Reader, n int, alphabet string) string {
	buf := make([]byte, n)
	if random != nil {
		_, _ = io.ReadFull(random, buf)
	}
	for i, c := range buf {
		buf[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(buf)
}
