package transparent

import (
	"fmt"
	"net/netip"
	"strings"
)

// Check is one item of the doctor's checklist.
type Check struct {
	// Name is short and stable ("redirect rule", "ip_forward").
	Name string
	// OK says the host is set up right for this item.
	OK bool
	// Detail is the evidence: what was found, or what is missing and why
	// it matters.
	Detail string
	// Fix is the command (one per line) that repairs a failed check; empty
	// when OK.
	Fix string
}

// DoctorEnv is how the doctor reads the host, injected so each fault can be
// tested with canned output. SystemEnv reads the real host.
type DoctorEnv struct {
	// Run runs a command and returns its standard output.
	Run func(name string, args ...string) (string, error)
	// ReadFile returns a file's contents: /proc/sys values and
	// /proc/self/status, whose CapEff and Uid lines give the capabilities
	// and user the doctor runs with.
	ReadFile func(path string) (string, error)
	// Glob lists the files matching a pattern, for per-interface sysctls
	// under /proc/sys/net/ipv4/conf/*/.
	Glob func(pattern string) ([]string, error)
}

// Modes the doctor knows, matching the listener's transparent values.
const (
	ModeRedirect = "redirect"
	ModeTProxy   = "tproxy"
)

// Defaults proposed in fix commands when the host has no values of its own.
const (
	defaultInterceptPort = 443
	defaultMark          = "0x1/0x1"
	defaultTable         = "100"
)

// capNetAdmin and capNetRaw are the capability bit numbers; IP_TRANSPARENT
// accepts either.
const (
	capNetAdmin = 12
	capNetRaw   = 13
)

// Doctor checks what a transparent mode ("redirect" or "tproxy") needs on
// this host for a listener on every address (0.0.0.0 or ::) at listenPort,
// and returns one Check per item, each failed one with the command that
// fixes it.
func Doctor(mode string, listenPort int, env DoctorEnv) []Check {
	return DoctorAt(mode, netip.Addr{}, listenPort, env)
}

// DoctorAt is Doctor for a listener bound to listenIP (the zero Addr,
// 0.0.0.0 or :: for every address). A socket on one address is reached
// only by rules that deliver there: a DNAT to it, or TPROXY --on-ip it
// (a REDIRECT in OUTPUT for 127.0.0.1 and ::1), so the rules it checks
// for and prints differ, and a "listen address" check says why.
func DoctorAt(mode string, listenIP netip.Addr, listenPort int, env DoctorEnv) []Check {
	if listenPort < 1 || listenPort > 65535 {
		return []Check{{Name: "port", Detail: fmt.Sprintf("listen port %d is not a TCP port (1-65535)", listenPort),
			Fix: fmt.Sprintf("tlsgate doctor transparent --mode %s --port 8443", orDefault(mode, ModeRedirect))}}
	}
	d := &doctor{env: env, port: listenPort, addr: listenAddr{listenIP}}
	switch mode {
	case ModeRedirect:
		return d.redirect()
	case ModeTProxy:
		return d.tproxy()
	default:
		return []Check{{Name: "mode", Detail: fmt.Sprintf("unknown mode %q: want %q or %q", mode, ModeRedirect, ModeTProxy),
			Fix: fmt.Sprintf("tlsgate doctor transparent --mode redirect --port %d", listenPort)}}
	}
}

// doctor carries the environment and what has been read from it.
type doctor struct {
	env   DoctorEnv
	port  int
	addr  listenAddr
	rules []fwRule
}

// run calls env.Run, tolerating a nil func.
func (d *doctor) run(name string, args ...string) (string, error) {
	if d.env.Run == nil {
		return "", fmt.Errorf("transparent: no command runner to run %s", name)
	}
	return d.env.Run(name, args...)
}

// read calls env.ReadFile and trims the result.
func (d *doctor) read(path string) (string, error) {
	if d.env.ReadFile == nil {
		return "", fmt.Errorf("transparent: no file reader for %s", path)
	}
	s, err := d.env.ReadFile(path)
	return strings.TrimSpace(s), err
}

// glob calls env.Glob, tolerating a nil func.
func (d *doctor) glob(pattern string) []string {
	if d.env.Glob == nil {
		return nil
	}
	m, err := d.env.Glob(pattern)
	if err != nil {
		return nil
	}
	return m
}

