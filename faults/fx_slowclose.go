package faults

import "time"

// slowClose delays the close (or half-close) by delay, like Toxiproxy's
// slow_close: the peer sees its FIN that much later. Close does not wait:
// only a half-close (CloseWrite) gets the delay in full.
type slowClose struct {
	next  sink
	k     *ctl
	delay time.Duration
}

func (s *slowClose) Write(p []byte) (int, error) { return s.next.Write(p) }

func (s *slowClose) End(fin bool) error {
	if err := s.k.wait(s.delay); err != nil {
		return err
	}
	return s.next.End(fin)
}
