package transparent

import (
	"fmt"
	"strings"
)

// tproxyMatch is a TPROXY rule and its target.
type tproxyMatch struct {
	rule   fwRule
	target tproxyTarget
}

// tproxy runs the checks for TPROXY interception.
func (d *doctor) tproxy() []Check {
	checks := []Check{d.capability()}
	rs := d.loadRules()
	checks = append(checks, rs)
	var matches, others []tproxyMatch
	seen := map[string]bool{}
	for _, r := range d.rules {
		t, ok := tproxyTargetOf(r)
		if !ok || !r.hasHook("prerouting") {
			continue
		}
		// iptables-nft rules appear again in nft's listing as an opaque
		// "xt target TPROXY"; the parsed iptables copy is the one kept.
		k := fmt.Sprint(r.family, t.port, dportOf(r))
		if seen[k] {
			continue
		}
		seen[k] = true
		if t.port == d.port {
			matches = append(matches, tproxyMatch{r, t})
		} else {
			others = append(others, tproxyMatch{r, t})
		}
	}
	tc := d.tproxyRule(rs.OK, matches, others)
	checks = append(checks, tc)
	if !d.addr.wildcard() {
		checks = append(checks, d.listenCheck(ModeTProxy, tc.OK))
	}

	var rules []fwRule
	for _, m := range matches {
		rules = append(rules, m.rule)
	}
	for _, fam := range families(rules) {
		t := tproxyTarget{mark: 1, mask: 1, markKnown: true}
		for _, m := range matches {
			if m.rule.inFamily(fam) {
				t = m.target
				break
			}
		}
		pc, table := d.policyRule(fam, t)
		checks = append(checks, pc, d.localRoute(fam, table))
	}
	checks = append(checks, d.rpFilter())
	return append(checks, d.forwarding(families(rules), "TPROXY intercepts in PREROUTING, on a gateway that routes its clients' other traffic")...)
}

// capability checks that this process may set IP_TRANSPARENT.
func (d *doctor) capability() Check {
	c := Check{Name: "CAP_NET_ADMIN"}
	const fix = "sudo setcap cap_net_admin+ep \"$(command -v tlsgate)\"   # or run tlsgate as root, or systemd AmbientCapabilities=CAP_NET_ADMIN"
	status, err := d.read("/proc/self/status")
	if err != nil {
		c.Detail = fmt.Sprintf("cannot read /proc/self/status: %v", err)
		c.Fix = fix
		return c
	}
	raw := statusField(status, "CapEff")
	bits, ok := capBits(raw)
	if !ok {
		c.Detail = fmt.Sprintf("no readable CapEff in /proc/self/status (%q)", raw)
		c.Fix = fix
		return c
	}
	uid := "?"
	if f := strings.Fields(statusField(status, "Uid")); len(f) >= 2 {
		uid = f[1]
	}
	switch {
	case bits&(1<<capNetAdmin) != 0:
		c.OK = true
		c.Detail = fmt.Sprintf("CapEff %s (uid %s) has CAP_NET_ADMIN, so the listener may set IP_TRANSPARENT", raw, uid)
	case bits&(1<<capNetRaw) != 0:
		c.OK = true
		c.Detail = fmt.Sprintf("CapEff %s (uid %s) lacks CAP_NET_ADMIN but has CAP_NET_RAW, which the kernel also accepts for IP_TRANSPARENT", raw, uid)
	default:
		c.Detail = fmt.Sprintf("CapEff %s (uid %s) has neither CAP_NET_ADMIN nor CAP_NET_RAW: setting IP_TRANSPARENT fails with EPERM; this checks the doctor's process, so run it as the user tlsgate runs as", raw, uid)
		c.Fix = fix
	}
	return c
}

// tproxyRule checks for a mangle PREROUTING TPROXY rule to the listen port.
func (d *doctor) tproxyRule(readable bool, matches, others []tproxyMatch) Check {
	good, bad := delivering(d, matches, func(m tproxyMatch) fwRule { return m.rule }, d.addr.tproxyDelivers)
	c := Check{Name: "tproxy rule", OK: good != "" && len(bad) == 0}
	if c.OK {
		c.Detail = good
		return c
	}
	switch {
	case len(bad) > 0:
		c.Detail = fmt.Sprintf("TPROXY rules send TCP to port %d, but none to %s, where tlsgate listens: %s", d.port, d.addr, strings.Join(bad, "; "))
	case !readable:
		c.Detail = fmt.Sprintf("rules could not be read (see ruleset), so no TPROXY rule to port %d was found", d.port)
	case len(others) > 0:
		var ev []string
		for _, m := range others {
			ev = append(ev, fmt.Sprintf("%s (--on-port %d)", describe(m.rule), m.target.port))
		}
		c.Detail = fmt.Sprintf("no TPROXY rule sends TCP to port %d, where tlsgate listens; rules send it elsewhere: %s", d.port, strings.Join(ev, "; "))
	default:
		c.Detail = fmt.Sprintf("no mangle PREROUTING rule TPROXYs TCP to port %d, so no connection reaches tlsgate", d.port)
	}
	c.Fix = d.addr.tproxyFix(d.port)
	return c
}

// ipCmd prefixes an ip(8) command for a family.
func ipCmd(fam string, args ...string) []string {
	if fam == "ipv6" {
		return append([]string{"-6"}, args...)
	}
	return args
}

