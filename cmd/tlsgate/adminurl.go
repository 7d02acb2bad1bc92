package main

import (
	"net"
	"net/netip"
	"strconv"
)

// adminClientURL is the admin API's URL as a client on this machine
// reaches it (tlsgate fault --admin, curl), for the lines that advise one:
// listen is [admin] listen as configured, bound the address it was bound
// to. A wildcard address cannot be connected to as written (curl
// http://[::]:8474 fails on some systems and reads wrong on all), so it
// becomes the loopback address of the family the config names: 127.0.0.1
// for "0.0.0.0" and for a bare ":PORT" (the one curl users expect; Go's
// socket for both is dual-stack), [::1] for "[::]". The family comes from
// the config, not the bound address: Go binds "0.0.0.0" as a dual-stack
// IPv6 socket, whose address reads [::].
func adminClientURL(listen string, bound net.Addr) string {
	ap, err := netip.ParseAddrPort(bound.String())
	if err != nil || !ap.Addr().IsUnspecified() {
		return "http://" + bound.String()
	}
	loop := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	if host, _, err := net.SplitHostPort(listen); err == nil {
		if a, err := netip.ParseAddr(host); err == nil && a.Is6() && !a.Is4In6() {
			loop = netip.IPv6Loopback()
		}
	}
	return "http://" + net.JoinHostPort(loop.String(), strconv.Itoa(int(ap.Port())))
}

// adminTryHint is the "try" of the admin API's start-up line: commands a
// user can paste as printed. With an [admin] token every request without
// it is a 401, so both carry it, named by where it is kept rather than
// printed (the log outlives the secret's audience).
func adminTryHint(adminURL string, token bool) string {
	if !token {
		return "tlsgate fault ls" + faultAdminFlag(adminURL) + " ; curl " + adminURL + "/events"
	}
	return "tlsgate fault ls" + faultAdminFlag(adminURL) + " --token '<[admin] token>' ; curl -H 'Authorization: Bearer <[admin] token>' " + adminURL + "/events"
}
