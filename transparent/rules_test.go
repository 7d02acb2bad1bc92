package transparent

import (
	"strings"
	"testing"
)

func TestParseIPTablesSaveHooks(t *testing.T) {
	out := "*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:TG - [0:0]\n:TG2 - [0:0]\n" +
		"-A PREROUTING -i eth1 -j TG\n-A OUTPUT -j TG\n-A TG -j TG2\n-A TG2 -p tcp -m tcp --dport 443 -j REDIRECT --to-ports 8443\nCOMMIT\n" +
		"*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff\nCOMMIT\n"
	rules := parseIPTablesSave(out, "iptables-save", "ipv4")
	if len(rules) != 5 {
		t.Fatalf("got %d rules, want 5: %+v", len(rules), rules)
	}
	last := rules[3]
	if last.chain != "TG2" || !last.hasHook("prerouting") || !last.hasHook("output") || last.kind != "nat" {
		t.Errorf("nested user chain rule = %+v, want hooks prerouting+output in nat", last)
	}
	if rules[4].table != "mangle" || rules[4].jump != "" {
		t.Errorf("MARK rule = %+v: a target is no jump", rules[4])
	}
}

func TestParseNftRulesetSkipsSets(t *testing.T) {
	out := `table inet tg {
	set bypass {
		type ipv4_addr
		elements = { 10.0.0.1, 10.0.0.2,
			     10.0.0.3 }
	}

	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr != @bypass jump intercept
	}

	chain intercept {
		tcp dport { 443, 8443 } redirect to :8443
	}
}
table ip filter {
	chain input {
		type filter hook input priority filter; policy accept;
	}
}
`
	rules := parseNftRuleset(out)
	if len(rules) != 2 {
		t.Fatalf("got %d rules, want 2: %+v", len(rules), rules)
	}
	r := rules[1]
	if r.chain != "intercept" || r.kind != "nat" || !r.hasHook("prerouting") || r.family != "inet" || r.table != "inet tg" {
		t.Errorf("regular chain rule = %+v, want nat/prerouting inherited from the jump", r)
	}
	if nt, ok := natTargetOf(r); !ok || nt.verb != "REDIRECT" || !nt.ports.has(8443) {
		t.Errorf("natTargetOf = %+v, %v", nt, ok)
	}
}

func TestNatTargetOf(t *testing.T) {
	cases := []struct {
		source, family, text string
		verb, addr, ports    string
	}{
		{"iptables-save", "ipv4", "-p tcp -m tcp --dport 443 -j REDIRECT --to-ports 8443", "REDIRECT", "", "8443"},
		{"iptables-save", "ipv4", "-p tcp -j REDIRECT --to-ports 8000-9000", "REDIRECT", "", "8000-9000"},
		{"iptables-save", "ipv4", "-p tcp --dport 8443 -j REDIRECT", "REDIRECT", "", ""},
		{"iptables-save", "ipv4", "-p tcp -j DNAT --to-destination 127.0.0.1:8443", "DNAT", "127.0.0.1", "8443"},
		{"iptables-save", "ipv4", "-p tcp -j DNAT --to-destination 10.1.1.1", "DNAT", "10.1.1.1", ""},
		{"ip6tables-save", "ipv6", "-p tcp -j DNAT --to-destination [::1]:8443", "DNAT", "::1", "8443"},
		{"ip6tables-save", "ipv6", "-p tcp -j DNAT --to-destination ::1", "DNAT", "::1", ""},
		{"nft", "ipv4", "tcp dport 443 counter packets 0 bytes 0 redirect to :8443", "REDIRECT", "", "8443"},
		{"nft", "inet", "tcp dport 443 redirect to 8443", "REDIRECT", "", "8443"},
		{"nft", "inet", "ip daddr 10.0.0.0/8 tcp dport 80 dnat ip to 127.0.0.1:8443", "DNAT", "127.0.0.1", "8443"},
		{"nft", "ipv6", "tcp dport 443 dnat to [fd00::2]:8443", "DNAT", "fd00::2", "8443"},
		{"nft", "ipv4", "tcp dport 81 counter packets 0 bytes 0 dnat to 10.1.1.1", "DNAT", "10.1.1.1", ""},
	}
	for _, tc := range cases {
		r := fwRule{source: tc.source, family: tc.family, text: tc.text}
		got, ok := natTargetOf(r)
		if !ok || got.verb != tc.verb || got.addr != tc.addr || got.ports.String() != tc.ports {
			t.Errorf("natTargetOf(%s %q) = %+v (ports %q), %v; want %s %q %q", tc.source, tc.text, got, got.ports, ok, tc.verb, tc.addr, tc.ports)
		}
	}
	if _, ok := natTargetOf(fwRule{source: "iptables-save", text: "-j MASQUERADE"}); ok {
		t.Error("MASQUERADE taken for a redirect")
	}
}

