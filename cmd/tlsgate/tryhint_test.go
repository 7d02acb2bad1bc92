package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/listener"
)

// hintCert is a certificate and its key, as x509 and tls see them.
type hintCert struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// makeHintCert signs a certificate for subject with parent (self-signed
// when parent is nil).
func makeHintCert(t *testing.T, cn string, isCA bool, dns []string, ips []net.IP, parent *hintCert) *hintCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"Example Corp"}},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: dns, IPAddresses: ips,
		BasicConstraintsValid: true, IsCA: isCA,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &hintCert{cert: c, key: key}
}

// TestTryHintConfiguredCert: the start-up hint of a listener serving its
// configured certificate (client_ssl cert) is a command that works for
// that certificate. It used to be `curl --cacert <lab ca.pem>`, which
// fails with curl (60): the lab CA issued nothing there. Each command is
// run with real curl against a real TLS server serving the same chain,
// except where it relies on the system's trust store.
func TestTryHintConfiguredCert(t *testing.T) {
	const labCA = "/lab/ca.pem"
	privCA := makeHintCert(t, "Example Corp Issuing CA 2", true, nil, nil, nil)
	byName := makeHintCert(t, "lab.test", false, []string{"lab.test"}, nil, privCA)
	wildcard := makeHintCert(t, "*.lab.test", false, []string{"*.lab.test"}, nil, privCA)
	byIP := makeHintCert(t, "127.0.0.1", false, nil, []net.IP{net.IPv4(127, 0, 0, 1)}, privCA)
	cnOnly := makeHintCert(t, "lab.test", false, nil, nil, privCA)
	selfSigned := makeHintCert(t, "lab.test", false, []string{"lab.test"}, nil, nil)
	bothSNI := makeHintCert(t, "lab.test", false, []string{"lab.test"}, []net.IP{net.IPv4(127, 0, 0, 1)}, privCA)
	byIPSNI := makeHintCert(t, "127.0.0.1", false, nil, []net.IP{net.IPv4(127, 0, 0, 1)}, privCA)
	system := x509.NewCertPool()
	system.AddCert(privCA.cert)
	tests := []struct {
		name     string
		mode     listener.Mode
		chain    []*hintCert
		system   *x509.CertPool
		contains []string
		runCurl  bool
	}{
		{"private CA not in the file", listener.Terminate, []*hintCert{byName}, nil,
			[]string{"curl -k --resolve lab.test:PORT:127.0.0.1 https://lab.test:PORT/", "-k skips verification", "issued by CN=Example Corp Issuing CA 2,O=Example Corp, not the lab CA",
				"--cacert with that CA's certificate", "and see the diagnosis for: curl http://127.0.0.1:PORT/"}, true},
		{"root in the file", listener.Terminate, []*hintCert{byName, privCA}, nil,
			[]string{"curl --cacert CERTFILE --resolve lab.test:PORT:127.0.0.1 https://lab.test:PORT/", "its file holds the root"}, true},
		{"self-signed", listener.Terminate, []*hintCert{selfSigned}, nil,
			[]string{"curl --cacert CERTFILE --resolve lab.test:PORT:127.0.0.1 https://lab.test:PORT/"}, true},
		{"IP SAN", listener.Terminate, []*hintCert{byIP, privCA}, nil,
			[]string{"curl --cacert CERTFILE https://127.0.0.1:PORT/"}, true},
		{"wildcard", listener.Terminate, []*hintCert{wildcard, privCA}, nil,
			[]string{"--resolve www.lab.test:PORT:127.0.0.1 https://www.lab.test:PORT/"}, true},
		{"CN only", listener.Terminate, []*hintCert{cnOnly, privCA}, nil,
			[]string{"--resolve lab.test:PORT:127.0.0.1 https://lab.test:PORT/"}, true},
		{"auto", listener.Auto, []*hintCert{byName, privCA}, nil,
			[]string{"curl http://127.0.0.1:PORT/ ; curl --cacert CERTFILE --resolve lab.test:PORT:127.0.0.1 https://lab.test:PORT/"}, true},
		// curl's own trust store is the machine's, which the test cannot
		// change: the command is only read.
		{"system roots", listener.Terminate, []*hintCert{byName}, system,
			[]string{"curl --resolve lab.test:PORT:127.0.0.1 https://lab.test:PORT/", "which the system's trust store verifies"}, false},
		// sni_require: curl sends no SNI to an address, so a certificate
		// naming the address still needs a name in the URL; the hint
		// used to dial the address and got (35).
		{"IP SAN and a name, sni_require", listener.Terminate, []*hintCert{bothSNI, privCA}, nil,
			[]string{"curl --cacert CERTFILE --resolve lab.test:PORT:127.0.0.1 https://lab.test:PORT/"}, true},
		{"IP SAN only, sni_require", listener.Terminate, []*hintCert{byIPSNI, privCA}, nil,
			[]string{"curl -k --resolve lab.test:PORT:127.0.0.1 https://lab.test:PORT/", "names no host", "sni_require refuses a hello without SNI"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certFile, pair := writeChain(t, tt.chain)
			sniRequire := strings.HasSuffix(tt.name, "sni_require")
			addr := serveTLS(t, pair, sniRequire)
			o := listener.Options{Mode: tt.mode, ClientSSL: &listener.ClientSSL{CertFile: certFile, SNIRequire: sniRequire}}
			var chain []*x509.Certificate
			for _, c := range tt.chain {
				chain = append(chain, c.cert)
			}
			got := tryHint(o, addr, labCA, servedCertOf(o, chain, tt.system, time.Now()), nil)
			if strings.Contains(got, labCA) {
				t.Errorf("hint names the lab CA, which issued nothing here: %s", got)
			}
			_, port, _ := net.SplitHostPort(addr.String())
			for _, want := range tt.contains {
				want = strings.NewReplacer("PORT", port, "CERTFILE", certFile).Replace(want)
				if !strings.Contains(got, want) {
					t.Errorf("hint %q\nwant it to contain %q", got, want)
				}
			}
			if tt.runCurl {
				runHint(t, got)
			}
		})
	}
}

