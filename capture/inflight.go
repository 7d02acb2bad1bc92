package capture

// Writes in flight. tlsgate's own writes are the one thing a Conn cannot
// record after the fact: the moment the socket has the bytes, the peer can
// answer, and another goroutine can read and record the answer before the
// writing one runs again. So a write is announced before it reaches the
// socket, and recorded when it returns or, if anything else happens on its
// leg first, right then.

import "time"

// writing notes that a write of b on leg, by the side fromClient says, is
// about to reach the socket. The bytes are recorded by wrote when the
// write returns, or sooner, in full, when anything else is recorded on
// the leg first (see settle). Recording them only after the write would
// put the peer's answer, read and recorded by another goroutine while the
// writer waited for the scheduler, before the bytes it answers: a
// ServerHello before its ClientHello, which Wireshark cannot decrypt. b
// must stay unchanged until wrote, as io.Writer already requires.
func (w *Writer) writing(leg Leg, fromClient bool, b []byte) {
	if len(b) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	ls, d := w.sender(leg, fromClient)
	if ls == nil || ls.dir[d].fin {
		return
	}
	if ls.dir[d].inflight != nil {
		// A second writer on the same direction: the first one's bytes
		// are on their way, so they come first.
		w.settle(w.now(), ls)
	}
	ls.dir[d].inflight = b
}

// wrote ends the write writing announced: n bytes of b reached the
// socket. When nothing else was recorded on the leg meanwhile, exactly
// those n are recorded; otherwise settle already recorded all of b.
func (w *Writer) wrote(leg Leg, fromClient bool, b []byte, n int) {
	if len(b) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	ls, d := w.sender(leg, fromClient)
	if ls == nil {
		return
	}
	p := &ls.dir[d]
	if len(p.inflight) != len(b) || &p.inflight[0] != &b[0] {
		return // settled already, or announced by another write
	}
	p.inflight = nil
	if n > 0 && !p.fin {
		w.send(w.now(), ls, d, b[:min(n, len(b))])
	}
}

// settle records the writes in flight on ls, in full, before anything
// else is recorded on it: what is about to be recorded may be the peer's
// answer to them, or tlsgate's own FIN or RST that follows them. A write
// that then ends short leaves its unsent tail in the capture; a write
// fails only as its connection breaks, and a reply wrongly placed before
// its request would hide the whole exchange from Wireshark.
func (w *Writer) settle(ts time.Time, ls *legState) {
	for d := range ls.dir {
		if b := ls.dir[d].inflight; b != nil {
			ls.dir[d].inflight = nil
			w.send(ts, ls, d, b)
		}
	}
}
