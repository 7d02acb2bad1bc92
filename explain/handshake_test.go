package explain

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// recordingConn keeps the bytes the server read, so the test can parse the
// real ClientHello the way the listener would.
type recordingConn struct {
	net.Conn
	mu  sync.Mutex
	got []byte
}

func (r *recordingConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	r.got = append(r.got, p[:n]...)
	r.mu.Unlock()
	return n, err
}

// selfSigned makes a lab.test certificate for the given uses (server
// authentication when none are given).
func selfSigned(t *testing.T, uses ...x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	if len(uses) == 0 {
		uses = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lab.test"}, DNSNames: []string{"lab.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: uses,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// handshakeOutcome runs a real Go client against a real Go server on
// loopback and fills an Outcome from what the server side saw.
func handshakeOutcome(t *testing.T, server, client *tls.Config) *Outcome {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type result struct {
		rec *recordingConn
		err error
		st  tls.ConnectionState
	}
	done := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- result{err: err}
			return
		}
		defer c.Close()
		rec := &recordingConn{Conn: c}
		s := tls.Server(rec, server)
		err = s.Handshake()
		done <- result{rec: rec, err: err, st: s.ConnectionState()}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	cl := tls.Client(c, client)
	_ = cl.Handshake() // the client's view is not part of the Outcome
	r := <-done
	c.Close()
	if r.rec == nil {
		t.Fatal(r.err)
	}

	o := base("terminate")
	o.Client = netip.MustParseAddrPort(c.LocalAddr().String())
	o.Virtual = netip.MustParseAddrPort(ln.Addr().String())
	r.rec.mu.Lock()
	o.FirstBytes = append([]byte(nil), r.rec.got[:min(64, len(r.rec.got))]...)
	raw := append([]byte(nil), r.rec.got...)
	r.rec.mu.Unlock()
	o.Kind, _ = sniff.Classify(raw)
	if h, err := sniff.ParseClientHello(raw); err == nil {
		o.Hello = h
	} else {
		o.HelloErr = err.Error()
	}
	o.ClientTLS.Attempted = true
	o.ClientTLS.Done = r.err == nil
	o.ClientTLS.MinVersion, o.ClientTLS.MaxVersion = server.MinVersion, server.MaxVersion
	o.ClientTLS.OurCiphers = server.CipherSuites
	if r.err != nil {
		o.ClientTLS.Err = r.err.Error()
		o.ClientTLS.AlertRecv = AlertFromError(o.ClientTLS.Err)
	} else {
		o.ClientTLS.Version, o.ClientTLS.CipherSuite = r.st.Version, r.st.CipherSuite
		if r.st.CurveID != 0 {
			o.ClientTLS.Group = r.st.CurveID.String()
		}
		o.ClientTLS.Mutual = len(r.st.PeerCertificates) > 0
	}
	return o
}

// requireCert makes a server demand a client certificate from ca's pool.
func requireCert(ca tls.Certificate) func(*tls.Config) {
	return func(c *tls.Config) {
		pool := x509.NewCertPool()
		leaf, _ := x509.ParseCertificate(ca.Certificate[0])
		pool.AddCert(leaf)
		c.ClientAuth, c.ClientCAs = tls.RequireAndVerifyClientCert, pool
	}
}

// TestRealHandshakes checks the rules against Go 1.26's real error texts
// and real ClientHellos, not hand-written ones.
func TestRealHandshakes(t *testing.T) {
	cert := selfSigned(t)
	srv := func(mod func(*tls.Config)) *tls.Config {
		c := &tls.Config{Certificates: []tls.Certificate{cert}}
		if mod != nil {
			mod(c)
		}
		return c
	}
	other := selfSigned(t)
	both := selfSigned(t, x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth)
	trusting := func(mod func(*tls.Config)) *tls.Config {
		pool := x509.NewCertPool()
		leaf, _ := x509.ParseCertificate(cert.Certificate[0])
		pool.AddCert(leaf)
		c := &tls.Config{ServerName: "lab.test", RootCAs: pool}
		if mod != nil {
			mod(c)
		}
		return c
	}
	tests := []struct {
		name   string
		server *tls.Config
		client *tls.Config
		code   string
		lines  int
	}{
		{"ok", srv(nil), trusting(nil), CodeOK, 1},
		{"client max TLS 1.1", srv(nil), trusting(func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS11 }),
			CodeVersionTooOld, 2},
		{"client TLS 1.3 only, server max 1.2", srv(func(c *tls.Config) { c.MaxVersion = tls.VersionTLS12 }),
			trusting(func(c *tls.Config) { c.MinVersion = tls.VersionTLS13 }), CodeVersionTooNew, 2},
		{"no shared cipher at TLS 1.2", srv(func(c *tls.Config) {
			c.MaxVersion = tls.VersionTLS12
			c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}
		}), trusting(func(c *tls.Config) {
			c.MaxVersion = tls.VersionTLS12
			c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
		}), CodeNoSharedCipher, 3},
		{"client does not trust the certificate", srv(nil), &tls.Config{ServerName: "lab.test"}, CodeClientAlert, 1},
		{"mTLS, no client certificate, TLS 1.3", srv(requireCert(cert)), trusting(nil), CodeClientCertMissing, 1},
		{"mTLS, no client certificate, TLS 1.2", srv(func(c *tls.Config) { requireCert(cert)(c); c.MaxVersion = tls.VersionTLS12 }),
			trusting(nil), CodeClientCertMissing, 1},
		{"mTLS, client certificate from an unknown CA", srv(requireCert(cert)), trusting(func(c *tls.Config) {
			// Go sends no certificate the server's CA list does not
			// cover, so force one to reach the verification failure.
			c.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &other, nil }
		}), CodeClientCertRejected, 1},
		{"mTLS, server-only certificate as client certificate", srv(requireCert(cert)),
			trusting(func(c *tls.Config) { c.Certificates = []tls.Certificate{cert} }), CodeClientCertRejected, 1},
		{"mTLS accepted", srv(requireCert(both)), trusting(func(c *tls.Config) { c.Certificates = []tls.Certificate{both} }), CodeOK, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := handshakeOutcome(t, tc.server, tc.client)
			d := Diagnose(o)
			if d.Code != tc.code || len(d.BigIP) != tc.lines {
				t.Fatalf("code %s with %d lines, want %s with %d; err=%q\n%s", d.Code, len(d.BigIP), tc.code, tc.lines, o.ClientTLS.Err, render(d))
			}
			if tc.code == CodeClientAlert && d.Evidence[0].Value != "42 bad_certificate" {
				t.Errorf("Go clients send 42 for every certificate failure; got %v", d.Evidence[0])
			}
			if tc.code == CodeOK && !strings.Contains(d.BigIP[0].Text, "key-exchange: X25519") {
				t.Errorf("session line without the real group: %q", d.BigIP[0].Text)
			}
			if strings.HasPrefix(tc.name, "mTLS accepted") && !strings.HasSuffix(d.BigIP[0].Text, "mutual-authentication: true") {
				t.Errorf("mutual authentication not shown: %q", d.BigIP[0].Text)
			}
		})
	}
}
