package listener

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// Trust failures seen by real clients (issue 3): each case pins both what
// the client printed (client-symptoms.md, curl 7.88.1 / OpenSSL 3.0.19 /
// Go) and what tlsgate recorded and diagnosed for the same connection.

// trustClientTimeout bounds one external client run so a hang fails the
// test instead of the suite; it is not a performance assertion.
const trustClientTimeout = 30 * time.Second

// seen is what one client run showed. Go clients report through out only
// (exit stays 0); port is the client's local port, 0 when unknown.
type seen struct {
	exit int
	out  string
	port uint16
}

// needTool finds a client binary; a missing one fails the test, naming the
// Debian package that provides it.
func needTool(t *testing.T, bin, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(bin)
	if err != nil {
		t.Fatalf("%s not found (%v): install it with `apt-get install %s`", bin, err, pkg)
	}
	return p
}

// runTool runs a client to completion with an empty stdin and returns its
// exit status, stdout and stderr.
func runTool(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), trustClientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = strings.NewReader("")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &ee) && ctx.Err() == nil:
		return ee.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("%s %q: %v (stderr %s)", bin, args, err, stderr.String())
	return 0, "", ""
}

// curlLab runs curl against https://lab.test:<port>/ resolved to the
// listener, so it sends SNI lab.test; -q ignores any .curlrc.
func curlLab(t *testing.T, listener string, args ...string) seen {
	t.Helper()
	bin := needTool(t, "curl", "curl")
	_, port, _ := net.SplitHostPort(listener)
	full := append([]string{"-q", "-sS", "--noproxy", "*", "--max-time", "20", "-o", os.DevNull,
		"-w", "%{local_port}", "--resolve", "lab.test:" + port + ":127.0.0.1"}, args...)
	full = append(full, "https://lab.test:"+port+"/trust")
	exit, stdout, stderr := runTool(t, bin, full...)
	p, _ := strconv.Atoi(strings.TrimSpace(stdout))
	return seen{exit: exit, out: stderr, port: uint16(p)}
}

// sClientLab runs openssl s_client with SNI lab.test and empty stdin.
func sClientLab(t *testing.T, listener string, args ...string) seen {
	t.Helper()
	bin := needTool(t, "openssl", "openssl")
	full := append([]string{"s_client", "-connect", listener, "-servername", "lab.test"}, args...)
	exit, stdout, stderr := runTool(t, bin, full...)
	return seen{exit: exit, out: stdout + stderr}
}

