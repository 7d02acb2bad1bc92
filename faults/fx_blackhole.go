package faults

import "time"

// newBlackhole drops every byte of its direction from the moment it is
// installed; the FIN is dropped too, since nothing gets through: on the way
// to the peer, a hold keeps even the conn's close from reaching it (see
// Held). With then rst or fin, the connection is reset or closed after the
// delay, like a DPI box that holds a flow and then kills it. Toxiproxy's
// timeout toxic is the same with then fin after its timeout (0: hold for
// ever).
func newBlackhole(k *ctl, then Then, after time.Duration, dir Direction) sink {
	switch then {
	case ThenRST:
		k.after(after, func() { _ = k.reset() })
	case ThenFIN:
		k.after(after, k.closeAll)
	default:
		k.stall(dir)
	}
	return swallow{}
}
