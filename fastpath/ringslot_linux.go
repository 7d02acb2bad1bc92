//go:build linux

package fastpath

// Completion tags. Every SQE's user_data names the slot of what it
// belongs to (a connection), that slot's generation, and a kind the loop
// chooses (which side, which operation). Two rules make a completion safe
// to act on:
//
//   - A slot is not reused while any of its requests is in flight:
//     retire waits for the last completion. So the memory those requests
//     point at (buffers, a sockaddr), owned by the slot's value, stays
//     reachable from the table, on the Go heap, until the kernel is done
//     with it.
//   - A completion whose generation is not the slot's current one is
//     stale and ignored: defence against a request counted wrongly
//     (a multishot one that ended without the kernel saying so), which
//     would otherwise act on the connection that reused the slot.

// slotNone is the slot of requests that belong to no slot (a close whose
// completion is skipped on success); done reports them slotFree.
const slotNone = 1<<32 - 1

const genMask = 1<<24 - 1

// slotState is what a completion found.
type slotState uint8

const (
	slotLive    slotState = iota // the slot's value is live: act on it
	slotStale                    // an old generation or slotNone: ignore
	slotRetired                  // retired, requests still out: ignore
	slotDrained                  // retired and this was its last request: the slot is free now
	slotFree                     // a request tagged slotNone
)

type slotEntry[T any] struct {
	v        *T
	gen      uint32
	inflight int32
	retired  bool
}

// slotTable maps completion tags to the values requests belong to. One
// loop owns it; nothing here is safe for concurrent use.
type slotTable[T any] struct {
	s    []slotEntry[T]
	free []uint32
}

// add stores v in a free slot and returns the slot.
func (t *slotTable[T]) add(v *T) uint32 {
	if n := len(t.free); n > 0 {
		i := t.free[n-1]
		t.free = t.free[:n-1]
		t.s[i].v = v
		return i
	}
	t.s = append(t.s, slotEntry[T]{v: v})
	return uint32(len(t.s) - 1)
}

// arm counts one more request in flight for slot and returns its
// user_data. Call it only for an SQE that will be submitted.
func (t *slotTable[T]) arm(slot uint32, kind uint8) uint64 {
	e := &t.s[slot]
	e.inflight++
	return uint64(slot)<<32 | uint64(e.gen&genMask)<<8 | uint64(kind)
}

// tagNone is the user_data of a request that belongs to no slot.
func tagNone(kind uint8) uint64 { return uint64(slotNone)<<32 | uint64(kind) }

// done resolves a completion's user_data. more is the CQE's F_MORE flag:
// a multishot request still armed stays counted.
func (t *slotTable[T]) done(ud uint64, more bool) (*T, uint8, slotState) {
	kind := uint8(ud)
	slot := uint32(ud >> 32)
	if slot == slotNone {
		return nil, kind, slotFree
	}
	if int(slot) >= len(t.s) {
		return nil, kind, slotStale
	}
	e := &t.s[slot]
	if uint32(ud>>8)&genMask != e.gen&genMask || e.v == nil {
		return nil, kind, slotStale
	}
	if !more {
		e.inflight--
	}
	if !e.retired {
		return e.v, kind, slotLive
	}
	if e.inflight > 0 {
		return e.v, kind, slotRetired
	}
	v := e.v
	t.release(slot)
	return v, kind, slotDrained
}

// retire ends slot's use: true when nothing is in flight and the slot is
// free at once; false when its requests must come back first (the last
// one's completion reports slotDrained). Cancel them to hurry that.
func (t *slotTable[T]) retire(slot uint32) bool {
	e := &t.s[slot]
	if e.inflight > 0 {
		e.retired = true
		return false
	}
	t.release(slot)
	return true
}

func (t *slotTable[T]) release(slot uint32) {
	e := &t.s[slot]
	*e = slotEntry[T]{gen: e.gen + 1}
	t.free = append(t.free, slot)
}

// inflight is how many requests slot has out.
func (t *slotTable[T]) inflight(slot uint32) int32 { return t.s[slot].inflight }
