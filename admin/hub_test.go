package admin

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
)

func seqs(evs []Event) []uint64 {
	out := make([]uint64, 0, len(evs))
	for _, ev := range evs {
		out = append(out, ev.Seq)
	}
	return out
}

func TestHubRecentRing(t *testing.T) {
	tests := []struct {
		keep, publish int
		want          []uint64
	}{
		{keep: 3, publish: 0, want: []uint64{}},
		{keep: 3, publish: 2, want: []uint64{1, 2}},
		{keep: 3, publish: 3, want: []uint64{1, 2, 3}},
		{keep: 3, publish: 7, want: []uint64{5, 6, 7}},
		{keep: 1, publish: 4, want: []uint64{4}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("keep%d_pub%d", tt.keep, tt.publish), func(t *testing.T) {
			h := NewHub(tt.keep, 4)
			for i := 1; i <= tt.publish; i++ {
				h.Publish(fmt.Appendf(nil, `{"n":%d}`+"\n", i))
			}
			got := h.Recent()
			if !slices.Equal(seqs(got), tt.want) {
				t.Fatalf("recent seqs = %v, want %v", seqs(got), tt.want)
			}
			for _, ev := range got {
				if want := fmt.Sprintf(`{"n":%d}`, ev.Seq); string(ev.Line) != want {
					t.Fatalf("event %d line %q, want %q (newline trimmed)", ev.Seq, ev.Line, want)
				}
			}
		})
	}
}

func TestHubPublishCopiesLine(t *testing.T) {
	h := NewHub(2, 2)
	sub := mustSubscribe(t, h)
	defer sub.Close()
	buf := []byte(`{"a":1}`)
	h.Publish(buf)
	copy(buf, `{"b":2}`)
	if ev := <-sub.C; string(ev.Line) != `{"a":1}` || string(h.Recent()[0].Line) != `{"a":1}` {
		t.Fatalf("the hub kept the caller's buffer: %q", ev.Line)
	}
}

// TestHubSlowSubscriber: a subscriber that never reads must not block
// Publish; it loses events, and the loss is counted.
func TestHubSlowSubscriber(t *testing.T) {
	h := NewHub(DefaultRecent, 16)
	slow := mustSubscribe(t, h)
	defer slow.Close()
	fast := mustSubscribe(t, h)
	got := make(chan int)
	go func() {
		n := 0
		for range fast.C {
			n++
		}
		got <- n
	}()
	const total = 10000
	for i := range total {
		h.Publish(fmt.Appendf(nil, `{"i":%d}`, i))
	}
	if slow.Dropped() != total-16 || h.Dropped() < slow.Dropped() {
		t.Fatalf("slow dropped %d (hub %d), want %d", slow.Dropped(), h.Dropped(), total-16)
	}
	if len(slow.C) != 16 {
		t.Fatalf("slow queue holds %d, want its 16", len(slow.C))
	}
	fast.Close()
	if n := <-got; uint64(n)+fast.Dropped() != total {
		t.Fatalf("fast got %d + dropped %d, want %d in all", n, fast.Dropped(), total)
	}
	if st := h.Stats(); st.Published != total || st.Subscribers != 1 || st.Kept != DefaultRecent {
		t.Fatalf("stats %+v", st)
	}
}

func TestHubReplayAndClose(t *testing.T) {
	h := NewHub(5, 8)
	for i := 1; i <= 7; i++ {
		h.Publish(fmt.Appendf(nil, `{"i":%d}`, i))
	}
	tests := []struct {
		after uint64
		want  []uint64
	}{
		{0, []uint64{3, 4, 5, 6, 7}},
		{5, []uint64{6, 7}},
		{7, []uint64{}},
		{100, []uint64{}},
	}
	for _, tt := range tests {
		sub, past, err := h.SubscribeReplay(tt.after)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(seqs(past), tt.want) {
			t.Errorf("replay after %d = %v, want %v", tt.after, seqs(past), tt.want)
		}
		sub.Close()
		sub.Close() // twice is harmless
	}
	sub := mustSubscribe(t, h)
	h.Publish([]byte(`{"i":8}`))
	h.Close()
	if ev, ok := <-sub.C; !ok || ev.Seq != 8 {
		t.Fatalf("queued event lost at close: %v %v", ev, ok)
	}
	if _, ok := <-sub.C; ok {
		t.Fatal("channel still open after Hub.Close")
	}
	sub.Close()
	h.Publish([]byte(`{"i":9}`)) // a no-op, not a panic
	late := mustSubscribe(t, h)
	if _, ok := <-late.C; ok {
		t.Fatal("subscription after Close is open")
	}
	late.Close()
}

