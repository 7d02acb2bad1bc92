package transparent

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is the injected Now: it moves only when a test says so.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// countingSource is the injected address source: it counts its calls and
// answers with whatever the test set last.
type countingSource struct {
	calls atomic.Int64
	mu    sync.Mutex
	ips   []netip.Addr
	err   error
}

func (s *countingSource) set(ips []netip.Addr, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ips, s.err = ips, err
}

func (s *countingSource) List() ([]netip.Addr, error) {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ips, s.err
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, 0, len(ss))
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

// TestAddrCache walks one cache through a sequence of steps: each step may
// move the clock or change what the host lists, then calls Get and checks
// the answer, the source's call count so far, and what OnError was told.
func TestAddrCache(t *testing.T) {
	errNetlink := errors.New("netlink: no buffer space available")
	a := addrs("10.0.0.5", "2001:db8::5")
	b := addrs("10.0.0.5", "2001:db8::5", "10.0.0.6")
	type step struct {
		advance   time.Duration // moved before the call (negative: back)
		ips       []netip.Addr  // what the host lists from this step on, when set
		err       error         // what the listing fails with from this step on
		setSource bool
		want      []netip.Addr
		wantErr   bool
		calls     int64 // source calls so far
		reports   int   // OnError calls so far
	}
	cases := []struct {
		name  string
		first []netip.Addr
		err   error
		steps []step
	}{
		{"within the interval: one listing", a, nil, []step{
			{want: a, calls: 1},
			{want: a, calls: 1},
			{advance: 999 * time.Millisecond, want: a, calls: 1},
		}},
		{"after the interval: a refresh sees an added address", a, nil, []step{
			{want: a, calls: 1},
			{setSource: true, ips: b, advance: 500 * time.Millisecond, want: a, calls: 1},
			{advance: 500 * time.Millisecond, want: b, calls: 2},
			{advance: 999 * time.Millisecond, want: b, calls: 2},
			{advance: time.Millisecond, want: b, calls: 3},
		}},
		{"a failed refresh keeps the old list and is reported once", a, nil, []step{
			{want: a, calls: 1},
			{setSource: true, err: errNetlink, advance: time.Second, want: a, calls: 2, reports: 1},
			{advance: 10 * time.Millisecond, want: a, calls: 2, reports: 1},
			{advance: time.Second, want: a, calls: 3, reports: 1},
			{advance: time.Second, want: a, calls: 4, reports: 1},
			{setSource: true, ips: b, advance: time.Second, want: b, calls: 5, reports: 1},
			{setSource: true, err: errNetlink, advance: time.Second, want: b, calls: 6, reports: 2},
		}},
		{"the first listing fails: an error until one works", nil, errNetlink, []step{
			{wantErr: true, calls: 1, reports: 1},
			{advance: 500 * time.Millisecond, wantErr: true, calls: 1, reports: 1},
			{advance: 500 * time.Millisecond, wantErr: true, calls: 2, reports: 1},
			{setSource: true, ips: a, advance: time.Second, want: a, calls: 3, reports: 1},
		}},
		// A caller that read the clock before another listed sees a
		// stamp slightly after its now: that listing is fresh.
		{"a stamp just after now is fresh", a, nil, []step{
			{want: a, calls: 1},
			{setSource: true, ips: b, advance: -time.Millisecond, want: a, calls: 1},
			{advance: -998 * time.Millisecond, want: a, calls: 1},
		}},
		{"a clock stepped back an interval refreshes", a, nil, []step{
			{want: a, calls: 1},
			{setSource: true, ips: b, advance: -time.Second, want: b, calls: 2},
			{want: b, calls: 2},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			src := &countingSource{}
			src.set(tc.first, tc.err)
			var reports []error
			c, err := NewAddrCache(AddrCacheConfig{Source: src.List, Now: clock.Now, Interval: time.Second,
				OnError: func(err error) { reports = append(reports, err) }})
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range tc.steps {
				if st.setSource {
					src.set(st.ips, st.err)
				}
				clock.Advance(st.advance)
				got, err := c.Get()
				if (err != nil) != st.wantErr {
					t.Fatalf("step %d: Get() error = %v, want error: %t", i, err, st.wantErr)
				}
				if !slices.Equal(got, st.want) {
					t.Errorf("step %d: Get() = %v, want %v", i, got, st.want)
				}
				if n := src.calls.Load(); n != st.calls {
					t.Errorf("step %d: source called %d times, want %d", i, n, st.calls)
				}
				if len(reports) != st.reports {
					t.Errorf("step %d: OnError called %d times, want %d: %v", i, len(reports), st.reports, reports)
				}
			}
			for _, r := range reports {
				if !errors.Is(r, errNetlink) || !strings.HasPrefix(r.Error(), "transparent: ") {
					t.Errorf("report %q: want the source's error wrapped, prefixed with the package", r)
				}
			}
		})
	}
}

