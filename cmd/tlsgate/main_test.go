package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		{"unknown", []string{"frobnicate"}, 2, "", `unknown subcommand "frobnicate"`},
		{"help", []string{"--help"}, 0, "tlsgate run", ""},
		{"version", []string{"version"}, 0, "tlsgate " + version, ""},
		{"run help", []string{"run", "--help"}, 0, "Usage: tlsgate run", ""},
		{"version extra", []string{"version", "extra"}, 2, "", `version: unexpected argument "extra"`},
		{"run bad flag", []string{"run", "--nope"}, 2, "", `flag provided but not defined: -nope (see "tlsgate run --help")`},
		{"ca help", []string{"ca", "--help"}, 0, "ca export", ""},
		{"config default", []string{"config", "default"}, 0, "[[listener]]", ""},
		{"config check bad", []string{"config", "check", "-c", bad}, 2, "", "bad.toml:6: listener.peek_timeout"},
		{"run bad config", []string{"run", "-c", bad}, 2, "", "peek_timeout"},
		{"missing config", []string{"run", "-c", filepath.Join(dir, "none.toml")}, 2, "", "none.toml"},
		{"doctor bad mode", []string{"doctor", "transparent", "--mode", "nat", "--port", "1"}, 2, "", "--mode must be redirect or tproxy"},
		{"ca export bad format", []string{"ca", "export", "--format", "jks", "-c", writeCfg(t, dir)}, 2, "", "unknown --format"},
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
	if _, err := os.Stat(filepath.Join(dir, "ca", "ca-key.pem")); err != nil {
		t.Errorf("ca export did not create the CA: %v", err)
	}
}
