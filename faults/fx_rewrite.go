package faults

import "sync"

// rewriteCap bounds how much of a response head is buffered; a longer head
// passes unchanged.
const rewriteCap = 64 << 10

// headEdit edits the first HTTP response head on its way to the client
// and lets later bytes pass as they are: only the first response of a
// keep-alive connection is edited. rewrite (strip HSTS, add Via, as a
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
