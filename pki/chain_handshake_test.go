package pki

import (
	"crypto/rand"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// chainServer serves, over real loopback TLS, the chain a host name maps
// to, and answers any HTTP request with 200 "ok" so curl can succeed.
type chainServer struct {
	port   string
	caFile string
}

type chainSpec struct {
	kind ChainKind
	skew time.Duration
	// ocspTimes serves Minter.OCSPTimes(name, skew) instead of a chain.
	ocspTimes bool
	// permitted replaces testOpts's permitted DNS list.
	permitted []string
}

// testOpts are the options a test serves kind with: a name_constraints
// chain permits only example.net, which no test host is under.
func testOpts(kind ChainKind, skew time.Duration) ChainOpts {
	o := ChainOpts{Skew: skew}
	if kind == ChainNameConstraints {
		o.PermittedDNS = []string{"example.net"}
	}
	return o
}

func startChainServer(t *testing.T, m *Minter, ca *CA, hosts map[string]chainSpec) *chainServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "ok")
		}),
		TLSConfig: &tls.Config{GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			spec, ok := hosts[hello.ServerName]
			if !ok {
				return nil, errors.New("test server: unknown SNI " + hello.ServerName)
			}
			if spec.ocspTimes {
				return m.OCSPTimes(hello.ServerName, spec.skew)
			}
			o := testOpts(spec.kind, spec.skew)
			if spec.permitted != nil {
				o.PermittedDNS = spec.permitted
			}
			return m.BadChainWith(spec.kind, hello.ServerName, o)
		}},
		// Handshake failures are the point here; keep them out of the output.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.ServeTLS(ln, "", "")
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	caFile := filepath.Join(t.TempDir(), "lab-ca.pem")
	if err := os.WriteFile(caFile, ca.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return &chainServer{port: port, caFile: caFile}
}

// goDial handshakes as a Go client that trusts only the lab CA.
func (s *chainServer) goDial(ca *CA, host string) error {
	conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", s.port), &tls.Config{RootCAs: ca.Pool(), ServerName: host})
	if err != nil {
		return err
	}
	return conn.Close()
}

// curl fetches https://host:port/ with the lab CA as the only trust anchor
// and returns curl's exit code and stderr.
func (s *chainServer) curl(t *testing.T, host string, extra ...string) (int, string) {
	t.Helper()
	bin, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("curl is required for the chain tests (apt-get install curl): %v", err)
	}
	args := append([]string{"-q", "-sS", "-o", os.DevNull, "--noproxy", "*",
		"--max-time", "60", // a safety net against a hang, not an assertion
		"--cacert", s.caFile, "--resolve", host + ":" + s.port + ":127.0.0.1"}, extra...)
	cmd := exec.CommandContext(t.Context(), bin, append(args, "https://"+host+":"+s.port+"/")...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stderr.String()
	}
	t.Fatalf("run curl: %v", err)
	return -1, ""
}

func hostFor(kind ChainKind) string {
	return strings.ReplaceAll(string(kind), "_", "-") + ".lab.test"
}

