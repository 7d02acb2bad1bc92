package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/admin"
	"github.com/tlsgate/tlsgate/config"
	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/internal/heldport"
)

// faultEnv is an admin server on loopback and a way to run the CLI against it.
type faultEnv struct {
	t      *testing.T
	engine *faults.Engine
	url    string
}

func newFaultEnv(t *testing.T, token string) *faultEnv {
	t.Helper()
	return newFaultEnvClock(t, token, func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) })
}

// newFaultEnvClock is newFaultEnv with the engine's clock given.
func newFaultEnvClock(t *testing.T, token string, clock func() time.Time) *faultEnv {
	t.Helper()
	e := faults.NewEngine(clock)
	s, err := admin.New(admin.Options{Engine: e, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return &faultEnv{t: t, engine: e, url: hs.URL}
}

// exitCode maps an error as main's run does: 0 ok or help, 2 usage, 1 else.
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// run runs `tlsgate fault args… --admin URL` and returns the exit code,
// stdout and the message run would print on stderr.
func (f *faultEnv) run(args ...string) (int, string, string) {
	f.t.Helper()
	var out, errOut bytes.Buffer
	err := cmdFault(append(args, "--admin", f.url), &out, &errOut)
	if err != nil {
		fmt.Fprintln(&errOut, "tlsgate:", err)
	}
	return exitCode(err), out.String(), errOut.String()
}

func (f *faultEnv) rule(name string) (faults.RuleStatus, bool) {
	for _, st := range f.engine.List() {
		if st.Rule.Name == name {
			return st, true
		}
	}
	return faults.RuleStatus{}, false
}

func TestFaultCLIAdd(t *testing.T) {
	f := newFaultEnv(t, "")
	file := filepath.Join(t.TempDir(), "rule.json")
	if err := os.WriteFile(file, []byte(`{"name":"from-file","action":"chain","chain":"expired"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	// A --file given by mistake (a log, /dev/zero) is refused for its size
	// instead of read until memory runs out.
	huge := filepath.Join(t.TempDir(), "huge.json")
	if err := os.WriteFile(huge, make([]byte, maxRuleFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		code    int
		out     string // substring of stdout
		errText string // substring of stderr
		rule    string // the rule check inspects
		check   func(t *testing.T, r faults.Rule)
	}{
		{name: "flags", args: []string{"add", "-n", "waf", "--action", "reset", "--stage", "client_hello", "--sni", "*.bank.example", "--probability", "0.5", "--seed", "7"},
			out: "added rule waf: reset at client_hello (enabled)",
			check: func(t *testing.T, r faults.Rule) {
				if r.SNI != "*.bank.example" || *r.Probability != 0.5 || r.Seed != 7 {
					t.Fatalf("rule %+v", r)
				}
			}},
		{name: "params typed", args: []string{"add", "--name", "pmtu", "--action", "mtu", "--param", "mtu=1280", "--param", "recover_after=2s", "--listener", "web", "--disabled"},
			out: "added rule pmtu: mtu at server_flight (disabled)",
			check: func(t *testing.T, r faults.Rule) {
				if r.MTU != 1280 || r.RecoverAfter.D() != 2*time.Second || r.Listener != "web" || r.IsEnabled() {
					t.Fatalf("rule %+v", r)
				}
			}},
		{name: "param list and alert name", args: []string{"add", "-n", "alert40", "--action", "alert", "--param", "alert=handshake_failure", "--param", "then=rst"},
			out: "added rule alert40",
			check: func(t *testing.T, r faults.Rule) {
				if r.Alert == nil || r.Alert.String() != "handshake_failure" || r.Then != faults.ThenRST {
					t.Fatalf("rule %+v", r)
				}
			}},
		{name: "json", args: []string{"add", "--json", `{"name":"from-json","action":"latency","latency":"300ms","jitter":"50ms"}`},
			out: "added rule from-json: latency at accept", rule: "from-json",
			check: func(t *testing.T, r faults.Rule) {
				if r.Latency.D() != 300*time.Millisecond || r.Jitter.D() != 50*time.Millisecond {
					t.Fatalf("rule %+v", r)
				}
			}},
		{name: "file", args: []string{"add", "--file", file}, out: "added rule from-file: chain", rule: "from-file",
			check: func(t *testing.T, r faults.Rule) {
				if r.Chain != faults.ChainExpired {
					t.Fatalf("rule %+v", r)
				}
			}},

		{name: "bad stage names field", args: []string{"add", "-n", "x", "--action", "reset", "--stage", "foo"}, code: 2, errText: `field "stage": unknown stage "foo"`},
		{name: "unknown param names field", args: []string{"add", "-n", "x", "--action", "reset", "--param", "colour=red"}, code: 2, errText: `field "colour": unknown field`},
		{name: "mistyped param names the flag", args: []string{"add", "-n", "x", "--action", "mtu", "--param", "mtu=big"}, code: 2, errText: `fault add: --param mtu=big: want a whole number`},
		{name: "bad probability names the flag", args: []string{"add", "-n", "x", "--action", "reset", "--probability", "lots"}, code: 2, errText: `fault add: --probability "lots": want a number from 0 to 1`},
		{name: "bad json", args: []string{"add", "--json", `{"name":`}, code: 2, errText: "fault add: --json: invalid JSON at offset 8"},
		{name: "duplicate", args: []string{"add", "-n", "waf", "--action", "close"}, code: 1, errText: "HTTP 409"},
		{name: "no name", args: []string{"add", "--action", "reset"}, code: 2, errText: "needs a name"},
		{name: "json and flags", args: []string{"add", "--json", `{}`, "--action", "reset"}, code: 2, errText: "not both"},
		{name: "json and file", args: []string{"add", "--json", `{}`, "--file", file}, code: 2, errText: "not both"},
		{name: "param without =", args: []string{"add", "-n", "x", "--action", "reset", "--param", "mtu"}, code: 2, errText: "want key=value"},
		{name: "huge file", args: []string{"add", "--file", huge}, code: 1, errText: "fault add: --file: " + huge + " is larger than 1048576 bytes"},
		{name: "missing file", args: []string{"add", "--file", filepath.Join(t.TempDir(), "nope.json")}, code: 1, errText: "no such file"},
		{name: "stray argument", args: []string{"add", "-n", "x", "--action", "reset", "extra"}, code: 2, errText: `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errText := f.run(tt.args...)
			if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errText, tt.errText) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, stdout ~%q, stderr ~%q", code, out, errText, tt.code, tt.out, tt.errText)
			}
			if tt.check != nil {
				name := tt.rule
				if name == "" {
					name = tt.args[2]
				}
				st, ok := f.rule(name)
				if !ok {
					t.Fatalf("rule %q not in the engine", name)
				}
				tt.check(t, st.Rule)
			}
		})
	}
	if got := len(f.engine.List()); got != 5 {
		t.Fatalf("%d rules in the engine, want the 5 good ones", got)
	}
}

