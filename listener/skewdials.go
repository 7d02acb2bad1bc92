package listener

import (
	"net/netip"
	"sync"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// SkewedDials remembers this process's upstream connections whose clock a
// proxy_skew rule shifts, by their local address, for every listener of
// the process: when one of them is the client of another listener (the
// lab's origin behind its proxy), that listener's diagnosis of the
// certificate alert it gets names the shifted clock instead of the
// generic causes. Safe for concurrent use; the zero value is ready.
//
// An entry is kept for a while after its connection, not removed when it
// ends: the proxy sends its alert and closes, and the origin may read the
// alert after that. An old entry is dropped when a Lookup finds it, or by
// an Add that finds the map past skewedDialsSweep entries.
type SkewedDials struct {
	mu sync.Mutex
	m  map[netip.AddrPort]skewedDial
}

type skewedDial struct {
	peer explain.PeerSkew
	at   time.Time
}

// skewedDialTTL is how long an entry outlives its dial: far longer than a
// handshake, far shorter than an ephemeral port's reuse by another dial.
const skewedDialTTL = time.Minute

// skewedDialsSweep is the size past which Add sweeps the old entries: a
// sweep on every skewed dial would walk the whole map under the mutex.
const skewedDialsSweep = 1024

// Add records the upstream connection from local as shifted by p, at now.
func (s *SkewedDials) Add(local netip.AddrPort, p explain.PeerSkew, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[netip.AddrPort]skewedDial{}
	}
	if len(s.m) >= skewedDialsSweep {
		for k, d := range s.m {
			if now.Sub(d.at) > skewedDialTTL {
				delete(s.m, k)
			}
		}
	}
	s.m[unmapAP(local)] = skewedDial{p, now}
}

// Lookup says whether peer is one of the recorded connections, and how it
// is shifted.
func (s *SkewedDials) Lookup(peer netip.AddrPort, now time.Time) (explain.PeerSkew, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := unmapAP(peer)
	d, ok := s.m[k]
	if !ok {
		return explain.PeerSkew{}, false
	}
	if now.Sub(d.at) > skewedDialTTL {
		delete(s.m, k)
		return explain.PeerSkew{}, false
	}
	return d.peer, true
}

func unmapAP(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}
