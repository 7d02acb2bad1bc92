package listener

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// goAuthClient runs a Go client against a client_auth rule and keeps its
// handshake's verdict apart from its first read's: under TLS 1.3 the
// refusal must come on the read (client-symptoms.md §3 row 22).
func goAuthClient(t *testing.T, addr string, cfg *tls.Config) (port uint16, hsErr, readErr error) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(trustClientTimeout))
	cfg.ServerName = "lab.test"
	tc := tls.Client(c, cfg)
	port = addrPort(c.LocalAddr()).Port()
	if err := tc.Handshake(); err != nil {
		return port, err, nil
	}
	if _, err := io.WriteString(tc, "GET /trust HTTP/1.1\r\nHost: lab.test\r\nConnection: close\r\n\r\n"); err != nil {
		return port, nil, err
	}
	_, err = io.ReadAll(tc)
	return port, nil, err
}

// TestClientAuthRule: a client_auth fault rule on a listener without
// client_cert asks for a certificate like a client-ssl profile with
// peer-cert-mode require, and refuses with the rule's alert, which curl
// and Go print: after a completed handshake under TLS 1.3 (curl 56), in it
// under TLS 1.2 (curl 35). The TLS 1.3 alert is resealed for each AEAD.
func TestClientAuthRule(t *testing.T) {
	stranger := newTestServerCA(t)
	now := time.Now()
	foreign := issue(t, stranger.cert, stranger.key, x509.ExtKeyUsageClientAuth, now.Add(-time.Hour), now.Add(24*time.Hour), "intruder.lab.test")
	denied := ptrTo(faults.Alert(49))
	cases := []struct {
		name string
		rule faults.Rule
		// curl's arguments besides --cacert (nil: a Go client without a certificate)
		curl  func(lab certFiles) []string
		exits []int
		out   *regexp.Regexp
		code  string
		alert int // what tlsgate sent, -1 for none
	}{
		{"no cert, tls1.3", faults.Rule{}, func(certFiles) []string { return nil },
			[]int{56}, regexp.MustCompile(`^curl: \(56\) OpenSSL SSL_read: .*tlsv13 alert certificate required`), explain.CodeClientCertMissing, 116},
		{"no cert, tls1.2", faults.Rule{}, func(certFiles) []string { return []string{"--tls-max", "1.2"} },
			[]int{35}, regexp.MustCompile(`^curl: \(35\) .*sslv3 alert handshake failure`), explain.CodeClientCertMissing, 40},
		{"no cert, access_denied, tls1.3", faults.Rule{RejectWith: denied}, func(certFiles) []string { return nil },
			[]int{56}, regexp.MustCompile(`^curl: \(56\) OpenSSL SSL_read: .*tlsv1 alert access denied`), explain.CodeClientCertMissing, 49},
		{"no cert, access_denied, tls1.2", faults.Rule{RejectWith: denied}, func(certFiles) []string { return []string{"--tls-max", "1.2"} },
			[]int{35}, regexp.MustCompile(`^curl: \(35\) .*tlsv1 alert access denied`), explain.CodeClientCertMissing, 49},
		{"no cert, access_denied, AES-256-GCM", faults.Rule{RejectWith: denied}, func(certFiles) []string { return []string{"--tls13-ciphers", "TLS_AES_256_GCM_SHA384"} },
			[]int{56}, regexp.MustCompile(`^curl: \(56\) OpenSSL SSL_read: .*tlsv1 alert access denied`), explain.CodeClientCertMissing, 49},
		{"no cert, access_denied, ChaCha20", faults.Rule{RejectWith: denied}, func(certFiles) []string { return []string{"--tls13-ciphers", "TLS_CHACHA20_POLY1305_SHA256"} },
			[]int{56}, regexp.MustCompile(`^curl: \(56\) OpenSSL SSL_read: .*tlsv1 alert access denied`), explain.CodeClientCertMissing, 49},
		{"lab cert", faults.Rule{RejectWith: denied}, func(lab certFiles) []string { return []string{"--cert", lab.certPEM, "--key", lab.keyPEM} },
			[]int{0}, regexp.MustCompile(`^$`), explain.CodeOK, -1},
		{"foreign cert, tls1.3", faults.Rule{}, func(certFiles) []string { return []string{"--cert", foreign.certPEM, "--key", foreign.keyPEM} },
			[]int{56}, regexp.MustCompile(`^curl: \(56\) OpenSSL SSL_read: .*tlsv1 alert unknown ca`), explain.CodeClientCertRejected, 48},
		// Only the stranger's CA is accepted: the lab certificate is refused.
		{"lab cert, other CA file", faults.Rule{AcceptCAs: []string{stranger.file}, RejectWith: ptrTo(faults.Alert(42))},
			func(lab certFiles) []string { return []string{"--cert", lab.certPEM, "--key", lab.keyPEM} },
			[]int{56}, regexp.MustCompile(`^curl: \(56\) OpenSSL SSL_read: .*sslv3 alert bad certificate`), explain.CodeClientCertRejected, 42},
		{"foreign cert, other CA file", faults.Rule{AcceptCAs: []string{stranger.file}}, func(certFiles) []string { return []string{"--cert", foreign.certPEM, "--key", foreign.keyPEM} },
			[]int{0}, regexp.MustCompile(`^$`), explain.CodeOK, -1},
		{"requested only, no cert", faults.Rule{Require: ptrTo(false), RejectWith: denied}, func(certFiles) []string { return nil },
			[]int{0}, regexp.MustCompile(`^$`), explain.CodeOK, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rule := tc.rule
			rule.Name, rule.Action = "mtls-gate", faults.ActClientAuth
			e := faults.NewEngine(nil)
			if err := e.Add(rule); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Mode: Terminate, Backend: plainHTTP(t)}, func(d *Deps) { d.Faults = e })
			ca := h.srv.deps.Minter.CA()
			lab := issue(t, ca.Cert(), ca.Signer(), x509.ExtKeyUsageClientAuth, now.Add(-time.Hour), now.Add(24*time.Hour), "user.lab.test")
			s := curlLab(t, h.addr, append([]string{"--cacert", labCAFile(t, h)}, tc.curl(lab)...)...)
			wantSeen(t, s, tc.exits, tc.out)
			r := h.next()
			checkAuthOutcome(t, r, tc.code, tc.alert)
			if s.port != 0 && r.o.Client.Port() != s.port {
				t.Errorf("outcome client %v, but curl's local port was %d", r.o.Client, s.port)
			}
		})
	}
}