// writeChain writes chain's certificates (leaf first) to one PEM file,
// as client_ssl.cert holds them, and returns it with the pair to serve.
func writeChain(t *testing.T, chain []*hintCert) (string, tls.Certificate) {
	t.Helper()
	var buf strings.Builder
	pair := tls.Certificate{PrivateKey: chain[0].key}
	for _, c := range chain {
		_ = pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw})
		pair.Certificate = append(pair.Certificate, c.cert.Raw)
	}
	file := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(file, []byte(buf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, pair
}

// serveTLS answers HTTPS on loopback with pair until the test ends; with
// sniRequire it refuses a hello without SNI, as sni_require does.
func serveTLS(t *testing.T, pair tls.Certificate, sniRequire bool) net.Addr {
	t.Helper()
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}}
	if sniRequire {
		cfg.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			if h.ServerName == "" {
				return nil, errors.New("no SNI")
			}
			return nil, nil
		}
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hint works") }),
		ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr()
}

// runHint runs the hint's https command with real curl: it must fetch.
func runHint(t *testing.T, hint string) {
	t.Helper()
	path, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("curl not found (%v): install it with `apt-get install curl` (scripts/test.sh does)", err)
	}
	cmd, _, _ := strings.Cut(hint, "   (")
	if _, https, ok := strings.Cut(cmd, " ; "); ok {
		cmd = https
	}
	args := strings.Fields(cmd)
	if len(args) == 0 || args[0] != "curl" {
		t.Fatalf("no curl command in %q", hint)
	}
	out, err := exec.Command(path, append([]string{"-sS", "--max-time", "30"}, args[1:]...)...).CombinedOutput()
	if err != nil || string(out) != "hint works" {
		t.Errorf("%s: %v\n%s", cmd, err, out)
	}
}