func TestFaultCLIListAndManage(t *testing.T) {
	f := newFaultEnv(t, "")
	if code, out, _ := f.run("ls"); code != 0 || out != "no fault rules\n" {
		t.Fatalf("ls empty: %d %q", code, out)
	}
	for _, args := range [][]string{
		{"add", "-n", "waf", "--action", "reset", "--sni", "*.x", "--probability", "0.5"},
		{"add", "-n", "slow", "--action", "latency", "--param", "latency=250ms"},
	} {
		if code, _, errText := f.run(args...); code != 0 {
			t.Fatalf("%v: %s", args, errText)
		}
	}
	f.engine.Plan(faults.ConnInfo{Listener: "l", Index: 1}) // no hello: the sni rule does not fire
	f.engine.PlanAccept(faults.ConnInfo{Listener: "l", Index: 1})

	code, out, _ := f.run("ls")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 {
		t.Fatalf("ls: %d %q", code, out)
	}
	for _, w := range []string{"NAME", "ENABLED", "STAGE", "ACTION", "SELECTORS", "FIRES"} {
		if !strings.Contains(lines[0], w) {
			t.Errorf("header %q lacks %s", lines[0], w)
		}
	}
	wantRows := [][]string{
		{"waf", "yes", "client_hello", "reset", "probability=0.5 sni=*.x", "0", "-"},
		{"slow", "yes", "accept", "latency", "s2c", "latency=250ms", "1"},
	}
	for i, w := range wantRows {
		for _, cell := range w {
			if !strings.Contains(lines[i+1], cell) {
				t.Errorf("row %q lacks %q", lines[i+1], cell)
			}
		}
	}

	code, out, _ = f.run("ls", "--json")
	var sts []faults.RuleStatus
	if code != 0 || json.Unmarshal([]byte(out), &sts) != nil || len(sts) != 2 || sts[1].Fires != 1 {
		t.Fatalf("ls --json: %d %q", code, out)
	}

	steps := []struct {
		args    []string
		code    int
		out     string
		errText string
		enabled []bool // waf, slow after the step; nil = not checked
	}{
		{args: []string{"disable", "waf", "slow"}, out: "disabled rule slow", enabled: []bool{false, false}},
		{args: []string{"enable", "slow"}, out: "enabled rule slow", enabled: []bool{false, true}},
		{args: []string{"enable", "nope"}, code: 1, errText: `fault enable: no rule named "nope"; nothing enabled (the rules: waf, slow)`},
		{args: []string{"enable"}, code: 2, errText: "name at least one rule"},
		{args: []string{"reset"}, out: "reset the counters of 2 rules"},
		{args: []string{"rm", "waf"}, out: "removed rule waf"},
		{args: []string{"rm", "waf"}, code: 1, errText: `no rule named "waf"`},
		{args: []string{"reset"}, out: "reset the counters of 1 rule\n"},
		{args: []string{"reset", "extra"}, code: 2, errText: "unexpected argument"},
	}
	for _, s := range steps {
		code, out, errText := f.run(s.args...)
		if code != s.code || !strings.Contains(out, s.out) || !strings.Contains(errText, s.errText) {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q; want %d, ~%q, ~%q", s.args, code, out, errText, s.code, s.out, s.errText)
		}
		if s.enabled != nil {
			for i, name := range []string{"waf", "slow"} {
				if st, _ := f.rule(name); st.Enabled != s.enabled[i] {
					t.Fatalf("%v: %s enabled = %v", s.args, name, st.Enabled)
				}
			}
		}
	}
	if st, _ := f.rule("slow"); st.Fires != 0 {
		t.Fatalf("fires after reset = %d", st.Fires)
	}
	if _, ok := f.rule("waf"); ok {
		t.Fatal("waf still there after rm")
	}
}

