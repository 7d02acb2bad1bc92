package transparent

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Addresses inside the test namespaces only; they never leave the machine.
// "phantom" destinations exist nowhere: the client routes them via the
// gateway, where the interception rule catches them.
const (
	clientIP4  = "10.200.1.1"
	gwIP4      = "10.200.1.2"
	phantomIP4 = "10.200.9.9"
	clientIP6  = "fd00:7467::1"
	gwIP6      = "fd00:7467::2"
	phantomIP6 = "fd00:7467:9::9"
)

// inCI says a missing tool or kernel feature is a failure, not a skip.
func inCI() bool { return os.Getenv("CI") != "" }

// requireNetns skips (or, in CI, fails) when the netns tests cannot run.
func requireNetns(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("netns test needs root (ip netns, veth, iptables); run `sudo go test ./transparent` to include it")
	}
	for _, tool := range []string{"ip", "iptables"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := fmt.Sprintf("netns test needs %s (apt-get install iproute2 iptables): %v", tool, err)
			if inCI() {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// netLab is a client namespace and a gateway namespace joined by a veth
// pair, the client routing everything via the gateway.
type netLab struct {
	client, gw string
	v6         bool // IPv6 addresses are up on both ends
}

// run runs a command, failing the test with its output on error.
func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := tryRun(name, args...); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// tryRun runs a bounded command and returns its combined output.
func tryRun(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), helperBound)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// newNetLab builds the namespaces; tag keeps names unique between tests of
// one run, the PID between parallel runs. Cleanup removes them even when
// the test fails halfway through set-up.
func newNetLab(t *testing.T, tag string) *netLab {
	t.Helper()
	id := fmt.Sprintf("%d%s", os.Getpid(), tag)
	l := &netLab{client: "tgc" + id, gw: "tgg" + id}
	vc, vg := "tg"+id+"c", "tg"+id+"g" // at most 15 bytes for a 7-digit PID
	for _, ns := range []string{l.client, l.gw} {
		if out, err := tryRun("ip", "netns", "add", ns); err != nil {
			// Root without CAP_SYS_ADMIN (an unprivileged container)
			// cannot make namespaces.
			msg := fmt.Sprintf("cannot create a network namespace: ip netns add %s: %v: %s", ns, err, out)
			if inCI() {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
		t.Cleanup(func() {
			if out, err := tryRun("ip", "netns", "del", ns); err != nil {
				t.Errorf("cleanup: ip netns del %s: %v\n%s", ns, err, out)
			}
		})
	}
	run(t, "ip", "link", "add", vc, "netns", l.client, "type", "veth", "peer", "name", vg, "netns", l.gw)
	for _, side := range []struct{ ns, dev, ip4, ip6 string }{{l.client, vc, clientIP4, clientIP6}, {l.gw, vg, gwIP4, gwIP6}} {
		run(t, "ip", "-n", side.ns, "link", "set", "lo", "up")
		run(t, "ip", "-n", side.ns, "addr", "add", side.ip4+"/24", "dev", side.dev)
		run(t, "ip", "-n", side.ns, "link", "set", side.dev, "up")
	}
	run(t, "ip", "-n", l.client, "route", "add", "default", "via", gwIP4)
	_, e1 := tryRun("ip", "-n", l.client, "-6", "addr", "add", clientIP6+"/64", "dev", vc, "nodad")
	_, e2 := tryRun("ip", "-n", l.gw, "-6", "addr", "add", gwIP6+"/64", "dev", vg, "nodad")
	_, e3 := tryRun("ip", "-n", l.client, "-6", "route", "add", "default", "via", gwIP6)
	l.v6 = e1 == nil && e2 == nil && e3 == nil
	if !l.v6 {
		t.Logf("IPv6 not available in the namespaces (%v, %v, %v): IPv6 cases skipped", e1, e2, e3)
	}
	return l
}

// gw runs a command inside the gateway namespace.
func (l *netLab) gwRun(name string, args ...string) (string, error) {
	return tryRun("ip", append([]string{"netns", "exec", l.gw, name}, args...)...)
}

// helperEnviron is the environment for a re-executed helper. Under -race
// the detector sleeps a second at exit by default; the helpers skip that.
func helperEnviron() []string {
	return append(os.Environ(), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
}

// server is the helper listening in the gateway namespace.
type server struct {
	lines chan string
	stdin io.WriteCloser
}

// startServer runs the serve helper in the gateway namespace.
func (l *netLab) startServer(t *testing.T, transparent bool, listen ...string) *server {
	t.Helper()
	return startServerIn(t, l.gw, transparent, listen...)
}

// startServerIn runs the serve helper in namespace ns.
func startServerIn(t *testing.T, ns string, transparent bool, listen ...string) *server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*helperBound)
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, os.Args[0], "-test.run=^$")
	cmd.Env = append(helperEnviron(), helperEnv+"=serve", "TG_LISTEN="+strings.Join(listen, ";"))
	if transparent {
		cmd.Env = append(cmd.Env, "TG_TRANSPARENT=1")
	}
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{lines: make(chan string, 16), stdin: stdin}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(s.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		stdin.Close() // the helper exits when stdin closes
		cmd.Wait()
		cancel()
		<-done
	})
	if first := s.next(t); first != "READY" {
		t.Fatalf("server helper did not start: %q", first)
	}
	return s
}

