package listener

import (
	"sync"

	"github.com/tlsgate/tlsgate/explain"
)

// streaks counts consecutive handshake failures per (SNI, JA4), so an
// explanation can say "3 failures in a row from this client type for this
// host": one failure is noise, a streak is a trust problem.
type streaks struct {
	mu sync.Mutex
	m  map[string]int
}

// streakCap bounds the map against clients that vary their SNI.
const streakCap = 4096

func streakKey(o *explain.Outcome) string {
	sni := ""
	if o.Hello != nil {
		sni = o.Hello.ServerName
	}
	return sni + "\x00" + o.JA4
}

// fail records a failure and returns the streak including it.
func (s *streaks) fail(o *explain.Outcome) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]int)
	}
	k := streakKey(o)
	if _, ok := s.m[k]; !ok && len(s.m) >= streakCap {
		clear(s.m) // crude but bounded; streaks rebuild quickly
	}
	s.m[k]++
	return s.m[k]
}

// ok ends the streak for this client type and host.
func (s *streaks) ok(o *explain.Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, streakKey(o))
}
