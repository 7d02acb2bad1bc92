package config

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/listener"
)

// flatten returns the *Error values inside what Parse returned.
func flatten(t *testing.T, err error) []*Error {
	t.Helper()
	var out []*Error
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("error %q is not a *config.Error", e)
		}
		out = append(out, ce)
	}
	if err != nil {
		walk(err)
	}
	return out
}

func TestDefaultParses(t *testing.T) {
	cfg, err := Parse(Default(), "config.toml")
	if err != nil {
		t.Fatalf("default config does not parse:\n%v", err)
	}
	want := &Config{
		Log:      Log{Format: "bigip", Level: "info", Lang: "en", FlushInterval: 20 * time.Millisecond},
		CA:       CA{Dir: "./tlsgate-ca"},
		Demo:     Demo{Listen: "127.0.0.1:8080"},
		Shutdown: Shutdown{Grace: 10 * time.Second},
		Admin:    Admin{Listen: DefaultAdminListen},
		Listeners: []listener.Options{
			defaults(listener.Options{Name: "terminate", Listen: "127.0.0.1:8443", Backend: "127.0.0.1:8080",
				Mode: listener.Terminate, ClientSSL: &listener.ClientSSL{}}),
			defaults(listener.Options{Name: "auto", Listen: "127.0.0.1:8444", Backend: "127.0.0.1:8080",
				PlainBackend: "127.0.0.1:8080", Mode: listener.Auto, ClientSSL: &listener.ClientSSL{}}),
			defaults(listener.Options{Name: "plaintext", Listen: "127.0.0.1:8081", Backend: "127.0.0.1:8080",
				Mode: listener.Plaintext}),
		},
	}
	cfg.file, cfg.at = "", nil // positions, for KeyError; tested there
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("default config decoded to\n%+v\nwant\n%+v", cfg, want)
	}
}

// defaults fills the listener defaults into o, as config does for absent keys.
func defaults(o listener.Options) listener.Options {
	o.NonSSL = listener.NonSSLReset
	o.PeekTimeout = listener.DefaultPeekTimeout
	o.PeekMax = listener.DefaultPeekMax
	o.HandshakeTimeout = listener.DefaultHandshakeTimeout
	o.IdleTimeout = listener.DefaultIdleTimeout
	o.DialTimeout = listener.DefaultDialTimeout
	o.BusyPoll = listener.DefaultBusyPoll
	return o
}

func TestDefaultIsRepoConfig(t *testing.T) {
	repo, err := os.ReadFile("../config.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(repo, Default()) {
		t.Error("config.toml at the repository root differs from config/default.toml; copy one onto the other")
	}
}

func TestDefaultReturnsCopy(t *testing.T) {
	a := Default()
	a[0] = 'X'
	if b := Default(); b[0] == 'X' {
		t.Error("Default returned the embedded bytes themselves; a caller changed them")
	}
}

// Every key the schema accepts must be shown, set or commented out, in config.toml.
func TestDefaultDocumentsEveryKey(t *testing.T) {
	text := string(Default())
	for table, keys := range schema() {
		for _, k := range keys {
			if table == "" || k == "client_ssl" || k == "server_ssl" {
				continue // tables, checked through their headers below
			}
			re := regexp.MustCompile(`(?m)^#? ?` + regexp.QuoteMeta(k) + ` = `)
			if !re.MatchString(text) {
				t.Errorf("config.toml does not document %s.%s", table, k)
			}
		}
	}
	for _, h := range []string{"[log]", "[ca]", "[demo]", "[shutdown]", "[[listener]]", "[listener.client_ssl]", "# [listener.server_ssl]"} {
		if !strings.Contains(text, "\n"+h+"\n") {
			t.Errorf("config.toml lacks the table header %s", h)
		}
	}
}

