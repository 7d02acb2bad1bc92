package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLabFlagErrorsNameTheFlag: a bad lab flag is reported as the flag,
// with what it wants, and not as a line of the lab.toml the lab writes in
// memory ("config: DIR/lab.toml:4:1: log.format: …"), nor with advice
// about config keys the lab has no flag for (allow_remote, token). Each
// case fails before any port is bound and leaves no CA behind.
func TestLabFlagErrorsNameTheFlag(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A CA directory holding a certificate without its key.
	halfCA := filepath.Join(dir, "half-ca")
	if err := os.MkdirAll(halfCA, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(halfCA, "ca.pem"), []byte("not used\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	caDir := filepath.Join(dir, "ca")
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"log format", []string{"--log-format", "bogus"}, []string{`lab: --log-format "bogus": want bigip, json or console`}},
		{"admin without a port", []string{"--admin", "localhost"}, []string{`lab: --admin "localhost": want HOST:PORT on loopback, e.g. 127.0.0.1:8474, or off`}},
		{"admin not loopback", []string{"--admin", "0.0.0.0:20476"},
			[]string{`lab: --admin "0.0.0.0:20476" is not a loopback address`, "want 127.0.0.1:PORT, or off"}},
		{"admin port out of range", []string{"--admin", "127.0.0.1:99999"},
			[]string{`lab: --admin: bad address: "127.0.0.1:99999": port 99999 is out of range`, "want 127.0.0.1:PORT, or off"}},
		{"ca dir under a file", []string{"--ca-dir", filepath.Join(file, "sub")},
			[]string{`lab: --ca-dir: "` + filepath.Join(file, "sub") + `" cannot be created`, "want a directory this process can create or write to"}},
		{"ca dir is a file", []string{"--ca-dir", file}, []string{`lab: --ca-dir: "` + file + `" is not a directory`}},
		// mtls-required makes its CA (and client certificate) before the
		// config is parsed.
		{"ca dir under a file, CA made first", []string{"--ca-dir", filepath.Join(file, "sub"), "--only", "mtls-required"},
			[]string{"lab: --ca-dir: pki: ", filepath.Join(file, "sub")}},
		{"ca dir with a broken CA", []string{"--ca-dir", halfCA},
			[]string{`lab: --ca-dir: the lab CA in "` + halfCA + `" cannot be used: pki: `, "ca-key.pem is missing; restore the key"}},
		{"ca dir with a broken CA, CA made first", []string{"--ca-dir", halfCA, "--only", "mtls-required"},
			[]string{"lab: --ca-dir: pki: ", "ca-key.pem is missing; restore the key"}},
		{"log file in a missing directory", []string{"--log-file", filepath.Join(dir, "nowhere", "x.log")},
			[]string{`lab: --log-file: directory "` + filepath.Join(dir, "nowhere") + `"`, "want a file in an existing directory this process can write to"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--only", "clock-ahead", "--base-port", "20000", "--ca-dir", caDir, "--admin", "off"}, tt.args...)
			var out, errb bytes.Buffer
			code := run(append([]string{"lab"}, args...), &out, &errb)
			msg := errb.String()
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", code, msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("stderr %q lacks %q", msg, w)
				}
			}
			for _, not := range []string{"lab.toml", "allow_remote", "token", "config:"} {
				if strings.Contains(msg, not) {
					t.Errorf("stderr %q speaks of %q, which is no flag of the lab", msg, not)
				}
			}
			if strings.Count(strings.TrimSpace(msg), "\n") != 0 {
				t.Errorf("stderr has more than the one error line: %q", msg)
			}
			if strings.Contains(msg, "pki: ") && strings.Contains(msg, "want a directory") {
				t.Errorf("stderr %q asks for another directory for a CA that is broken, not unusable", msg)
			}
			if _, err := os.Stat(caDir); !os.IsNotExist(err) {
				t.Errorf("a failed start left %s behind (stat: %v)", caDir, err)
			}
			if _, err := os.Stat(filepath.Join(halfCA, "ca.pem")); err != nil {
				t.Errorf("a failed start removed a certificate it did not make: %v", err)
			}
		})
	}
}

// TestLabListConflicts: --list and --markdown print the catalog and exit,
// so each refuses the other and every flag that only a running lab reads,
// in one line naming both, instead of ignoring it.
func TestLabListConflicts(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--list", "--markdown"}, "lab: --list and --markdown both print the catalog: give one of them"},
		{[]string{"--markdown", "--list"}, "lab: --list and --markdown both print the catalog"},
		{[]string{"--list", "--only", "expired"}, "lab: --list prints the catalog and exits, so --only (which only a running lab reads) cannot go with it"},
		{[]string{"--markdown", "--only", "expired"}, "lab: --markdown prints the catalog and exits, so --only"},
		{[]string{"--list", "--base-port", "20000"}, "lab: --list prints the catalog and exits, so --base-port"},
		{[]string{"--list", "--admin", "off"}, "so --admin"},
		{[]string{"--markdown", "--log-format", "json"}, "so --log-format"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(append([]string{"lab"}, tt.args...), &out, &errb)
			if code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), tt.want) || strings.Count(errb.String(), "\n") != 1 {
				t.Fatalf("exit %d, stdout %d bytes, stderr %q; want exit 2, nothing printed, one line with %q", code, out.Len(), errb.String(), tt.want)
			}
		})
	}
	// --lang goes with both.
	for _, args := range [][]string{{"--list", "--lang", "ja"}, {"--markdown", "--lang", "ja"}} {
		var out bytes.Buffer
		if code := run(append([]string{"lab"}, args...), &out, &bytes.Buffer{}); code != 0 || out.Len() == 0 {
			t.Errorf("lab %v: exit %d, %d bytes", args, code, out.Len())
		}
	}
}
