package transparent

import (
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultAddrInterval is how long tlsgate run trusts one listing of the
// host's addresses: an address added to an interface counts as this host's
// (a loop) within a second, and a tproxy listener intercepting a whole
// subnet's port 443 lists the interfaces once a second, not once a flow.
const DefaultAddrInterval = time.Second

// AddrCacheConfig is what an AddrCache is built from. Source and Now are
// required.
type AddrCacheConfig struct {
	// Source lists the host's addresses: LocalIPs, or a fake in tests.
	Source func() ([]netip.Addr, error)
	// Now is the clock the interval is measured on (the listener's
	// Deps.Now).
	Now func() time.Time
	// Interval is how long one listing is trusted; zero or less means
	// DefaultAddrInterval.
	Interval time.Duration
	// OnError, when set, is told of a failed listing once per run of
	// failures (the first one, and the first one after a listing worked
	// again), not on every call that finds the old list in use. The
	// transparent package holds no logger: tlsgate run logs it. It is
	// called with no lock held and may block only briefly.
	OnError func(error)
}

// AddrCache lists the host's addresses for IsSelf at most once per
// Interval. IsSelf asks on every intercepted connection whose destination
// port is a wildcard listener's own, and LocalIPs is a netlink dump of
// every interface (net.InterfaceAddrs); a tproxy listener on 0.0.0.0:443
// intercepting port 443 for a subnet would pay that on every flow.
//
// A failed listing keeps the previous list (the host rarely loses its
// addresses, and a loop goes unseen only for addresses added since). Its
// Get is safe for concurrent use: while one caller refreshes an expired
// list, the others get the expired one instead of waiting or dumping the
// interfaces too; only the first listing makes callers wait.
type AddrCache struct {
	cfg AddrCacheConfig
	// cur is the latest listing: read without a lock on every call.
	cur atomic.Pointer[addrSnapshot]
	// mu is held by the one caller refreshing the list, and guards failing.
	mu sync.Mutex
	// failing says the last listing failed and OnError has been told.
	failing bool
}

// addrSnapshot is one listing. ips is nil and err set when no listing has
// worked yet.
type addrSnapshot struct {
	ips []netip.Addr
	err error
	at  time.Time
}

// NewAddrCache returns a cache that lists the host's addresses through
// cfg.Source when first asked, then again whenever the last listing is an
// Interval old on cfg.Now.
func NewAddrCache(cfg AddrCacheConfig) (*AddrCache, error) {
	if cfg.Source == nil || cfg.Now == nil {
		return nil, fmt.Errorf("transparent: address cache needs a Source and a Now (source set: %t, now set: %t)",
			cfg.Source != nil, cfg.Now != nil)
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultAddrInterval
	}
	return &AddrCache{cfg: cfg}, nil
}

// Get returns the host's addresses as of the latest listing no older than
// the Interval, or as of the latest one that worked when a refresh failed.
// Its signature fits IsSelf's localIPs and listener.Deps.LocalIPs. It
// returns an error only while no listing has worked yet. The slice is
// shared by every caller: read it, never modify it.
func (c *AddrCache) Get() ([]netip.Addr, error) {
	now := c.cfg.Now()
	s := c.cur.Load()
	if s != nil && c.fresh(s, now) {
		return s.ips, s.err
	}
	return c.refresh(now, s)
}

// fresh says s was listed less than an Interval from now. A listing
// stamped after now is fresh too: a caller reads the clock before it
// looks, and another caller may list in between with a later now. Only a
// clock stepped back by an Interval or more makes it stale, so a stamp
// from the future is never trusted for long.
func (c *AddrCache) fresh(s *addrSnapshot, now time.Time) bool {
	age := now.Sub(s.at)
	return age > -c.cfg.Interval && age < c.cfg.Interval
}

// refresh lists the addresses, seen being the listing Get found expired
// (nil: none yet), unless another caller is already listing and there is a
// list to fall back on, or listed since seen.
func (c *AddrCache) refresh(now time.Time, seen *addrSnapshot) ([]netip.Addr, error) {
	if seen != nil && seen.err == nil {
		if !c.mu.TryLock() {
			// Another caller is listing: the expired list answers
			// this one rather than a second dump or a wait.
			return seen.ips, nil
		}
	} else {
		c.mu.Lock()
	}
	prev := c.cur.Load()
	if prev != seen {
		// Listed by another caller since this one looked. Its stamp
		// may be later than this caller's now, so it is judged by
		// identity, not age: one listing per expiry, not one per
		// caller that saw it expire.
		c.mu.Unlock()
		return prev.ips, prev.err
	}
	ips, err := c.cfg.Source()
	next := &addrSnapshot{ips: ips, at: now}
	var report error
	switch {
	case err == nil:
		c.failing = false
	case prev != nil && prev.err == nil:
		next.ips = prev.ips
		if !c.failing {
			report = fmt.Errorf("transparent: host addresses not refreshed; keeping the %d listed %s earlier: %w",
				len(prev.ips), now.Sub(prev.at).Round(time.Millisecond), err)
		}
		c.failing = true
	default:
		next.ips, next.err = nil, err
		if !c.failing {
			report = fmt.Errorf("transparent: host addresses not listed, so only loopback counts as this host: %w", err)
		}
		c.failing = true
	}
	// The failed attempt is stamped too: the interfaces are listed at most
	// once per Interval even while listing fails.
	c.cur.Store(next)
	c.mu.Unlock()
	if report != nil && c.cfg.OnError != nil {
		c.cfg.OnError(report)
	}
	return next.ips, next.err
}