// loadRules reads every ruleset the host may use: iptables (legacy or nft
// backend) for both families, and native nftables, whose tables
// iptables-save does not show.
func (d *doctor) loadRules() Check {
	var read, failed []string
	for _, src := range []struct{ cmd, family string }{{"iptables-save", "ipv4"}, {"ip6tables-save", "ipv6"}} {
		out, err := d.run(src.cmd)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", src.cmd, err))
			continue
		}
		read = append(read, src.cmd)
		d.rules = append(d.rules, parseIPTablesSave(out, src.cmd, src.family)...)
	}
	if out, err := d.run("nft", "list", "ruleset"); err != nil {
		failed = append(failed, fmt.Sprintf("nft list ruleset: %v", err))
	} else {
		read = append(read, "nft list ruleset")
		d.rules = append(d.rules, parseNftRuleset(out)...)
	}
	c := Check{Name: "ruleset", OK: len(read) > 0}
	switch {
	case len(read) == 0:
		c.Detail = "could not read any packet-filter ruleset, so no rule can be checked (" + strings.Join(failed, "; ") + ")"
		c.Fix = "sudo tlsgate doctor transparent   # reading rules needs root; install the tools with: apt-get install iptables nftables"
	case len(failed) > 0:
		c.Detail = fmt.Sprintf("read %s (%d rules); could not read: %s", strings.Join(read, ", "), len(d.rules), strings.Join(failed, "; "))
	default:
		c.Detail = fmt.Sprintf("read %s (%d rules)", strings.Join(read, ", "), len(d.rules))
	}
	return c
}

// sysctlName turns /proc/sys/net/ipv4/ip_forward into net.ipv4.ip_forward.
func sysctlName(path string) string {
	return strings.ReplaceAll(strings.TrimPrefix(path, "/proc/sys/"), "/", ".")
}

// forwarding checks that the host routes packets, which a gateway needs for
// all the traffic it does not intercept.
func (d *doctor) forwarding(families []string, why string) []Check {
	var out []Check
	for _, fam := range families {
		path, name := "/proc/sys/net/ipv4/ip_forward", "ip_forward"
		if fam == "ipv6" {
			path, name = "/proc/sys/net/ipv6/conf/all/forwarding", "ipv6 forwarding"
		}
		v, err := d.read(path)
		c := Check{Name: name, OK: v == "1"}
		switch {
		case err != nil:
			c.Detail = fmt.Sprintf("cannot read %s: %v", path, err)
		case c.OK:
			c.Detail = fmt.Sprintf("%s = 1: this host routes its clients' other traffic", sysctlName(path))
		default:
			c.Detail = fmt.Sprintf("%s = %s: intercepted connections still arrive, but this host drops every other packet it should route for its clients (DNS, other ports); %s",
				sysctlName(path), v, why)
		}
		if !c.OK {
			c.Fix = fmt.Sprintf("sysctl -w %s=1", sysctlName(path))
		}
		out = append(out, c)
	}
	return out
}

// families lists the IP families rules were found for, IPv4 first; IPv4
// alone when none were.
func families(rules []fwRule) []string {
	var v4, v6 bool
	for _, r := range rules {
		v4 = v4 || r.inFamily("ipv4")
		v6 = v6 || r.inFamily("ipv6")
	}
	var out []string
	if v4 || !v6 {
		out = append(out, "ipv4")
	}
	if v6 {
		out = append(out, "ipv6")
	}
	return out
}

// famLabel names a family for check names and details.
func famLabel(f string) string {
	if f == "ipv6" {
		return "IPv6"
	}
	return "IPv4"
}

// describe renders a rule as evidence: where it lives and its text.
func describe(r fwRule) string {
	if r.source == "nft" {
		return fmt.Sprintf("nft %s chain %s: %s", r.table, r.chain, r.text)
	}
	return fmt.Sprintf("%s -t %s -A %s %s", strings.TrimSuffix(r.source, "-save"), r.table, r.chain, r.text)
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// uid is the effective uid the doctor runs as, for owner-match fixes.
func (d *doctor) uid() string {
	status, err := d.read("/proc/self/status")
	if err != nil {
		return "<tlsgate uid>"
	}
	if f := strings.Fields(statusField(status, "Uid")); len(f) >= 2 {
		return f[1]
	}
	return "<tlsgate uid>"
}
