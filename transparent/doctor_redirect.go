package transparent

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// natMatch is a REDIRECT or DNAT rule with its index in doctor.rules (order
// matters for RETURN rules that come before it).
type natMatch struct {
	idx    int
	rule   fwRule
	target natTarget
	ports  portRange // where the rule sends the packets
}

// redirect runs the checks for REDIRECT/DNAT interception.
func (d *doctor) redirect() []Check {
	rs := d.loadRules()
	checks := []Check{rs}
	var matches, others []natMatch
	for i, r := range d.rules {
		if r.kind != "nat" || !(r.hasHook("prerouting") || r.hasHook("output")) {
			continue
		}
		t, ok := natTargetOf(r)
		if !ok {
			continue
		}
		ports := t.ports
		if ports.lo == 0 { // the rule keeps the destination port
			ports = parsePortRange(dportOf(r))
		}
		m := natMatch{idx: i, rule: r, target: t, ports: ports}
		if ports.has(d.port) {
			matches = append(matches, m)
		} else {
			others = append(others, m)
		}
	}
	matches, others = dedupeNat(matches), dedupeNat(others)
	rc := d.redirectRule(rs.OK, matches, others)
	checks = append(checks, rc)
	if !d.addr.wildcard() {
		checks = append(checks, d.listenCheck(ModeRedirect, rc.OK))
	}
	checks = append(checks, d.loopExclusion(matches))

	var pre []fwRule
	for _, m := range matches {
		if m.rule.hasHook("prerouting") {
			pre = append(pre, m.rule)
		}
	}
	if len(pre) == 0 && len(matches) > 0 {
		checks = append(checks, Check{Name: "ip_forward", OK: true,
			Detail: "not needed: only this host's own traffic (OUTPUT) is redirected"})
	} else {
		checks = append(checks, d.forwarding(families(pre), "a gateway intercepting in PREROUTING routes its clients' other traffic")...)
	}
	return append(checks, d.routeLocalnet(matches))
}

// dedupeNat drops rules listed twice: iptables-nft rules show up both in
// iptables-save and in nft's listing. The first (iptables) copy wins.
func dedupeNat(ms []natMatch) []natMatch {
	seen := map[string]bool{}
	var out []natMatch
	for _, m := range ms {
		hooks := make([]string, 0, len(m.rule.hooks))
		for h := range m.rule.hooks {
			hooks = append(hooks, h)
		}
		slices.Sort(hooks)
		k := fmt.Sprint(m.rule.family, hooks, m.target.verb, m.target.addr, m.ports, dportOf(m.rule), ownerExcluded(m.rule))
		if !seen[k] {
			seen[k] = true
			out = append(out, m)
		}
	}
	return out
}

// redirectRule checks that some nat rule sends traffic to the listen port.
func (d *doctor) redirectRule(readable bool, matches, others []natMatch) Check {
	good, bad := delivering(d, matches, func(m natMatch) fwRule { return m.rule }, d.addr.natDelivers)
	c := Check{Name: "redirect rule", OK: good != "" && len(bad) == 0}
	if c.OK {
		c.Detail = good
		return c
	}
	switch {
	case len(bad) > 0:
		c.Detail = fmt.Sprintf("rules send TCP to port %d, but none to %s, where tlsgate listens: %s", d.port, d.addr, strings.Join(bad, "; "))
	case !readable:
		c.Detail = "rules could not be read (see ruleset), so no REDIRECT/DNAT rule to port " + fmt.Sprint(d.port) + " was found"
	case len(others) > 0:
		var ev []string
		for _, m := range others {
			ev = append(ev, fmt.Sprintf("%s (to port %s)", describe(m.rule), orDefault(m.ports.String(), "?")))
		}
		c.Detail = fmt.Sprintf("no nat rule sends TCP to port %d, where tlsgate listens; rules send it elsewhere: %s", d.port, strings.Join(ev, "; "))
	default:
		c.Detail = fmt.Sprintf("no nat PREROUTING/OUTPUT rule REDIRECTs or DNATs TCP to port %d, so no connection reaches tlsgate with an original destination", d.port)
	}
	c.Fix = d.addr.natFix(d.port)
	return c
}

// loopExclusion checks that OUTPUT-chain redirects spare tlsgate's own
// sockets: otherwise its upstream dial to the original destination is
// redirected back to itself (mitmproxy #630).
func (d *doctor) loopExclusion(matches []natMatch) Check {
	c := Check{Name: "loop exclusion", OK: true}
	var bad []natMatch
	nOut := 0
	for _, m := range matches {
		if !m.rule.hasHook("output") {
			continue
		}
		nOut++
		if !ownerExcluded(m.rule) && !d.returnedBefore(m) {
			bad = append(bad, m)
		}
	}
	switch {
	case nOut == 0:
		c.Detail = "no OUTPUT-chain redirect, so tlsgate's own upstream connections are not intercepted"
		return c
	case len(bad) == 0:
		c.Detail = fmt.Sprintf("%d OUTPUT-chain redirect(s), each skipping an owner (-m owner ! --uid-owner / skuid != or an owner RETURN before it)", nOut)
		return c
	}
	uid := d.uid()
	c.OK = false
	var ev, fix []string
	for _, m := range bad {
		ev = append(ev, describe(m.rule))
		fix = append(fix, ownerReturnFix(m.rule, uid))
	}
	c.Detail = fmt.Sprintf("OUTPUT-chain redirect without an owner exclusion: tlsgate's own dial to the original destination is redirected back to tlsgate, a loop (%s); uid %s is the doctor's, use the uid tlsgate runs as",
		strings.Join(ev, "; "), uid)
	c.Fix = strings.Join(slices.Compact(fix), "\n")
	return c
}

