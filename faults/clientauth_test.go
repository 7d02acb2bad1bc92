package faults

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// testCA is a CA for the client_auth tests, with its key.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T, name string) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return testCA{cert, key}
}

// leaf issues a certificate for name with the given extended key usage.
func (ca testCA) leaf(t *testing.T, name string, eku x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{eku},
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// rewritingConn passes a server's writes through a ClientAuthRun, as the
// listener's recording conn does during the handshake.
type rewritingConn struct {
	net.Conn
	run *ClientAuthRun
}

func (c rewritingConn) Write(b []byte) (int, error) { return c.Conn.Write(c.run.Rewrite(b)) }

// authResult is what each side of one handshake saw.
type authResult struct {
	serverErr error
	clientHS  error // the client's Handshake()
	clientErr error // its first Read after a good handshake, or the handshake's error
	refused   uint8
	swapped   bool
}

// authHandshake runs a real crypto/tls handshake on loopback between a Go
// client (with certs) and a server enforcing a under version v.
func authHandshake(t *testing.T, a ClientAuth, pool *x509.CertPool, v uint16, serverCert tls.Certificate, roots *x509.CertPool, certs []tls.Certificate) authResult {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	run := NewClientAuthRun(a, pool, nil)
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(20 * time.Second))
		cfg := &tls.Config{Certificates: []tls.Certificate{serverCert}, MaxVersion: v}
		run.Configure(cfg)
		tc := tls.Server(rewritingConn{c, run}, cfg)
		err = tc.Handshake()
		if err == nil {
			_, err = tc.Write([]byte("ok"))
		}
		done <- err
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	tc := tls.Client(c, &tls.Config{ServerName: "lab.test", RootCAs: roots, Certificates: certs, MaxVersion: v})
	var r authResult
	r.clientHS = tc.Handshake()
	r.clientErr = r.clientHS
	if r.clientHS == nil {
		_, r.clientErr = io.ReadFull(tc, make([]byte, 2))
	}
	select {
	case r.serverErr = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("server handshake never ended")
	}
	r.refused, r.swapped = run.Refused()
	return r
}

func TestClientAuthRun(t *testing.T) {
	lab, other := newTestCA(t, "Lab CA"), newTestCA(t, "Other CA")
	serverCert := lab.leaf(t, "lab.test", x509.ExtKeyUsageServerAuth)
	roots := x509.NewCertPool()
	roots.AddCert(lab.cert)
	labPool := x509.NewCertPool()
	labPool.AddCert(lab.cert)
	labClient := lab.leaf(t, "user.lab.test", x509.ExtKeyUsageClientAuth)
	otherClient := other.leaf(t, "intruder.test", x509.ExtKeyUsageClientAuth)
	serverEKU := lab.leaf(t, "server-as-client.lab.test", x509.ExtKeyUsageServerAuth)
	tests := []struct {
		name      string
		auth      ClientAuth
		pool      *x509.CertPool
		v         uint16
		certs     []tls.Certificate
		serverErr string // "" = accepted
		clientErr string // what the Go client reads: on its first Read under TLS 1.3, from Handshake under 1.2
		alert     uint8
	}{
		{"no cert, tls1.3", ClientAuth{Require: true}, labPool, tls.VersionTLS13, nil,
			"client didn't provide a certificate", "remote error: tls: certificate required", 116},
		{"no cert, tls1.2", ClientAuth{Require: true}, labPool, tls.VersionTLS12, nil,
			"client didn't provide a certificate", "remote error: tls: handshake failure", 40},
		{"no cert, access_denied, tls1.3", ClientAuth{Require: true, RejectWith: 49}, labPool, tls.VersionTLS13, nil,
			"client didn't provide a certificate", "remote error: tls: access denied", 49},
		{"no cert, access_denied, tls1.2", ClientAuth{Require: true, RejectWith: 49}, labPool, tls.VersionTLS12, nil,
			"client didn't provide a certificate", "remote error: tls: access denied", 49},
		{"no cert, bad_certificate, tls1.3", ClientAuth{Require: true, RejectWith: 42}, labPool, tls.VersionTLS13, nil,
			"client didn't provide a certificate", "remote error: tls: bad certificate", 42},
		{"no cert, requested only", ClientAuth{}, labPool, tls.VersionTLS13, nil, "", "", 0},
		{"lab cert", ClientAuth{Require: true}, labPool, tls.VersionTLS13, []tls.Certificate{labClient}, "", "", 0},
		// No CA named (accept_cas none): the Go client sends the one it
		// has, and it is refused as from an unknown CA.
		{"other CA, none accepted, tls1.3", ClientAuth{Require: true, AcceptCAs: []string{CANone}}, x509.NewCertPool(), tls.VersionTLS13,
			[]tls.Certificate{otherClient}, "x509: certificate signed by unknown authority", "remote error: tls: unknown certificate authority", 48},
		{"other CA, certificate_required, tls1.2", ClientAuth{Require: true, AcceptCAs: []string{CANone}, RejectWith: 116}, x509.NewCertPool(), tls.VersionTLS12,
			[]tls.Certificate{otherClient}, "x509: certificate signed by unknown authority", "remote error: tls: certificate required", 116},
		{"lab cert, only other CA accepted", ClientAuth{Require: false, RejectWith: 49}, x509.NewCertPool(), tls.VersionTLS13,
			[]tls.Certificate{labClient}, "x509: certificate signed by unknown authority", "remote error: tls: access denied", 49},
		{"server certificate as client certificate", ClientAuth{Require: true}, labPool, tls.VersionTLS13,
			[]tls.Certificate{serverEKU}, "x509: certificate specifies an incompatible key usage", "remote error: tls: bad certificate", 42},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := authHandshake(t, tt.auth, tt.pool, tt.v, serverCert, roots, tt.certs)
			if tt.serverErr == "" {
				if r.serverErr != nil || r.clientErr != nil || r.swapped {
					t.Fatalf("want an accepted handshake: server %v, client %v, refused %d %v", r.serverErr, r.clientErr, r.refused, r.swapped)
				}
				return
			}
			if r.serverErr == nil || !strings.Contains(r.serverErr.Error(), tt.serverErr) {
				t.Errorf("server error %v, want %q", r.serverErr, tt.serverErr)
			}
			if tt.v == tls.VersionTLS13 && r.clientHS != nil {
				t.Errorf("TLS 1.3 client Handshake() = %v; the refusal must come after it, on the first read", r.clientHS)
			}
			if r.clientErr == nil || r.clientErr.Error() != tt.clientErr {
				t.Errorf("client error %v, want %q", r.clientErr, tt.clientErr)
			}
			if !r.swapped || r.refused != tt.alert {
				t.Errorf("Refused() = %d, %v; want %d, true", r.refused, r.swapped, tt.alert)
			}
		})
	}
}