func TestFullConfig(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t, "web")
	caPEM, _ := selfSigned(t, "backend-ca")
	writeFile(t, filepath.Join(dir, "certs/web.pem"), certPEM)
	writeFile(t, filepath.Join(dir, "certs/web.key"), keyPEM)
	writeFile(t, filepath.Join(dir, "ca/backend-ca.pem"), caPEM)
	writeFile(t, filepath.Join(dir, "logs/.keep"), "")
	src := `
[log]
format = "json"
file = "logs/tlsgate.log"
host = "bigip01"
level = "warning"
syslog = "tcp://127.0.0.1:1514"
lang = "ja"
flush_interval = "0s"
[ca]
dir = "/var/lib/tlsgate-ca"
[demo]
listen = ""
[shutdown]
grace = "0s"

[[listener]]
name = "vs_https"
listen = ":9443"
backend = "backend.lab:443"
mode = "terminate"
plain_backend = "127.0.0.1:9080"
non_ssl = "allow"
peek_timeout = "1500ms"
handshake_timeout = "3s"
idle_timeout = "1h"
dial_timeout = "2s"
proxy_protocol = "optional"
backend_proxy_protocol = "v2"
max_connections = 100
[listener.client_ssl]
min_version = "1.0"
max_version = "1.2"
ciphers = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "tls_rsa_with_rc4_128_sha", "TLS_AES_128_GCM_SHA256"]
cert = "certs/web.pem"
key = "certs/web.key"
sni_require = true
[listener.server_ssl]
ca = "ca/backend-ca.pem"
server_name = "backend.lab"
verify = true

[[listener]]
listen = "127.0.0.1:9444"
backend = "127.0.0.1:9443"
mode = "passthrough"
non_ssl = "http400"
proxy_protocol = "v1"

[[listener]]
listen = "[::1]:9445"
backend = "[::1]:9080"
mode = "auto"
plain_backend = "[::1]:9081"
client_ssl = {}
server_ssl = { verify = false }

[[listener]]
listen = "127.0.0.1:9446"
backend = "127.0.0.1:9443"
mode = "auto"
plain_backend = "127.0.0.1:9081"
busy_poll = "0s"
`
	name := filepath.Join(dir, "config.toml")
	cfg, err := Parse([]byte(src), name)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := &Config{
		Log: Log{Format: "json", File: filepath.Join(dir, "logs/tlsgate.log"), Host: "bigip01", Level: "warning",
			Lang: "ja", SyslogNetwork: "tcp", SyslogAddr: "127.0.0.1:1514"},
		CA:       CA{Dir: "/var/lib/tlsgate-ca"},
		Shutdown: Shutdown{Grace: 0},
		Admin:    Admin{}, // no [admin] table: the API is off
		Listeners: []listener.Options{
			{
				Name: "vs_https", Listen: ":9443", Backend: "backend.lab:443", PlainBackend: "127.0.0.1:9080",
				Mode: listener.Terminate, NonSSL: listener.NonSSLAllow,
				PeekTimeout: 1500 * time.Millisecond, PeekMax: listener.DefaultPeekMax,
				HandshakeTimeout: 3 * time.Second, IdleTimeout: time.Hour, DialTimeout: 2 * time.Second,
				BusyPoll: listener.DefaultBusyPoll, ProxyProtocol: "optional", BackendProxyProtocol: "v2", MaxConnections: 100,
				ClientSSL: &listener.ClientSSL{
					MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12,
					Ciphers:  []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_RC4_128_SHA, tls.TLS_AES_128_GCM_SHA256},
					CertFile: filepath.Join(dir, "certs/web.pem"), KeyFile: filepath.Join(dir, "certs/web.key"),
					SNIRequire: true,
				},
				ServerSSL: &listener.ServerSSL{CAFile: filepath.Join(dir, "ca/backend-ca.pem"), ServerName: "backend.lab", Verify: true},
			},
			func() listener.Options {
				o := defaults(listener.Options{Name: "listener2", Listen: "127.0.0.1:9444", Backend: "127.0.0.1:9443",
					Mode: listener.Passthrough, ProxyProtocol: "v1"})
				o.NonSSL = listener.NonSSLHTTP400
				return o
			}(),
			defaults(listener.Options{Name: "listener3", Listen: "[::1]:9445", Backend: "[::1]:9080",
				PlainBackend: "[::1]:9081", Mode: listener.Auto,
				ClientSSL: &listener.ClientSSL{}, ServerSSL: &listener.ServerSSL{Verify: false}}),
			// No client_ssl table: an auto listener that passes TLS through,
			// which the epoll engine serves, so busy_poll applies.
			func() listener.Options {
				o := defaults(listener.Options{Name: "listener4", Listen: "127.0.0.1:9446", Backend: "127.0.0.1:9443",
					PlainBackend: "127.0.0.1:9081", Mode: listener.Auto})
				o.BusyPoll = 0
				return o
			}(),
		},
	}
	cfg.file, cfg.at = "", nil
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", cfg, want)
		for i := range min(len(cfg.Listeners), len(want.Listeners)) {
			g, w := cfg.Listeners[i], want.Listeners[i]
			t.Logf("listener %d:\n got %+v %+v %+v\nwant %+v %+v %+v", i, g, g.ClientSSL, g.ServerSSL, w, w.ClientSSL, w.ServerSSL)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRelativePaths(t *testing.T) {
	tests := []struct {
		name   string // the name given to Parse
		wantCA string
	}{
		{"config.toml", "./tlsgate-ca"},
		{"", "./tlsgate-ca"},
		{"/etc/tlsgate/config.toml", "/etc/tlsgate/tlsgate-ca"},
		{"lab/config.toml", "lab/tlsgate-ca"},
	}
	for _, tt := range tests {
		for _, src := range []string{"", "[ca]\ndir = \"./tlsgate-ca\"\n"} {
			cfg, err := Parse([]byte(src+minimalListener), tt.name)
			if err != nil {
				t.Fatalf("%q: %v", tt.name, err)
			}
			if cfg.CA.Dir != tt.wantCA {
				t.Errorf("Parse(name %q, ca %q): CA.Dir = %q, want %q", tt.name, src, cfg.CA.Dir, tt.wantCA)
			}
		}
	}
}

const minimalListener = `
[[listener]]
listen = "127.0.0.1:9443"
backend = "127.0.0.1:9080"
mode = "terminate"
`

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tlsgate.toml")
	writeFile(t, path, string(Default()))
	cfg, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got, want := cfg.CA.Dir, filepath.Join(dir, "tlsgate-ca"); got != want {
		t.Errorf("CA.Dir = %q, want %q (relative to the file)", got, want)
	}

	_, err = Load(filepath.Join(dir, "missing.toml"))
	// The path once: "config: open PATH: …", not "read PATH: open PATH: …".
	if !errors.Is(err, fs.ErrNotExist) || err.Error() != "config: open "+filepath.Join(dir, "missing.toml")+": no such file or directory" {
		t.Errorf("Load(missing) = %v, want config: open PATH: no such file or directory", err)
	}

	writeFile(t, path, "[log]\nformat = \"xml\"\n"+minimalListener)
	_, err = Load(path)
	if err == nil || !strings.HasPrefix(err.Error(), "config: "+path+":2:1: log.format:") {
		t.Errorf("Load(bad) = %v, want the file's path and line 2", err)
	}

	// -c naming something huge by mistake (a log, /dev/zero) is an error,
	// not a read until memory runs out.
	huge := filepath.Join(dir, "huge.toml")
	writeFile(t, huge, strings.Repeat("# a comment line that goes on\n", maxConfigFile/30+1))
	_, err = Load(huge)
	if err == nil || !strings.Contains(err.Error(), "config: read "+huge+": larger than 16 MiB") {
		t.Errorf("Load(huge) = %v, want it refused for its size", err)
	}
	_, err = Load(dir)
	// -c DIR used to say "read DIR: read DIR: is a directory".
	if err == nil || err.Error() != "config: "+dir+" is a directory, not a config file" {
		t.Errorf("Load(dir) = %v, want config: DIR is a directory, not a config file", err)
	}
}

