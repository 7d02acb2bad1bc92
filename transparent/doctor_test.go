package transparent

import (
	"fmt"
	"strings"
	"testing"
)

// assertFixes checks the doctor's promise: every failed check names the
// command that fixes it, and every check carries evidence.
func assertFixes(t *testing.T, checks []Check) {
	t.Helper()
	for _, c := range checks {
		if c.Detail == "" {
			t.Errorf("check %q has no detail", c.Name)
		}
		if !c.OK && strings.TrimSpace(c.Fix) == "" {
			t.Errorf("failed check %q has no fix command: %s", c.Name, c.Detail)
		}
	}
}

// failedNames lists the failed checks.
func failedNames(checks []Check) []string {
	var out []string
	for _, c := range checks {
		if !c.OK {
			out = append(out, c.Name)
		}
	}
	return out
}

func TestDoctorWorkingHosts(t *testing.T) {
	for _, tc := range []struct {
		mode string
		host fakeHost
		want []string
	}{
		{ModeRedirect, redirectHost(), []string{"ruleset", "redirect rule", "loop exclusion", "ip_forward", "ipv6 forwarding", "route_localnet"}},
		{ModeTProxy, tproxyHost(), []string{"CAP_NET_ADMIN", "ruleset", "tproxy rule", "policy rule (IPv4)", "local route (IPv4)",
			"policy rule (IPv6)", "local route (IPv6)", "rp_filter", "ip_forward", "ipv6 forwarding"}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			checks := Doctor(tc.mode, 8443, tc.host.env())
			assertFixes(t, checks)
			if bad := failedNames(checks); len(bad) > 0 {
				for _, c := range checks {
					t.Logf("%v %s: %s", c.OK, c.Name, c.Detail)
				}
				t.Fatalf("failed checks on a working host: %v", bad)
			}
			if got := strings.Join(checkNames(checks), ","); got != strings.Join(tc.want, ",") {
				t.Errorf("checks = %s, want %s", got, strings.Join(tc.want, ","))
			}
		})
	}
}