// TestTryHintSNIRequireAndHeld: an sni_require listener whose leaves the
// lab CA mints gets a command with a name in the URL (curl sends no SNI to
// an address, and the listener refuses such a hello: (35)); one a refuse
// rule holds down from the start gets no command, which would be refused
// (7), but the rules that hold it.
func TestTryHintSNIRequireAndHeld(t *testing.T) {
	a := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8443}
	a6 := &net.TCPAddr{IP: net.IPv6loopback, Port: 8443}
	sni := &listener.ClientSSL{SNIRequire: true}
	for _, tc := range []struct {
		name string
		o    listener.Options
		a    net.Addr
		held []string
		want string
		not  string
	}{
		{"terminate", listener.Options{Mode: listener.Terminate, ClientSSL: sni}, a, nil,
			"curl --cacert /lab/ca.pem --resolve lab.test:8443:127.0.0.1 https://lab.test:8443/   (sni_require refuses a hello without SNI", "https://127.0.0.1"},
		{"terminate on IPv6", listener.Options{Mode: listener.Terminate, ClientSSL: sni}, a6, nil,
			"--resolve lab.test:8443:[::1] https://lab.test:8443/", "https://[::1]"},
		{"auto", listener.Options{Mode: listener.Auto, ClientSSL: sni}, a, nil,
			"curl http://127.0.0.1:8443/ ; curl --cacert /lab/ca.pem --resolve lab.test:8443:127.0.0.1 https://lab.test:8443/", "https://127.0.0.1"},
		{"explicit proxy", listener.Options{Mode: listener.Plaintext, Connect: listener.ConnectTunnel, Backend: "127.0.0.1:9443"}, a, nil,
			"curl --noproxy '' -x http://127.0.0.1:8443 https://NAME/ --cacert <the backend's CA>   (an explicit proxy: every tunnel goes to 127.0.0.1:9443 whatever NAME; a plain HTTP backend: curl --noproxy '' -p -x http://127.0.0.1:8443 http://NAME/", "curl http://"},
		{"held by one rule", listener.Options{Mode: listener.Plaintext}, a, []string{"first"},
			"none yet: the refuse rule first keeps this port closed, so a connection is refused (curl (7)", "curl http"},
		{"held by two rules", listener.Options{Mode: listener.Terminate, ClientSSL: sni}, a, []string{"first", "second"},
			"the refuse rules first, second keep this port closed", "curl --cacert"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tryHint(tc.o, tc.a, "/lab/ca.pem", nil, tc.held)
			if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
				t.Errorf("hint %q\nwant it to contain %q and not %q", got, tc.want, tc.not)
			}
		})
	}
}

// TestTryHintTransparent: a transparent listener's hint is no direct dial,
// which is always refused (redirect: no_original_dst; tproxy, whose
// destination is the local address: transparent_loop), but how clients
// reach it: through the rules the doctor prints, for its address.
func TestTryHintTransparent(t *testing.T) {
	a := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 19843}
	for _, tc := range []struct {
		name    string
		o       listener.Options
		want    string
		refused string
	}{
		{"redirect inspect", listener.Options{Mode: listener.Inspect, Transparent: "redirect"},
			"`tlsgate doctor transparent --mode redirect --listen 127.0.0.1:19843` prints the rules, then from a client whose traffic passes this host: curl --cacert /lab/ca.pem https://<a real server>/",
			"a direct dial to 127.0.0.1:19843 is refused: no_original_dst"},
		{"tproxy passthrough", listener.Options{Mode: listener.Passthrough, Transparent: "tproxy"},
			"--mode tproxy --listen 127.0.0.1:19843` prints the rules, then from a client whose traffic passes this host: curl https://<a real server>/   (TLS is passed through",
			"a direct dial to 127.0.0.1:19843 is refused: transparent_loop"},
		{"redirect plaintext", listener.Options{Mode: listener.Plaintext, Transparent: "redirect"}, "curl http://<a real server>/",
			"a direct dial to 127.0.0.1:19843 is refused: no_original_dst"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tryHint(tc.o, a, "/lab/ca.pem", nil, nil)
			if !strings.Contains(got, tc.want) || !strings.Contains(got, tc.refused) ||
				strings.Contains(got, "://127.0.0.1:19843") {
				t.Errorf("hint %q\nwant it to contain %q, say %q, and dial no 127.0.0.1:19843", got, tc.want, tc.refused)
			}
		})
	}
}

