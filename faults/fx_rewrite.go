package faults

import "sync"

// rewriteCap bounds how much of a response head is buffered; a longer head
// passes unchanged.
const rewriteCap = 64 << 10

// rewrite edits the first HTTP response head on its way to the client
// (strip HSTS, add Via), as a rewriting proxy does; later bytes pass as
// they are. Only the first response of a keep-alive connection is edited.
// The rule fires only when the head changes, so it tells the conn then
// (Plan.Settle asks): a connection that carried no response, or one
// without the headers a strip-only rule names, was never rewritten.
type rewrite struct {
	next  sink
	k     *ctl
	r     *Rule
	strip []string
	add   []string

	mu   sync.Mutex
	buf  []byte
	done bool
}

func (w *rewrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return w.next.Write(p)
	}
	w.buf = append(w.buf, p...)
	out, complete, changed := rewriteHead(w.buf, w.strip, w.add)
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

func (w *rewrite) End(fin bool) error {
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