// goLab dials the listener with a Go client and runs the handshake, then
// one request and read, so a client-certificate alert that TLS 1.3
// delivers after the handshake is seen too.
func goLab(t *testing.T, listener string, cfg *tls.Config) seen {
	t.Helper()
	c, err := net.DialTimeout("tcp", listener, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := seen{port: addrPort(c.LocalAddr()).Port()}
	_ = c.SetDeadline(time.Now().Add(trustClientTimeout))
	cfg.ServerName = "lab.test"
	tc := tls.Client(c, cfg)
	if err := tc.Handshake(); err != nil {
		s.out = err.Error()
		return s
	}
	if _, err := io.WriteString(tc, "GET /trust HTTP/1.1\r\nHost: lab.test\r\nConnection: close\r\n\r\n"); err != nil {
		s.out = err.Error()
		return s
	}
	body, err := io.ReadAll(tc)
	if err != nil {
		s.out = err.Error()
		return s
	}
	s.out = string(body)
	return s
}

// writePEM writes one PEM block to a new file in dir.
func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// labCAFile exports the listener's lab CA for curl and openssl.
func labCAFile(t *testing.T, h *harness) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lab-ca.pem")
	if err := os.WriteFile(path, h.srv.deps.Minter.CA().CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// certFiles is a certificate with its key, in memory and as PEM files.
type certFiles struct {
	pair            tls.Certificate
	certPEM, keyPEM string
}

// issue signs a leaf valid from notBefore to notAfter for names with the
// given issuer; eku picks server or client authentication.
func issue(t *testing.T, parent *x509.Certificate, signer crypto.Signer, eku x509.ExtKeyUsage, notBefore, notAfter time.Time, names ...string) certFiles {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: names[0]},
		NotBefore: notBefore, NotAfter: notAfter, DNSNames: names,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{eku},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	return certFiles{
		pair:    tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		certPEM: writePEM(t, dir, "cert.pem", "CERTIFICATE", der),
		keyPEM:  writePEM(t, dir, "key.pem", "PRIVATE KEY", keyDER),
	}
}

// plainHTTP is a plaintext HTTP backend for terminating listeners.
func plainHTTP(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "backend saw %s %s", r.Method, r.URL.Path)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// evidence returns the diagnosis' evidence value for key, "" if absent.
func evidence(d *explain.Diagnosis, key string) string {
	for _, e := range d.Evidence {
		if e.Key == key {
			return e.Value
		}
	}
	return ""
}

// handshakeLines returns the texts of the diagnosis' 01260013 lines.
func handshakeLines(d *explain.Diagnosis) []string {
	var out []string
	for _, l := range d.BigIP {
		if l.ID == explain.IDHandshakeFailed {
			out = append(out, l.Text)
		}
	}
	return out
}

// wantOneHandshakeLine checks the diagnosis carries exactly one 01260013
// summary, between left and right.
func wantOneHandshakeLine(t *testing.T, d *explain.Diagnosis, left, right netip.AddrPort) {
	t.Helper()
	want := "SSL Handshake failed for TCP " + left.String() + " -> " + right.String()
	if got := handshakeLines(d); len(got) != 1 || got[0] != want {
		t.Errorf("01260013 lines %q, want exactly [%q]", got, want)
	}
}

// checkClientLeg pins the client-side facts every client-leg failure
// shares: the 01260013 summary names the client's own socket and the
// listener, as BIG-IP's client side does.
func checkClientLeg(t *testing.T, h *harness, r result, s seen) {
	t.Helper()
	if s.port != 0 && r.o.Client.Port() != s.port {
		t.Errorf("outcome client %v, but the client's local port was %d", r.o.Client, s.port)
	}
	if r.o.Virtual.String() != h.addr {
		t.Errorf("outcome virtual %v, want the listener %s", r.o.Virtual, h.addr)
	}
	wantOneHandshakeLine(t, r.d, r.o.Client, r.o.Virtual)
}

// wantSeen checks a client's exit status (any of exits) and output class.
func wantSeen(t *testing.T, s seen, exits []int, class *regexp.Regexp) {
	t.Helper()
	if !slices.Contains(exits, s.exit) {
		t.Errorf("client exit %d, want one of %v; output:\n%s", s.exit, exits, s.out)
	}
	if !class.MatchString(s.out) {
		t.Errorf("client output does not match %q:\n%s", class, s.out)
	}
}

func TestTrustClientWithoutLabCA(t *testing.T) {
	// The clients trust only some other CA, so the lab CA's leaf is
	// unknown to them: OpenSSL answers unknown_ca (48), in plaintext under
	// TLS 1.3 (read by tlsgate from the raw bytes, crypto/tls only sees
	// bad_record_mac) and as a normal alert under TLS 1.2; Go always
	// answers bad_certificate (42).
	other := newTestServerCA(t)
	otherPool := x509.NewCertPool()
	otherPool.AddCert(other.cert)
	curl := func(extra ...string) func(*testing.T, string) seen {
		return func(t *testing.T, addr string) seen {
			return curlLab(t, addr, append([]string{"--cacert", other.file}, extra...)...)
		}
	}
	sclient := func(version string) func(*testing.T, string) seen {
		return func(t *testing.T, addr string) seen {
			return sClientLab(t, addr, "-CAfile", other.file, "-verify_return_error", version)
		}
	}
	opensslUnknown := regexp.MustCompile(`(?s)verify error:num=(19|20):(self-signed certificate in certificate chain|unable to get local issuer certificate).*certificate verify failed`)
	cases := []struct {
		name      string
		run       func(*testing.T, string) seen
		exits     []int
		class     *regexp.Regexp
		alert     int
		alertName string
		legErrHas string // how crypto/tls reported the client's alert
	}{
		{"curl/tls1.3", curl(), []int{60}, regexp.MustCompile(`SSL certificate problem: (unable to get local issuer certificate|self-signed certificate in certificate chain)`),
			48, "unknown_ca", "bad record MAC"},
		{"curl/tls1.2", curl("--tls-max", "1.2"), []int{60}, regexp.MustCompile(`SSL certificate problem: (unable to get local issuer certificate|self-signed certificate in certificate chain)`),
			48, "unknown_ca", "remote error: tls: unknown certificate authority"},
		{"openssl/tls1.3", sclient("-tls1_3"), []int{1}, opensslUnknown, 48, "unknown_ca", "bad record MAC"},
		{"openssl/tls1.2", sclient("-tls1_2"), []int{1}, opensslUnknown, 48, "unknown_ca", "remote error: tls: unknown certificate authority"},
		{"go", func(t *testing.T, addr string) seen { return goLab(t, addr, &tls.Config{RootCAs: otherPool}) },
			[]int{0}, regexp.MustCompile(`^tls: failed to verify certificate: x509: certificate signed by unknown authority`),
			42, "bad_certificate", "remote error: tls: bad certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := startListener(t, Options{Mode: Terminate, Backend: plainHTTP(t), ClientSSL: &ClientSSL{}}, nil)
			s := tc.run(t, h.addr)
			wantSeen(t, s, tc.exits, tc.class)
			r := h.next()
			if r.d.Code != explain.CodeClientAlert {
				t.Fatalf("code %s (%s); client leg %+v", r.d.Code, r.d.Summary, r.o.ClientTLS)
			}
			leg := r.o.ClientTLS
			if leg.AlertRecv != tc.alert || leg.AlertSent != -1 {
				t.Errorf("client leg alert received %d sent %d, want %d received and none sent (leg err %q)", leg.AlertRecv, leg.AlertSent, tc.alert, leg.Err)
			}
			if !strings.Contains(leg.Err, tc.legErrHas) {
				t.Errorf("client leg err %q, want it to contain %q", leg.Err, tc.legErrHas)
			}
			if got, want := evidence(r.d, "alert_recv"), strconv.Itoa(tc.alert)+" "+tc.alertName; got != want {
				t.Errorf("diagnosis alert_recv %q, want %q", got, want)
			}
			if leg.Done || !leg.ServerFlightSent {
				t.Errorf("client leg done %v flight sent %v: the client must have rejected our certificate flight", leg.Done, leg.ServerFlightSent)
			}
			if r.o.Backend.Attempted {
				t.Errorf("backend dialled although the client leg failed: %+v", r.o.Backend)
			}
			checkClientLeg(t, h, r, s)
		})
	}
}