// next returns the server's next output line; a bound, not a timing
// assertion: a dead helper closes the channel, a stuck one is killed.
func (s *server) next(t *testing.T) string {
	t.Helper()
	select {
	case line, ok := <-s.lines:
		if !ok {
			t.Fatal("server helper exited")
		}
		return line
	case <-time.After(2 * helperBound):
		t.Fatal("server helper gave no answer")
	}
	return ""
}

// dialAll connects from the client namespace to each address and returns
// the server's verdict line per address (or the dial error). One helper
// process makes every connection: starting a race-instrumented test
// binary is the slow part.
func (l *netLab) dialAll(t *testing.T, s *server, addrs []string) map[string]string {
	t.Helper()
	return dialAllFrom(t, l.client, s, addrs)
}

// dialAllFrom is dialAll from namespace ns.
func dialAllFrom(t *testing.T, ns string, s *server, addrs []string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*helperBound)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, os.Args[0], "-test.run=^$")
	cmd.Env = append(helperEnviron(), helperEnv+"=dial", "TG_ADDRS="+strings.Join(addrs, ";"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dial helper in %s: %v\n%s", ns, err, out)
	}
	got := map[string]string{}
	for line := range strings.Lines(string(out)) {
		f := strings.SplitN(strings.TrimSpace(line), " ", 3)
		switch {
		case len(f) == 3 && f[0] == "LOCAL":
			got[f[1]] = s.next(t)
		case len(f) == 3 && f[0] == "DIALERR":
			got[f[1]] = line
		}
	}
	return got
}

