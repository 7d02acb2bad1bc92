package faults

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
)

// bodyCap bounds how much of a response body a body rewrite buffers; a
// longer body passes unchanged (its head is still rewritten).
const bodyCap = 1 << 20

// requestMethod is what a body rewrite learns from the client side: the
// first request's method. A response to HEAD announces a body it does not
// carry, so waiting for that body would hang the client.
type requestMethod struct {
	mu     sync.Mutex
	line   []byte // the first request line so far
	method string // "" until the line is complete
}

// watchMethod is a body rewrite's filter on the client's side: it passes
// every byte at once and notes the first request's method.
type watchMethod struct {
	next sink
	st   *requestMethod
}

func (w *watchMethod) Write(p []byte) (int, error) {
	w.st.mu.Lock()
	if w.st.method == "" && len(w.st.line) < rewriteCap {
		w.st.line = append(w.st.line, p...)
		if i := bytes.IndexByte(w.st.line, '\n'); i >= 0 {
			m, _, _ := strings.Cut(string(w.st.line[:i]), " ")
			w.st.method, w.st.line = strings.ToUpper(strings.TrimSpace(m)), nil
		}
	}
	w.st.mu.Unlock()
	return w.next.Write(p)
}

func (w *watchMethod) End(fin bool) error { return w.next.End(fin) }

func (st *requestMethod) get() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.method
}

// rewriteBody is a rewrite rule with body_find: it edits the first HTTP
// response's head as rewrite does and replaces body_find with
// body_replace in its body, fixing the framing (Content-Length, or one
// chunk for a chunked body). It holds the response until its body is
// complete (by Content-Length, the last chunk, or the server's close for
// a body without either), up to bodyCap. Interim 1xx heads pass on; a 101
// ends the rewriting, as the stream is no longer HTTP. A compressed body,
// an answer to HEAD and a 204 or 304 keep their bodies, and only their
// heads change.
type rewriteBody struct {
	next   sink
	k      *ctl
	r      *Rule
	method *requestMethod

	mu   sync.Mutex
	buf  []byte
	done bool
}

func (w *rewriteBody) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return w.next.Write(p)
	}
	w.buf = append(w.buf, p...)
	if err := w.step(false); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (w *rewriteBody) End(fin bool) error {
	w.mu.Lock()
	err := w.step(true)
	w.done = true
	w.mu.Unlock()
	if err != nil {
		return err
	}
	return w.next.End(fin)
}

// step writes on what buf holds that is decided; atEnd says no more bytes
// will come, so a body without a length is complete.
func (w *rewriteBody) step(atEnd bool) error {
	for !w.done {
		out, rest, state := rewriteResponse(w.buf, w.r, w.method.get(), atEnd)
		switch state {
		case respNeedMore:
			if !atEnd && len(w.buf) < rewriteCap+bodyCap {
				return nil
			}
			// Too large to hold, or cut short: it passes as it came.
			out, rest, state = w.buf, nil, respPassed
		case respInterim:
			// A 1xx head: on to the final response.
			w.buf = rest
			if _, err := w.next.Write(out); err != nil {
				return err
			}
			continue
		}
		w.done, w.buf = true, nil
		if state == respChanged {
			// Before the write: the client may read the response and
			// hang up (and the listener log the connection) first.
			w.k.markActed(w.r)
		}
		if _, err := w.next.Write(append(out, rest...)); err != nil {
			return err
		}
	}
	if atEnd && len(w.buf) > 0 {
		rest := w.buf
		w.buf = nil
		_, err := w.next.Write(rest)
		return err
	}
	return nil
}

// What rewriteResponse decided about the response at the start of a buffer.
const (
	respNeedMore = iota // the head or the body is not all there yet
	respInterim         // a 1xx head, passed as it is
	respPassed          // the response goes on unchanged
	respChanged         // the response was rewritten
)

