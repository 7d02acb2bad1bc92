package transparent

import (
	"net/netip"
	"strings"
	"testing"
)

// TestDoctorListenAddress: the rules the doctor prints, and the rules it
// accepts, depend on the address the listener is bound to. A REDIRECT in
// PREROUTING (and TPROXY without --on-ip) delivers to the incoming
// interface's primary address: it reaches a socket on 0.0.0.0 or ::, and
// never one on 127.0.0.1, which the doctor used to propose anyway, saying
// route_localnet was not needed.
func TestDoctorListenAddress(t *testing.T) {
	empty := func() fakeHost {
		h := redirectHost()
		h.cmds["iptables-save"], h.cmds["ip6tables-save"], h.cmds["nft list ruleset"] = "", "", ""
		return h
	}
	tproxyEmpty := func() fakeHost {
		h := tproxyHost()
		h.cmds["iptables-save"], h.cmds["ip6tables-save"], h.cmds["nft list ruleset"] = "", "", ""
		return h
	}
	cases := []struct {
		name   string
		mode   string
		ip     string // "" = the zero Addr
		host   func() fakeHost
		check  string // the check that must fail, or "" for none
		fix    []string
		notFix []string
		detail string
	}{
		{name: "redirect, every address", mode: ModeRedirect, ip: "0.0.0.0", host: empty, check: "redirect rule",
			fix: []string{"iptables -t nat -A PREROUTING -p tcp --dport 443 -j REDIRECT --to-ports 8443",
				"ip6tables -t nat -A PREROUTING -p tcp --dport 443 -j REDIRECT --to-ports 8443"}},
		{name: "redirect, loopback", mode: ModeRedirect, ip: "127.0.0.1", host: empty, check: "redirect rule",
			fix: []string{"iptables -t nat -A PREROUTING -p tcp --dport 443 -j DNAT --to-destination 127.0.0.1:8443",
				"sysctl -w net.ipv4.conf.all.route_localnet=1"},
			notFix: []string{"REDIRECT --to-ports 8443\n", "ip6tables"}},
		{name: "redirect, loopback: listen address", mode: ModeRedirect, ip: "127.0.0.1", host: empty, check: "listen address",
			fix:    []string{`listen = "0.0.0.0:8443"`, "--to-destination 127.0.0.1:8443"},
			detail: "tlsgate listens on 127.0.0.1 only"},
		{name: "redirect, loopback: route_localnet is needed", mode: ModeRedirect, ip: "127.0.0.1", host: empty, check: "redirect rule",
			detail: "REDIRECTs or DNATs TCP to port 8443"},
		{name: "redirect, IPv6 loopback", mode: ModeRedirect, ip: "::1", host: empty, check: "redirect rule",
			fix:    []string{`listen = "[::]:8443"`, "ip6tables -t nat -A OUTPUT -p tcp --dport 443 -m owner ! --uid-owner <tlsgate uid> -j REDIRECT --to-ports 8443"},
			notFix: []string{"PREROUTING"}},
		{name: "redirect, one IPv4 address", mode: ModeRedirect, ip: "192.0.2.10", host: empty, check: "redirect rule",
			fix:    []string{"iptables -t nat -A PREROUTING -p tcp --dport 443 -j DNAT --to-destination 192.0.2.10:8443"},
			notFix: []string{"ip6tables", "REDIRECT", "route_localnet"}},
		{name: "redirect, one IPv6 address", mode: ModeRedirect, ip: "2001:db8::10", host: empty, check: "redirect rule",
			fix:    []string{"ip6tables -t nat -A PREROUTING -p tcp --dport 443 -j DNAT --to-destination [2001:db8::10]:8443"},
			notFix: []string{"iptables -t nat", "REDIRECT"}},
		// The working gateway's PREROUTING REDIRECTs never reach 127.0.0.1.
		{name: "redirect rules, loopback listener", mode: ModeRedirect, ip: "127.0.0.1", host: redirectHost, check: "redirect rule",
			detail: "REDIRECT in PREROUTING delivers to the incoming interface's primary address, never to 127.0.0.1",
			fix:    []string{"--to-destination 127.0.0.1:8443"}},
		{name: "redirect rules, every address", mode: ModeRedirect, ip: "::", host: redirectHost},
		{name: "redirect rules, zero address", mode: ModeRedirect, host: redirectHost},

		{name: "tproxy, every address", mode: ModeTProxy, ip: "0.0.0.0", host: tproxyEmpty, check: "tproxy rule",
			fix:    []string{"iptables -t mangle -A PREROUTING -p tcp --dport 443 -j TPROXY --on-port 8443 --tproxy-mark 0x1/0x1"},
			notFix: []string{"--on-ip"}},
		{name: "tproxy, loopback", mode: ModeTProxy, ip: "127.0.0.1", host: tproxyEmpty, check: "tproxy rule",
			fix:    []string{"iptables -t mangle -A PREROUTING -p tcp --dport 443 -j TPROXY --on-ip 127.0.0.1 --on-port 8443 --tproxy-mark 0x1/0x1"},
			notFix: []string{"ip6tables"}},
		{name: "tproxy, one IPv6 address", mode: ModeTProxy, ip: "2001:db8::10", host: tproxyEmpty, check: "tproxy rule",
			fix:    []string{"ip6tables -t mangle -A PREROUTING -p tcp --dport 443 -j TPROXY --on-ip 2001:db8::10 --on-port 8443"},
			notFix: []string{"iptables -t mangle"}},
		// The working gateway's rules have no --on-ip (iptables-save shows 0.0.0.0).
		{name: "tproxy rules, loopback listener", mode: ModeTProxy, ip: "127.0.0.1", host: tproxyHost, check: "listen address",
			detail: "TPROXY without --on-ip delivers to the incoming interface's primary address",
			fix:    []string{"--on-ip 127.0.0.1"}},
		{name: "tproxy rules, every address", mode: ModeTProxy, ip: "0.0.0.0", host: tproxyHost},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ip netip.Addr
			if tc.ip != "" {
				ip = netip.MustParseAddr(tc.ip)
			}
			checks := DoctorAt(tc.mode, ip, 8443, tc.host().env())
			assertFixes(t, checks)
			if tc.check == "" {
				if bad := failedNames(checks); len(bad) > 0 {
					t.Fatalf("failed checks %v on a working host for a listener on %q", bad, tc.ip)
				}
				return
			}
			c := findCheck(checks, tc.check)
			if c.OK {
				t.Fatalf("check %q passed: %s", tc.check, c.Detail)
			}
			for _, f := range tc.fix {
				if !strings.Contains(c.Fix, f) {
					t.Errorf("fix of %q:\n%s\nlacks %q", tc.check, c.Fix, f)
				}
			}
			for _, f := range tc.notFix {
				if strings.Contains(c.Fix, f) {
					t.Errorf("fix of %q:\n%s\nholds %q, which does not deliver to %s", tc.check, c.Fix, f, tc.ip)
				}
			}
			if !strings.Contains(c.Detail, tc.detail) {
				t.Errorf("detail of %q: %s\nlacks %q", tc.check, c.Detail, tc.detail)
			}
		})
	}
	// A loopback listener needs route_localnet for the DNAT it is given.
	rl := findCheck(DoctorAt(ModeRedirect, netip.MustParseAddr("127.0.0.1"), 8443, empty().env()), "route_localnet")
	if !strings.Contains(rl.Detail, "needs net.ipv4.conf.all.route_localnet = 1") {
		t.Errorf("route_localnet for a listener on 127.0.0.1: %s", rl.Detail)
	}
}