func TestTProxyTargetOf(t *testing.T) {
	cases := []struct {
		source, text string
		port         int
		onIP         string
		mark, mask   uint32
		markKnown    bool
	}{
		{"iptables-save", "-p tcp -m tcp --dport 443 -j TPROXY --on-port 8443 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1", 8443, "0.0.0.0", 1, 1, true},
		{"iptables-save", "-p tcp -j TPROXY --on-port 8443 --tproxy-mark 0x10", 8443, "", 0x10, 0xffffffff, true},
		{"iptables-save", "-p tcp -j TPROXY --on-port 8443", 8443, "", 0, 0, true},
		{"nft", "tcp dport 443 tproxy ip to :8443 meta mark set 0x00000001 accept", 8443, "", 1, 0xffffffff, true},
		{"nft", "meta l4proto tcp tproxy to :8443", 8443, "", 0, 0, false},
		{"nft", "tcp dport 443 tproxy ip to 127.0.0.1:8443", 8443, "127.0.0.1", 0, 0, false},
		{"nft", "tcp dport 443 tproxy ip6 to [::1]:8443 meta mark set 2", 8443, "::1", 2, 0xffffffff, true},
	}
	for _, tc := range cases {
		got, ok := tproxyTargetOf(fwRule{source: tc.source, text: tc.text})
		want := tproxyTarget{port: tc.port, onIP: tc.onIP, mark: tc.mark, mask: tc.mask, markKnown: tc.markKnown}
		if !ok || got != want {
			t.Errorf("tproxyTargetOf(%q) = %+v, %v; want %+v", tc.text, got, ok, want)
		}
	}
}

func TestPolicyRuleMatches(t *testing.T) {
	rules := parseIPRules("0:\tfrom all lookup local\n32764:\tfrom all fwmark 0x2/0x2 lookup 101\n32765:\tfrom all fwmark 0x1 lookup 100\n32766:\tfrom all lookup main\n")
	if len(rules) != 2 || rules[0].table != "101" || rules[1].table != "100" {
		t.Fatalf("parseIPRules = %+v", rules)
	}
	cases := []struct {
		t    tproxyTarget
		want []bool
	}{
		{tproxyTarget{mark: 1, mask: 1, markKnown: true}, []bool{false, true}},
		{tproxyTarget{mark: 3, mask: 0xff, markKnown: true}, []bool{true, false}},
		{tproxyTarget{mark: 0x101, mask: 0xffffffff, markKnown: true}, []bool{false, false}},
		{tproxyTarget{}, []bool{true, true}}, // mark set elsewhere: any fwmark rule may be it
	}
	for _, tc := range cases {
		for i, r := range rules {
			if got := r.matches(tc.t); got != tc.want[i] {
				t.Errorf("rule %q matches %+v = %v, want %v", r.text, tc.t, got, tc.want[i])
			}
		}
	}
}

