package faults

import (
	"sync/atomic"
	"time"
)

// slowClose delays the close (or half-close) by delay, like Toxiproxy's
// slow_close: the peer sees its FIN that much later. The delay is the
// effect, so unlike every other wait a Close waits it out too, unless the
// connection fails meanwhile. It is taken once: a Close that comes while
// a half-close waits ends that wait, and the FIN goes then.
type slowClose struct {
	next    sink
	k       *ctl
	delay   time.Duration
	delayed atomic.Bool
}

func (s *slowClose) Write(p []byte) (int, error) { return s.next.Write(p) }

func (s *slowClose) End(fin bool) error {
	if !s.delayed.Swap(true) {
		wait := s.k.wait // a half-close: a Close cuts it short
		if !fin {
			wait = s.k.waitUnlessDead
		}
		if err := wait(s.delay); err != nil {
			return err
		}
	}
	return s.next.End(fin)
}