func TestFaultCLIFlagsAfterNames(t *testing.T) {
	f := newFaultEnv(t, "tok")
	f.engine.Add(faults.Rule{Name: "a", Action: faults.ActReset})
	var out, errOut bytes.Buffer
	err := cmdFault([]string{"disable", "a", "--admin", f.url, "--token", "tok"}, &out, &errOut)
	if err != nil || out.String() != "disabled rule a\n" {
		t.Fatalf("flags after the name: %v %q", err, out.String())
	}
}

func TestFaultCLIToken(t *testing.T) {
	f := newFaultEnv(t, "s3cret")
	code, _, errText := f.run("ls")
	if code != 1 || !strings.Contains(errText, "HTTP 401") || !strings.Contains(errText, "--token") {
		t.Fatalf("no token: %d %q", code, errText)
	}
	if code, _, errText := f.run("ls", "--token", "wrong"); code != 1 || !strings.Contains(errText, "wrong bearer token") {
		t.Fatalf("wrong token: %d %q", code, errText)
	}
	if code, out, errText := f.run("ls", "--token", "s3cret"); code != 0 || out != "no fault rules\n" {
		t.Fatalf("right token: %d %q %q", code, out, errText)
	}
	t.Setenv("TLSGATE_ADMIN_TOKEN", "s3cret")
	if code, _, errText := f.run("add", "-n", "a", "--action", "reset"); code != 0 {
		t.Fatalf("token from the environment: %d %q", code, errText)
	}
}

func TestFaultCLIUnreachable(t *testing.T) {
	// A port held bound without listening: nothing listens there, and no
	// parallel test's listener can take it, as it could a port let go.
	addr, _ := heldport.Refusing(t)
	var out, errOut bytes.Buffer
	err := cmdFault([]string{"ls", "--admin", "http://" + addr}, &out, &errOut)
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "cannot reach the admin API at http://"+addr) {
		t.Fatalf("unreachable: %v", err)
	}
}

