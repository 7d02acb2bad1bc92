package faults

import "sync"

// limitData passes bytes until limit have gone through, then closes the
// whole connection, like Toxiproxy's limit_data. The close ends the
// stream on purpose, so it is recorded for the listener's log (Ended); the
// bytes past the limit are refused with an error, not withheld.
type limitData struct {
	next  sink
	k     *ctl
	r     *Rule
	limit int64

	mu   sync.Mutex
	sent int64
}

func (l *limitData) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	room := l.limit - l.sent
	if room <= 0 {
		return 0, ErrClosedByFault
	}
	part := p
	if int64(len(p)) > room {
		part = p[:room]
	}
	n, err := l.next.Write(part)
	l.sent += int64(n)
	if err != nil {
		return n, err
	}
	if l.sent >= l.limit {
		l.k.cutBy(l.r)
		l.k.closeAll()
		if n < len(p) {
			return n, ErrClosedByFault
		}
	}
	return n, nil
}

func (l *limitData) End(fin bool) error { return l.next.End(fin) }
