package faults

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// selfSignedCert is a throwaway P-256 leaf for lab.test.
func selfSignedCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lab.test"}, DNSNames: []string{"lab.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// corruptRun is what each end of a TLS exchange through a record_corrupt
// wrapper saw: the client's handshake, the request as the server read it,
// the response as the client read it.
type corruptRun struct {
	clientHS, serverHS, serverRead, clientRead error
	request, response                          []byte
	wrapped                                    net.Conn
}

// runCorrupt serves TLS over a real loopback socket with the rule wrapped
// around the server's raw conn, as the listener does, and runs one
// request and response. Deadlines only bound a broken run.
func runCorrupt(t *testing.T, r Rule, srvCfg, cliCfg *tls.Config) corruptRun {
	t.Helper()
	srv, cli := loopbackPair(t)
	e := NewEngine(nil)
	if err := e.Add(r); err != nil {
		t.Fatal(err)
	}
	p := e.Plan(ConnInfo{Listener: "l", Index: 1, Hello: testHello(), Decrypted: true})
	if p.Empty() {
		t.Fatal("rule did not fire")
	}
	if late := p.Wrappers(StageHandshakeDone, StageRequest, StageResponse, StageIdle); len(late) > 0 {
		t.Fatalf("record rule offered above TLS: %v", late)
	}
	var run corruptRun
	run.wrapped = Wrap(srv, p.Wrappers(StageClientHello, StageServerFlight), FacingClient, WrapDeps{Index: 1})
	deadline := time.Now().Add(10 * time.Second)
	_ = run.wrapped.SetDeadline(deadline)
	_ = cli.SetDeadline(deadline)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tc := tls.Server(run.wrapped, srvCfg)
		if run.serverHS = tc.Handshake(); run.serverHS != nil {
			_ = tc.Close()
			return
		}
		buf := make([]byte, 5)
		_, run.serverRead = io.ReadFull(tc, buf)
		run.request = buf
		if run.serverRead == nil {
			_, _ = tc.Write([]byte("pong\n"))
		}
		_ = tc.Close()
	}()
	tc := tls.Client(cli, cliCfg)
	if run.clientHS = tc.Handshake(); run.clientHS == nil {
		_, _ = tc.Write([]byte("ping\n"))
		run.response, run.clientRead = io.ReadAll(tc)
	}
	_ = tc.Close()
	<-done
	if got := p.Settle(run.wrapped).Names(); run.clientHS == nil && !slices.Equal(got, []string{r.Name}) {
		t.Errorf("settled firings %v, want [%s]", got, r.Name)
	}
	return run
}

// TestRecordCorruptTLS: through a real Go TLS session on loopback, the
// rule leaves the whole handshake alone (TLS 1.3 encrypts it in the same
// record type as the data), then flips a bit in the first record of its
// direction, and the endpoint that decrypts it reports bad record MAC.
func TestRecordCorruptTLS(t *testing.T) {
	cert, pool := selfSignedCert(t)
	tests := []struct {
		name    string
		dir     Direction
		max     uint16
		srvMod  func(*tls.Config)
		cliMod  func(*tls.Config)
		at      Stage
		srvErr  string // what the server's read of the request gets; "" ok
		cliErr  string // what the client's read of the response gets
		srvSees bool   // the request reached the server intact
	}{
		{name: "s2c tls13", dir: S2C, max: tls.VersionTLS13, at: StageResponse, srvSees: true, cliErr: "local error: tls: bad record MAC"},
		{name: "s2c tls12", dir: S2C, max: tls.VersionTLS12, at: StageResponse, srvSees: true, cliErr: "local error: tls: bad record MAC"},
		{name: "c2s tls13", dir: C2S, max: tls.VersionTLS13, at: StageRequest, srvErr: "local error: tls: bad record MAC", cliErr: "remote error: tls: bad record MAC"},
		{name: "c2s tls12", dir: C2S, max: tls.VersionTLS12, at: StageRequest, srvErr: "local error: tls: bad record MAC", cliErr: "remote error: tls: bad record MAC"},
		// Both ways: the client's request is the first record after
		// the handshake, so it takes the flip.
		{name: "both tls13", dir: Both, max: tls.VersionTLS13, at: StageRequest, srvErr: "local error: tls: bad record MAC", cliErr: "remote error: tls: bad record MAC"},
		// A HelloRetryRequest adds a second ClientHello and ServerHello
		// before the encrypted records; the version still reads.
		{name: "s2c after hello retry", dir: S2C, max: tls.VersionTLS13, at: StageResponse, srvSees: true, cliErr: "local error: tls: bad record MAC",
			srvMod: func(c *tls.Config) { c.CurvePreferences = []tls.CurveID{tls.CurveP384} },
			cliMod: func(c *tls.Config) { c.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP384} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srvCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tt.max}
			cliCfg := &tls.Config{RootCAs: pool, ServerName: "lab.test"}
			if tt.srvMod != nil {
				tt.srvMod(srvCfg)
			}
			if tt.cliMod != nil {
				tt.cliMod(cliCfg)
			}
			run := runCorrupt(t, Rule{Name: "flip", Action: ActRecordCorrupt, Direction: tt.dir}, srvCfg, cliCfg)
			if run.clientHS != nil || run.serverHS != nil {
				t.Fatalf("handshake: client %v, server %v; the rule must leave the handshake alone (TLS 1.3's Finished is a type 23 record too)", run.clientHS, run.serverHS)
			}
			if tt.srvSees && (run.serverRead != nil || string(run.request) != "ping\n") {
				t.Errorf("server read %q, %v; want the request intact", run.request, run.serverRead)
			}
			if tt.srvErr != "" && (run.serverRead == nil || !strings.Contains(run.serverRead.Error(), tt.srvErr)) {
				t.Errorf("server read %v, want %q", run.serverRead, tt.srvErr)
			}
			if run.clientRead == nil || !strings.Contains(run.clientRead.Error(), tt.cliErr) {
				t.Errorf("client read %q, %v; want %q", run.response, run.clientRead, tt.cliErr)
			}
			in, ok := Ended(run.wrapped)
			if !ok || in.Rule == nil || in.Rule.Name != "flip" || in.At != tt.at || in.Cut || in.Alert != 0 {
				t.Errorf("Ended = %+v, %v; want rule flip at %s", in, ok, tt.at)
			}
		})
	}
}