// rewriteResponse rewrites the HTTP/1.x response at the start of b for
// rule r (headers_strip, headers_add, body_find → body_replace); method is
// the request's, "" when unknown. It returns the response to send, what
// follows it in b, and what it decided. atEnd says the server sent all it
// will, so a body without a length ends with b.
func rewriteResponse(b []byte, r *Rule, method string, atEnd bool) (out, rest []byte, state int) {
	if !bytes.HasPrefix(b, []byte("HTTP/")) {
		if len(b) < 5 && bytes.HasPrefix([]byte("HTTP/"), b) && !atEnd {
			return nil, nil, respNeedMore
		}
		return b, nil, respPassed
	}
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return nil, nil, respNeedMore
	}
	head, body := b[:end+4], b[end+4:]
	status := statusCode(head)
	if status >= 100 && status < 200 && status != 101 {
		return head, body, respInterim
	}
	newHead, _, headChanged := rewriteHead(head, r.HeadersStrip, r.HeadersAdd)
	verdict := func(changed bool) int {
		if changed {
			return respChanged
		}
		return respPassed
	}
	enc := headerValue(head, "Content-Encoding")
	if status == 101 || status == 204 || status == 304 || method == "HEAD" || enc != "" && !strings.EqualFold(enc, "identity") {
		return newHead, body, verdict(headChanged)
	}
	find, repl := []byte(r.BodyFind), []byte(r.BodyReplace)
	switch {
	case strings.Contains(strings.ToLower(headerValue(head, "Transfer-Encoding")), "chunked"):
		data, trailers, n, ok, complete := dechunk(body)
		if !ok {
			return newHead, body, verdict(headChanged)
		}
		if !complete {
			return nil, nil, respNeedMore
		}
		if !bytes.Contains(data, find) {
			return newHead, body, verdict(headChanged)
		}
		data = bytes.ReplaceAll(data, find, repl)
		var c bytes.Buffer
		if len(data) > 0 {
			c.WriteString(strconv.FormatInt(int64(len(data)), 16) + "\r\n")
			c.Write(data)
			c.WriteString("\r\n")
		}
		c.WriteString("0\r\n")
		c.Write(trailers)
		c.WriteString("\r\n")
		return append(newHead, c.Bytes()...), body[n:], respChanged
	case headerValue(head, "Content-Length") != "":
		n, err := strconv.ParseInt(headerValue(head, "Content-Length"), 10, 64)
		if err != nil || n < 0 {
			return newHead, body, verdict(headChanged)
		}
		if int64(len(body)) < n {
			return nil, nil, respNeedMore
		}
		data := body[:n]
		if !bytes.Contains(data, find) {
			return newHead, body, verdict(headChanged)
		}
		data = bytes.ReplaceAll(data, find, repl)
		newHead = setContentLength(newHead, len(data))
		return append(newHead, data...), body[n:], respChanged
	case !atEnd:
		// Delimited by the server's close.
		return nil, nil, respNeedMore
	case !bytes.Contains(body, find):
		return newHead, body, verdict(headChanged)
	}
	return append(newHead, bytes.ReplaceAll(body, find, repl)...), nil, respChanged
}

// statusCode reads the status of a response head, 0 when it has none.
func statusCode(head []byte) int {
	line, _, _ := bytes.Cut(head, []byte("\r\n"))
	f := strings.Fields(string(line))
	if len(f) < 2 {
		return 0
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return 0
	}
	return n
}

// headerValue is the trimmed value of the first field named name in a
// response head, "" when there is none.
func headerValue(head []byte, name string) string {
	for _, l := range strings.Split(string(head), "\r\n")[1:] {
		n, v, ok := strings.Cut(l, ":")
		if ok && strings.EqualFold(strings.TrimSpace(n), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// setContentLength gives a response head (ending in a blank line) the
// Content-Length n in place of the one it had.
func setContentLength(head []byte, n int) []byte {
	out, _, _ := rewriteHead(head, []string{"Content-Length"}, []string{"Content-Length: " + strconv.Itoa(n)})
	return out
}

// dechunk decodes a chunked body at the start of b (RFC 9112 §7.1): the
// data, the trailer section (its field lines, each with its CRLF), and how
// many bytes of b the body took. ok is false for bytes that are not a
// chunked body; complete is false while the last chunk or the trailers
// are still to come.
func dechunk(b []byte) (data, trailers []byte, n int, ok, complete bool) {
	for {
		i := bytes.Index(b[n:], []byte("\r\n"))
		if i < 0 {
			return nil, nil, 0, len(b)-n <= 64, false
		}
		sizeField, _, _ := strings.Cut(string(b[n:n+i]), ";") // chunk extensions are dropped
		size, err := strconv.ParseUint(strings.TrimSpace(sizeField), 16, 31)
		if err != nil {
			return nil, nil, 0, false, false
		}
		n += i + 2
		if size == 0 {
			break
		}
		if len(b)-n < int(size)+2 {
			return nil, nil, 0, true, false
		}
		if !bytes.Equal(b[n+int(size):n+int(size)+2], []byte("\r\n")) {
			return nil, nil, 0, false, false
		}
		data = append(data, b[n:n+int(size)]...)
		n += int(size) + 2
	}
	for {
		i := bytes.Index(b[n:], []byte("\r\n"))
		if i < 0 {
			return nil, nil, 0, true, false
		}
		if i == 0 {
			return data, trailers, n + 2, true, true
		}
		trailers = append(trailers, b[n:n+i+2]...)
		n += i + 2
	}
}
