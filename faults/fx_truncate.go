package faults

import "sync"

// truncate passes the first limit bytes of a direction, then cuts it: hold
// (drop the rest silently; the client times out), fin (close the direction:
// the client reads an early EOF) or rst (reset the connection). The cut
// ends the stream on purpose, so it is recorded for the listener's log
// (Ended), with the bytes it dropped (Withheld).
type truncate struct {
	next  sink
	k     *ctl
	r     *Rule
	dir   Direction
	limit int64
	then  Then

	mu   sync.Mutex
	sent int64
	cut  bool
}

func (t *truncate) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cut {
		return t.afterCut(len(p))
	}
	room := t.limit - t.sent
	if int64(len(p)) <= room {
		n, err := t.next.Write(p)
		t.sent += int64(n)
		return n, err
	}
	if room > 0 {
		n, err := t.next.Write(p[:room])
		t.sent += int64(n)
		if err != nil {
			return n, err
		}
	}
	t.cut = true
	switch t.then {
	case ThenFIN:
		t.k.withhold(t.r, t.dir, len(p)-int(room))
		_ = t.next.End(true)
	case ThenRST:
		t.k.cutBy(t.r)
		_ = t.k.reset()
		return int(room), ErrReset
	default:
		t.k.stall(t.dir)
		t.k.withhold(t.r, t.dir, len(p)-int(room))
	}
	return len(p), nil
}

// afterCut is what writes after the cut get: dropped, or the reset error.
func (t *truncate) afterCut(n int) (int, error) {
	if t.then == ThenRST {
		return 0, ErrReset
	}
	t.k.withhold(t.r, t.dir, n)
	return n, nil
}

// End after a cut is already done (fin) or dropped with the data (hold).
func (t *truncate) End(fin bool) error {
	t.mu.Lock()
	cut := t.cut
	t.mu.Unlock()
	if cut {
		return nil
	}
	return t.next.End(fin)
}