// TestClientAuthRuleGoClient: under TLS 1.3 a Go client's Handshake()
// succeeds and its first Read returns the rule's alert; under TLS 1.2 the
// handshake itself fails with it.
func TestClientAuthRuleGoClient(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Add(faults.Rule{Name: "mtls-gate", Action: faults.ActClientAuth, RejectWith: ptrTo(faults.Alert(49))}); err != nil {
				t.Fatal(err)
			}
			h := startListenerDeps(t, Options{Mode: Terminate, Backend: plainHTTP(t)}, func(d *Deps) { d.Faults = e })
			port, hsErr, readErr := goAuthClient(t, h.addr, &tls.Config{RootCAs: h.srv.deps.Minter.CA().Pool(), MaxVersion: v})
			got := hsErr
			if v == tls.VersionTLS13 {
				if hsErr != nil {
					t.Fatalf("Handshake() = %v; under TLS 1.3 the refusal comes after it", hsErr)
				}
				got = readErr
			}
			if got == nil || got.Error() != "remote error: tls: access denied" {
				t.Errorf("client error %v, want remote error: tls: access denied", got)
			}
			r := h.next()
			checkAuthOutcome(t, r, explain.CodeClientCertMissing, 49)
			if r.o.Client.Port() != port {
				t.Errorf("outcome client %v, but the client's local port was %d", r.o.Client, port)
			}
		})
	}
}

// checkAuthOutcome checks one connection's diagnosis under a client_auth
// rule: the code, the alert, and that the rule is named as the cause.
func checkAuthOutcome(t *testing.T, r result, code string, alert int) {
	t.Helper()
	if r.d.Code != code {
		t.Fatalf("code %s (%s); client leg %+v", r.d.Code, r.d.Summary, r.o.ClientTLS)
	}
	if !slices.Contains(r.o.Faults, "mtls-gate") {
		t.Errorf("faults fired %q, want mtls-gate", r.o.Faults)
	}
	if alert < 0 {
		if !r.o.ClientTLS.Done || r.o.ClientTLS.AlertSent != -1 || !strings.Contains(r.d.Summary, "injected by rule mtls-gate") {
			t.Errorf("want a completed handshake noting the rule: leg %+v, summary %q", r.o.ClientTLS, r.d.Summary)
		}
		return
	}
	if r.o.ClientTLS.AlertSent != alert {
		t.Errorf("client leg alert sent %d, want %d", r.o.ClientTLS.AlertSent, alert)
	}
	if got := evidence(r.d, "cert_alert"); !strings.HasPrefix(got, strconv.Itoa(alert)+" ") {
		t.Errorf("diagnosis cert_alert %q, want alert %d", got, alert)
	}
	if !strings.Contains(r.d.Summary, "fault rule mtls-gate") {
		t.Errorf("summary %q does not name the rule", r.d.Summary)
	}
	if r.o.Backend.Attempted {
		t.Errorf("backend dialled although the client certificate was refused: %+v", r.o.Backend)
	}
}

func ptrTo[T any](v T) *T { return &v }
