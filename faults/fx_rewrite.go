package faults

import (
	"bytes"
	"sync"
)

// rewriteCap bounds how much of a response head is buffered; a longer head
// passes unchanged.
const rewriteCap = 64 << 10

// headEdit edits the first HTTP response head on its way to the client
// and lets later bytes pass as they are: only the first response of a
// keep-alive connection is edited. Interim 1xx heads before it (100
// Continue, 103 Early Hints) are not the response: they pass at once and
// unchanged, and the edit waits for the final head after them. rewrite (strip HSTS, add Via, as a
// rewriting proxy does) and http_date (a shifted Date) are its edits. The
// rule fires only when the head changes, so it tells the conn then
// (Plan.Settle asks): a connection that carried no response, or one whose
// head the edit left as it was, was never rewritten.
type headEdit struct {
	next sink
	k    *ctl
	r    *Rule
	// edit returns the edited head; complete is false while buf does not
	// yet hold the whole head, changed false when it left it as it was.
	edit func(buf []byte) (out []byte, complete, changed bool)

	mu   sync.Mutex
	buf  []byte
	done bool
}

func (w *headEdit) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return w.next.Write(p)
	}
	w.buf = append(w.buf, p...)
	for n := interimLen(w.buf); n > 0; n = interimLen(w.buf) {
		// At once: a client that sent Expect: 100-continue waits for
		// the 100 before it sends the body the final answer waits for.
		if _, err := w.next.Write(w.buf[:n]); err != nil {
			return 0, err
		}
		w.buf = w.buf[n:]
	}
	if len(w.buf) == 0 {
		return len(p), nil
	}
	out, complete, changed := w.edit(w.buf)
	if !complete && len(w.buf) < rewriteCap {
		return len(p), nil
	}
	if !complete {
		out, changed = w.buf, false
	}
	w.done, w.buf = true, nil
	if changed {
		// Before the write: the client may read the response and hang
		// up (and the listener log the connection) before Write returns.
		w.k.markActed(w.r)
	}
	if _, err := w.next.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (w *headEdit) End(fin bool) error {
	w.mu.Lock()
	rest := w.buf
	w.buf, w.done = nil, true
	w.mu.Unlock()
	if len(rest) > 0 {
		if _, err := w.next.Write(rest); err != nil {
			return err
		}
	}
	return w.next.End(fin)
}

// interimLen is the length of the complete interim (1xx) HTTP/1.x response
// head at the start of b, through its blank line (RFC 9110 §15.2: a 1xx
// response has no content, and the final response follows it), or 0 when
// b does not start with one, or not yet with all of it.
func interimLen(b []byte) int {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return 0
	}
	// The status line: "HTTP/1.1 1xx reason", the reason optional.
	line, _, _ := bytes.Cut(b[:end], []byte("\r\n"))
	version, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok || !bytes.HasPrefix(version, []byte("HTTP/")) || len(rest) < 3 || len(rest) > 3 && rest[3] != ' ' ||
		rest[0] != '1' || !isDigit(rest[1]) || !isDigit(rest[2]) {
		return 0
	}
	return end + 4
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