// TestBadChainHandshakes serves every kind to a Go client and to curl, both
// trusting the lab CA, and checks each reports the error class that
// client-symptoms.md §4 documents ("" = the client connects).
func TestBadChainHandshakes(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, time.Now, rand.Reader) // real clock: the clients verify with it
	tests := []struct {
		kind      ChainKind
		goErr     []string
		curlExit  int
		curlErr   string
		curlNotIn string // guards a message that is a prefix of another
	}{
		{kind: ChainGood},
		{kind: ChainGoodIntermediate},
		{kind: ChainExpired, goErr: []string{"certificate has expired or is not yet valid", "is after"},
			curlExit: 60, curlErr: "certificate has expired"},
		{kind: ChainNotYetValid, goErr: []string{"certificate has expired or is not yet valid", "is before"},
			curlExit: 60, curlErr: "certificate is not yet valid"},
		{kind: ChainWrongHost, goErr: []string{"certificate is valid for wrong.host.invalid, not wrong-host.lab.test"},
			curlExit: 60, curlErr: "no alternative certificate subject name matches target host name"},
		{kind: ChainSelfSigned, goErr: []string{"certificate signed by unknown authority"},
			curlExit: 60, curlErr: "self-signed certificate", curlNotIn: "in certificate chain"},
		{kind: ChainUntrustedRoot, goErr: []string{"certificate signed by unknown authority"},
			curlExit: 60, curlErr: "unable to get local issuer certificate"},
		{kind: ChainUntrustedRootWithRoot, goErr: []string{"certificate signed by unknown authority"},
			curlExit: 60, curlErr: "self-signed certificate in certificate chain"},
		{kind: ChainIncomplete, goErr: []string{"certificate signed by unknown authority"},
			curlExit: 60, curlErr: "unable to get local issuer certificate"},
		{kind: ChainReversed, goErr: []string{"certificate is not valid for any names"},
			curlExit: 60, curlErr: "unsuitable certificate purpose"},
		{kind: ChainSHA1, goErr: []string{"certificate signed by unknown authority", `x509: cannot verify signature: insecure algorithm ECDSA-SHA1`},
			curlExit: 60, curlErr: "CA signature digest algorithm too weak"},
		{kind: ChainSHA1Intermediate, goErr: []string{"certificate signed by unknown authority", `x509: cannot verify signature: insecure algorithm ECDSA-SHA1`},
			curlExit: 60, curlErr: "curl: (60) SSL certificate problem: CA signature digest algorithm too weak"},
		{kind: ChainMD5, goErr: []string{"certificate signed by unknown authority", `x509: cannot verify signature: insecure algorithm MD5-RSA`},
			curlExit: 60, curlErr: "curl: (60) SSL certificate problem: CA signature digest algorithm too weak"},
		{kind: ChainWeakRSA, curlExit: 60, curlErr: "curl: (60) SSL certificate problem: EE certificate key too weak"},
		{kind: ChainWrongEKU, goErr: []string{"certificate specifies an incompatible key usage"},
			curlExit: 60, curlErr: "unsuitable certificate purpose"},
		{kind: ChainCAFalseIssuer, goErr: []string{"certificate signed by unknown authority", "parent certificate cannot sign this kind of certificate"},
			curlExit: 60, curlErr: "invalid CA certificate"},
		{kind: ChainPathLen, goErr: []string{"too many intermediates for path length constraint"},
			curlExit: 60, curlErr: "path length constraint exceeded"},
		// Observed with curl 7.88.1 on OpenSSL 3.0.19 and Go 1.26.8.
		{kind: ChainNameConstraints, goErr: []string{`x509: a root or intermediate certificate is not authorized to sign for this name: DNS name "name-constraints.lab.test" is not permitted by any constraint`},
			curlExit: 60, curlErr: "curl: (60) SSL certificate problem: permitted subtree violation"},
		{kind: ChainLong},
		{kind: ChainHuge, curlExit: 35, curlErr: "excessive message size"},
		{kind: ChainCNOnly, goErr: []string{"relies on legacy Common Name field"}},
		// Neither checks revocation by default (TestRevocationStaples asks).
		{kind: ChainRevoked},
		{kind: ChainOCSPUnknown},
		{kind: ChainOCSPExpired},
	}
	hosts := make(map[string]chainSpec)
	covered := make(map[ChainKind]bool)
	for _, tt := range tests {
		hosts[hostFor(tt.kind)] = chainSpec{kind: tt.kind}
		covered[tt.kind] = true
	}
	for _, k := range ChainKinds() {
		if !covered[k] {
			t.Errorf("kind %s has no handshake test", k)
		}
	}
	srv := startChainServer(t, m, ca, hosts)

	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			host := hostFor(tt.kind)
			err := srv.goDial(ca, host)
			switch {
			case len(tt.goErr) == 0 && err != nil:
				t.Errorf("Go client: %v, want success", err)
			case len(tt.goErr) > 0 && err == nil:
				t.Errorf("Go client connected, want %q", tt.goErr)
			case len(tt.goErr) > 0:
				var verr *tls.CertificateVerificationError
				if !errors.As(err, &verr) {
					t.Errorf("Go client: %v (%T), want a certificate verification error", err, err)
				}
				for _, want := range tt.goErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("Go client: %v, want %q", err, want)
					}
				}
			}

			code, stderr := srv.curl(t, host)
			t.Logf("Go: %v\n    curl (%d): %s", err, code, strings.TrimSpace(stderr))
			if code != tt.curlExit {
				t.Errorf("curl exit %d, want %d; stderr: %s", code, tt.curlExit, stderr)
			}
			if tt.curlErr != "" && !strings.Contains(stderr, tt.curlErr) {
				t.Errorf("curl stderr %q, want %q", stderr, tt.curlErr)
			}
			if tt.curlNotIn != "" && strings.Contains(stderr, tt.curlNotIn) {
				t.Errorf("curl stderr %q, must not contain %q", stderr, tt.curlNotIn)
			}
		})
	}
}

// TestLongChainVerifyDepth shows why long_chain matters although curl and
// Go accept it: a verifier limited to depth 9 (BIG-IP's default server-ssl
// authenticate-depth) refuses it, and one allowing 12 accepts it.
func TestLongChainVerifyDepth(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl is required for this test: %v", err)
	}
	ca := newTestCA(t)
	m := NewMinter(ca, time.Now, rand.Reader)
	host := hostFor(ChainLong)
	srv := startChainServer(t, m, ca, map[string]chainSpec{host: {kind: ChainLong}})
	tests := []struct {
		depth  string
		wantOK bool
		want   string
	}{
		{depth: "9", want: "certificate chain too long"},
		{depth: "12", wantOK: true, want: "Verify return code: 0 (ok)"},
	}
	for _, tt := range tests {
		t.Run("depth="+tt.depth, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), bin, "s_client", "-connect", "127.0.0.1:"+srv.port,
				"-servername", host, "-CAfile", srv.caFile, "-verify_depth", tt.depth, "-verify_return_error")
			cmd.Stdin = strings.NewReader("") // EOF: quit after the handshake
			out, err := cmd.CombinedOutput()
			if (err == nil) != tt.wantOK {
				t.Errorf("s_client err = %v, want success %t\n%s", err, tt.wantOK, out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("s_client output lacks %q:\n%s", tt.want, out)
			}
		})
	}
}