// TestAddrCacheReportEvidence: the report of a failed refresh says how many
// addresses are kept and how old they are, on the injected clock.
func TestAddrCacheReportEvidence(t *testing.T) {
	clock := newFakeClock()
	src := &countingSource{}
	src.set(addrs("10.0.0.5", "10.0.0.6"), nil)
	var got error
	c, err := NewAddrCache(AddrCacheConfig{Source: src.List, Now: clock.Now, OnError: func(err error) { got = err }})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Get()
	src.set(nil, errors.New("netlink: permission denied"))
	clock.Advance(1500 * time.Millisecond) // the default interval is one second
	_, _ = c.Get()
	want := "transparent: host addresses not refreshed; keeping the 2 listed 1.5s earlier: netlink: permission denied"
	if got == nil || got.Error() != want {
		t.Errorf("OnError got %v, want %q", got, want)
	}
}

func TestNewAddrCacheNeedsSourceAndNow(t *testing.T) {
	src := func() ([]netip.Addr, error) { return nil, nil }
	for _, cfg := range []AddrCacheConfig{{Now: time.Now}, {Source: src}, {}} {
		if _, err := NewAddrCache(cfg); err == nil {
			t.Errorf("NewAddrCache(source set: %t, now set: %t) = nil error", cfg.Source != nil, cfg.Now != nil)
		}
	}
}

// TestAddrCacheConcurrent: callers racing on an expired list cause one
// listing per interval, however many there are (run it with -race).
func TestAddrCacheConcurrent(t *testing.T) {
	const rounds, callers = 5, 32
	clock := newFakeClock()
	src := &countingSource{}
	c, err := NewAddrCache(AddrCacheConfig{Source: src.List, Now: clock.Now, Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for r := range rounds {
		want := addrs("10.0.0.5")
		want = append(want, netip.AddrFrom4([4]byte{10, 1, 0, byte(r)}))
		src.set(want, nil)
		start := make(chan struct{})
		var wg sync.WaitGroup
		answers := make([][]netip.Addr, callers)
		for i := range callers {
			wg.Go(func() {
				<-start
				ips, err := c.Get()
				if err != nil {
					t.Errorf("round %d: Get() error: %v", r, err)
				}
				answers[i] = ips
			})
		}
		close(start)
		wg.Wait()
		if n := src.calls.Load(); n != int64(r+1) {
			t.Fatalf("round %d: source called %d times, want %d", r, n, r+1)
		}
		// A caller that found the list expired while another was
		// listing may have been given the previous round's list; one
		// call after the round sees this round's.
		if got, _ := c.Get(); !slices.Equal(got, want) {
			t.Errorf("round %d: Get() after the round = %v, want %v", r, got, want)
		}
		for i, ips := range answers {
			if len(ips) != 2 {
				t.Errorf("round %d, caller %d: got %v, want this round's list or the last", r, i, ips)
			}
		}
		clock.Advance(time.Second)
	}
}

// TestAddrCacheRefreshDoesNotBlock: while one caller lists the interfaces
// (a slow netlink dump), another is answered with the expired list at once
// instead of waiting for it.
func TestAddrCacheRefreshDoesNotBlock(t *testing.T) {
	clock := newFakeClock()
	old, added := addrs("10.0.0.5"), addrs("10.0.0.5", "10.0.0.6")
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int64
	source := func() ([]netip.Addr, error) {
		if calls.Add(1) == 1 {
			return old, nil
		}
		close(entered)
		<-release
		return added, nil
	}
	c, err := NewAddrCache(AddrCacheConfig{Source: source, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	done := make(chan []netip.Addr)
	go func() {
		ips, _ := c.Get()
		done <- ips
	}()
	<-entered
	// This would hang (and the test time out) if it waited for the slow
	// listing.
	if got, _ := c.Get(); !slices.Equal(got, old) {
		t.Errorf("Get() during a refresh = %v, want the expired list %v", got, old)
	}
	close(release)
	if got := <-done; !slices.Equal(got, added) {
		t.Errorf("the refreshing Get() = %v, want %v", got, added)
	}
	if got, _ := c.Get(); !slices.Equal(got, added) {
		t.Errorf("Get() after the refresh = %v, want %v", got, added)
	}
}

// TestIsSelfWithAddrCache: the loop check through the cache sees an
// address added to the host once the interval has passed on the injected
// clock, and lists the interfaces once for many connections.
func TestIsSelfWithAddrCache(t *testing.T) {
	clock := newFakeClock()
	src := &countingSource{}
	src.set(addrs("10.0.0.5"), nil)
	c, err := NewAddrCache(AddrCacheConfig{Source: src.List, Now: clock.Now, Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ls := []netip.AddrPort{netip.MustParseAddrPort("0.0.0.0:443")}
	added := netip.MustParseAddrPort("10.0.0.6:443")
	for range 100 {
		if IsSelf(netip.MustParseAddrPort("198.51.100.1:443"), ls, c.Get) {
			t.Fatal("another host's 443 reported as self")
		}
	}
	src.set(addrs("10.0.0.5", "10.0.0.6"), nil)
	if IsSelf(added, ls, c.Get) {
		t.Error("an address added within the interval counted already; the cache did not cache")
	}
	clock.Advance(time.Second)
	if !IsSelf(added, ls, c.Get) {
		t.Error("an address added to the host is not seen after the interval")
	}
	if n := src.calls.Load(); n != 2 {
		t.Errorf("source called %d times for 102 connections over two intervals, want 2", n)
	}
}
