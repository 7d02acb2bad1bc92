package netns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Addresses of the lab. They exist only inside the test namespaces, so they
// can neither clash with the host's networks nor leave the machine.
const (
	cliIP      = "10.231.1.1" // client, on the client↔gateway link
	gwCliIP    = "10.231.1.2" // gateway, client side
	gwSrvIP    = "10.231.2.1" // gateway, server side: tlsgate dials from here
	srvIP      = "10.231.2.2" // the real HTTPS server
	srvNet     = "10.231.2.0/24"
	cliNet     = "10.231.1.0/24"
	shopName   = "shop.lab.test"
	listenPort = "8443" // tlsgate's listener inside the gateway
)

// cmdBound caps every command the tests run (ip, iptables, curl, the
// doctor), so a lost packet fails the test instead of hanging it.
const cmdBound = 60 * time.Second

// requireLab skips without root (the issue allows that) and fails when
// root lacks a tool: then the suite would silently not run in CI.
func requireLab(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("netns e2e test needs root to create network namespaces, veth pairs and iptables rules; " +
			"run `sudo go test ./e2e/netns/` to include it")
	}
	// The external commands the lab needs, each with the Debian package
	// that provides it.
	tools := []struct{ name, pkg string }{{"ip", "iproute2"}, {"iptables", "iptables"}, {"curl", "curl"}}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool.name); err != nil {
			t.Fatalf("netns e2e test needs %s: apt-get install %s (%v)", tool.name, tool.pkg, err)
		}
	}
	if tlsgateBin == "" {
		t.Fatal("tlsgate binary was not built by TestMain")
	}
}

// result is how a bounded command ended.
type result struct {
	stdout, stderr string
	code           int // exit status; -1 when the command could not run
	err            error
}

// combined is both output streams, for failure messages.
func (r result) combined() string {
	return strings.TrimSpace(r.stdout + "\n" + r.stderr)
}

// runCmd runs a command with cmdBound and returns its outputs and status;
// a non-zero status is not an error here, callers decide.
func runCmd(name string, args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), cmdBound)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), code: 0}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		r.code, r.err = -1, err
	}
	if ctx.Err() != nil {
		r.err = fmt.Errorf("%s %s: killed after %v", name, strings.Join(args, " "), cmdBound)
	}
	return r
}

// mustRun runs a command and fails the test unless it exits 0.
func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	r := runCmd(name, args...)
	if r.err != nil || r.code != 0 {
		t.Fatalf("%s %s: exit %d %v\n%s", name, strings.Join(args, " "), r.code, r.err, r.combined())
	}
	return r.stdout
}

// lab is three namespaces: cli ↔ gw ↔ srv, gw forwarding between them.
type lab struct {
	cli, gw, srv string
	gwCliDev     string // gw's veth towards the client: interception matches it
	// gatePort is tlsgate's listening port in gw and the rules' target:
	// listenPort unless a test listens on the intercepted port itself.
	gatePort string
}

// newLab builds the topology. tag keeps names unique between the tests of
// one run and the PID between concurrent runs; every piece is removed at
// cleanup, also when set-up fails halfway (deleting a namespace deletes
// the veth ends inside it, and with them their peers).
func newLab(t *testing.T, tag string) *lab {
	t.Helper()
	id := fmt.Sprintf("%s%d", tag, os.Getpid())
	l := &lab{cli: "tgcli" + id, gw: "tggw" + id, srv: "tgsrv" + id, gwCliDev: "gc" + id, gatePort: listenPort}
	// Interface names are at most 15 bytes: 2 + 1 + a 7-digit PID fits.
	cliDev, gwSrvDev, srvDev := "cg"+id, "gs"+id, "sg"+id
	for _, ns := range []string{l.cli, l.gw, l.srv} {
		addNamespace(t, ns)
	}
	mustRun(t, "ip", "link", "add", cliDev, "netns", l.cli, "type", "veth", "peer", "name", l.gwCliDev, "netns", l.gw)
	mustRun(t, "ip", "link", "add", gwSrvDev, "netns", l.gw, "type", "veth", "peer", "name", srvDev, "netns", l.srv)
	for _, ns := range []string{l.cli, l.gw, l.srv} {
		mustRun(t, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	for _, a := range []struct{ ns, dev, addr string }{
		{l.cli, cliDev, cliIP + "/24"},
		{l.gw, l.gwCliDev, gwCliIP + "/24"},
		{l.gw, gwSrvDev, gwSrvIP + "/24"},
		{l.srv, srvDev, srvIP + "/24"},
	} {
		mustRun(t, "ip", "-n", a.ns, "addr", "add", a.addr, "dev", a.dev)
		mustRun(t, "ip", "-n", a.ns, "link", "set", a.dev, "up")
	}
	mustRun(t, "ip", "-n", l.cli, "route", "add", srvNet, "via", gwCliIP)
	mustRun(t, "ip", "-n", l.srv, "route", "add", cliNet, "via", gwSrvIP)
	// Written through /proc rather than sysctl(8), which may be missing;
	// /proc/sys/net shows the namespace of the process reading it.
	mustRun(t, "ip", "netns", "exec", l.gw, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")
	return l
}

// addNamespace creates a namespace and registers its removal.
func addNamespace(t *testing.T, ns string) {
	t.Helper()
	if r := runCmd("ip", "netns", "add", ns); r.err != nil || r.code != 0 {
		t.Fatalf("cannot create network namespace %s (root without CAP_SYS_ADMIN, e.g. an unprivileged container?): exit %d %v\n%s",
			ns, r.code, r.err, r.combined())
	}
	t.Cleanup(func() {
		if r := runCmd("ip", "netns", "del", ns); r.err != nil || r.code != 0 {
			t.Errorf("cleanup: ip netns del %s: exit %d %v\n%s", ns, r.code, r.err, r.combined())
		}
	})
}

// in runs a command inside namespace ns.
func in(ns, name string, args ...string) result {
	return runCmd("ip", append([]string{"netns", "exec", ns, name}, args...)...)
}

// mustIn runs a command inside ns and fails the test unless it exits 0.
func mustIn(t *testing.T, ns, name string, args ...string) string {
	t.Helper()
	return mustRun(t, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
}

// redirectRules intercepts the client's HTTPS with NAT REDIRECT: the
// kernel rewrites the destination to tlsgate's port and keeps the original
// for SO_ORIGINAL_DST. Both rule helpers pass -w: legacy iptables
// serialises on a lock file shared by every namespace, and other packages'
// netns tests may hold it.
func (l *lab) redirectRules(t *testing.T) {
	t.Helper()
	mustIn(t, l.gw, "iptables", "-w", "-t", "nat", "-A", "PREROUTING", "-i", l.gwCliDev, "-p", "tcp", "--dport", "443",
		"-j", "REDIRECT", "--to-ports", l.gatePort)
}

// tproxyRules intercepts with TPROXY: the packets keep their destination,
// are marked, and the policy route delivers them locally to tlsgate's
// IP_TRANSPARENT socket.
func (l *lab) tproxyRules(t *testing.T) {
	t.Helper()
	mustIn(t, l.gw, "iptables", "-w", "-t", "mangle", "-A", "PREROUTING", "-i", l.gwCliDev, "-p", "tcp", "--dport", "443",
		"-j", "TPROXY", "--on-port", l.gatePort, "--tproxy-mark", "0x1/0x1")
	mustIn(t, l.gw, "ip", "rule", "add", "fwmark", "1", "lookup", "100")
	mustIn(t, l.gw, "ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "100")
}
