package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/tlsgate/tlsgate/pki"
)

// TestCAExportCertificateAlone: export needs only ca.pem. A CA whose key
// was moved away used to be refused ("ca-key.pem is missing; restore the
// key …"); run and ca init still refuse it, since they sign.
func TestCAExportCertificateAlone(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ca")
	if code := run([]string{"ca", "init", "--ca-dir", dir}, io.Discard, io.Discard); code != 0 {
		t.Fatalf("ca init: exit %d", code)
	}
	certPEM, err := os.ReadFile(filepath.Join(dir, pki.CertFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, pki.KeyFile)); err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(certPEM)
	tests := []struct {
		format string
		same   func(out []byte) bool // out is the CA certificate in this format
	}{
		{"pem", func(out []byte) bool { return bytes.Equal(out, certPEM) }},
		{"der", func(out []byte) bool { return bytes.Equal(out, block.Bytes) }},
		{"p12", func(out []byte) bool {
			certs, err := pkcs12.DecodeTrustStore(out, "tlsgate")
			return err == nil && len(certs) == 1 && bytes.Equal(certs[0].Raw, block.Bytes)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run([]string{"ca", "export", "--ca-dir", dir, "--format", tt.format}, &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			if !tt.same(out.Bytes()) {
				t.Errorf("the %s export is not %s", tt.format, filepath.Join(dir, pki.CertFile))
			}
		})
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		t.Fatal(err)
	}
	// What signs still wants the key.
	var errb bytes.Buffer
	if code := run([]string{"ca", "init", "--ca-dir", dir}, io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "ca init: pki: ") ||
		!strings.Contains(errb.String(), "ca-key.pem is missing; restore the key") {
		t.Errorf("ca init without the key: exit %d, %q; want the refusal", code, errb.String())
	}
}

// TestCLIMessages: each message names the flag or file once, says what is
// wanted, and carries its subcommand's prefix.
func TestCLIMessages(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	listener := "[[listener]]\nname = \"x\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:2\"\nmode = \"terminate\"\n"
	adminNoPort := write("admin.toml", "[ca]\ndir = \""+filepath.Join(dir, "ca")+"\"\n[admin]\nlisten = \"localhost\"\n"+listener)
	grace := write("grace.toml", "[ca]\ndir = \""+filepath.Join(dir, "ca")+"\"\n[shutdown]\ngrace = \"99999999h\"\n"+listener)
	dup := write("dup.toml", listener+"mode = \"auto\"\n")
	garbage := filepath.Join(dir, "garbage")
	if err := os.MkdirAll(garbage, 0o700); err != nil {
		t.Fatal(err)
	}
	write("garbage/ca.pem", "garbage\n")
	file := write("a-file", "")

	tests := []struct {
		name string
		args []string
		code int
		want string // the whole of stderr, after "tlsgate: "
	}{
		{"admin listen without a port: one error", []string{"config", "check", "-c", adminNoPort}, 2,
			`config: ` + adminNoPort + `:4:1: admin.listen: bad address: "localhost" is not host:port: address localhost: missing port in address`},
		{"probe timeout", []string{"probe", "127.0.0.1:1", "--timeout", "xyz"}, 2,
			`probe: --timeout "xyz": want a duration such as 3s or 500ms (see "tlsgate probe --help")`},
		{"lab base port", []string{"lab", "--base-port", "abc"}, 2, `lab: --base-port "abc": want a whole number (see "tlsgate lab --help")`},
		{"lab client max time", []string{"lab", "client", "--max-time", "5"}, 2,
			`lab client: --max-time "5": want a duration such as 3s or 500ms (see "tlsgate lab client --help")`},
		{"fault add bool flag", []string{"fault", "add", "--disabled=maybe"}, 2,
			`fault add: --disabled "maybe": want true or false (see "tlsgate fault add --help")`},
		{"grace out of range", []string{"config", "check", "-c", grace}, 2,
			`config: ` + grace + `:4:1: shutdown.grace: duration "99999999h" is out of range: at most 2562047h (about 292 years)`},
		{"config is a directory", []string{"config", "check", "-c", dir}, 2, `config: ` + dir + ` is a directory, not a config file`},
		{"run config is a directory", []string{"run", "-c", dir}, 2, `config: ` + dir + ` is a directory, not a config file`},
		{"duplicate key names the first", []string{"config", "check", "-c", dup}, 2,
			`config: ` + dup + `:6:1: toml syntax: Key 'listener.mode' has already been defined; the first is at line 5:1`},
		{"doctor port 0", []string{"doctor", "transparent", "--mode", "redirect", "--port", "0"}, 2,
			`doctor transparent: --port 0 is not a port (1 to 65535)`},
		{"ca init under a file", []string{"ca", "init", "--ca-dir", filepath.Join(file, "ca")}, 1,
			`ca init: pki: stat ` + filepath.Join(file, "ca", "ca.pem") + `: not a directory`},
		{"ca export garbage", []string{"ca", "export", "--ca-dir", garbage}, 1,
			`ca export: pki: ` + filepath.Join(garbage, "ca.pem") + `: no PEM block found (8 bytes, starting "garbage\n")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tt.args, &out, &errb)
			if got := strings.TrimSuffix(errb.String(), "\n"); code != tt.code || got != "tlsgate: "+tt.want {
				t.Fatalf("exit %d, stderr\n%s\nwant exit %d, stderr\ntlsgate: %s", code, got, tt.code, tt.want)
			}
		})
	}
}