// TestFaultCLIAdminNotAURL: an --admin value (or $TLSGATE_ADMIN) that is not
// an http(s) URL with a host is refused before any request, naming the value
// and an example, as bad usage (exit 2). "notaurl" used to become
// http://notaurl and a DNS lookup.
func TestFaultCLIAdminNotAURL(t *testing.T) {
	tests := []struct {
		env, flag string // $TLSGATE_ADMIN, and --admin when not ""
		want      string
	}{
		{flag: "notaurl", want: `fault ls: --admin "notaurl" is not a URL with a scheme and host: want http://HOST:PORT, e.g. http://127.0.0.1:8474`},
		{flag: "127.0.0.1:9999", want: `--admin "127.0.0.1:9999" is not a URL with a scheme and host: want http://HOST:PORT, e.g. http://127.0.0.1:9999`},
		{flag: "localhost:9999", want: `--admin "localhost:9999" is not a URL with a scheme and host: want http://HOST:PORT, e.g. http://localhost:9999`},
		{flag: "ftp://127.0.0.1:9999", want: `--admin "ftp://127.0.0.1:9999" has scheme "ftp": the admin API speaks http or https`},
		{flag: "http://", want: `--admin "http://" names no host`},
		{flag: "http://:9999", want: `--admin "http://:9999" names no host`},
		{flag: "http://127.0.0.1:9999/?x=1", want: `has a query or fragment`},
		{flag: "", want: `--admin "" is not a URL`},
		{env: "notaurl", want: `fault ls: TLSGATE_ADMIN "notaurl" is not a URL with a scheme and host`},
		{env: "notaurl", flag: "alsonot", want: `fault ls: --admin "alsonot" is not a URL`},
	}
	for _, tt := range tests {
		t.Run(tt.env+"|"+tt.flag, func(t *testing.T) {
			t.Setenv("TLSGATE_ADMIN", tt.env)
			// A request that left would fail to connect: exit 1, not 2.
			args := []string{"ls"}
			if tt.flag != "" || tt.env == "" {
				args = append(args, "--admin", tt.flag)
			}
			var out, errOut bytes.Buffer
			err := cmdFault(args, &out, &errOut)
			if exitCode(err) != 2 || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("fault %v = exit %d, %v; want exit 2 and %q", args, exitCode(err), err, tt.want)
			}
		})
	}
	for _, ok := range []string{"http://127.0.0.1:8474", "https://gate.lab:8474/", "HTTP://[::1]:8474", "http://127.0.0.1:8474/tlsgate"} {
		if _, err := adminBase(ok); err != nil {
			t.Errorf("adminBase(%q) = %v, want it accepted", ok, err)
		}
	}
}

func TestFaultCLIUsage(t *testing.T) {
	tests := []struct {
		args    []string
		code    int
		stdout  string
		stderr  string
		errText string
		quiet   bool // nothing on stdout or stderr but the error
	}{
		// No command, or an unknown one: one line, as every subcommand's
		// bad usage is (the whole usage once buried it).
		{args: nil, code: 2, errText: `a command is required (add, ls, rm, enable, disable, reset; see "tlsgate fault --help")`, quiet: true},
		{args: []string{"--help"}, code: 0, stdout: "Usage: tlsgate fault"},
		{args: []string{"add", "--help"}, code: 0, stdout: "Flags of fault add"},
		{args: []string{"frob"}, code: 2, errText: `unknown command "frob"`, quiet: true},
		{args: []string{"ls", "--bogus"}, code: 2, errText: `flag provided but not defined: -bogus (see "tlsgate fault ls --help")`, quiet: true},
		// A flag before the command: one line, like a bad flag after it.
		{args: []string{"--bogus"}, code: 2, errText: `"--bogus" is a flag, but the command comes first`, quiet: true},
		{args: []string{"--admin", "http://127.0.0.1:1", "ls"}, code: 2, errText: "the command comes first", quiet: true},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		err := cmdFault(tt.args, &out, &errOut)
		if exitCode(err) != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errOut.String(), tt.stderr) ||
			(tt.errText != "" && (err == nil || !strings.Contains(err.Error(), tt.errText))) {
			t.Errorf("%v: exit %d err %v stdout %q stderr %q", tt.args, exitCode(err), err, out.String(), errOut.String())
		}
		if tt.quiet && out.Len()+errOut.Len() > 0 {
			t.Errorf("%v: want only the one-line error, got stdout %q stderr %q", tt.args, out.String(), errOut.String())
		}
	}
}

