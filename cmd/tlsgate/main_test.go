package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/pki"
)

func TestCLIExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[[listener]]\nname = \"x\"\nlisten = \"127.0.0.1:1\"\nbackend = \"127.0.0.1:2\"\nmode = \"terminate\"\npeek_timeout = \"5 seconds\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"no args", nil, 2, "", "a subcommand is required"},
		{"unknown", []string{"frobnicate"}, 2, "", "tlsgate: unknown subcommand \"frobnicate\" (see \"tlsgate --help\")\n"},
		{"help", []string{"--help"}, 0, "tlsgate run", ""},
		{"version", []string{"version"}, 0, "tlsgate " + version, ""},
		{"run help", []string{"run", "--help"}, 0, "Usage: tlsgate run", ""},
		{"version extra", []string{"version", "extra"}, 2, "", `version: unexpected argument "extra"`},
		{"run bad flag", []string{"run", "--nope"}, 2, "", `flag provided but not defined: -nope (see "tlsgate run --help")`},
		{"ca help", []string{"ca", "--help"}, 0, "ca export", ""},
		{"config default", []string{"config", "default"}, 0, "[[listener]]", ""},
		{"config check bad", []string{"config", "check", "-c", bad}, 2, "", "bad.toml:6:1: listener.peek_timeout"},
		{"run bad config", []string{"run", "-c", bad}, 2, "", "peek_timeout"},
		{"missing config", []string{"run", "-c", filepath.Join(dir, "none.toml")}, 2, "", "none.toml"},
		{"doctor bad mode", []string{"doctor", "transparent", "--mode", "nat", "--port", "1"}, 2, "", "--mode must be redirect or tproxy"},
		{"doctor no mode", []string{"doctor", "transparent", "--port", "1"}, 2, "", "--mode is required: redirect or tproxy"},
		{"doctor no port", []string{"doctor", "transparent", "--mode", "tproxy"}, 2, "", "--port is required"},
		{"doctor port out of range", []string{"doctor", "transparent", "--mode", "redirect", "--port", "70000"}, 2, "", "--port 70000 is not a port (1 to 65535)"},
		{"doctor negative port", []string{"doctor", "transparent", "--mode", "redirect", "--port", "-5"}, 2, "", "--port -5 is not a port"},
		{"doctor config without a transparent listener", []string{"doctor", "transparent", "-c", writeCfg(t, dir)}, 2, "",
			`good.toml has no listener with transparent = "redirect" or "tproxy"; give --mode and --port`},
		{"ca export bad format", []string{"ca", "export", "--format", "jks", "-c", writeCfg(t, dir)}, 2, "", "unknown --format"},
		{"version help", []string{"version", "--help"}, 0, "Usage: tlsgate version", ""},
		{"fault no command", []string{"fault"}, 2, "", `fault: a command is required (add, ls, rm, enable, disable, reset; see "tlsgate fault --help")`},
		{"fault unknown command", []string{"fault", "frob"}, 2, "", `fault: unknown command "frob"`},
		{"ca init export flag", []string{"ca", "init", "--format", "der", "-c", writeCfg(t, dir)}, 2, "", "flag provided but not defined: -format"},
		{"ca export no CA", []string{"ca", "export", "--ca-dir", filepath.Join(dir, "nowhere")}, 1, "",
			"no lab CA in " + filepath.Join(dir, "nowhere")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(c.args, &out, &errb)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, out.String(), errb.String())
			}
			if !strings.Contains(out.String(), c.out) {
				t.Errorf("stdout %q lacks %q", out.String(), c.out)
			}
			if !strings.Contains(errb.String(), c.err) {
				t.Errorf("stderr %q lacks %q", errb.String(), c.err)
			}
			if c.code == 2 && c.name != "no args" && strings.Count(errb.String(), "\n") != 1 {
				t.Errorf("bad usage should print one line on stderr, got:\n%s", errb.String())
			}
		})
	}
}