func TestClientAuthRewriteLeavesOthersAlone(t *testing.T) {
	run := NewClientAuthRun(ClientAuth{Require: true, RejectWith: 49}, nil, nil)
	clear42 := []byte{21, 3, 3, 0, 2, 2, 42}
	if got := run.Rewrite(clear42); string(got) != string(clear42) {
		t.Errorf("before a refusal Rewrite changed %x to %x", clear42, got)
	}
	run.refuse(116)
	other := []byte{21, 3, 3, 0, 2, 2, 80} // not the alert crypto/tls sends for VerifyConnection
	if got := run.Rewrite(other); string(got) != string(other) {
		t.Errorf("Rewrite changed an unrelated alert %x to %x", other, got)
	}
	sealedRecord := []byte{23, 3, 3, 0, 19, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	if got := run.Rewrite(sealedRecord); string(got) != string(sealedRecord) {
		t.Error("Rewrite changed a sealed record it has no key for")
	}
	got := run.Rewrite(clear42)
	if want := []byte{21, 3, 3, 0, 2, 2, 49}; string(got) != string(want) {
		t.Errorf("Rewrite(%x) = %x, want %x", clear42, got, want)
	}
	if clear42[6] != 42 {
		t.Error("Rewrite modified the caller's buffer")
	}
	if again := run.Rewrite(clear42); string(again) != string(clear42) {
		t.Error("Rewrite replaced a second alert; only the refusal's is the rule's")
	}
	if a, ok := run.Refused(); !ok || a != 49 {
		t.Errorf("Refused() = %d, %v", a, ok)
	}
}

func TestReseal13AlertRejectsGarbage(t *testing.T) {
	secret := make([]byte, 32)
	for _, rec := range [][]byte{nil, {23}, {23, 3, 3, 0, 5, 1}, {22, 3, 3, 0, 1, 0}, {23, 3, 3, 0, 2, 0, 0}} {
		if out, ok := reseal13Alert(rec, secret, 42, 49); ok || out != nil {
			t.Errorf("reseal13Alert(%x) = %x, %v", rec, out, ok)
		}
	}
	if _, ok := reseal13Alert([]byte{23, 3, 3, 0, 1, 0}, make([]byte, 20), 42, 49); ok {
		t.Error("a secret of no suite's hash size opened a record")
	}
}

func TestKeyLogTeePassesLinesOn(t *testing.T) {
	run := NewClientAuthRun(ClientAuth{}, nil, nil)
	var sink strings.Builder
	cfg := &tls.Config{KeyLogWriter: &sink}
	run.Configure(cfg)
	line := "SERVER_TRAFFIC_SECRET_0 00ff 0a0b0c\n"
	if _, err := cfg.KeyLogWriter.Write([]byte("CLIENT_RANDOM 00 11\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.KeyLogWriter.Write([]byte(line)); err != nil {
		t.Fatal(err)
	}
	if sink.String() != "CLIENT_RANDOM 00 11\n"+line {
		t.Errorf("key log passed on %q", sink.String())
	}
	if string(run.secret) != "\x0a\x0b\x0c" {
		t.Errorf("secret %x, want 0a0b0c", run.secret)
	}
	if cfg.ClientAuth != tls.RequestClientCert || !cfg.SessionTicketsDisabled || cfg.VerifyConnection == nil {
		t.Errorf("Configure left ClientAuth %v, tickets disabled %v, VerifyConnection set %v",
			cfg.ClientAuth, cfg.SessionTicketsDisabled, cfg.VerifyConnection != nil)
	}
	var noNext keyLogTee
	noNext.run = run
	if n, err := noNext.Write([]byte(line)); n != len(line) || err != nil {
		t.Errorf("a tee without a next writer wrote %d, %v", n, err)
	}
}