func TestFieldValueTypes(t *testing.T) {
	tests := []struct {
		field, text string
		want        any
		err         string // the error's text, when the text cannot have the field's type
	}{
		{field: "mtu", text: "1280", want: json.Number("1280")},
		{field: "mtu", text: "big", err: "want a whole number"},
		{field: "mtu", text: "NaN", err: "want a whole number"},
		{field: "mtu", text: "1.5", err: "want a whole number"},
		{field: "max_fires", text: "abc", err: "want a whole number"},
		{field: "max_fires", text: "3", want: json.Number("3")},
		{field: "probability", text: "0.25", want: json.Number("0.25")},
		{field: "probability", text: "abc", err: "want a number from 0 to 1"},
		{field: "seed", text: "-3", want: json.Number("-3")},
		{field: "seed", text: "abc", err: "want a whole number"},
		{field: "hello_multi_segment", text: "true", want: true},
		{field: "hello_multi_segment", text: "maybe", err: "want true or false"},
		{field: "enabled", text: "false", want: false},
		{field: "latency", text: "250", want: "250"},
		{field: "alert", text: "48", want: "48"},
		{field: "min_version", text: "1.2", want: "1.2"},
		{field: "ciphers", text: "A, B,,C", want: []string{"A", "B", "C"}},
		{field: "chain", text: "expired", want: "expired"},
		{field: "no_such_field", text: "1", want: "1"},
	}
	for _, tt := range tests {
		got, err := fieldValue(tt.field, tt.text)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("fieldValue(%q, %q) = %v, %v; want an error with %q", tt.field, tt.text, got, err, tt.err)
			}
			continue
		}
		if err != nil || fmt.Sprintf("%T %v", got, got) != fmt.Sprintf("%T %v", tt.want, tt.want) {
			t.Errorf("fieldValue(%q, %q) = %T %v, %v; want %T %v", tt.field, tt.text, got, got, err, tt.want, tt.want)
		}
	}
	if got, _ := fieldValue("ciphers", ""); !slices.Equal(got.([]string), nil) {
		t.Error("empty list not empty")
	}
}

// serveListeners runs a gateway with the given [[listener]] tables and an
// admin API on a port the kernel chooses, until the test ends, and returns
// the admin API's URL for tlsgate fault and the config it runs. name is
// the config's file name in errors.
func serveListeners(t *testing.T, name, listeners string) (adminURL, toml string) {
	t.Helper()
	m, toml := serveListenersAt(t, name, listeners)
	return "http://" + m["admin"].String(), toml
}

// serveListenersAt is serveListeners returning every bound address, the
// admin API's under "admin" and each listener's under its name.
func serveListenersAt(t *testing.T, name, listeners string) (bound map[string]net.Addr, toml string) {
	t.Helper()
	// tlsgate fault is to reach this gateway by --admin alone.
	t.Setenv("TLSGATE_ADMIN", "")
	t.Setenv("TLSGATE_ADMIN_TOKEN", "")
	toml = "[ca]\ndir = \"" + filepath.Join(t.TempDir(), "ca") + "\"\n[demo]\nlisten = \"\"\n" +
		"[admin]\nlisten = \"127.0.0.1:0\"\n[shutdown]\ngrace = \"0s\"\n" + listeners
	cfg, err := config.Parse([]byte(toml), name)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan map[string]net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, io.Discard, func(m map[string]net.Addr) { addrs <- m }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case m := <-addrs:
		return m, toml
	case err := <-done:
		done <- err // for the cleanup, which waits for it
		t.Fatalf("serve ended before listening: %v", err)
		return nil, ""
	}
}