// All problems are reported in one go, sorted by line, each with the cause kept.
func TestAllErrorsSorted(t *testing.T) {
	src := `
[[listener]]
listen = "127.0.0.1:9443"
backend = "127.0.0.1:9080"
mode = "terminate"
[listener.client_ssl]
cert = "/nonexistent/tlsgate/cert.pem"
key = "/nonexistent/tlsgate/key.pem"
min_version = "2.0"

[log]
format = "xml"
`
	err := func() error { _, err := Parse([]byte(src), "c.toml"); return err }()
	errs := flatten(t, err)
	wantLines := []int{7, 8, 9, 12}
	if len(errs) != len(wantLines) {
		t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(wantLines), err)
	}
	for i, e := range errs {
		if e.Line != wantLines[i] || e.File != "c.toml" {
			t.Errorf("error %d at %s:%d, want c.toml:%d (%v)", i, e.File, e.Line, wantLines[i], e)
		}
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("the missing certificate's fs.ErrNotExist is not reachable with errors.Is")
	}
	if errs[0].Key != "listener.client_ssl.cert" {
		t.Errorf("first error's Key = %q, want listener.client_ssl.cert", errs[0].Key)
	}
}

func TestSyntaxErrorKeepsParseError(t *testing.T) {
	_, err := Parse([]byte("[log]\nformat = \"bigip\"\nlevel = \n"), "c.toml")
	errs := flatten(t, err)
	if len(errs) != 1 || errs[0].Line != 3 || !strings.Contains(err.Error(), "toml syntax:") {
		t.Fatalf("got %v, want one syntax error on line 3", err)
	}
	if !strings.HasPrefix(err.Error(), "config: c.toml:3:9: ") {
		t.Errorf("error %q lacks the config: file:line:col: prefix", err)
	}
}