// returnedBefore says an owner-matching RETURN/ACCEPT rule earlier in the
// same chain lets some user's packets skip the redirect.
func (d *doctor) returnedBefore(m natMatch) bool {
	for _, r := range d.rules[:m.idx] {
		if r.source == m.rule.source && r.table == m.rule.table && r.chain == m.rule.chain && ownerReturns(r) {
			return true
		}
	}
	return false
}

// ownerReturnFix is the command that inserts an owner RETURN at the top of
// a rule's chain.
func ownerReturnFix(r fwRule, uid string) string {
	if r.source == "nft" {
		return fmt.Sprintf("nft insert rule %s %s meta skuid %s return", r.table, r.chain, uid)
	}
	return fmt.Sprintf("%s -t %s -I %s -m owner --uid-owner %s -j RETURN", strings.TrimSuffix(r.source, "-save"), r.table, r.chain, uid)
}

// routeLocalnet checks the sysctl that lets packets from other hosts be
// DNATed to 127.0.0.0/8; without it the kernel drops them as martians.
func (d *doctor) routeLocalnet(matches []natMatch) Check {
	c := Check{Name: "route_localnet", OK: true}
	var loop []string
	for _, m := range matches {
		a, err := netip.ParseAddr(m.target.addr)
		if m.target.verb == "DNAT" && err == nil && a.Unmap().Is4() && a.IsLoopback() && m.rule.hasHook("prerouting") {
			loop = append(loop, describe(m.rule))
		}
	}
	if len(loop) == 0 {
		c.Detail = "not needed: no PREROUTING DNAT to 127.0.0.0/8 (REDIRECT uses the incoming interface's address)"
		if d.addr.family() == "ipv4" && d.addr.ip.IsLoopback() {
			// The DNAT the redirect rule check proposes needs it.
			c.Detail = fmt.Sprintf("not needed yet, for want of a PREROUTING DNAT to 127.0.0.0/8; one to %s, the only way other hosts' clients reach tlsgate on %s, needs net.ipv4.conf.all.route_localnet = 1",
				d.addr.at(d.port), d.addr)
		}
		return c
	}
	const all = "/proc/sys/net/ipv4/conf/all/route_localnet"
	v, err := d.read(all)
	if err == nil && v == "1" {
		c.Detail = "net.ipv4.conf.all.route_localnet = 1, needed by " + strings.Join(loop, "; ")
		return c
	}
	var on []string
	for _, p := range d.glob("/proc/sys/net/ipv4/conf/*/route_localnet") {
		iface := strings.Split(strings.TrimPrefix(p, "/proc/sys/net/ipv4/conf/"), "/")[0]
		if iface == "all" || iface == "default" || iface == "lo" {
			continue
		}
		if x, err := d.read(p); err == nil && x == "1" {
			on = append(on, iface)
		}
	}
	if len(on) > 0 {
		c.Detail = fmt.Sprintf("route_localnet is on for %s only: DNAT to 127.0.0.0/8 works for packets arriving there, others are dropped as martians", strings.Join(on, ", "))
		return c
	}
	c.OK = false
	c.Detail = fmt.Sprintf("net.ipv4.conf.all.route_localnet = %s: packets from other hosts DNATed to 127.0.0.0/8 are dropped as martians (%s)", orDefault(v, "unreadable"), strings.Join(loop, "; "))
	c.Fix = "sysctl -w net.ipv4.conf.all.route_localnet=1"
	return c
}

// delivering sorts the rules that send the listen port's traffic by
// whether they deliver it to the address tlsgate listens on. good words
// the ones that do for the check's detail (with their caveats, and the
// IPv6 gap of a wildcard listener no rule covers for IPv6), "" when none
// does; bad words each one that does not. Any bad rule fails the check:
// it intercepts clients and delivers them where nothing listens, whatever
// the other rules do.
func delivering[M any](d *doctor, matches []M, rule func(M) fwRule, delivers func(M) (bool, string)) (good string, bad []string) {
	var ev, caveats []string
	v6 := false
	for _, m := range matches {
		r := rule(m)
		ok, why := delivers(m)
		switch {
		case !ok:
			bad = append(bad, describe(r)+": "+why)
		case why != "":
			caveats = append(caveats, describe(r)+": "+why)
			fallthrough
		default:
			ev = append(ev, describe(r))
			v6 = v6 || r.inFamily("ipv6")
		}
	}
	if len(ev) == 0 {
		return "", bad
	}
	if d.addr.wildcard() && !v6 {
		ev = append(ev, "no IPv6 rule: IPv6 clients are not intercepted")
	}
	return strings.Join(append(ev, caveats...), "; "), bad
}