func TestHasLocalDefault(t *testing.T) {
	for in, want := range map[string]bool{
		"local default dev lo scope host \n":             true,
		"local 0.0.0.0/0 dev lo scope host\n":            true,
		"local default dev lo metric 1024 pref medium\n": true,
		"local 10.0.0.0/8 dev lo scope host\n":           false,
		"local default dev eth0 scope host\n":            false,
		"default via 10.0.0.1 dev eth0\n":                false,
		"":                                               false,
	} {
		if got := hasLocalDefault(in); got != want {
			t.Errorf("hasLocalDefault(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestOwnerMatches(t *testing.T) {
	cases := []struct {
		text              string
		excluded, returns bool
	}{
		{"-p tcp -m owner ! --uid-owner 1000 -j REDIRECT --to-ports 8443", true, false},
		{"-m owner --uid-owner 998 -j RETURN", false, true},
		{"-m owner --gid-owner tlsgate -j ACCEPT", false, true},
		{"tcp dport 443 skuid != 1000 counter redirect to :8443", true, false},
		{"meta skuid 998 return", false, true},
		{"-m owner ! --uid-owner 998 -j RETURN", true, false},
		{"-p tcp -j REDIRECT --to-ports 8443", false, false},
	}
	for _, tc := range cases {
		r := fwRule{text: tc.text}
		if got := ownerExcluded(r); got != tc.excluded {
			t.Errorf("ownerExcluded(%q) = %v, want %v", tc.text, got, tc.excluded)
		}
		if got := ownerReturns(r); got != tc.returns {
			t.Errorf("ownerReturns(%q) = %v, want %v", tc.text, got, tc.returns)
		}
	}
}

// FuzzParseIPTablesSave: any text parses without panic, and every rule
// keeps the chain it was appended to.
func FuzzParseIPTablesSave(f *testing.F) {
	f.Add(iptablesSaveRedirect)
	f.Add(iptablesSaveTProxy)
	f.Add("*nat\n:TG - [0:0]\n-A PREROUTING -j TG\n-A TG -j TG\n-A TG -g PREROUTING\n")
	f.Fuzz(func(t *testing.T, out string) {
		for _, r := range parseIPTablesSave(out, "iptables-save", "ipv4") {
			if r.chain == "" || !strings.Contains(out, r.chain) {
				t.Fatalf("rule %+v has a chain not in the input", r)
			}
			natTargetOf(r)
			tproxyTargetOf(r)
			ownerExcluded(r)
			ownerReturns(r)
		}
	})
}

// FuzzParseNftRuleset: any text parses without panic, and every rule came
// from the input.
func FuzzParseNftRuleset(f *testing.F) {
	f.Add(nftRedirect)
	f.Add(nftTProxy)
	f.Add("table inet tg {\n\tset s {\n\t\telements = { 1,\n 2 }\n\t}\n\tchain c {\n\t\ttcp dport { 1, 2 } jump c\n\t}\n}\n}}}{{{\n")
	f.Fuzz(func(t *testing.T, out string) {
		for _, r := range parseNftRuleset(out) {
			if r.text == "" {
				t.Fatalf("empty rule %+v", r)
			}
			natTargetOf(r)
			tproxyTargetOf(r)
		}
	})
}

// FuzzDoctor feeds arbitrary command output to both modes: the doctor
// must not panic, and every failed check must carry a fix.
func FuzzDoctor(f *testing.F) {
	f.Add(iptablesSaveRedirect, nftRedirect, ipRuleTProxy, routeLocal, "1", statusWith("000001ffffffffff"))
	f.Add(iptablesSaveTProxy, nftTProxy, "32765:\tfrom all fwmark 0x1/0x1 lookup x\n", "local default dev lo", "0", "CapEff:\tzz\n")
	f.Fuzz(func(t *testing.T, ipt, nft, ipRule, route, sysctl, status string) {
		h := fakeHost{
			cmds: map[string]string{
				"iptables-save": ipt, "ip6tables-save": ipt, "nft list ruleset": nft,
				"ip rule": ipRule, "ip -6 rule": ipRule,
				"ip route show table 100": route, "ip -6 route show table 100": route,
			},
			files: map[string]string{
				"/proc/sys/net/ipv4/ip_forward":              sysctl,
				"/proc/sys/net/ipv4/conf/all/rp_filter":      sysctl,
				"/proc/sys/net/ipv4/conf/eth0/rp_filter":     sysctl,
				"/proc/sys/net/ipv4/conf/all/route_localnet": sysctl,
				"/proc/self/status":                          status,
			},
		}
		for _, mode := range []string{ModeRedirect, ModeTProxy} {
			for _, c := range Doctor(mode, 8443, h.env()) {
				if !c.OK && strings.TrimSpace(c.Fix) == "" {
					t.Fatalf("%s: failed check %q has no fix (detail %q)", mode, c.Name, c.Detail)
				}
			}
		}
	})
}