// Configs near the edges of the rules that must still be accepted.
func TestGoodEdgeCases(t *testing.T) {
	tests := []struct {
		name, src string
		check     func(*Config) bool
	}{
		{"port 0 twice", strings.ReplaceAll(minimalListener+minimalListener, "9443", "0"),
			func(c *Config) bool { return c.Listeners[1].Name == "listener2" }},
		{"same port on two loopback addresses", minimalListener + strings.Replace(minimalListener, "127.0.0.1:9443", "127.0.0.2:9443", 1),
			func(c *Config) bool { return len(c.Listeners) == 2 }},
		{"ipv4 wildcard and ipv6 loopback", strings.Replace(minimalListener, "127.0.0.1:9443", "0.0.0.0:9443", 1) +
			strings.Replace(minimalListener, "127.0.0.1:9443", "[::1]:9443", 1),
			func(c *Config) bool { return len(c.Listeners) == 2 }},
		{"remote backend on the listen port", strings.Replace(strings.Replace(minimalListener, "127.0.0.1:9443", ":9443", 1), "127.0.0.1:9080", "10.0.0.5:9443", 1),
			func(c *Config) bool { return c.Listeners[0].Backend == "10.0.0.5:9443" }},
		{"empty strings mean defaults", minimalListener + "[listener.client_ssl]\nmin_version = \"\"\nmax_version = \"\"\ncert = \"\"\nkey = \"\"\n[demo]\nlisten = \"\"\n[log]\nsyslog = \"\"\n",
			func(c *Config) bool {
				return reflect.DeepEqual(c.Listeners[0].ClientSSL, &listener.ClientSSL{}) && c.Demo.Listen == ""
			}},
		{"tls 1.3 and lower-case cipher names", minimalListener + "[listener.client_ssl]\nciphers = [\"TLS_CHACHA20_POLY1305_SHA256\", \"tls_ecdhe_ecdsa_with_aes_256_gcm_sha384\"]\n",
			func(c *Config) bool {
				return reflect.DeepEqual(c.Listeners[0].ClientSSL.Ciphers,
					[]uint16{tls.TLS_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384})
			}},
		{"passthrough relaying plaintext", strings.Replace(minimalListener, "terminate", "passthrough", 1) + "non_ssl = \"allow\"\nplain_backend = \"127.0.0.1:9081\"\n",
			func(c *Config) bool {
				return c.Listeners[0].ClientSSL == nil && c.Listeners[0].NonSSL == listener.NonSSLAllow
			}},
		{"explicit proxy with a connect_policy", strings.Replace(minimalListener, "terminate", "plaintext", 1) + "connect = \"tunnel\"\n" +
			"[[fault]]\nname = \"acl\"\naction = \"connect_policy\"\nstatus = 407\nsni = \"*.blocked.test\"\n",
			func(c *Config) bool {
				return c.Listeners[0].Connect == listener.ConnectTunnel && len(c.Faults) == 1 && c.Faults[0].Status == 407
			}},
		{"tls faults on an explicit proxy's tunnels", strings.Replace(minimalListener, "terminate", "plaintext", 1) + "connect = \"tunnel\"\n" +
			"[[fault]]\nname = \"cut\"\naction = \"alert\"\nalert = 40\nstage = \"server_flight\"\n",
			func(c *Config) bool { return len(c.Faults) == 1 }},
		{"plaintext listener has no client_ssl", strings.Replace(minimalListener, "terminate", "plaintext", 1),
			func(c *Config) bool { return c.Listeners[0].ClientSSL == nil && c.Listeners[0].ServerSSL == nil }},
		{"empty server_ssl turns on verified TLS", minimalListener + "[listener.server_ssl]\n",
			func(c *Config) bool { return *c.Listeners[0].ServerSSL == listener.ServerSSL{Verify: true} }},
		{"inline listener list", `listener = [{listen = "127.0.0.1:1", backend = "127.0.0.1:2", mode = "plaintext"}]`,
			func(c *Config) bool { return c.Listeners[0].Listen == "127.0.0.1:1" }},
		// config.toml's [admin] comment: no table is off, a table without
		// listen (even an empty one) is on at the default, listen = "" off.
		{"no admin table: off", minimalListener,
			func(c *Config) bool { return c.Admin.Listen == "" }},
		{"empty admin table: on at the default", minimalListener + "[admin]\n",
			func(c *Config) bool { return c.Admin.Listen == DefaultAdminListen }},
		{"admin listen empty: off", minimalListener + "[admin]\nlisten = \"\"\n",
			func(c *Config) bool { return c.Admin.Listen == "" }},
		// config.toml's non_ssl comment names inspect among the TLS modes.
		{"non_ssl on an inspect listener", strings.Replace(minimalListener, "terminate", "inspect", 1) + "non_ssl = \"http400\"\n",
			func(c *Config) bool { return c.Listeners[0].NonSSL == listener.NonSSLHTTP400 }},
		{"warn is warning", minimalListener + "[log]\nlevel = \"warn\"\n",
			func(c *Config) bool { return c.Log.Level == "warning" }},
		{"syslog over udp", minimalListener + "[log]\nsyslog = \"udp://[::1]:514\"\n",
			func(c *Config) bool { return c.Log.SyslogNetwork == "udp" && c.Log.SyslogAddr == "[::1]:514" }},
		{"chain on a terminating listener among passthrough ones", strings.Replace(minimalListener, "terminate", "passthrough", 1) +
			strings.Replace(minimalListener, "9443", "9444", 1) + "[[fault]]\nname = \"x\"\naction = \"chain\"\nchain = \"expired\"\n",
			func(c *Config) bool { return len(c.Faults) == 1 }},
		{"handshake_done on an auto listener with client_ssl", strings.Replace(minimalListener, "terminate", "auto", 1) +
			"name = \"a\"\nplain_backend = \"127.0.0.1:9081\"\n[listener.client_ssl]\n[[fault]]\nname = \"x\"\naction = \"reset\"\nstage = \"handshake_done\"\nlistener = \"a\"\n",
			func(c *Config) bool { return len(c.Faults) == 1 }},
	}
	for _, tt := range tests {
		cfg, err := Parse([]byte(tt.src), "good.toml")
		if err != nil {
			t.Errorf("%s: rejected:\n%v", tt.name, err)
			continue
		}
		if !tt.check(cfg) {
			t.Errorf("%s: unexpected result %+v", tt.name, cfg)
		}
	}
}

