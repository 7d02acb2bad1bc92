package faults

import (
	"slices"
	"sync"
	"time"
)

// mtuHoldCap bounds what a stalled direction buffers while it waits to
// recover; beyond it writers block, as they would on a full send buffer.
const mtuHoldCap = 1 << 20

// mtu emulates a PMTUD black hole at layer 4: a tunnel whose MTU is below
// 1500 while the ICMP "fragmentation needed" messages are dropped. Each write
// is one burst. A burst of at most mtu-40 bytes (one segment that fits)
// passes; the first burst that would need a full-size segment stalls the
// direction, and nothing more gets through, as TCP retransmits the same
// oversized segment for ever. With recover_after, the held bytes flow again
// after that long, in order, as Linux tcp_mtu_probing (or Windows black hole
// detection) would recover the path. Bytes it drops, or still holds when
// the connection ends, never reached the peer: the rule cut the stream,
// and is recorded for the listener's log (Ended, Withheld). A stall that
// recovers delivered everything, late, and cut nothing.
type mtu struct {
	next    sink
	k       *ctl
	r       *Rule
	dir     Direction
	limit   int // mtu - 40: the largest payload that fits
	recover time.Duration
	unstall func() // undoes the stall mark on the conn (ctl.stall)

	mu        sync.Mutex
	state     mtuState
	held      [][]byte
	heldBytes int
	finHeld   bool          // a half-close waits behind the held bytes
	gate      chan struct{} // closed on recovery: wakes writers over the cap
}

type mtuState uint8

const (
	mtuPassing mtuState = iota
	mtuStalled
	mtuRecovered
)

func newMTU(next sink, k *ctl, r *Rule, dir Direction) sink {
	if r.HonorMSS {
		return &mssClamp{next: next, limit: r.MTU - 40}
	}
	return &mtu{next: next, k: k, r: r, dir: dir, limit: r.MTU - 40, recover: r.RecoverAfter.D(), gate: make(chan struct{})}
}

// mssClamp is the same path with its black hole fixed the usual way: the
// tunnel clamps the TCP MSS to the path MTU, so the sender cuts every burst
// into segments that fit and nothing stalls. It passes each burst as
// mtu-40-byte writes, the segments the sender would make, and never acts:
// the rule does not fire, as on a path where every burst fit.
type mssClamp struct {
	next  sink
	limit int
}

func (m *mssClamp) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		seg := p[:min(len(p), m.limit)]
		w, err := m.next.Write(seg)
		n += w
		if err != nil {
			return n, err
		}
		p = p[len(seg):]
	}
	return n, nil
}

func (m *mssClamp) End(fin bool) error { return m.next.End(fin) }

func (m *mtu) Write(p []byte) (int, error) {
	m.mu.Lock()
	if m.state == mtuPassing && len(p) > m.limit {
		m.state = mtuStalled
		// The rule fires now, not when it was planned (Plan.Settle): a
		// path every burst fit was never a black hole.
		m.k.markActed(m.r)
		// Our FIN would queue behind the stalled bytes: until the path
		// recovers, closing the conn must not let one out (see Held).
		m.unstall = m.k.stall(m.dir)
		if m.recover > 0 {
			m.k.after(m.recover, m.recoverNow)
		}
	}
	switch m.state {
	case mtuPassing, mtuRecovered:
		m.mu.Unlock()
		return m.next.Write(p)
	}
	if m.recover == 0 {
		m.mu.Unlock()
		m.k.withhold(m.r, m.dir, len(p)) // never recovers: the bytes are as good as lost
		return len(p), nil
	}
	for m.state == mtuStalled && m.heldBytes+len(p) > mtuHoldCap && m.heldBytes > 0 {
		gate := m.gate
		m.mu.Unlock()
		select {
		case <-gate:
		case <-m.k.done:
			return 0, m.k.deadErr()
		}
		m.mu.Lock()
	}
	if m.state == mtuRecovered {
		m.mu.Unlock()
		return m.next.Write(p)
	}
	m.held = append(m.held, slices.Clone(p))
	m.heldBytes += len(p)
	// Withheld until recovery gives them back; not yet a cut, since they
	// may still arrive.
	m.k.withheld(m.dir).Add(int64(len(p)))
	m.mu.Unlock()
	return len(p), nil
}

// recoverNow delivers the held bytes and lets the direction flow. Writers
// wait on the mutex meanwhile, so order is kept.
func (m *mtu) recoverNow() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state != mtuStalled {
		return
	}
	delivered := 0
	for _, b := range m.held {
		if _, err := m.next.Write(b); err != nil {
			break
		}
		delivered += len(b)
	}
	m.k.withheld(m.dir).Add(-int64(delivered))
	if delivered < m.heldBytes {
		m.k.cutBy(m.r) // the connection failed mid-recovery: the rest is lost
	}
	m.held, m.heldBytes = nil, 0
	m.state = mtuRecovered
	m.unstall()
	close(m.gate)
	if m.finHeld {
		_ = m.next.End(true)
	}
}

// End while stalled: a FIN queues behind the stalled data (it arrives only
// after recovery); closing the whole connection drops what is held, which
// the stall then cut for good.
func (m *mtu) End(fin bool) error {
	m.mu.Lock()
	if m.state == mtuStalled {
		if fin {
			m.finHeld = true
		} else if m.heldBytes > 0 {
			m.k.cutBy(m.r)
		}
		m.mu.Unlock()
		return nil
	}
	m.mu.Unlock()
	return m.next.End(fin)
}
