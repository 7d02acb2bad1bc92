package transparent

import (
	"net/netip"
	"testing"
	"time"
)

// BenchmarkIsSelfTProxyFlow is the loop check of one intercepted flow on a
// tproxy listener on 0.0.0.0:443: another host's port 443, so the host's
// addresses are consulted and none matches. "LocalIPs" lists the
// interfaces on every call (the check before AddrCache), "AddrCache" once
// a second on the real clock; the Parallel forms call from every P at once,
// as the fastpath loops and goroutine handlers do.
func BenchmarkIsSelfTProxyFlow(b *testing.B) {
	cache, err := NewAddrCache(AddrCacheConfig{Source: LocalIPs, Now: time.Now})
	if err != nil {
		b.Fatal(err)
	}
	ls := []netip.AddrPort{netip.MustParseAddrPort("0.0.0.0:443")}
	dst := netip.MustParseAddrPort("198.51.100.1:443")
	for _, bc := range []struct {
		name  string
		local func() ([]netip.Addr, error)
	}{
		{"LocalIPs", LocalIPs},
		{"AddrCache", cache.Get},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if IsSelf(dst, ls, bc.local) {
					b.Fatal("another host's 443 reported as self")
				}
			}
		})
		b.Run(bc.name+"Parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if IsSelf(dst, ls, bc.local) {
						b.Error("another host's 443 reported as self")
						return
					}
				}
			})
		})
	}
}