// Files and places that the file checks must accept.
func TestGoodFiles(t *testing.T) {
	dir := t.TempDir()
	writePEMs(t, dir)
	tests := []struct{ name, src string }{
		{"matching pair", "[listener.client_ssl]\ncert = \"$DIR/cert.pem\"\nkey = \"$DIR/key.pem\"\n"},
		{"cert and key in one file", "[listener.client_ssl]\ncert = \"$DIR/both.pem\"\nkey = \"$DIR/both.pem\"\n"},
		{"client ca", "[listener.client_ssl]\nclient_cert = \"request\"\nclient_ca = \"$DIR/ca.pem\"\n"},
		{"server_ssl pair and ca", "[listener.server_ssl]\nca = \"$DIR/ca.pem\"\ncert = \"$DIR/other.pem\"\nkey = \"$DIR/other.key\"\n"},
		{"keylog to create", "keylog = \"$DIR/k.log\"\n"},
		{"keylog that exists", "keylog = \"$DIR/cert.pem\"\n"},
		{"keylog to a device", "keylog = \"/dev/null\"\n"},
		{"capture to create with parents", "capture = \"$DIR/cap/a/b\"\n"},
		{"capture that exists", "capture = \"$DIR\"\n"},
		{"ca dir to create with parents", "[ca]\ndir = \"$DIR/x/y/ca\"\n"},
		{"log file to create", "[log]\nfile = \"$DIR/tlsgate.log\"\n"},
		{"tls 1.3 only with tls 1.2 suites", "[listener.client_ssl]\nmin_version = \"1.3\"\nciphers = [\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"]\n"},
		{"tls 1.3 suites with tls 1.3 allowed", "[listener.client_ssl]\nciphers = [\"TLS_AES_128_GCM_SHA256\"]\n"},
		{"tls 1.0 suite below tls 1.2", "[listener.client_ssl]\nmin_version = \"1.0\"\nmax_version = \"1.1\"\nciphers = [\"TLS_AES_128_GCM_SHA256\", \"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA\"]\n"},
		{"max_version at the default min", "[listener.client_ssl]\nmax_version = \"1.2\"\n"},
		{"admin beside the listeners", "[admin]\nlisten = \"127.0.0.1:9474\"\n[demo]\nlisten = \"127.0.0.1:9080\"\n"},
	}
	for _, tt := range tests {
		src := web + strings.ReplaceAll(tt.src, "$DIR", dir)
		if _, err := Parse([]byte(src), filepath.Join(dir, "good.toml")); err != nil {
			t.Errorf("%s: rejected:\n%v\nconfig:\n%s", tt.name, err, src)
		}
	}
}