// policyRule checks for the `ip rule fwmark … lookup N` that steers
// TPROXY-marked packets to a local table, and returns N (the default table
// when none is found, for the next check's fix).
func (d *doctor) policyRule(fam string, t tproxyTarget) (Check, string) {
	c := Check{Name: "policy rule (" + famLabel(fam) + ")"}
	markStr := fmt.Sprintf("0x%x/0x%x", t.mark, t.mask)
	fix := "ip " + strings.Join(ipCmd(fam, "rule", "add", "fwmark", markStr, "lookup", defaultTable), " ")
	if t.markKnown && t.mark&t.mask == 0 {
		c.Detail = "the TPROXY rule sets no mark (--tproxy-mark), so no ip rule can steer its packets to the local-delivery table"
		c.Fix = fmt.Sprintf("# re-add the TPROXY rule with --tproxy-mark %s, then:\nip %s", defaultMark,
			strings.Join(ipCmd(fam, "rule", "add", "fwmark", defaultMark, "lookup", defaultTable), " "))
		return c, defaultTable
	}
	out, err := d.run("ip", ipCmd(fam, "rule")...)
	if err != nil {
		c.Detail = fmt.Sprintf("cannot list policy rules (ip %s): %v", strings.Join(ipCmd(fam, "rule"), " "), err)
		c.Fix = fix
		return c, defaultTable
	}
	rules := parseIPRules(out)
	for _, r := range rules {
		if r.matches(t) && r.table != "" {
			c.OK = true
			c.Detail = fmt.Sprintf("%q sends packets marked %s to table %s", r.text, markStr, r.table)
			if !t.markKnown {
				c.Detail = fmt.Sprintf("%q sends marked packets to table %s (the TPROXY rule's mark is set elsewhere; check it matches)", r.text, r.table)
			}
			return c, r.table
		}
	}
	c.Detail = fmt.Sprintf("no ip rule matches the TPROXY mark %s: marked packets follow the main table and are forwarded or dropped instead of reaching the listener", markStr)
	if len(rules) > 0 {
		var ev []string
		for _, r := range rules {
			ev = append(ev, fmt.Sprintf("%q", r.text))
		}
		c.Detail += "; fwmark rules present: " + strings.Join(ev, ", ")
	}
	c.Fix = fix
	return c, defaultTable
}

// localRoute checks that the policy table delivers every destination to
// the host itself, which is what lets TPROXY hand a foreign-addressed
// packet to a local socket.
func (d *doctor) localRoute(fam, table string) Check {
	c := Check{Name: "local route (" + famLabel(fam) + ")"}
	dst := "0.0.0.0/0"
	if fam == "ipv6" {
		dst = "::/0"
	}
	fix := "ip " + strings.Join(ipCmd(fam, "route", "add", "local", dst, "dev", "lo", "table", table), " ")
	out, err := d.run("ip", ipCmd(fam, "route", "show", "table", table)...)
	switch {
	case err != nil:
		c.Detail = fmt.Sprintf("table %s cannot be listed (%v): it has no routes, so marked packets are not delivered locally", table, err)
	case hasLocalDefault(out):
		c.OK = true
		c.Detail = fmt.Sprintf("table %s has %q", table, firstLine(out, "local"))
		return c
	case strings.TrimSpace(out) == "":
		c.Detail = fmt.Sprintf("table %s is empty: marked packets are not delivered locally", table)
	default:
		c.Detail = fmt.Sprintf("table %s has no local default route via lo (has: %s)", table, strings.Join(strings.Fields(out), " "))
	}
	c.Fix = fix
	return c
}

// firstLine returns the first line starting with prefix, trimmed.
func firstLine(out, prefix string) string {
	for line := range strings.Lines(out) {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, prefix) {
			return t
		}
	}
	return ""
}

// rpFilter checks reverse-path filtering: strict mode (1) drops intercepted
// packets whenever the way back to the client is not the interface they
// came in on. The kernel applies max(all, interface).
func (d *doctor) rpFilter() Check {
	c := Check{Name: "rp_filter", OK: true}
	const allPath = "/proc/sys/net/ipv4/conf/all/rp_filter"
	all, err := d.read(allPath)
	if err != nil {
		c.OK = false
		c.Detail = fmt.Sprintf("cannot read %s: %v", allPath, err)
		c.Fix = "sysctl -w net.ipv4.conf.all.rp_filter=2"
		return c
	}
	var strict []string
	if all == "1" {
		strict = append(strict, "all")
	}
	for _, p := range d.glob("/proc/sys/net/ipv4/conf/*/rp_filter") {
		iface := strings.Split(strings.TrimPrefix(p, "/proc/sys/net/ipv4/conf/"), "/")[0]
		if iface == "all" || iface == "default" || all == "1" {
			continue
		}
		if v, err := d.read(p); err == nil && v == "1" && all != "2" {
			strict = append(strict, iface)
		}
	}
	if len(strict) == 0 {
		c.Detail = fmt.Sprintf("net.ipv4.conf.all.rp_filter = %s, and no interface is strict", all)
		return c
	}
	c.OK = false
	c.Detail = fmt.Sprintf("strict reverse-path filtering (1) on %s drops TPROXY'd packets whenever the route back to the client is not the interface they arrived on (asymmetric or mark-based routing, same-host interception via lo); loose mode (2) is the usual setting",
		strings.Join(strict, ", "))
	c.Fix = "sysctl -w net.ipv4.conf.all.rp_filter=2"
	return c
}