// writeCfg writes a valid config whose CA lives in dir.
func writeCfg(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "good.toml")
	cfg := "[ca]\ndir = \"" + filepath.Join(dir, "ca") + "\"\n[[listener]]\nname = \"x\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:2\"\nmode = \"terminate\"\n"
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCAExportFormats(t *testing.T) {
	dir := t.TempDir()
	cfg := writeCfg(t, dir)
	if code := run([]string{"ca", "init", "-c", cfg}, io.Discard, io.Discard); code != 0 {
		t.Fatalf("ca init: exit %d", code)
	}
	for _, f := range []struct {
		format string
		check  func([]byte) bool
	}{
		{"pem", func(b []byte) bool { return bytes.HasPrefix(b, []byte("-----BEGIN CERTIFICATE-----")) }},
		{"der", func(b []byte) bool { return len(b) > 100 && b[0] == 0x30 }},
		{"p12", func(b []byte) bool { return len(b) > 100 && b[0] == 0x30 }},
	} {
		var out, errb bytes.Buffer
		if code := run([]string{"ca", "export", "-c", cfg, "--format", f.format}, &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d: %s", f.format, code, errb.String())
		}
		if !f.check(out.Bytes()) {
			t.Errorf("%s export does not look right: % x", f.format, out.Bytes()[:min(16, out.Len())])
		}
	}
}

// TestHelpPrintedOnce: the flag package prints the usage itself on -h, so
// a second print in our parse helpers showed every help text twice.
func TestHelpPrintedOnce(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--help"}, {"version", "--help"}, {"lab", "--help"}, {"lab", "client", "--help"},
		{"ca", "init", "--help"}, {"ca", "export", "--help"}, {"config", "check", "--help"},
		{"doctor", "transparent", "--help"}, {"probe", "--help"}, {"explain", "--help"}, {"fault", "add", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out bytes.Buffer
			if code := run(args, &out, io.Discard); code != 0 {
				t.Fatalf("exit %d", code)
			}
			// Every usage text starts with this; lab's mentions it twice on
			// purpose (lab and lab client), so count the first line only.
			first, _, _ := strings.Cut(out.String(), "\n")
			if n := strings.Count(out.String(), first+"\n"); first == "" || n != 1 {
				t.Errorf("usage line %q printed %d times:\n%s", first, n, out.String())
			}
		})
	}
}

// TestBadFlagOneLine: a mistyped flag is one line on stderr naming the flag
// and pointing at the subcommand's --help, with nothing on stdout and exit
// 2, in every subcommand, as `fault --bogus` was. The flag package calls
// the usage function on every parse error, so each printed its whole usage
// on stdout; --help alone prints it now (TestHelpPrintedOnce).
func TestBadFlagOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"run"}, {"version"}, {"lab"}, {"lab", "client"}, {"ca", "init"}, {"ca", "export"}, {"config", "check"},
		{"config", "default"}, {"doctor", "transparent"}, {"probe"}, {"explain"}, {"fault", "add"}, {"fault", "ls"},
		{"fault", "rm"}, {"fault", "disable"},
	} {
		cmd := strings.Join(args, " ")
		t.Run(cmd, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(append(args, "--bogus"), &out, &errb); code != 2 {
				t.Fatalf("exit %d, want 2\nstderr: %s", code, errb.String())
			}
			if out.Len() != 0 {
				t.Errorf("stdout has %d bytes, want none:\n%s", out.Len(), out.String())
			}
			want := "tlsgate: " + cmd + ": flag provided but not defined: -bogus (see \"tlsgate " + cmd + " --help\")\n"
			if errb.String() != want {
				t.Errorf("stderr %q, want the one line %q", errb.String(), want)
			}
		})
	}
}

