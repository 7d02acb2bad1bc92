package faults

import "time"

// slowClose delays the close (or half-close) by delay, like Toxiproxy's
// slow_close: the peer sees its FIN that much later.
type slowClose struct {
	next  sink
	k     *ctl
	delay time.Duration
}

func (s *slowClose) Write(p []byte) (int, error) { return s.next.Write(p) }

func (s *slowClose) End(fin bool) error {
	s.k.deps.Sleep(s.delay)
	return s.next.End(fin)
}
