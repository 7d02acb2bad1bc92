package transparent

import (
	"fmt"
	"net/netip"
	"strconv"
)

// listenAddr is the address a transparent listener's socket is bound to.
// The zero value, 0.0.0.0 and :: are every address. Where it matters: a
// REDIRECT in PREROUTING delivers to the primary address of the interface
// the packet came in on, TPROXY without --on-ip likewise, and a REDIRECT in
// OUTPUT to 127.0.0.1 (::1): a socket bound to one other address is not
// there, and the kernel answers the client with a reset.
type listenAddr struct{ ip netip.Addr }

// wildcard says the socket listens on every address, where any of the
// rules delivers.
func (l listenAddr) wildcard() bool { return !l.ip.IsValid() || l.ip.IsUnspecified() }

// family is "ipv4" or "ipv6" for a bound address, "" for a wildcard.
func (l listenAddr) family() string {
	switch {
	case l.wildcard():
		return ""
	case l.ip.Unmap().Is4():
		return "ipv4"
	}
	return "ipv6"
}

// at renders the socket's address with port, as a DNAT target takes it.
func (l listenAddr) at(port int) string {
	return netip.AddrPortFrom(l.ip.Unmap(), uint16(port)).String()
}

// String is the address as the doctor quotes it.
func (l listenAddr) String() string {
	if l.wildcard() {
		return "every address"
	}
	return l.ip.Unmap().String()
}

// unsetIP says a TPROXY --on-ip is absent: iptables-save prints 0.0.0.0 (::)
// for it then.
func unsetIP(s string) bool {
	a, err := netip.ParseAddr(s)
	return s == "" || err == nil && a.IsUnspecified()
}

// natDelivers says whether a REDIRECT or DNAT rule to the listen port
// reaches a socket bound to l, and when it does not, or may not, why.
func (l listenAddr) natDelivers(m natMatch) (ok bool, why string) {
	if l.wildcard() {
		return true, ""
	}
	if fam := l.family(); !m.rule.inFamily(fam) {
		return false, fmt.Sprintf("an %s rule cannot reach a socket on the %s address %s", famLabel(otherFamily(fam)), famLabel(fam), l)
	}
	if m.target.verb == "DNAT" {
		a, err := netip.ParseAddr(m.target.addr)
		if err == nil && a.Unmap() == l.ip.Unmap() {
			return true, ""
		}
		return false, fmt.Sprintf("it DNATs to %s, not to %s, where tlsgate listens", orDefault(m.target.addr, "?"), l)
	}
	// REDIRECT: OUTPUT sends this host's own packets to the loopback
	// address; PREROUTING to the incoming interface's primary address.
	if m.rule.hasHook("output") && l.ip.IsLoopback() {
		return true, ""
	}
	if l.ip.IsLoopback() {
		return false, fmt.Sprintf("REDIRECT in PREROUTING delivers to the incoming interface's primary address, never to %s, where tlsgate listens", l)
	}
	if m.rule.hasHook("output") {
		return false, fmt.Sprintf("REDIRECT in OUTPUT delivers this host's packets to the loopback address, not to %s, where tlsgate listens", l)
	}
	return true, fmt.Sprintf("REDIRECT delivers to the primary address of the interface the packets arrive on, so it reaches %s only on the interface whose primary address that is; DNAT --to-destination %s reaches it from any", l, l.at(0))
}

// tproxyDelivers says whether a TPROXY rule to the listen port reaches a
// socket bound to l, and when it does not, or may not, why.
func (l listenAddr) tproxyDelivers(m tproxyMatch) (ok bool, why string) {
	if l.wildcard() {
		return true, ""
	}
	if fam := l.family(); !m.rule.inFamily(fam) {
		return false, fmt.Sprintf("an %s rule cannot reach a socket on the %s address %s", famLabel(otherFamily(fam)), famLabel(fam), l)
	}
	if !unsetIP(m.target.onIP) {
		if a, err := netip.ParseAddr(m.target.onIP); err == nil && a.Unmap() == l.ip.Unmap() {
			return true, ""
		}
		return false, fmt.Sprintf("its --on-ip %s is not %s, where tlsgate listens", m.target.onIP, l)
	}
	if l.ip.IsLoopback() {
		return false, fmt.Sprintf("without --on-ip TPROXY delivers to the incoming interface's primary address, never to %s, where tlsgate listens", l)
	}
	return true, fmt.Sprintf("without --on-ip TPROXY delivers to the primary address of the interface the packets arrive on, so it reaches %s only there; --on-ip %s reaches it from any", l, l)
}

// otherFamily is the family that is not f.
func otherFamily(f string) string {
	if f == "ipv4" {
		return "ipv6"
	}
	return "ipv4"
}