// TestDoctorFaults breaks one thing at a time on a working host and checks
// the doctor names it, with the evidence and the exact fix command.
func TestDoctorFaults(t *testing.T) {
	const permDenied = "exit status 1: iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)"
	cases := []struct {
		name       string
		mode       string
		base       func() fakeHost
		change     func(h *fakeHost)
		check      string // the check that must fail
		detail     string // evidence it must quote
		fix        string // command it must print
		alsoPassed string // a check that must still pass, if any
	}{
		{
			name: "no redirect rule", mode: ModeRedirect, base: redirectHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"], h.cmds["ip6tables-save"], h.cmds["nft list ruleset"] = "", "", ""
			},
			check: "redirect rule", detail: "REDIRECTs or DNATs TCP to port 8443",
			fix: "iptables -t nat -A PREROUTING -p tcp --dport 443 -j REDIRECT --to-ports 8443",
		},
		{
			name: "redirect to the wrong port", mode: ModeRedirect, base: redirectHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"] = "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 443 -j REDIRECT --to-ports 8080\nCOMMIT\n"
				h.cmds["ip6tables-save"], h.cmds["nft list ruleset"] = "", ""
			},
			check: "redirect rule", detail: "(to port 8080)",
			fix: "--to-ports 8443",
		},
		{
			name: "rules unreadable without root", mode: ModeRedirect, base: redirectHost,
			change: func(h *fakeHost) {
				h.errs["iptables-save"], h.errs["ip6tables-save"] = permDenied, permDenied
				h.errs["nft list ruleset"] = "exit status 1: Operation not permitted (you must be root)"
			},
			check: "ruleset", detail: "Permission denied (you must be root)", fix: "sudo tlsgate doctor transparent",
		},
		{
			name: "OUTPUT redirect without owner exclusion loops", mode: ModeRedirect, base: redirectHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"] = "*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -m tcp --dport 443 -j REDIRECT --to-ports 8443\nCOMMIT\n"
				h.cmds["ip6tables-save"], h.cmds["nft list ruleset"] = "", ""
			},
			check: "loop exclusion", detail: "redirected back to tlsgate, a loop",
			fix:        "iptables -t nat -I OUTPUT -m owner --uid-owner 1000 -j RETURN",
			alsoPassed: "ip_forward", // same-host interception does not route
		},
		{
			name: "native nft OUTPUT redirect without skuid loops", mode: ModeRedirect, base: redirectHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"], h.cmds["ip6tables-save"] = "", ""
				h.cmds["nft list ruleset"] = "table inet tg {\n\tchain out {\n\t\ttype nat hook output priority -100; policy accept;\n\t\ttcp dport 443 redirect to :8443\n\t}\n}\n"
			},
			check: "loop exclusion", detail: "nft inet tg chain out",
			fix: "nft insert rule inet tg out meta skuid 1000 return",
		},
		{
			name: "ip_forward off on a gateway", mode: ModeRedirect, base: redirectHost,
			change: func(h *fakeHost) { h.files["/proc/sys/net/ipv4/ip_forward"] = "0\n" },
			check:  "ip_forward", detail: "net.ipv4.ip_forward = 0", fix: "sysctl -w net.ipv4.ip_forward=1",
		},
		{
			name: "ipv6 forwarding off with IPv6 rules", mode: ModeRedirect, base: redirectHost,
			change: func(h *fakeHost) { h.files["/proc/sys/net/ipv6/conf/all/forwarding"] = "0\n" },
			check:  "ipv6 forwarding", detail: "net.ipv6.conf.all.forwarding = 0", fix: "sysctl -w net.ipv6.conf.all.forwarding=1",
		},
		{
			name: "DNAT to loopback without route_localnet", mode: ModeRedirect, base: redirectHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"] = "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 443 -j DNAT --to-destination 127.0.0.1:8443\nCOMMIT\n"
				h.cmds["ip6tables-save"], h.cmds["nft list ruleset"] = "", ""
			},
			check: "route_localnet", detail: "dropped as martians", fix: "sysctl -w net.ipv4.conf.all.route_localnet=1",
			alsoPassed: "redirect rule",
		},
		{
			name: "redirect in a user chain nothing jumps to", mode: ModeRedirect, base: redirectHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"] = "*nat\n:PREROUTING ACCEPT [0:0]\n:TLSGATE - [0:0]\n-A TLSGATE -p tcp -m tcp --dport 443 -j REDIRECT --to-ports 8443\nCOMMIT\n"
				h.cmds["ip6tables-save"], h.cmds["nft list ruleset"] = "", ""
			},
			check: "redirect rule", detail: "no nat PREROUTING/OUTPUT rule", fix: "-j REDIRECT --to-ports 8443",
		},
		{
			name: "no capability for IP_TRANSPARENT", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) { h.files["/proc/self/status"] = statusWith("0000000000000000") },
			check:  "CAP_NET_ADMIN", detail: "neither CAP_NET_ADMIN nor CAP_NET_RAW", fix: "setcap cap_net_admin+ep",
		},
		{
			name: "no TPROXY rule", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"], h.cmds["ip6tables-save"], h.cmds["nft list ruleset"] = "", "", ""
			},
			check: "tproxy rule", detail: "no mangle PREROUTING rule TPROXYs TCP to port 8443",
			fix: "iptables -t mangle -A PREROUTING -p tcp --dport 443 -j TPROXY --on-port 8443 --tproxy-mark 0x1/0x1",
		},
		{
			name: "TPROXY to the wrong port", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"] = strings.ReplaceAll(iptablesSaveTProxy, "--on-port 8443", "--on-port 9000")
				h.cmds["ip6tables-save"] = ""
			},
			check: "tproxy rule", detail: "(--on-port 9000)", fix: "--on-port 8443",
		},
		{
			name: "no fwmark ip rule", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) { h.cmds["ip rule"] = "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n" },
			check:  "policy rule (IPv4)", detail: "no ip rule matches the TPROXY mark 0x1/0x1",
			fix: "ip rule add fwmark 0x1/0x1 lookup 100",
		},
		{
			name: "ip rule for another mark", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) { h.cmds["ip rule"] = "32765:\tfrom all fwmark 0x2/0x2 lookup 100\n" },
			check:  "policy rule (IPv4)", detail: `fwmark rules present: "32765:`,
			fix: "ip rule add fwmark 0x1/0x1 lookup 100",
		},
		{
			name: "TPROXY rule without a mark", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"] = strings.ReplaceAll(iptablesSaveTProxy, " --tproxy-mark 0x1/0x1", "")
			},
			check: "policy rule (IPv4)", detail: "sets no mark", fix: "--tproxy-mark 0x1/0x1",
		},
		{
			name: "no local route in the table", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) { delete(h.cmds, "ip route show table 100") },
			check:  "local route (IPv4)", detail: "FIB table does not exist",
			fix: "ip route add local 0.0.0.0/0 dev lo table 100",
		},
		{
			name: "local route in the table the ip rule names", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) {
				h.cmds["ip rule"] = "32765:\tfrom all fwmark 0x1/0x1 lookup tproxy\n"
				h.cmds["ip route show table tproxy"] = "blackhole default \n"
			},
			check: "local route (IPv4)", detail: "table tproxy has no local default route",
			fix: "ip route add local 0.0.0.0/0 dev lo table tproxy", alsoPassed: "policy rule (IPv4)",
		},
		{
			name: "no IPv6 local route", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) { h.cmds["ip -6 route show table 100"] = "" },
			check:  "local route (IPv6)", detail: "table 100 is empty",
			fix: "ip -6 route add local ::/0 dev lo table 100",
		},
		{
			name: "strict rp_filter everywhere", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) { h.files["/proc/sys/net/ipv4/conf/all/rp_filter"] = "1\n" },
			check:  "rp_filter", detail: "strict reverse-path filtering (1) on all", fix: "sysctl -w net.ipv4.conf.all.rp_filter=2",
		},
		{
			name: "strict rp_filter on one interface", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) {
				h.files["/proc/sys/net/ipv4/conf/all/rp_filter"] = "0\n"
				h.files["/proc/sys/net/ipv4/conf/eth0/rp_filter"] = "1\n"
			},
			check: "rp_filter", detail: "on eth0", fix: "sysctl -w net.ipv4.conf.all.rp_filter=2",
		},
		{
			name: "ip_forward off on a TPROXY gateway", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) { h.files["/proc/sys/net/ipv4/ip_forward"] = "0\n" },
			check:  "ip_forward", detail: "net.ipv4.ip_forward = 0", fix: "sysctl -w net.ipv4.ip_forward=1",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.base().clone()
			tc.change(&h)
			checks := Doctor(tc.mode, 8443, h.env())
			assertFixes(t, checks)
			c := findCheck(checks, tc.check)
			if c.OK {
				t.Fatalf("check %q passed; want it to fail (detail: %s)", tc.check, c.Detail)
			}
			if !strings.Contains(c.Detail, tc.detail) {
				t.Errorf("detail of %q = %q, want it to contain %q", tc.check, c.Detail, tc.detail)
			}
			if !strings.Contains(c.Fix, tc.fix) {
				t.Errorf("fix of %q = %q, want it to contain %q", tc.check, c.Fix, tc.fix)
			}
			if tc.alsoPassed != "" {
				if p := findCheck(checks, tc.alsoPassed); !p.OK {
					t.Errorf("check %q failed: %s", tc.alsoPassed, p.Detail)
				}
			}
		})
	}
}