// TestTryHintInspect: an inspect listener verifies its server leg for the
// client's SNI, else server_name, else the backend's host, and curl sends
// no SNI to an address. With server_name the command dials that name; a
// backend given as an address gets the command with a note on dialling a
// name, since a real server's certificate rarely carries its address (the
// bare command then fails as backend_tls_verify); a backend given by name
// is verified for that name, so the bare command works.
func TestTryHintInspect(t *testing.T) {
	a := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 19121}
	for _, tc := range []struct {
		name string
		o    listener.Options
		want string
		not  string
	}{
		{"server_name", listener.Options{Mode: listener.Inspect, Backend: "10.0.0.5:443", ServerSSL: &listener.ServerSSL{ServerName: "www.real.test", Verify: true}},
			"curl --cacert /lab/ca.pem --resolve www.real.test:19121:127.0.0.1 https://www.real.test:19121/", "https://127.0.0.1"},
		{"backend address", listener.Options{Mode: listener.Inspect, Backend: "10.0.0.5:443"},
			"curl --cacert /lab/ca.pem https://127.0.0.1:19121/   (without SNI tlsgate verifies backend 10.0.0.5:443 for its address, which works only if its certificate carries 10.0.0.5; else dial a name on it: --resolve NAME:19121:127.0.0.1 https://NAME:19121/", "\x00"},
		{"backend name", listener.Options{Mode: listener.Inspect, Backend: "www.real.test:443"},
			"curl --cacert /lab/ca.pem https://127.0.0.1:19121/   (and see the diagnosis for", "NAME"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tryHint(tc.o, a, "/lab/ca.pem", nil, nil)
			if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
				t.Errorf("hint %q\nwant it to contain %q and not %q", got, tc.want, tc.not)
			}
		})
	}
}

// TestTryHintProxyProtocol: a listener that requires a PROXY v1 header gets
// commands that send one (every curl in the hint, the diagnosis one too);
// v2, which curl cannot send, gets the way to send it instead; optional
// needs nothing.
func TestTryHintProxyProtocol(t *testing.T) {
	a := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8443}
	for _, tc := range []struct {
		name string
		o    listener.Options
		want []string
		not  string
	}{
		{"v1 terminate", listener.Options{Mode: listener.Terminate, ProxyProtocol: "v1"},
			[]string{"curl --haproxy-protocol --cacert /lab/ca.pem https://127.0.0.1:8443/", "curl --haproxy-protocol http://127.0.0.1:8443/", "makes curl send the header first"}, "curl --cacert"},
		{"v1 plaintext", listener.Options{Mode: listener.Plaintext, ProxyProtocol: "v1"},
			[]string{"curl --haproxy-protocol http://127.0.0.1:8443/", "curl --haproxy-protocol -k https://127.0.0.1:8443/"}, "curl http"},
		{"v1 passthrough keeps its notes", listener.Options{Mode: listener.Passthrough, ProxyProtocol: "v1"},
			[]string{"curl --haproxy-protocol https://127.0.0.1:8443/ --cacert <the backend's CA>"}, "\x00"},
		{"v2", listener.Options{Mode: listener.Terminate, ProxyProtocol: "v2"},
			[]string{"none with curl alone", "send-proxy-v2", `proxy_protocol = "optional"`}, "--haproxy-protocol https"},
		{"optional", listener.Options{Mode: listener.Terminate, ProxyProtocol: "optional"},
			[]string{"curl --cacert /lab/ca.pem https://127.0.0.1:8443/"}, "haproxy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tryHint(tc.o, a, "/lab/ca.pem", nil, nil)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("hint %q\nwant it to contain %q", got, w)
				}
			}
			if strings.Contains(got, tc.not) {
				t.Errorf("hint %q\nmust not contain %q", got, tc.not)
			}
		})
	}
}

// TestDropHint: a listener a syn_drop rule holds from the start says a
// command would time out (curl (28)), naming every rule holding it.
func TestDropHint(t *testing.T) {
	for _, tc := range []struct {
		held []string
		want string
	}{
		{[]string{"drop"}, "the refuse rule drop drops SYNs to this port, so a connection times out (curl --connect-timeout N exits (28)"},
		{[]string{"drop", "closed"}, "the refuse rules drop, closed hold this port, and the one in force drops SYNs"},
	} {
		if got := dropHint(tc.held); !strings.Contains(got, tc.want) || strings.Contains(got, "(7)") {
			t.Errorf("dropHint(%v) = %q, want %q and no curl (7)", tc.held, got, tc.want)
		}
	}
}