// natFix is the rule (one or two lines) that sends intercepted TCP to a
// socket on l at port. A socket on every address takes a REDIRECT; one on
// a single address a DNAT to it, which for 127.0.0.1 also needs
// route_localnet (the route_localnet check says so); ::1 is unreachable
// from other hosts, so the fix there is to listen elsewhere.
func (l listenAddr) natFix(port int) string {
	p := strconv.Itoa(port)
	switch {
	case l.wildcard():
		return fmt.Sprintf("iptables -t nat -A PREROUTING -p tcp --dport %d -j REDIRECT --to-ports %s\nip6tables -t nat -A PREROUTING -p tcp --dport %d -j REDIRECT --to-ports %s",
			defaultInterceptPort, p, defaultInterceptPort, p)
	case l.family() == "ipv6" && l.ip.IsLoopback():
		return fmt.Sprintf("# other hosts' packets cannot be sent to ::1: set listen = \"[::]:%s\" (or \"0.0.0.0:%s\") and run the doctor again\n"+
			"ip6tables -t nat -A OUTPUT -p tcp --dport %d -m owner ! --uid-owner <tlsgate uid> -j REDIRECT --to-ports %s   # this host's own clients only",
			p, p, defaultInterceptPort, p)
	case l.family() == "ipv6":
		return fmt.Sprintf("ip6tables -t nat -A PREROUTING -p tcp --dport %d -j DNAT --to-destination %s", defaultInterceptPort, l.at(port))
	case l.ip.IsLoopback():
		return fmt.Sprintf("iptables -t nat -A PREROUTING -p tcp --dport %d -j DNAT --to-destination %s\nsysctl -w net.ipv4.conf.all.route_localnet=1   # or set listen = \"0.0.0.0:%s\" and REDIRECT",
			defaultInterceptPort, l.at(port), p)
	}
	return fmt.Sprintf("iptables -t nat -A PREROUTING -p tcp --dport %d -j DNAT --to-destination %s", defaultInterceptPort, l.at(port))
}

// tproxyFix is the TPROXY rule (one or two lines) that hands intercepted
// TCP to a socket on l at port: --on-ip names a single address.
func (l listenAddr) tproxyFix(port int) string {
	if l.wildcard() {
		return fmt.Sprintf("iptables -t mangle -A PREROUTING -p tcp --dport %d -j TPROXY --on-port %d --tproxy-mark %s\nip6tables -t mangle -A PREROUTING -p tcp --dport %d -j TPROXY --on-port %d --tproxy-mark %s",
			defaultInterceptPort, port, defaultMark, defaultInterceptPort, port, defaultMark)
	}
	cmd := "iptables"
	if l.family() == "ipv6" {
		cmd = "ip6tables"
	}
	return fmt.Sprintf("%s -t mangle -A PREROUTING -p tcp --dport %d -j TPROXY --on-ip %s --on-port %d --tproxy-mark %s",
		cmd, defaultInterceptPort, l, port, defaultMark)
}

// listenCheck is the check on the listen address itself, for a socket on
// one address only: it is OK when some rule delivers there (delivering).
func (d *doctor) listenCheck(mode string, delivering bool) Check {
	c := Check{Name: "listen address", OK: delivering}
	how := "a REDIRECT in PREROUTING delivers to the incoming interface's primary address, and one in OUTPUT to 127.0.0.1 (::1)"
	if d.addr.ip.IsLoopback() {
		how = fmt.Sprintf("a REDIRECT in PREROUTING delivers to the incoming interface's primary address, never to %s (only one in OUTPUT, for this host's own clients, does)", d.addr)
	}
	if mode == ModeTProxy {
		how = "TPROXY without --on-ip delivers to the incoming interface's primary address"
	}
	if delivering {
		c.Detail = fmt.Sprintf("tlsgate listens on %s only (not 0.0.0.0 or ::); %s, so only the rules that deliver to %s reach it, and those found do", d.addr, how, d.addr)
		return c
	}
	c.Detail = fmt.Sprintf("tlsgate listens on %s only (not 0.0.0.0 or ::): %s, where this socket does not listen, so intercepted clients are refused (curl (7) or a reset)", d.addr, how)
	c.Fix = fmt.Sprintf("# listen = \"0.0.0.0:%d\" (or \"[::]:%d\") in the config, for the rules a socket on every address takes; or keep %s with:\n", d.port, d.port, d.addr)
	if mode == ModeTProxy {
		c.Fix += d.addr.tproxyFix(d.port)
	} else {
		c.Fix += d.addr.natFix(d.port)
	}
	return c
}