// TestDoctorAcceptedVariants covers set-ups written other ways that work.
func TestDoctorAcceptedVariants(t *testing.T) {
	cases := []struct {
		name, mode string
		base       func() fakeHost
		change     func(h *fakeHost)
		check      string
		detail     string
	}{
		{
			name: "owner RETURN before an OUTPUT redirect", mode: ModeRedirect, base: redirectHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"] = "*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -m owner --uid-owner 998 -j RETURN\n-A OUTPUT -p tcp -m tcp --dport 443 -j REDIRECT --to-ports 8443\nCOMMIT\n"
				h.cmds["ip6tables-save"], h.cmds["nft list ruleset"] = "", ""
			},
			check: "loop exclusion", detail: "1 OUTPUT-chain redirect(s)",
		},
		{
			name: "redirect in a user chain jumped to from PREROUTING", mode: ModeRedirect, base: redirectHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"] = "*nat\n:PREROUTING ACCEPT [0:0]\n:TLSGATE - [0:0]\n-A PREROUTING -i eth1 -j TLSGATE\n-A TLSGATE -p tcp -m tcp --dport 443 -j REDIRECT --to-ports 8443\nCOMMIT\n"
				h.cmds["ip6tables-save"], h.cmds["nft list ruleset"] = "", ""
			},
			check: "redirect rule", detail: "-A TLSGATE -p tcp",
		},
		{
			name: "native nft redirect via a jump", mode: ModeRedirect, base: redirectHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"], h.cmds["ip6tables-save"] = "", ""
				h.cmds["nft list ruleset"] = `table inet tg {
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
`
			},
			check: "redirect rule", detail: "nft inet tg chain intercept",
		},
		{
			name: "DNAT keeping the port, with route_localnet on eth0", mode: ModeRedirect, base: redirectHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"] = "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 8443 -j DNAT --to-destination 127.0.0.1\nCOMMIT\n"
				h.cmds["ip6tables-save"], h.cmds["nft list ruleset"] = "", ""
				h.files["/proc/sys/net/ipv4/conf/eth0/route_localnet"] = "1\n"
			},
			check: "route_localnet", detail: "on for eth0 only",
		},
		{
			name: "native nft tproxy with meta mark", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) {
				h.cmds["iptables-save"], h.cmds["ip6tables-save"] = "", ""
				h.cmds["nft list ruleset"] = "table inet tg {\n\tchain mang {\n\t\ttype filter hook prerouting priority mangle; policy accept;\n\t\ttcp dport 443 tproxy ip to :8443 meta mark set 0x00000001 accept\n\t}\n}\n"
			},
			check: "policy rule (IPv4)", detail: `sends packets marked 0x1/0xffffffff to table 100`,
		},
		{
			name: "CAP_NET_RAW alone", mode: ModeTProxy, base: tproxyHost,
			change: func(h *fakeHost) { h.files["/proc/self/status"] = statusWith("0000000000002000") },
			check:  "CAP_NET_ADMIN", detail: "has CAP_NET_RAW",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.base().clone()
			tc.change(&h)
			checks := Doctor(tc.mode, 8443, h.env())
			assertFixes(t, checks)
			c := findCheck(checks, tc.check)
			if !c.OK {
				t.Fatalf("check %q failed: %s", tc.check, c.Detail)
			}
			if !strings.Contains(c.Detail, tc.detail) {
				t.Errorf("detail of %q = %q, want it to contain %q", tc.check, c.Detail, tc.detail)
			}
		})
	}
}