func TestTrustUpstreamCertificateFailure(t *testing.T) {
	// The real server's certificate fails tlsgate's own verification on the
	// server leg. Inspect mode dials the server before answering the
	// client, so the client sees a reset right after its ClientHello;
	// terminate mode has finished the client handshake, so the reset comes
	// after it.
	sca := newTestServerCA(t)
	other := newTestServerCA(t)
	now := time.Now()
	expired := issue(t, sca.cert, sca.key, x509.ExtKeyUsageServerAuth, now.Add(-48*time.Hour), now.Add(-24*time.Hour), "lab.test")
	wrongHost := issue(t, sca.cert, sca.key, x509.ExtKeyUsageServerAuth, now.Add(-time.Hour), now.Add(24*time.Hour), "other.test")
	good := issue(t, sca.cert, sca.key, x509.ExtKeyUsageServerAuth, now.Add(-time.Hour), now.Add(24*time.Hour), "lab.test")
	resetInHandshake := regexp.MustCompile(`\(35\) .*[Cc]onnection reset by peer`)
	// After the handshake the reset lands wherever curl is: reading (56
	// "Recv failure: Connection reset by peer"), finding the socket closed
	// (52 "Empty reply from server") or about to send (55, where curl 7.88
	// prints "Send failure: …" or "getpeername() failed with errno 107:
	// Transport endpoint is not connected").
	resetAfterHandshake := regexp.MustCompile(`\((52|55|56)\) .*(reset by peer|Empty reply|Send failure|Transport endpoint is not connected)`)
	cases := []struct {
		name      string
		mode      Mode
		leaf      certFiles
		trust     string // server_ssl ca
		verifyHas string
		peerHas   string
		exits     []int
		class     *regexp.Regexp
	}{
		{"inspect/expired", Inspect, expired, sca.file, "x509: certificate has expired or is not yet valid", "lab.test", []int{35}, resetInHandshake},
		{"inspect/wrong host", Inspect, wrongHost, sca.file, "x509: certificate is valid for other.test, not lab.test", "other.test", []int{35}, resetInHandshake},
		{"inspect/untrusted root", Inspect, good, other.file, "x509: certificate signed by unknown authority", "lab.test", []int{35}, resetInHandshake},
		{"terminate/expired", Terminate, expired, sca.file, "x509: certificate has expired or is not yet valid", "lab.test", []int{52, 55, 56}, resetAfterHandshake},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			backend := realHTTPS(t, tc.leaf.pair)
			h := startListener(t, Options{Mode: tc.mode, Backend: backend, ClientSSL: &ClientSSL{},
				ServerSSL: &ServerSSL{CAFile: tc.trust, Verify: true}}, nil)
			s := curlLab(t, h.addr, "--cacert", labCAFile(t, h))
			wantSeen(t, s, tc.exits, tc.class)
			r := h.next()
			if r.d.Code != explain.CodeBackendTLSVerify {
				t.Fatalf("code %s (%s); backend %+v", r.d.Code, r.d.Summary, r.o.Backend)
			}
			b := r.o.Backend
			if !strings.Contains(b.TLS.Verify, tc.verifyHas) {
				t.Errorf("server leg verify %q, want it to name %q", b.TLS.Verify, tc.verifyHas)
			}
			if got := evidence(r.d, "backend_verify"); !strings.Contains(got, tc.verifyHas) {
				t.Errorf("diagnosis backend_verify %q, want it to name %q", got, tc.verifyHas)
			}
			if len(b.TLS.PeerCert) == 0 || !strings.Contains(b.TLS.PeerCert[0], tc.peerHas) {
				t.Errorf("server chain summary %q, want the rejected leaf for %s", b.TLS.PeerCert, tc.peerHas)
			}
			if b.TLS.ServerName != "lab.test" {
				t.Errorf("server leg SNI %q, want the client's lab.test", b.TLS.ServerName)
			}
			// BIG-IP's server side: tlsgate's own socket toward the pool member.
			if b.Addr != backend || b.Remote.String() != backend {
				t.Errorf("backend addr %q remote %v, want %s", b.Addr, b.Remote, backend)
			}
			if !b.Local.IsValid() || b.Local.Port() == 0 || !b.Local.Addr().IsLoopback() || b.Local == r.o.Virtual {
				t.Errorf("backend local %v is not tlsgate's outgoing socket", b.Local)
			}
			wantOneHandshakeLine(t, r.d, b.Local, netip.MustParseAddrPort(backend))
			if s.port != 0 && r.o.Client.Port() != s.port {
				t.Errorf("outcome client %v, but curl's local port was %d", r.o.Client, s.port)
			}
			if clientDone := r.o.ClientTLS.Done; clientDone != (tc.mode == Terminate) {
				t.Errorf("client leg done = %v in %s mode", clientDone, tc.mode)
			}
		})
	}
}