// TestUnexpectedArgOneLine: a stray positional argument is one line on
// stderr naming it and pointing at the --help of the (sub)command it was
// given to, with nothing on stdout and exit 2, in every subcommand that
// takes no (more) positional arguments. probe, fault and lab client named
// the argument without the pointer the others gave. explain and fault
// rm/enable/disable take any number of arguments and are not listed.
func TestUnexpectedArgOneLine(t *testing.T) {
	for _, c := range []struct {
		cmd  string   // the (sub)command, as in its --help pointer
		args []string // the arguments before the stray one
	}{
		{"run", nil},
		{"version", nil},
		{"lab", nil},
		{"lab client", []string{"https://www.example.test/"}},
		{"ca init", nil},
		{"ca export", nil},
		{"config check", nil},
		{"config default", nil},
		{"doctor transparent", nil},
		{"probe", []string{"127.0.0.1:9"}},
		{"probe", []string{"--json", "127.0.0.1:9"}},
		{"fault add", []string{"-n", "x", "--action", "reset"}},
		{"fault ls", nil},
		{"fault ls", []string{"--json"}},
		{"fault reset", nil},
	} {
		args := append(append(strings.Fields(c.cmd), c.args...), "stray")
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(args, &out, &errb); code != 2 {
				t.Fatalf("exit %d, want 2\nstderr: %s", code, errb.String())
			}
			if out.Len() != 0 {
				t.Errorf("stdout has %d bytes, want none:\n%s", out.Len(), out.String())
			}
			want := "tlsgate: " + c.cmd + ": unexpected argument \"stray\" (see \"tlsgate " + c.cmd + " --help\")\n"
			if errb.String() != want {
				t.Errorf("stderr %q, want the one line %q", errb.String(), want)
			}
		})
	}
}

// TestCAFlagsPerSubcommand: init must not offer export's flags.
func TestCAFlagsPerSubcommand(t *testing.T) {
	for _, c := range []struct {
		sub       string
		want, not []string
	}{
		{"init", []string{"-c", "-ca-dir"}, []string{"-format", "-password"}},
		{"export", []string{"-c", "-ca-dir", "-format", "-password"}, nil},
	} {
		var out bytes.Buffer
		if code := run([]string{"ca", c.sub, "--help"}, &out, io.Discard); code != 0 {
			t.Fatalf("ca %s --help: exit %d", c.sub, code)
		}
		for _, w := range c.want {
			if !strings.Contains(out.String(), "  "+w+" ") {
				t.Errorf("ca %s --help lacks %s:\n%s", c.sub, w, out.String())
			}
		}
		for _, n := range c.not {
			if strings.Contains(out.String(), "  "+n+" ") {
				t.Errorf("ca %s --help offers %s:\n%s", c.sub, n, out.String())
			}
		}
	}
}