func TestDoctorBadArguments(t *testing.T) {
	for _, tc := range []struct {
		mode  string
		port  int
		check string
	}{
		{"masquerade", 8443, "mode"},
		{"", 8443, "mode"},
		{ModeRedirect, 0, "port"},
		{ModeTProxy, 70000, "port"},
	} {
		checks := Doctor(tc.mode, tc.port, redirectHost().env())
		if len(checks) != 1 || checks[0].Name != tc.check || checks[0].OK {
			t.Errorf("Doctor(%q, %d) = %+v, want one failed %q check", tc.mode, tc.port, checks, tc.check)
		}
		assertFixes(t, checks)
	}
}

// TestDoctorNilEnv: an empty environment yields failed checks, not a panic.
func TestDoctorNilEnv(t *testing.T) {
	for _, mode := range []string{ModeRedirect, ModeTProxy} {
		checks := Doctor(mode, 8443, DoctorEnv{})
		if len(failedNames(checks)) == 0 {
			t.Errorf("%s: nothing failed with no way to read the host", mode)
		}
		assertFixes(t, checks)
	}
}

func TestRender(t *testing.T) {
	var b strings.Builder
	Render(&b, []Check{
		{Name: "ruleset", OK: true, Detail: "read iptables-save (2 rules)"},
		{Name: "ip_forward", Detail: "net.ipv4.ip_forward = 0", Fix: "sysctl -w net.ipv4.ip_forward=1"},
		{Name: "redirect rule", Detail: "none", Fix: "iptables -t nat -A PREROUTING …\nip6tables -t nat -A PREROUTING …"},
	})
	want := "" +
		"✓ ruleset        read iptables-save (2 rules)\n" +
		"✗ ip_forward     net.ipv4.ip_forward = 0\n" +
		"                 fix: sysctl -w net.ipv4.ip_forward=1\n" +
		"✗ redirect rule  none\n" +
		"                 fix: iptables -t nat -A PREROUTING …\n" +
		"                      ip6tables -t nat -A PREROUTING …\n" +
		"2 of 3 checks failed\n"
	if b.String() != want {
		t.Errorf("Render =\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	Render(&b, []Check{{Name: "x", OK: true, Detail: "fine"}})
	if !strings.HasSuffix(b.String(), "all 1 checks passed\n") {
		t.Errorf("Render all-pass = %q", b.String())
	}
}

// findCheck returns the named check, or a failed placeholder.
func findCheck(checks []Check, name string) Check {
	for _, c := range checks {
		if c.Name == name {
			return c
		}
	}
	return Check{Name: name, Detail: "check missing from " + fmt.Sprint(checkNames(checks))}
}

// checkNames lists the checks' names, for messages.
func checkNames(checks []Check) []string {
	var out []string
	for _, c := range checks {
		out = append(out, c.Name)
	}
	return out
}
