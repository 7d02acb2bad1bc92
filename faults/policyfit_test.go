package faults

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// TestChangedAgreesWithCryptoTLS runs each client against a real
// crypto/tls server twice on loopback, with the listener's own profile
// and with a version or cipher policy on top, and checks that
// TLSPolicy.Changed, given the client's hello and the policy run's
// result, says the policy changed the outcome exactly when the two runs
// ended differently. A client that meets the policy (TLS 1.3 under a
// floor of 1.3) must not count as refused: the rule did nothing there.
// It also pins Changed's copy of crypto/tls's preference orders: a Go
// release that changes them fails here.
func TestChangedAgreesWithCryptoTLS(t *testing.T) {
	ecCert := newTestCA(t, "ec").leaf(t, "lab.test", x509.ExtKeyUsageServerAuth)
	rsaCert := rsaLeaf(t)
	policies := []struct {
		name string
		pol  TLSPolicy
	}{
		{"min 1.3", TLSPolicy{MinVersion: tls.VersionTLS13}},
		{"max 1.2", TLSPolicy{MaxVersion: tls.VersionTLS12}},
		{"min 1.0", TLSPolicy{MinVersion: tls.VersionTLS10}},
		{"TLS 1.0 only", TLSPolicy{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}},
		{"AES-256-GCM only", TLSPolicy{MaxVersion: tls.VersionTLS12, Ciphers: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}}},
		{"CBC only", TLSPolicy{MaxVersion: tls.VersionTLS12, Ciphers: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}}},
		{"P-384 only", TLSPolicy{Groups: []tls.CurveID{tls.CurveP384}}},
		{"X25519 only", TLSPolicy{Groups: []tls.CurveID{tls.X25519}}},
	}
	clients := []struct {
		name string
		cfg  *tls.Config
	}{
		{"default", &tls.Config{}},
		{"TLS 1.2", &tls.Config{MaxVersion: tls.VersionTLS12}},
		{"TLS 1.3 only", &tls.Config{MinVersion: tls.VersionTLS13}},
		{"TLS 1.0-1.1", &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}},
		{"ChaCha20 first", &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}}},
		{"AES-256-GCM only", &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}}},
		{"P-384", &tls.Config{CurvePreferences: []tls.CurveID{tls.CurveP384}}},
		{"P-256 then X25519", &tls.Config{CurvePreferences: []tls.CurveID{tls.CurveP256, tls.X25519}}},
		{"P-256 then X25519 at 1.2", &tls.Config{MaxVersion: tls.VersionTLS12, CurvePreferences: []tls.CurveID{tls.CurveP256, tls.X25519}}},
	}
	for _, cert := range []struct {
		name string
		c    tls.Certificate
	}{{"ECDSA", ecCert}, {"RSA", rsaCert}} {
		base := &tls.Config{Certificates: []tls.Certificate{cert.c}}
		for _, p := range policies {
			for _, c := range clients {
				name := fmt.Sprintf("%s/%s/%s", cert.name, p.name, c.name)
				without, _ := handshakeWith(t, base, c.cfg)
				with, hello := handshakeWith(t, p.pol.Configure(base), c.cfg)
				h, err := sniff.ParseClientHello(hello)
				if err != nil {
					t.Fatalf("%s: the client's hello: %v", name, err)
				}
				want := with != without
				if got := p.pol.Changed(base, h, with); got != want {
					t.Errorf("%s: Changed %v, want %v (with the policy %+v, without %+v)", name, got, want, with, without)
				}
			}
		}
	}
}

// handshakeWith runs one handshake on loopback between a Go server with
// srv and a Go client with cli, and returns what the server negotiated
// (zero when it failed) and the bytes of the client's first flight.
func handshakeWith(t *testing.T, srv, cli *tls.Config) (Handshake, []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var got Handshake
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(30 * time.Second))
		s := tls.Server(c, srv)
		if s.Handshake() == nil {
			st := s.ConnectionState()
			got = Handshake{Version: st.Version, CipherSuite: st.CipherSuite, Group: st.CurveID}
		}
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_ = raw.SetDeadline(time.Now().Add(30 * time.Second))
	rec := &firstFlight{Conn: raw}
	cfg := cli.Clone()
	cfg.InsecureSkipVerify = true
	c := tls.Client(rec, cfg)
	_ = c.Handshake()
	_ = c.Close()
	wg.Wait()
	return got, rec.sent
}

// firstFlight records what a client writes before it first reads.
type firstFlight struct {
	net.Conn
	sent []byte
	read bool
}