// TestFaultAddRefusesChainOnPassthrough: against a running gateway, `fault
// add` of a chain rule for a passthrough listener is refused with the
// config file's reason, because run tells the admin API each listener's
// mode. It used to be added and stay at 0 fires forever.
func TestFaultAddRefusesChainOnPassthrough(t *testing.T) {
	adminURL, _ := serveListeners(t, "chain.toml",
		"[[listener]]\nname = \"p\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"passthrough\"\n"+
			"[[listener]]\nname = \"web\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"terminate\"\n")
	var out, errOut bytes.Buffer
	err := cmdFault([]string{"add", "-n", "c", "--action", "chain", "--param", "chain=expired", "--listener", "p", "--admin", adminURL}, &out, &errOut)
	want := `rule "c" serves a bad certificate chain on listener "p", which has mode = "passthrough" and terminates no TLS; this rule would never fire`
	if exitCode(err) != 2 || !strings.Contains(fmt.Sprint(err), want) {
		t.Errorf("chain on passthrough: exit %d, %v; want exit 2 and %q", exitCode(err), err, want)
	}
	out.Reset()
	err = cmdFault([]string{"add", "-n", "c", "--action", "chain", "--param", "chain=expired", "--listener", "web", "--admin", adminURL}, &out, &errOut)
	if err != nil || !strings.Contains(out.String(), "added rule c") {
		t.Errorf("chain on terminate: %v %q", err, out.String())
	}
}

// TestFaultAddRefusesWhatConfigRefuses: against a running gateway, `fault
// add` refuses an alpn_downgrade, an sni_policy with host_mismatch and a
// proxy_skew aimed at a listener where they cannot act, for the reason the
// config file gives for the same rule (run tells the admin API each
// listener's mode and whether it verifies a server certificate). Where
// they can act they are added.
func TestFaultAddRefusesWhatConfigRefuses(t *testing.T) {
	listeners := "[[listener]]\nname = \"p\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"passthrough\"\n" +
		"[[listener]]\nname = \"web\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"terminate\"\n" +
		"[[listener]]\nname = \"insp\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"inspect\"\n"
	adminURL, toml := serveListeners(t, "misfit.toml", listeners)
	for _, tc := range []struct {
		args []string // after add -n x
		toml string   // the same rule in a config file
		want string   // the reason both give, after the rule's name
	}{
		{[]string{"--action", "alpn_downgrade", "--listener", "p"}, "action = \"alpn_downgrade\"\nlistener = \"p\"\n",
			` changes the ALPN of a handshake tlsgate runs on listener "p", which has mode = "passthrough" and terminates no TLS; this rule would never fire`},
		{[]string{"--action", "sni_policy", "--param", "host_mismatch=421", "--listener", "p"}, "action = \"sni_policy\"\nhost_mismatch = 421\nlistener = \"p\"\n",
			` compares the HTTP Host inside TLS with the SNI on listener "p", which has mode = "passthrough" and terminates no TLS; this rule would never fire`},
		{[]string{"--action", "proxy_skew", "--param", "skew=720h", "--listener", "web"}, "action = \"proxy_skew\"\nskew = \"720h\"\nlistener = \"web\"\n",
			` shifts tlsgate's clock on the upstream leg of listener "web", which has mode = "terminate" without [listener.server_ssl] (a plain backend) and verifies no server certificate; this rule would never fire`},
	} {
		var out, errOut bytes.Buffer
		err := cmdFault(append(append([]string{"add", "-n", "x"}, tc.args...), "--admin", adminURL), &out, &errOut)
		if exitCode(err) != 2 || !strings.Contains(fmt.Sprint(err), `rule "x"`+tc.want) {
			t.Errorf("fault add %q: exit %d, %v; want exit 2 and %q", tc.args, exitCode(err), err, `rule "x"`+tc.want)
		}
		_, err = config.Parse([]byte(toml+"[[fault]]\nname = \"x\"\n"+tc.toml), "misfit.toml")
		if err == nil || !strings.Contains(err.Error(), "fault[0]"+tc.want) {
			t.Errorf("config with %q: %v; want %q", tc.toml, err, "fault[0]"+tc.want)
		}
	}
	for i, args := range [][]string{
		{"--action", "alpn_downgrade", "--listener", "web"},
		{"--action", "sni_policy", "--param", "host_mismatch=421", "--listener", "insp"},
		{"--action", "proxy_skew", "--param", "skew=720h", "--listener", "insp"},
	} {
		var out, errOut bytes.Buffer
		name := fmt.Sprintf("ok%d", i)
		if err := cmdFault(append(append([]string{"add", "-n", name}, args...), "--admin", adminURL), &out, &errOut); err != nil || !strings.Contains(out.String(), "added rule "+name) {
			t.Errorf("fault add %q: %v %q, want it added", args, err, out.String())
		}
	}
}

