package faults

import (
	"math/rand/v2"
	"time"
)

// slicer cuts each chunk into pieces of average_size ± size_variation bytes,
// with delay between pieces, like Toxiproxy's slicer. The sizes come from
// the rule's seeded randomness.
type slicer struct {
	next      sink
	k         *ctl
	avg       int
	variation int
	delay     time.Duration
	rng       *rand.Rand
}

// size draws the next piece's size, at least 1.
func (s *slicer) size() int {
	n := s.avg
	if s.variation > 0 {
		n += s.rng.IntN(2*s.variation+1) - s.variation
	}
	return max(n, 1)
}

func (s *slicer) Write(p []byte) (int, error) {
	sent := 0
	for len(p) > 0 {
		n := min(len(p), s.size())
		m, err := s.next.Write(p[:n])
		sent += m
		if err != nil {
			return sent, err
		}
		p = p[n:]
		if len(p) > 0 && s.delay > 0 {
			if err := s.k.wait(s.delay); err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}

func (s *slicer) End(fin bool) error { return s.next.End(fin) }