func (f *firstFlight) Write(b []byte) (int, error) {
	if !f.read {
		f.sent = append(f.sent, b...)
	}
	return f.Conn.Write(b)
}

func (f *firstFlight) Read(b []byte) (int, error) {
	f.read = true
	return f.Conn.Read(b)
}

// rsaLeaf is a self-signed RSA server certificate for lab.test: an RSA
// certificate takes the ECDHE_RSA suites, an ECDSA one the ECDHE_ECDSA.
func rsaLeaf(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "lab.test"}, DNSNames: []string{"lab.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestLimitedHandshake: a version or cipher rule keeps its firing at
// Settle only when the listener said it changed the handshake
// (LimitedHandshake), and then only a rule that shaped the policy: a
// second floor behind the first set nothing. Dropped, a rule gives back
// its fire count; the other rules stay.
func TestLimitedHandshake(t *testing.T) {
	for _, limited := range []bool{false, true} {
		e := NewEngine(nil)
		if err := e.Set([]Rule{
			{Name: "floor", Action: ActVersion, MinVersion: VersionTLS13},
			{Name: "floor2", Action: ActVersion, MinVersion: VersionTLS13},
			{Name: "slow", Action: ActLatency, Latency: Duration(time.Millisecond), Stage: StageResponse},
		}); err != nil {
			t.Fatal(err)
		}
		hello := &sniff.ClientHello{LegacyVersion: 0x0303}
		p := e.Plan(ConnInfo{Listener: "l", Index: 1, Hello: hello, Decrypted: true})
		if got := p.Names(); !slices.Equal(got, []string{"floor", "floor2", "slow"}) {
			t.Fatalf("planned %v", got)
		}
		want := []string{"slow"}
		if limited {
			p.Merge(nil).LimitedHandshake() // any plan made from it says so
			want = []string{"floor", "slow"}
		}
		if got := p.Settle().Names(); !slices.Equal(got, want) {
			t.Errorf("limited %v: settled %v, want %v", limited, got, want)
		}
		for _, st := range e.List() {
			if wantFires := int64(btoi(slices.Contains(want, st.Rule.Name))); st.Fires != wantFires {
				t.Errorf("limited %v: %s has %d fires, want %d", limited, st.Rule.Name, st.Fires, wantFires)
			}
		}
	}
	var nilPlan *Plan
	nilPlan.LimitedHandshake()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestChangedByAFailedHandshake: a handshake that failed was the policy's
// doing when the server, under it, picked another version than the
// listener alone would have, even where the client refused only later:
// curl offers TLS 1.0 to 1.3, is pushed to 1.0 by the lab's
// server-tls10-only rule, and then refuses the SHA-1 signature 1.0 needs
// (that used to count as nothing fired). A failure under the very choices
// the listener makes anyway, or of a hello both refuse, was not.
func TestChangedByAFailedHandshake(t *testing.T) {
	modern := &sniff.ClientHello{LegacyVersion: tls.VersionTLS12,
		SupportedVersions: []uint16{0x0a0a, tls.VersionTLS13, tls.VersionTLS12, tls.VersionTLS11, tls.VersionTLS10},
		CipherSuites:      []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA},
		SupportedGroups:   []uint16{uint16(tls.X25519), uint16(tls.CurveP256)}, KeyShareGroups: []uint16{uint16(tls.X25519)}}
	old := &sniff.ClientHello{LegacyVersion: tls.VersionTLS11, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA},
		SupportedGroups: []uint16{uint16(tls.CurveP256)}}
	for _, tt := range []struct {
		name  string
		pol   TLSPolicy
		hello *sniff.ClientHello
		want  bool
	}{
		{"pushed to TLS 1.0", TLSPolicy{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}, modern, true},
		{"TLS 1.3 as without the floor", TLSPolicy{MinVersion: tls.VersionTLS13}, modern, false},
		{"a TLS 1.1 client both refuse", TLSPolicy{MinVersion: tls.VersionTLS13}, old, false},
		{"no shared group", TLSPolicy{Groups: []tls.CurveID{tls.CurveP384}}, modern, true},
		{"the group it would pick anyway", TLSPolicy{Groups: []tls.CurveID{tls.X25519}}, modern, false},
	} {
		if got := tt.pol.Changed(&tls.Config{}, tt.hello, Handshake{}); got != tt.want {
			t.Errorf("%s: Changed %v, want %v", tt.name, got, tt.want)
		}
	}
}