// TestSkewHandshakes checks the clock skew on a real handshake: the same
// good leaf looks expired, not yet valid or fine depending on the skew.
func TestSkewHandshakes(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, time.Now, rand.Reader)
	tests := []struct {
		host  string
		spec  chainSpec
		goErr string
		curl  string
	}{
		{host: "ahead.lab.test", spec: chainSpec{kind: ChainGood, skew: -8 * 24 * time.Hour}, goErr: "is after", curl: "certificate has expired"},
		{host: "behind.lab.test", spec: chainSpec{kind: ChainGood, skew: 2 * time.Hour}, goErr: "is before", curl: "certificate is not yet valid"},
		{host: "slight.lab.test", spec: chainSpec{kind: ChainGood, skew: 30 * time.Minute}},
		{host: "intermediate.lab.test", spec: chainSpec{kind: ChainGoodIntermediate, skew: -3 * 24 * time.Hour}},
		{host: "expired-undone.lab.test", spec: chainSpec{kind: ChainExpired, skew: 4 * 24 * time.Hour}},
	}
	hosts := make(map[string]chainSpec)
	for _, tt := range tests {
		hosts[tt.host] = tt.spec
	}
	srv := startChainServer(t, m, ca, hosts)
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			err := srv.goDial(ca, tt.host)
			if tt.goErr == "" && err != nil || tt.goErr != "" && (err == nil || !strings.Contains(err.Error(), tt.goErr)) {
				t.Errorf("Go client: %v, want %q", err, tt.goErr)
			}
			code, stderr := srv.curl(t, tt.host)
			if tt.curl == "" && code != 0 || tt.curl != "" && (code != 60 || !strings.Contains(stderr, tt.curl)) {
				t.Errorf("curl exit %d %q, want %q", code, stderr, tt.curl)
			}
		})
	}
}

// TestRevocationStaples asks for the stapled OCSP response: curl with
// --cert-status refuses each staple with the text curl's lib/vtls/openssl.c
// prints, and a Go client (which checks no revocation, so connects) gets a
// response the lab CA signed, with the status the kind names.
func TestRevocationStaples(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, time.Now, rand.Reader)
	tests := []struct {
		kind     ChainKind
		status   int
		curlExit int
		curlErr  string
	}{
		{kind: ChainRevoked, status: ocsp.Revoked, curlExit: 91, curlErr: "curl: (91) SSL certificate revocation reason: keyCompromise (1)"},
		{kind: ChainOCSPUnknown, status: ocsp.Unknown, curlExit: 91, curlErr: "curl: (91) SSL server certificate status verification FAILED"},
		{kind: ChainOCSPExpired, status: ocsp.Good, curlExit: 91, curlErr: "curl: (91) OCSP response has expired"},
		{kind: ChainGood, curlExit: 91, curlErr: "curl: (91) No OCSP response received"},
	}
	hosts := make(map[string]chainSpec)
	for _, tt := range tests {
		hosts[hostFor(tt.kind)] = chainSpec{kind: tt.kind}
	}
	srv := startChainServer(t, m, ca, hosts)
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			host := hostFor(tt.kind)
			conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", srv.port), &tls.Config{RootCAs: ca.Pool(), ServerName: host})
			if err != nil {
				t.Fatalf("Go client: %v, want success (Go checks no revocation)", err)
			}
			st := conn.ConnectionState()
			_ = conn.Close()
			if tt.kind == ChainGood {
				if len(st.OCSPResponse) != 0 {
					t.Errorf("good chain stapled %d bytes", len(st.OCSPResponse))
				}
			} else {
				resp, err := ocsp.ParseResponseForCert(st.OCSPResponse, st.PeerCertificates[0], ca.cert)
				if err != nil {
					t.Fatalf("staple (%d bytes) does not parse or verify under the lab CA: %v", len(st.OCSPResponse), err)
				}
				if resp.Status != tt.status || resp.SerialNumber.Cmp(st.PeerCertificates[0].SerialNumber) != 0 {
					t.Errorf("staple status %d serial %s, want %d for the leaf %s", resp.Status, resp.SerialNumber, tt.status, st.PeerCertificates[0].SerialNumber)
				}
			}

			code, stderr := srv.curl(t, host, "--cert-status")
			t.Logf("curl --cert-status (%d): %s", code, strings.TrimSpace(stderr))
			if code != tt.curlExit || !strings.Contains(stderr, tt.curlErr) {
				t.Errorf("curl --cert-status: exit %d %q, want %d %q", code, stderr, tt.curlExit, tt.curlErr)
			}
		})
	}
}