// KeyError puts a problem found at run time at its key's line, as Parse would.
func TestKeyError(t *testing.T) {
	src := "[log]\nsyslog = \"udp://nonexistent.invalid:514\"\n" + web + strings.ReplaceAll(strings.ReplaceAll(web, "web", "api"), "94", "95") + "keylog = \"k.log\"\n"
	cfg, err := Parse([]byte(src), "run.toml")
	if err != nil {
		t.Fatal(err)
	}
	cause := errors.New("lookup nonexistent.invalid: no such host")
	tests := []struct {
		key      string
		line     int
		name     string
		rendered string
	}{
		{"log.syslog", 2, "log.syslog", "config: run.toml:2:1: log.syslog: lookup nonexistent.invalid: no such host"},
		{"listener[1].keylog", 13, "listener.keylog", "config: run.toml:13:1: listener.keylog: lookup"},
		{"listener[1].capture", 8, "listener.capture", "config: run.toml:8:1: listener.capture: "},
		{"listener[0]", 3, "listener", "config: run.toml:3:1: listener: "},
		{"ca.dir", 0, "ca.dir", "config: run.toml: ca.dir: "},
	}
	for _, tt := range tests {
		e := cfg.KeyError(tt.key, cause)
		if e.Line != tt.line || e.Key != tt.name || e.File != "run.toml" || !strings.HasPrefix(e.Error(), tt.rendered) || !errors.Is(e, cause) {
			t.Errorf("KeyError(%q) = line %d key %q: %v; want line %d key %q, %q…", tt.key, e.Line, e.Key, e, tt.line, tt.name, tt.rendered)
		}
	}
}
