package admin

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
)

// Hub sizes used when the caller gives none.
const (
	DefaultRecent = 200 // events kept for /events/recent and replays
	DefaultBuffer = 256 // events queued per subscriber before it starts losing them
	// MaxSubscribers bounds the open /events streams. Every connection's
	// event is queued to each of them under one lock, so without a bound a
	// local script that opens streams in a loop would slow every relay.
	// Dashboards and tails need a handful.
	MaxSubscribers = 64
)

// ErrTooManySubscribers is returned by Subscribe when MaxSubscribers
// streams are open already.
var ErrTooManySubscribers = fmt.Errorf("admin: %d event streams are open already, the most allowed; close one first", MaxSubscribers)

// Event is one published connection event: the encoded JSON line (without
// its newline) and its sequence number, which starts at 1 and never repeats
// for one Hub.
type Event struct {
	Seq  uint64
	Line []byte
}

// Hub fans connection events out to /events subscribers. Publish never
// blocks: each subscriber has a bounded queue, and a subscriber too slow to
// keep up loses events (counted) instead of slowing the connections that
// produce them.
type Hub struct {
	buffer int

	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	ring   []kept // the last len(ring) events; next is the oldest once full
	next   int
	seq    uint64
	closed bool

	dropped atomic.Uint64
}

// NewHub returns a hub that keeps the last recent events and queues up to
// buffer events per subscriber. Values below 1 take the defaults.
func NewHub(recent, buffer int) *Hub {
	if recent < 1 {
		recent = DefaultRecent
	}
	if buffer < 1 {
		buffer = DefaultBuffer
	}
	return &Hub{buffer: buffer, subs: map[*Subscription]struct{}{}, ring: make([]kept, 0, recent)}
}

// kept is one event in the ring. An event published while nobody listens is
// kept unrendered: most connections are never looked at, and encoding every
// one of them cost a busy listener a measurable share of its connection
// rate. It is rendered once, when a replay or Recent first needs it.
type kept struct {
	seq    uint64
	line   []byte
	render func() []byte // non-nil until rendered
	// release, when set, tells the publisher that render will not be
	// called: it was, or the event left the ring unread.
	release func()
}

// rendered returns k's line, rendering it first if needed. Callers hold h.mu.
func (k *kept) rendered() []byte {
	if k.render != nil {
		k.line = trimLine(k.render())
		k.render = nil
		k.done()
	}
	return k.line
}

// done calls k's release, once.
func (k *kept) done() {
	if k.release != nil {
		k.release()
		k.release = nil
	}
}

// trimLine copies line without its trailing newline: the stream adds its
// own framing, and the caller may reuse its buffer.
func trimLine(line []byte) []byte {
	return bytes.Clone(bytes.TrimRight(line, "\r\n"))
}

// Subscription is one reader of the hub. Read events from C; C is closed
// when the subscription or the hub is closed.
type Subscription struct {
	C       <-chan Event
	ch      chan Event
	h       *Hub
	dropped atomic.Uint64
	once    sync.Once
}

// Dropped is how many events this subscriber lost because its queue was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close unsubscribes. It is safe to call more than once and after Hub.Close.
func (s *Subscription) Close() {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.closeLocked()
}

// closeLocked removes s and closes its channel; Publish sends only under
// the same lock, so no send can race the close.
func (s *Subscription) closeLocked() {
	s.once.Do(func() {
		delete(s.h.subs, s)
		close(s.ch)
	})
}

// Publish hands line, one encoded JSON event, to every subscriber and keeps
// it for replays. The line is copied, so the caller may reuse its buffer.
// A trailing newline is dropped: the stream adds its own framing.
func (h *Hub) Publish(line []byte) {
	line = trimLine(line)
	h.publish(kept{line: line})
}

// PublishFunc is Publish for an event whose line render produces on demand:
// right away when someone is subscribed, otherwise only if a replay or
// Recent asks for it. render is called at most once, under the hub's lock,
// so it must not call back into the hub; what it reads must not change
// after PublishFunc.
func (h *Hub) PublishFunc(render func() []byte) {
	h.publish(kept{render: render})
}

// PublishLent is PublishFunc for a render that reads memory the publisher
// lends the hub: release is called once, under the hub's lock, when render
// has run or never will (the event left the ring unread, or came after
// Close; a closed hub keeps its ring for Recent). The publisher may reuse
// that memory from then on. release may run before PublishLent returns
// (someone is subscribed, or the hub is closed) or on another goroutine
// (a Recent, or a later publish that pushes the event out of the ring).
func (h *Hub) PublishLent(render func() []byte, release func()) {
	h.publish(kept{render: render, release: release})
}

func (h *Hub) publish(k kept) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		k.done()
		return
	}
	h.seq++
	k.seq = h.seq
	if len(h.subs) > 0 {
		k.rendered()
	}
	if len(h.ring) < cap(h.ring) {
		h.ring = append(h.ring, k)
	} else {
		h.ring[h.next].done()
		h.ring[h.next] = k
		h.next = (h.next + 1) % len(h.ring)
	}
	if len(h.subs) == 0 {
		return
	}
	ev := Event{Seq: k.seq, Line: k.line}
	for s := range h.subs {
		select {
		case s.ch <- ev:
		default:
			s.dropped.Add(1)
			h.dropped.Add(1)
		}
	}
}

// Subscribe starts a subscription that sees every event published after
// it, or fails with ErrTooManySubscribers.
func (h *Hub) Subscribe() (*Subscription, error) {
	s, _, err := h.subscribe(false, 0)
	return s, err
}

// SubscribeReplay starts a subscription and also returns the kept events
// with a sequence number above after (0: all kept), taken under the same lock
// so that nothing is seen twice or missed between the replay and the stream.
// A browser's Last-Event-ID resumes a stream this way.
func (h *Hub) SubscribeReplay(after uint64) (*Subscription, []Event, error) {
	return h.subscribe(true, after)
}

func (h *Hub) subscribe(replay bool, after uint64) (*Subscription, []Event, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) >= MaxSubscribers {
		return nil, nil, ErrTooManySubscribers
	}
	ch := make(chan Event, h.buffer)
	s := &Subscription{C: ch, ch: ch, h: h}
	var past []Event
	if replay {
		past = h.recentLocked(after)
	}
	if h.closed {
		s.once.Do(func() { close(ch) })
		return s, past, nil
	}
	h.subs[s] = struct{}{}
	return s, past, nil
}

// Recent returns the kept events, oldest first.
func (h *Hub) Recent() []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.recentLocked(0)
}

func (h *Hub) recentLocked(after uint64) []Event {
	out := make([]Event, 0, len(h.ring))
	for i := range h.ring {
		k := &h.ring[(h.next+i)%len(h.ring)]
		if k.seq > after {
			out = append(out, Event{Seq: k.seq, Line: k.rendered()})
		}
	}
	return out
}

// Close ends every subscription and makes later Publish calls no-ops, so
// streaming handlers return and an http.Server can shut down.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		s.closeLocked()
	}
}

// Dropped is how many events subscribers lost in total.
func (h *Hub) Dropped() uint64 { return h.dropped.Load() }

// HubStats is the hub's part of GET /stats.
type HubStats struct {
	Subscribers int    `json:"subscribers"`
	Published   uint64 `json:"published"`
	Dropped     uint64 `json:"dropped"`
	Kept        int    `json:"kept"`
}

// Stats returns the hub's counters.
func (h *Hub) Stats() HubStats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return HubStats{Subscribers: len(h.subs), Published: h.seq, Dropped: h.dropped.Load(), Kept: len(h.ring)}
}
