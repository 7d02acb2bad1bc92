package main

import (
	"net/netip"
	"time"

	"go.uber.org/zap"

	"github.com/tlsgate/tlsgate/transparent"
)

// msgHostAddrs is the line logged when the host's addresses cannot be
// listed for the transparent listeners' loop check.
const msgHostAddrs = "transparent loop check: this host's addresses not listed"

// newHostAddrs is the one address cache every listener's Deps.LocalIPs
// shares: the loop check of a tproxy listener on a wildcard address lists
// the interfaces at most once per transparent.DefaultAddrInterval on now
// (Deps.Now), not once per intercepted flow. A listing that fails is
// logged once per run of failures; the previous list stays in use.
func newHostAddrs(logger *zap.Logger, now func() time.Time, source func() ([]netip.Addr, error)) (*transparent.AddrCache, error) {
	return transparent.NewAddrCache(transparent.AddrCacheConfig{Source: source, Now: now,
		OnError: func(err error) { logger.Warn(msgHostAddrs, zap.Error(err)) }})
}