// interceptRule installs an interception rule in the gateway namespace.
// A failure there means the kernel or iptables lacks the target: skip
// outside CI, with iptables' own words.
func (l *netLab) interceptRule(t *testing.T, cmd string, args ...string) {
	t.Helper()
	if out, err := l.gwRun(cmd, args...); err != nil {
		msg := fmt.Sprintf("%s %s failed, so this kernel/iptables cannot do it: %v: %s", cmd, strings.Join(args, " "), err, out)
		if inCI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// verdict is a parsed server line.
type verdict struct {
	ok              bool
	dst, kind, text string
}

// parseVerdict reads "<listen> <remote> OK <dst>" or "… ERR <kind> <msg>".
func parseVerdict(t *testing.T, line string) verdict {
	t.Helper()
	f := strings.SplitN(line, " ", 5)
	if len(f) < 4 {
		t.Fatalf("bad server line %q", line)
	}
	if f[2] == "OK" {
		return verdict{ok: true, dst: f[3], text: line}
	}
	return verdict{kind: f[3], text: line}
}

// TestOriginalDstNetns intercepts real connections with iptables REDIRECT
// in a gateway namespace and checks that OriginalDst recovers where the
// client was going, for IPv4 on a dual-stack socket (v4-mapped, which needs
// the v4 getsockopt), IPv4 on an AF_INET socket, and IPv6; and that a
// connection nothing redirected gives ErrNoOriginalDst.
func TestOriginalDstNetns(t *testing.T) {
	requireNetns(t)
	l := newNetLab(t, "r")
	l.interceptRule(t, "iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "443", "-j", "REDIRECT", "--to-ports", "8443")
	l.interceptRule(t, "iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "444", "-j", "REDIRECT", "--to-ports", "8444")
	v6 := l.v6
	if v6 {
		if out, err := l.gwRun("ip6tables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "443", "-j", "REDIRECT", "--to-ports", "8443"); err != nil {
			t.Logf("ip6tables REDIRECT unavailable, IPv6 cases skipped: %v: %s", err, out)
			v6 = false
		}
	}
	s := l.startServer(t, false, "tcp :8443", "tcp4 0.0.0.0:8444")

	cases := []struct {
		name, addr string
		v6         bool
		want       string // original destination, or "" for ErrNoOriginalDst
	}{
		{"v4 to gateway, dual-stack socket", gwIP4 + ":443", false, gwIP4 + ":443"},
		{"v4 to another host, dual-stack socket", phantomIP4 + ":443", false, phantomIP4 + ":443"},
		{"v4 to another host, AF_INET socket", phantomIP4 + ":444", false, phantomIP4 + ":444"},
		{"v6 to gateway", "[" + gwIP6 + "]:443", true, "[" + gwIP6 + "]:443"},
		{"v6 to another host", "[" + phantomIP6 + "]:443", true, "[" + phantomIP6 + "]:443"},
		{"v4 straight to the listener", gwIP4 + ":8443", false, ""},
		{"v4 straight to the AF_INET listener", gwIP4 + ":8444", false, ""},
		{"v6 straight to the listener", "[" + gwIP6 + "]:8443", true, ""},
	}
	var addrs []string
	for _, tc := range cases {
		if !tc.v6 || v6 {
			addrs = append(addrs, tc.addr)
		}
	}
	verdicts := l.dialAll(t, s, addrs)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.v6 && !v6 {
				t.Skip("IPv6 interception unavailable here")
			}
			v := parseVerdict(t, verdicts[tc.addr])
			t.Log(v.text)
			switch {
			case tc.want == "" && (v.ok || v.kind != "noorig"):
				t.Errorf("got %q, want ErrNoOriginalDst", v.text)
			case tc.want != "" && (!v.ok || v.dst != tc.want):
				t.Errorf("got %q, want original destination %s", v.text, tc.want)
			}
		})
	}

	// The client namespace has no NAT rule, so conntrack is not even
	// tracking there: the kernel answers ENOENT (or ENOPROTOOPT when no
	// namespace has loaded conntrack), not a no-rewrite entry.
	t.Run("v4 loopback where nothing tracks connections", func(t *testing.T) {
		cs := startServerIn(t, l.client, false, "tcp4 127.0.0.1:8445")
		v := parseVerdict(t, dialAllFrom(t, l.client, cs, []string{"127.0.0.1:8445"})["127.0.0.1:8445"])
		t.Log(v.text)
		if v.ok || v.kind != "noorig" || !strings.Contains(v.text, "conntrack has no IPv4 entry") && !strings.Contains(v.text, "not loaded") {
			t.Errorf("got %q, want ErrNoOriginalDst naming the missing conntrack entry", v.text)
		}
	})

	t.Run("doctor sees the set-up", func(t *testing.T) {
		checks := Doctor(ModeRedirect, 8443, l.doctorEnv())
		for _, name := range []string{"ruleset", "redirect rule", "loop exclusion", "route_localnet"} {
			if c := findCheck(checks, name); !c.OK {
				t.Errorf("check %q failed on a working set-up: %s", name, c.Detail)
			}
		}
	})
}

// TestTProxyNetns intercepts real connections with iptables TPROXY and
// checks that the IP_TRANSPARENT listener accepts connections addressed to
// other hosts and that TProxyDst reports the address the client dialled.
func TestTProxyNetns(t *testing.T) {
	requireNetns(t)
	l := newNetLab(t, "t")
	l.interceptRule(t, "iptables", "-t", "mangle", "-A", "PREROUTING", "-p", "tcp", "--dport", "443", "-j", "TPROXY", "--on-port", "8443", "--tproxy-mark", "0x1/0x1")
	l.interceptRule(t, "iptables", "-t", "mangle", "-A", "PREROUTING", "-p", "tcp", "--dport", "444", "-j", "TPROXY", "--on-port", "8444", "--tproxy-mark", "0x1/0x1")
	for _, args := range [][]string{{"ip", "rule", "add", "fwmark", "1", "lookup", "100"}, {"ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "100"}} {
		if out, err := l.gwRun(args[0], args[1:]...); err != nil {
			t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	v6 := l.v6
	if v6 {
		for _, args := range [][]string{
			{"ip6tables", "-t", "mangle", "-A", "PREROUTING", "-p", "tcp", "--dport", "443", "-j", "TPROXY", "--on-port", "8443", "--tproxy-mark", "0x1/0x1"},
			{"ip", "-6", "rule", "add", "fwmark", "1", "lookup", "100"},
			{"ip", "-6", "route", "add", "local", "::/0", "dev", "lo", "table", "100"},
		} {
			if out, err := l.gwRun(args[0], args[1:]...); err != nil {
				t.Logf("IPv6 TPROXY unavailable, IPv6 cases skipped: %s: %v: %s", strings.Join(args, " "), err, out)
				v6 = false
				break
			}
		}
	}
	s := l.startServer(t, true, "tcp :8443", "tcp4 0.0.0.0:8444")

	cases := []struct {
		name, addr string
		v6         bool
	}{
		{"v4 to another host, dual-stack socket", phantomIP4 + ":443", false},
		{"v4 to gateway, dual-stack socket", gwIP4 + ":443", false},
		{"v4 to another host, AF_INET socket", phantomIP4 + ":444", false},
		{"v6 to another host", "[" + phantomIP6 + "]:443", true},
	}
	var addrs []string
	for _, tc := range cases {
		if !tc.v6 || v6 {
			addrs = append(addrs, tc.addr)
		}
	}
	verdicts := l.dialAll(t, s, addrs)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.v6 && !v6 {
				t.Skip("IPv6 TPROXY unavailable here")
			}
			v := parseVerdict(t, verdicts[tc.addr])
			t.Log(v.text)
			if !v.ok || v.dst != tc.addr {
				t.Errorf("got %q, want local address (original destination) %s", v.text, tc.addr)
			}
		})
	}

	t.Run("doctor sees the set-up", func(t *testing.T) {
		checks := Doctor(ModeTProxy, 8443, l.doctorEnv())
		names := []string{"CAP_NET_ADMIN", "ruleset", "tproxy rule", "policy rule (IPv4)", "local route (IPv4)"}
		if v6 {
			names = append(names, "policy rule (IPv6)", "local route (IPv6)")
		}
		for _, name := range names {
			if c := findCheck(checks, name); !c.OK {
				t.Errorf("check %q failed on a working set-up: %s", name, c.Detail)
			}
		}
	})
}

// doctorEnv reads the gateway namespace: every command and file read runs
// through `ip netns exec`, since /proc/sys/net shows the reader's namespace.
func (l *netLab) doctorEnv() DoctorEnv {
	sys := SystemEnv()
	inNS := func(name string, args ...string) (string, error) {
		return sys.Run("ip", append([]string{"netns", "exec", l.gw, name}, args...)...)
	}
	return DoctorEnv{
		Run:      inNS,
		ReadFile: func(path string) (string, error) { return inNS("cat", path) },
		Glob: func(pattern string) ([]string, error) {
			out, err := inNS("sh", "-c", `for f in `+pattern+`; do [ -e "$f" ] && echo "$f"; done; true`)
			if err != nil {
				return nil, err
			}
			return strings.Fields(out), nil
		},
	}
}