// TestClientGoneBeforeAByteCountsNoFiring: against a running gateway, a
// client that connects and closes, or resets, before its first byte meets
// no stage after accept, not even client_hello, so a reset there acts on
// nothing. It used to be counted as fired: in fault ls and in
// tlsgate_faults_fired_total. The same rule on a client that sends a
// request fires, and both count it, so the zero is not a metric that never
// moves.
func TestClientGoneBeforeAByteCountsNoFiring(t *testing.T) {
	m, _ := serveListenersAt(t, "gone.toml",
		"[[listener]]\nname = \"plain\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"plaintext\"\n")
	adminURL, plain := "http://"+m["admin"].String(), m["plain"].String()
	var out, errOut bytes.Buffer
	if err := cmdFault([]string{"add", "-n", "cut", "--action", "reset", "--stage", "client_hello", "--listener", "plain", "--admin", adminURL}, &out, &errOut); err != nil {
		t.Fatalf("fault add: %v %s", err, errOut.String())
	}
	metrics := func() string {
		t.Helper()
		resp, err := http.Get(adminURL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	// waitOutcomes waits until the listener has logged n connections.
	waitOutcomes := func(n int) string {
		t.Helper()
		for end := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			body := metrics()
			total := 0
			for line := range strings.Lines(body) {
				if rest, ok := strings.CutPrefix(line, "tlsgate_outcomes_total{"); ok && strings.Contains(rest, `listener="plain"`) {
					var v int
					_, _ = fmt.Sscan(rest[strings.LastIndexByte(rest, ' ')+1:], &v)
					total += v
				}
			}
			if total >= n {
				return body
			}
			if time.Now().After(end) {
				t.Fatalf("fewer than %d outcomes after 20s:\n%s", n, body)
			}
		}
	}
	fires := func() int64 {
		t.Helper()
		out.Reset()
		if err := cmdFault([]string{"ls", "--json", "--admin", adminURL}, &out, &errOut); err != nil {
			t.Fatalf("fault ls: %v", err)
		}
		var sts []faults.RuleStatus
		if err := json.Unmarshal(out.Bytes(), &sts); err != nil || len(sts) != 1 {
			t.Fatalf("fault ls --json: %v %q", err, out.String())
		}
		return sts[0].Fires
	}

	for _, rst := range []bool{false, true} {
		c, err := net.Dial("tcp", plain)
		if err != nil {
			t.Fatal(err)
		}
		if rst {
			_ = c.(*net.TCPConn).SetLinger(0)
		}
		_ = c.Close()
	}
	body := waitOutcomes(2)
	if strings.Contains(body, "tlsgate_faults_fired_total{") {
		t.Errorf("firings counted for clients that left before a byte:\n%s", grepLines(body, "tlsgate_faults_fired_total"))
	}
	if n := fires(); n != 0 {
		t.Errorf("fault ls: %d fires for clients that left before a byte", n)
	}

	c, err := net.Dial("tcp", plain)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // a bound, not an assertion
	_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: lab.test\r\nConnection: close\r\n\r\n")
	if got, err := io.ReadAll(c); len(got) != 0 || err == nil {
		t.Fatalf("the request got %.80q, %v; want the reset", got, err)
	}
	body = waitOutcomes(3)
	if want := `tlsgate_faults_fired_total{action="reset",rule="cut"} 1`; !strings.Contains(body, want) {
		t.Errorf("after a request: want %s in\n%s", want, grepLines(body, "tlsgate_faults_fired_total"))
	}
	if n := fires(); n != 1 {
		t.Errorf("fault ls after a request: %d fires, want 1", n)
	}
}

// grepLines returns the lines of s that begin with prefix.
func grepLines(s, prefix string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if strings.HasPrefix(line, prefix) {
			b.WriteString(line)
		}
	}
	return b.String()
}
