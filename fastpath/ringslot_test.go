//go:build linux

package fastpath

import "testing"

// TestSlotTable: completions reach a slot's value only while it is live,
// a retired slot is reused only after its last request came back, and a
// tag from an earlier generation is rejected after reuse.
func TestSlotTable(t *testing.T) {
	type val struct{ name string }
	var tb slotTable[val]
	a := &val{"a"}
	sa := tb.add(a)
	recv := tb.arm(sa, 1)
	send := tb.arm(sa, 2)

	steps := []struct {
		name  string
		do    func() (*val, uint8, slotState)
		want  *val
		kind  uint8
		state slotState
	}{
		{"recv completes on a live slot", func() (*val, uint8, slotState) { return tb.done(recv, false) }, a, 1, slotLive},
		{"retire with the send still out", func() (*val, uint8, slotState) {
			if tb.retire(sa) {
				t.Fatal("retire freed a slot with a request in flight")
			}
			return nil, 0, slotStale
		}, nil, 0, slotStale},
		{"reuse waits: a new value takes another slot", func() (*val, uint8, slotState) {
			if s := tb.add(&val{"b"}); s == sa {
				t.Fatal("a retired slot with a request in flight was reused")
			}
			return nil, 0, slotStale
		}, nil, 0, slotStale},
		{"the send's completion drains it", func() (*val, uint8, slotState) { return tb.done(send, false) }, a, 2, slotDrained},
		{"a none-tagged close", func() (*val, uint8, slotState) { return tb.done(tagNone(5), false) }, nil, 5, slotFree},
		{"a tag past the table", func() (*val, uint8, slotState) { return tb.done(uint64(99)<<32, false) }, nil, 0, slotStale},
	}
	for _, s := range steps {
		v, kind, st := s.do()
		if v != s.want || kind != s.kind || st != s.state {
			t.Fatalf("%s: got (%v, %d, %d), want (%v, %d, %d)", s.name, v, kind, st, s.want, s.kind, s.state)
		}
	}

	c := &val{"c"}
	if sc := tb.add(c); sc != sa {
		t.Fatalf("the drained slot %d was not reused (got %d)", sa, sc)
	}
	if v, _, st := tb.done(recv, false); st != slotStale || v != nil {
		t.Fatalf("a tag of the slot's previous generation reached %v (%d)", v, st)
	}
	if tb.inflight(sa) != 0 {
		t.Fatalf("a stale completion changed the new generation's count: %d", tb.inflight(sa))
	}

	// Multishot: F_MORE completions keep the request counted.
	acc := tb.arm(sa, 3)
	for range 3 {
		if _, _, st := tb.done(acc, true); st != slotLive {
			t.Fatalf("multishot completion: state %d", st)
		}
	}
	if tb.inflight(sa) != 1 {
		t.Fatalf("after three F_MORE completions %d in flight, want 1", tb.inflight(sa))
	}
	_, _, _ = tb.done(acc, false)
	if !tb.retire(sa) {
		t.Fatal("a slot whose multishot request ended was not freed at once")
	}
}