// TestRecordCorruptOtherDirectionIntact: a rule for one direction only
// watches the other, and a connection it never flipped in works.
func TestRecordCorruptOtherDirectionIntact(t *testing.T) {
	cert, pool := selfSignedCert(t)
	srvCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	cliCfg := &tls.Config{RootCAs: pool, ServerName: "lab.test"}
	// The server speaks first after the handshake here, so its record is
	// the one a c2s rule must leave alone; it never sees a client record.
	srv, cli := loopbackPair(t)
	r := rule(t, Rule{Name: "flip", Action: ActRecordCorrupt, Direction: C2S})
	w := Wrap(srv, []*Rule{r}, FacingClient, WrapDeps{Index: 1})
	deadline := time.Now().Add(10 * time.Second)
	_ = w.SetDeadline(deadline)
	_ = cli.SetDeadline(deadline)
	go func() {
		tc := tls.Server(w, srvCfg)
		_, _ = tc.Write([]byte("banner\n"))
		_ = tc.Close()
	}()
	tc := tls.Client(cli, cliCfg)
	got, err := io.ReadAll(tc)
	if err != nil || string(got) != "banner\n" {
		t.Errorf("client read %q, %v; want the server's record intact", got, err)
	}
	if in, ok := Ended(w); ok {
		t.Errorf("Ended = %+v: nothing was flipped", in)
	}
}

// TestRecordCorruptNotTLS: bytes that are not TLS records pass untouched,
// and the rule never counts as having acted.
func TestRecordCorruptNotTLS(t *testing.T) {
	e := NewEngine(nil)
	if err := e.Add(Rule{Name: "flip", Action: ActRecordCorrupt}); err != nil {
		t.Fatal(err)
	}
	p := e.Plan(ConnInfo{Listener: "l", Index: 1, Hello: testHello()})
	m := newMemConn()
	w := Wrap(m, p.Wrappers(StageClientHello), FacingClient, newFakeClock().deps())
	reply := "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n" + string([]byte{23, 3, 3, 0, 4, 1, 2, 3, 4})
	if _, err := w.Write([]byte(reply)); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	if got := m.Bytes(); !bytes.Equal(got, []byte(reply)) {
		t.Errorf("sent %q, want it untouched", got)
	}
	if got := p.Settle(w).Names(); len(got) != 0 {
		t.Errorf("settled %v, want nothing: the rule never acted", got)
	}
}

// TestRecordCorruptPlannedForTLSOnly: the rule needs TLS records; it
// fires on TLS passed through as on TLS terminated, never on plaintext.
func TestRecordCorruptPlannedForTLSOnly(t *testing.T) {
	e := NewEngine(nil)
	if err := e.Add(Rule{Name: "flip", Action: ActRecordCorrupt}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		ci   ConnInfo
		want bool
	}{
		{"terminated", ConnInfo{Hello: testHello(), Decrypted: true}, true},
		{"passed through", ConnInfo{Hello: testHello()}, true},
		{"plain http", ConnInfo{Plain: true}, false},
		{"unparsed hello", ConnInfo{}, false},
	} {
		tt.ci.Listener, tt.ci.Index = "l", 1
		if got := !e.Plan(tt.ci).Empty(); got != tt.want {
			t.Errorf("%s: fired %v, want %v", tt.name, got, tt.want)
		}
	}
}

// testHello is a parsed TLS 1.3 ClientHello: what a rule that needs TLS
// records is planned with.
func testHello() *sniff.ClientHello {
	return &sniff.ClientHello{ServerName: "lab.test", LegacyVersion: 0x0303, SupportedVersions: []uint16{0x0304, 0x0303},
		CipherSuites: []uint16{0x1301}}
}
