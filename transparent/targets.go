package transparent

import (
	"strconv"
	"strings"
)

// portRange is an inclusive port range; lo == 0 means unknown.
type portRange struct{ lo, hi int }

// has says p is in the range.
func (pr portRange) has(p int) bool { return pr.lo != 0 && pr.lo <= p && p <= pr.hi }

// String renders the range the way iptables does.
func (pr portRange) String() string {
	if pr.lo == 0 {
		return ""
	}
	if pr.lo == pr.hi {
		return strconv.Itoa(pr.lo)
	}
	return strconv.Itoa(pr.lo) + "-" + strconv.Itoa(pr.hi)
}

// parsePortRange reads "8443" or "8000-9000" (nft also writes a leading
// colon); anything else is the zero range.
func parsePortRange(s string) portRange {
	s = strings.TrimPrefix(s, ":")
	lo, hi, isRange := strings.Cut(s, "-")
	a, err := strconv.Atoi(lo)
	if err != nil || a < 1 || a > 65535 {
		return portRange{}
	}
	if !isRange {
		return portRange{a, a}
	}
	b, err := strconv.Atoi(hi)
	if err != nil || b < a || b > 65535 {
		return portRange{}
	}
	return portRange{a, b}
}

// natTarget is where a REDIRECT or DNAT rule sends packets.
type natTarget struct {
	verb  string    // "REDIRECT" or "DNAT"
	addr  string    // DNAT address, "" for REDIRECT
	ports portRange // zero when the rule keeps the destination port
}

// natTargetOf extracts a rule's REDIRECT or DNAT target.
func natTargetOf(r fwRule) (natTarget, bool) {
	f := strings.Fields(r.text)
	if r.source != "nft" {
		switch optValue(f, "-j") {
		case "REDIRECT":
			return natTarget{verb: "REDIRECT", ports: parsePortRange(optValue(f, "--to-ports"))}, true
		case "DNAT":
			addr, ports := splitHostPorts(optValue(f, "--to-destination"), r.family == "ipv6")
			return natTarget{verb: "DNAT", addr: addr, ports: ports}, true
		}
		return natTarget{}, false
	}
	for i, w := range f {
		switch w {
		case "redirect":
			// "redirect", "redirect to :8443" or "redirect to 8443".
			return natTarget{verb: "REDIRECT", ports: parsePortRange(nftTo(f[i+1:]))}, true
		case "dnat":
			to := nftTo(f[i+1:])
			addr, ports := splitHostPorts(to, strings.HasPrefix(to, "[") || strings.Count(to, ":") > 1)
			return natTarget{verb: "DNAT", addr: addr, ports: ports}, true
		}
	}
	return natTarget{}, false
}

// nftTo returns the argument of "to" in a statement's words, skipping a
// family qualifier ("dnat ip to …").
func nftTo(f []string) string {
	for i := 0; i+1 < len(f) && i < 3; i++ {
		if f[i] == "to" {
			return f[i+1]
		}
	}
	return ""
}

// splitHostPorts splits a NAT destination such as "10.0.0.1:8443",
// "[::1]:8443", "10.0.0.1" or "::1". A bare IPv6 address has no port.
func splitHostPorts(s string, v6 bool) (string, portRange) {
	if strings.HasPrefix(s, "[") {
		host, rest, _ := strings.Cut(s[1:], "]")
		return host, parsePortRange(strings.TrimPrefix(rest, ":"))
	}
	if v6 {
		return s, portRange{}
	}
	if host, ports, ok := strings.Cut(s, ":"); ok {
		return host, parsePortRange(ports)
	}
	return s, portRange{}
}

// dportOf returns the destination port a rule matches, as written.
func dportOf(r fwRule) string {
	f := strings.Fields(r.text)
	if r.source != "nft" {
		return optValue(f, "--dport")
	}
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "dport" {
			return f[i+1]
		}
	}
	return ""
}

// tproxyTarget is a TPROXY rule's destination port and mark.
type tproxyTarget struct {
	port      int
	onIP      string
	mark      uint32
	mask      uint32
	markKnown bool // nft rules may set the mark in another rule
}