// TestHubPublishFuncRendersOnDemand: with nobody subscribed an event is not
// rendered until Recent asks for it (then once, however often it is read);
// with a subscriber it is rendered at once. Events pushed out of the ring
// unread are never rendered.
func TestHubPublishFuncRendersOnDemand(t *testing.T) {
	h := NewHub(2, 4)
	calls := map[int]int{}
	publish := func(n int) {
		h.PublishFunc(func() []byte {
			calls[n]++
			return fmt.Appendf(nil, `{"n":%d}`+"\n", n)
		})
	}
	publish(1)
	publish(2)
	publish(3) // pushes 1 out of the ring
	if len(calls) != 0 {
		t.Fatalf("rendered with nobody listening: %v", calls)
	}
	for range 2 {
		got := h.Recent()
		if !slices.Equal(seqs(got), []uint64{2, 3}) || string(got[0].Line) != `{"n":2}` || string(got[1].Line) != `{"n":3}` {
			t.Fatalf("recent = %v %+v", seqs(got), got)
		}
	}
	if calls[1] != 0 || calls[2] != 1 || calls[3] != 1 {
		t.Fatalf("render calls %v, want none for 1 and one each for 2 and 3", calls)
	}
	sub := mustSubscribe(t, h)
	defer sub.Close()
	publish(4)
	if calls[4] != 1 {
		t.Fatalf("event 4 rendered %d times with a subscriber, want 1", calls[4])
	}
	if ev := <-sub.C; ev.Seq != 4 || string(ev.Line) != `{"n":4}` {
		t.Fatalf("subscriber got %d %q", ev.Seq, ev.Line)
	}
}

func mustSubscribe(t *testing.T, h *Hub) *Subscription {
	t.Helper()
	s, err := h.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHubSubscriberCap: streams past MaxSubscribers are refused, and a
// closed one frees its place.
func TestHubSubscriberCap(t *testing.T) {
	h := NewHub(2, 2)
	subs := make([]*Subscription, 0, MaxSubscribers)
	for range MaxSubscribers {
		subs = append(subs, mustSubscribe(t, h))
	}
	if _, err := h.Subscribe(); !errors.Is(err, ErrTooManySubscribers) {
		t.Fatalf("subscriber %d: err %v, want ErrTooManySubscribers", MaxSubscribers+1, err)
	}
	if _, _, err := h.SubscribeReplay(0); !errors.Is(err, ErrTooManySubscribers) {
		t.Fatalf("replay past the cap: err %v, want ErrTooManySubscribers", err)
	}
	subs[0].Close()
	mustSubscribe(t, h).Close()
}

// TestHubPublishLentReleasesOnce: a lent event's memory goes back to its
// publisher exactly once, and never before its last render: after the
// render a subscriber or Recent caused, when it leaves the ring unread, or
// at once when it comes after Close. A released buffer is scribbled over,
// as a reused one would be, so a render after its release would show it.
func TestHubPublishLentReleasesOnce(t *testing.T) {
	h := NewHub(2, 4)
	released := map[int]int{}
	publish := func(n int) {
		buf := fmt.Appendf(nil, `{"n":%d}`, n)
		h.PublishLent(func() []byte {
			if released[n] > 0 {
				t.Errorf("event %d rendered after its release", n)
			}
			return bytes.Clone(buf)
		}, func() {
			released[n]++
			copy(buf, "XXXXXXX")
		})
	}
	publish(1)
	publish(2)
	if len(released) != 0 {
		t.Fatalf("released while kept unread: %v", released)
	}
	publish(3) // 1 leaves the ring unread
	if !maps.Equal(released, map[int]int{1: 1}) {
		t.Fatalf("after 1 left the ring: released %v", released)
	}
	got := h.Recent() // renders 2 and 3
	if string(got[0].Line) != `{"n":2}` || string(got[1].Line) != `{"n":3}` {
		t.Fatalf("recent = %+v", got)
	}
	if !maps.Equal(released, map[int]int{1: 1, 2: 1, 3: 1}) {
		t.Fatalf("after Recent: released %v", released)
	}
	sub := mustSubscribe(t, h)
	publish(4) // rendered for the subscriber, then released
	if ev := <-sub.C; string(ev.Line) != `{"n":4}` || released[4] != 1 {
		t.Fatalf("subscriber got %q, released %v", ev.Line, released)
	}
	publish(5) // pushes 3 out, rendered: no second release
	publish(6) // pushes 4 out, rendered
	sub.Close()
	publish(7) // nobody listens: kept unrendered, lent
	if released[7] != 0 {
		t.Fatalf("7 released while kept unread: %v", released)
	}
	h.Close()
	publish(8) // after Close: released at once, never rendered
	if !maps.Equal(released, map[int]int{1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 8: 1}) {
		t.Fatalf("released %v, want each of 1-6 and 8 once, 7 still lent", released)
	}
	// A closed hub keeps its ring: 7 is rendered from memory still lent.
	if got := h.Recent(); len(got) != 2 || string(got[0].Line) != `{"n":6}` || string(got[1].Line) != `{"n":7}` {
		t.Fatalf("recent after Close = %+v", got)
	}
	if released[7] != 1 {
		t.Fatalf("7 rendered after Close: released %d times, want 1", released[7])
	}
}