func TestTrustClientCertificate(t *testing.T) {
	// A client-ssl profile that requires a client certificate (chained to
	// the lab CA). Under TLS 1.3 the server's verdict arrives after the
	// client's handshake, on its first read (curl 56); under TLS 1.2 it is
	// a handshake alert (curl 35). Were certificate_required to arrive
	// inside curl's handshake, curl would exit 98, never 35
	// (client-symptoms.md §5).
	stranger := newTestServerCA(t)
	now := time.Now()
	foreign := issue(t, stranger.cert, stranger.key, x509.ExtKeyUsageClientAuth, now.Add(-time.Hour), now.Add(24*time.Hour), "intruder.lab.test")
	certRequired := regexp.MustCompile(`\((56|98)\) .*tlsv13 alert certificate required`)
	unknownCA13 := regexp.MustCompile(`\((56|35)\) .*tlsv1 alert unknown ca`)
	cases := []struct {
		name string
		// run gets the listener and a client certificate issued by its lab CA.
		run       func(t *testing.T, h *harness, labCert certFiles) seen
		exits     []int
		class     *regexp.Regexp
		code      string
		legErrHas string
		alert     string // the alert tlsgate answered with, as the diagnosis names it
		tls13     bool   // that alert travels encrypted, out of sight of the raw bytes
	}{
		{"curl/no cert/tls1.3", func(t *testing.T, h *harness, _ certFiles) seen {
			return curlLab(t, h.addr, "--cacert", labCAFile(t, h))
		}, []int{56, 98}, certRequired, explain.CodeClientCertMissing, "client didn't provide a certificate", "116 certificate_required", true},
		{"curl/no cert/tls1.2", func(t *testing.T, h *harness, _ certFiles) seen {
			return curlLab(t, h.addr, "--cacert", labCAFile(t, h), "--tls-max", "1.2")
		}, []int{35}, regexp.MustCompile(`\(35\) .*sslv3 alert handshake failure`), explain.CodeClientCertMissing, "client didn't provide a certificate", "40 handshake_failure", false},
		{"curl/foreign cert/tls1.3", func(t *testing.T, h *harness, _ certFiles) seen {
			return curlLab(t, h.addr, "--cacert", labCAFile(t, h), "--cert", foreign.certPEM, "--key", foreign.keyPEM)
		}, []int{56, 35}, unknownCA13, explain.CodeClientCertRejected, "x509: certificate signed by unknown authority", "48 unknown_ca", true},
		{"curl/foreign cert/tls1.2", func(t *testing.T, h *harness, _ certFiles) seen {
			return curlLab(t, h.addr, "--cacert", labCAFile(t, h), "--cert", foreign.certPEM, "--key", foreign.keyPEM, "--tls-max", "1.2")
		}, []int{35}, regexp.MustCompile(`\(35\) .*tlsv1 alert unknown ca`), explain.CodeClientCertRejected, "x509: certificate signed by unknown authority", "48 unknown_ca", false},
		{"curl/lab cert", func(t *testing.T, h *harness, lab certFiles) seen {
			return curlLab(t, h.addr, "--cacert", labCAFile(t, h), "--cert", lab.certPEM, "--key", lab.keyPEM)
		}, []int{0}, regexp.MustCompile(`^$`), explain.CodeOK, "", "", true},
		{"go/no cert", func(t *testing.T, h *harness, _ certFiles) seen {
			return goLab(t, h.addr, &tls.Config{RootCAs: h.srv.deps.Minter.CA().Pool()})
		}, []int{0}, regexp.MustCompile(`^remote error: tls: certificate required$`), explain.CodeClientCertMissing, "client didn't provide a certificate", "116 certificate_required", true},
		{"go/lab cert", func(t *testing.T, h *harness, lab certFiles) seen {
			return goLab(t, h.addr, &tls.Config{RootCAs: h.srv.deps.Minter.CA().Pool(), Certificates: []tls.Certificate{lab.pair}})
		}, []int{0}, regexp.MustCompile(`^HTTP/1\.1 200 OK\r\n(?s).*backend saw GET /trust$`), explain.CodeOK, "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := startListener(t, Options{Mode: Terminate, Backend: plainHTTP(t), ClientSSL: &ClientSSL{ClientCert: ClientCertRequire}}, nil)
			ca := h.srv.deps.Minter.CA()
			lab := issue(t, ca.Cert(), ca.Signer(), x509.ExtKeyUsageClientAuth, now.Add(-time.Hour), now.Add(24*time.Hour), "user.lab.test")
			s := tc.run(t, h, lab)
			wantSeen(t, s, tc.exits, tc.class)
			r := h.next()
			leg := r.o.ClientTLS
			if r.d.Code != tc.code {
				t.Fatalf("code %s (%s); client leg %+v", r.d.Code, r.d.Summary, leg)
			}
			if s.port != 0 && r.o.Client.Port() != s.port {
				t.Errorf("outcome client %v, but the client's local port was %d", r.o.Client, s.port)
			}
			if tc.code == explain.CodeOK {
				if !leg.Done || !leg.Mutual || len(leg.PeerCert) == 0 || !strings.Contains(leg.PeerCert[0], "user.lab.test") {
					t.Errorf("client leg done %v mutual %v peer %q, want the lab client certificate accepted", leg.Done, leg.Mutual, leg.PeerCert)
				}
				if len(r.o.HTTP1) != 1 || r.o.HTTP1[0].Target != "/trust" || r.o.HTTP1[0].Status != 200 {
					t.Errorf("HTTP exchanges %+v, want GET /trust → 200 relayed to the backend", r.o.HTTP1)
				}
				// BIG-IP's session log line reports the mutual authentication.
				if len(r.d.BigIP) != 1 || r.d.BigIP[0].ID != "" || !strings.Contains(r.d.BigIP[0].Text, "mutual-authentication: true") {
					t.Errorf("BIG-IP lines %+v, want one session line with mutual-authentication: true", r.d.BigIP)
				}
				return
			}
			if leg.Done || leg.Mutual {
				t.Errorf("client leg done %v mutual %v after a refused client certificate", leg.Done, leg.Mutual)
			}
			if !strings.Contains(leg.Err, tc.legErrHas) {
				t.Errorf("client leg err %q, want it to contain %q", leg.Err, tc.legErrHas)
			}
			// The client printed this alert, so tlsgate sent it. The
			// listener reads a TLS 1.2 alert from the bytes and infers an
			// encrypted TLS 1.3 one from crypto/tls's error; the leg and
			// the diagnosis must name it either way.
			if got := evidence(r.d, "cert_alert"); got != tc.alert {
				t.Errorf("diagnosis cert_alert %q, want %q", got, tc.alert)
			}
			wire, _, _ := strings.Cut(tc.alert, " ")
			if sent := strconv.Itoa(leg.AlertSent); sent != wire {
				t.Errorf("client leg alert sent %d, want %s (tls 1.3: %t)", leg.AlertSent, wire, tc.tls13)
			}
			if leg.AlertRecv != -1 {
				t.Errorf("client leg alert received %d: the client sent none", leg.AlertRecv)
			}
			if r.o.Backend.Attempted {
				t.Errorf("backend dialled although the client certificate was refused: %+v", r.o.Backend)
			}
			checkClientLeg(t, h, r, s)
		})
	}
}

func TestClientCertAlert(t *testing.T) {
	verify := func(err error) error {
		return &tls.CertificateVerificationError{Err: err}
	}
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"unknown ca", verify(x509.UnknownAuthorityError{}), 48},
		{"expired", verify(x509.CertificateInvalidError{Reason: x509.Expired}), 45},
		{"wrong usage", verify(x509.CertificateInvalidError{Reason: x509.IncompatibleUsage}), 42},
		{"wrapped", fmt.Errorf("listener: handshake: %w", verify(x509.UnknownAuthorityError{})), 48},
		{"missing", errors.New("tls: client didn't provide a certificate"), 116},
		{"unparsable", errors.New("tls: failed to parse client certificate: x509: malformed certificate"), 50},
		{"key type", errors.New("tls: client certificate contains an unsupported public key of type *dsa.PublicKey"), 43},
		{"client went away", io.ErrUnexpectedEOF, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := clientCertAlert(tc.err); got != tc.want {
				t.Errorf("clientCertAlert(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}