// tproxyTargetOf extracts a rule's TPROXY target.
func tproxyTargetOf(r fwRule) (tproxyTarget, bool) {
	f := strings.Fields(r.text)
	if r.source != "nft" {
		if optValue(f, "-j") != "TPROXY" {
			return tproxyTarget{}, false
		}
		t := tproxyTarget{port: parsePortRange(optValue(f, "--on-port")).lo, onIP: optValue(f, "--on-ip"), markKnown: true}
		if m := optValue(f, "--tproxy-mark"); m != "" {
			t.mark, t.mask, _ = parseMark(m)
		}
		return t, true
	}
	for i, w := range f {
		if w != "tproxy" {
			continue
		}
		to := nftTo(f[i+1:])
		t := tproxyTarget{}
		switch {
		case strings.HasPrefix(to, ":"):
			t.port = parsePortRange(to).lo
		case strings.HasPrefix(to, "["):
			t.onIP, t.port = splitOnIP(to)
		case strings.Count(to, ":") == 1:
			host, p, _ := strings.Cut(to, ":")
			t.onIP, t.port = host, parsePortRange(p).lo
		default:
			t.onIP = to
		}
		for j := i; j+3 < len(f); j++ {
			if f[j] == "meta" && f[j+1] == "mark" && f[j+2] == "set" {
				t.mark, t.mask, t.markKnown = parseMarkValue(f[j+3]), 0xffffffff, true
			}
		}
		return t, true
	}
	return tproxyTarget{}, false
}

// splitOnIP splits "[addr]:port".
func splitOnIP(s string) (string, int) {
	host, ports := splitHostPorts(s, true)
	return host, ports.lo
}

// parseMark reads "0x1/0x1" or "0x1" (mask all ones).
func parseMark(s string) (mark, mask uint32, ok bool) {
	v, m, hasMask := strings.Cut(s, "/")
	mark, mask = parseMarkValue(v), 0xffffffff
	if hasMask {
		mask = parseMarkValue(m)
	}
	return mark, mask, v != ""
}

// parseMarkValue reads a hex or decimal mark; junk reads as 0.
func parseMarkValue(s string) uint32 {
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0
	}
	return uint32(n)
}

// ownerExcluded says a rule itself skips some socket owner: iptables'
// `-m owner ! --uid-owner` or nft's `skuid != …`.
func ownerExcluded(r fwRule) bool {
	f := strings.Fields(r.text)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "!" && (f[i+1] == "--uid-owner" || f[i+1] == "--gid-owner") {
			return true
		}
		if (f[i] == "skuid" || f[i] == "skgid") && f[i+1] == "!=" {
			return true
		}
	}
	return false
}

// ownerReturns says a rule lets some socket owner's packets leave the chain
// untouched: `-m owner --uid-owner X -j RETURN` or `skuid X return`.
func ownerReturns(r fwRule) bool {
	f := strings.Fields(r.text)
	owner, leaves := false, false
	for i, w := range f {
		switch w {
		case "--uid-owner", "--gid-owner":
			owner = owner || i == 0 || f[i-1] != "!"
		case "skuid", "skgid":
			owner = owner || i+1 < len(f) && f[i+1] != "!="
		case "RETURN", "ACCEPT", "return", "accept":
			leaves = true
		}
	}
	return owner && leaves
}

// policyRule is one line of `ip rule`: an fwmark selector and its table.
type policyRule struct {
	mark, mask uint32
	table      string
	text       string
}

// parseIPRules reads `ip rule` output, keeping fwmark rules only.
func parseIPRules(out string) []policyRule {
	var rules []policyRule
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		m := optValue(f, "fwmark")
		if m == "" {
			continue
		}
		table := optValue(f, "lookup")
		if table == "" {
			table = optValue(f, "table")
		}
		mark, mask, _ := parseMark(m)
		rules = append(rules, policyRule{mark: mark, mask: mask, table: table, text: strings.Join(f, " ")})
	}
	return rules
}

// matches says packets carrying the TPROXY rule's mark hit this ip rule.
// TPROXY sets mark = (mark &^ mask) ^ value; starting from an unmarked
// packet that is value & mask.
func (p policyRule) matches(t tproxyTarget) bool {
	if !t.markKnown {
		return true
	}
	mark := t.mark & t.mask
	return mark&p.mask == p.mark
}

// hasLocalDefault says a routing table listing delivers every destination
// locally: "local default dev lo" (or 0.0.0.0/0, ::/0).
func hasLocalDefault(out string) bool {
	for line := range strings.Lines(out) {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "local" && (f[1] == "default" || f[1] == "0.0.0.0/0" || f[1] == "::/0") && optValue(f, "dev") == "lo" {
			return true
		}
	}
	return false
}

// statusField returns a /proc/<pid>/status field's value ("CapEff", "Uid").
func statusField(status, name string) string {
	for line := range strings.Lines(status) {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// capBits parses a CapEff-style hex mask.
func capBits(s string) (uint64, bool) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 16, 64)
	return n, err == nil
}
