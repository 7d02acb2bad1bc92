package faults

import "time"

// newBlackhole drops every byte of its direction from the moment it is
// installed; the FIN is dropped too, since nothing gets through: on the way
// to the peer, a hold keeps even the conn's close from reaching it (see
// Held). With then rst or fin, the connection is reset or closed after the
// delay, like a DPI box that holds a flow and then kills it. Toxiproxy's
// timeout toxic is the same with then fin after its timeout (0: hold for
// ever). A byte swallowed, or the end it deals, cut the stream on purpose:
// the rule is recorded for the listener's log (Ended).
func newBlackhole(k *ctl, r *Rule, dir Direction, then Then, after time.Duration) sink {
	switch then {
	case ThenRST:
		k.after(after, func() { k.cutBy(r); _ = k.reset() })
	case ThenFIN:
		k.after(after, func() { k.cutBy(r); k.closeAll() })
	default:
		k.stall(dir)
	}
	return &holdAll{k: k, r: r, dir: dir}
}

// holdAll is a swallow that records what it kept from the peer.
type holdAll struct {
	k   *ctl
	r   *Rule
	dir Direction
}

func (h *holdAll) Write(p []byte) (int, error) {
	if len(p) > 0 {
		h.k.withhold(h.r, h.dir, len(p))
	}
	return len(p), nil
}

func (h *holdAll) End(bool) error { return nil }