// TestCAExportNeverCreates: export from a place with no CA must fail, name
// the directory, say how to point at the right one, and leave no new CA
// behind; after ca init, the same export prints that CA.
func TestCAExportNeverCreates(t *testing.T) {
	dir := t.TempDir()
	cfg := writeCfg(t, dir)
	caDir := filepath.Join(dir, "ca")
	var out, errb bytes.Buffer
	if code := run([]string{"ca", "export", "-c", cfg}, &out, &errb); code != 1 {
		t.Fatalf("export without a CA: exit %d, want 1; stderr %s", code, errb.String())
	}
	for _, w := range []string{caDir, "-c CONFIG", "--ca-dir", "tlsgate ca init"} {
		if !strings.Contains(errb.String(), w) {
			t.Errorf("stderr %q lacks %q", errb.String(), w)
		}
	}
	if out.Len() != 0 {
		t.Errorf("export without a CA printed %d bytes", out.Len())
	}
	// The cause stays inspectable for callers, wrapped with %w.
	if err := cmdCA([]string{"export", "-c", cfg}, io.Discard, io.Discard); !errors.Is(err, pki.ErrNoCA) {
		t.Errorf("cmdCA error %v does not wrap pki.ErrNoCA", err)
	}
	if _, err := os.Stat(caDir); !os.IsNotExist(err) {
		t.Fatalf("export created %s (stat: %v)", caDir, err)
	}
	if code := run([]string{"ca", "init", "-c", cfg}, io.Discard, io.Discard); code != 0 {
		t.Fatalf("ca init: exit %d", code)
	}
	pem, err := os.ReadFile(filepath.Join(caDir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-c", cfg}, {"--ca-dir", caDir}} {
		out.Reset()
		if code := run(append([]string{"ca", "export"}, args...), &out, io.Discard); code != 0 {
			t.Fatalf("export %v: exit %d", args, code)
		}
		if !bytes.Equal(out.Bytes(), pem) {
			t.Errorf("export %v printed a different CA from %s", args, caDir)
		}
	}
}

// TestConfigCheckDefault: check without -c checks what run without -c
// runs, the built-in config, not ./config.toml, and says which it checked.
func TestConfigCheckDefault(t *testing.T) {
	dir := t.TempDir()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// A broken ./config.toml that run without -c would never read.
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte("nonsense = [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.Chdir(wd) }()
	var out, errb bytes.Buffer
	if code := run([]string{"config", "check"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d, want 0 (the built-in config)\nstdout: %s\nstderr: %s", code, out.String(), errb.String())
	}
	if want := "built-in config (what 'tlsgate run' without -c runs"; !strings.Contains(out.String(), want) {
		t.Errorf("stdout %q does not say it checked the built-in config (%q)", out.String(), want)
	}
}

// TestDoctorUsesListenAddress: doctor -c reads the transparent listener's
// whole listen address, not only its port: a listener on 127.0.0.1 is
// reached by a DNAT to 127.0.0.1 (a PREROUTING REDIRECT never gets there),
// one on 0.0.0.0 by the REDIRECT. What the host has set up does not matter
// here: only the fix printed for the rule check is compared.
func TestDoctorUsesListenAddress(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ listen, want, not string }{
		{"127.0.0.1:19843", "-j DNAT --to-destination 127.0.0.1:19843", "-j REDIRECT --to-ports 19843\nip6tables"},
		{"0.0.0.0:19843", "-j REDIRECT --to-ports 19843", "--to-destination"},
	} {
		t.Run(tc.listen, func(t *testing.T) {
			p := filepath.Join(dir, "tp.toml")
			cfg := "[ca]\ndir = \"" + filepath.Join(dir, "ca") + "\"\n[[listener]]\nname = \"tp\"\nlisten = \"" + tc.listen + "\"\ntransparent = \"redirect\"\nmode = \"inspect\"\n"
			if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"doctor", "transparent", "-c", p}, {"doctor", "transparent", "--mode", "redirect", "--listen", tc.listen}} {
				var out, errb bytes.Buffer
				run(args, &out, &errb)
				if got := out.String(); !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
					t.Errorf("%v:\n%s\nwant %q and not %q", args, got, tc.want, tc.not)
				}
			}
		})
	}
}

// TestTopUsageNamesTheFlagsREADMEUses: the overview `tlsgate --help`
// prints names the flags and variables an operator reaches for first,
// which it once left to each subcommand's --help.
func TestTopUsageNamesTheFlagsREADMEUses(t *testing.T) {
	for _, want := range []string{
		"ca export [-c config.toml | --ca-dir DIR] [--format pem|der|p12] [--password P]",
		"--base-port 9400", "--admin ADDR|off", "lab [--list|--markdown|--only NAME] [--base-port 9400] [--admin ADDR|off] [--ca-dir DIR]",
		"--handshake-timeout 10s", "$TLSGATE_ADMIN,", "$TLSGATE_ADMIN_TOKEN",
	} {
		if !strings.Contains(topUsage, want) {
			t.Errorf("tlsgate's usage lacks %q:\n%s", want, topUsage)
		}
	}
	if !strings.Contains(labUsage, "[--ca-dir DIR]") {
		t.Errorf("lab's usage line lacks [--ca-dir DIR]:\n%s", labUsage)
	}
}
