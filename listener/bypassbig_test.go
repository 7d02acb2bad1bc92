package listener

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestBypassBeyondParseCap: an inspect listener's bypass acts on a
// ClientHello beyond sniff's 16 KiB cap as on a small one. An address
// entry needs no hello and splices the connection before any handshake;
// an SNI glob is matched on the SNI crypto/tls read, and the bytes it had
// read are relayed unchanged, so the client still reaches the real server
// and verifies its certificate. Both used to be decrypted with a lab-CA
// leaf. A large hello that matches no entry is still decrypted.
func TestBypassBeyondParseCap(t *testing.T) {
	sca := newTestServerCA(t)
	realServer := realHTTPS(t, sca.leaf(t, "bank.lab.test", "other.test"))
	realRoots := x509.NewCertPool()
	realRoots.AddCert(sca.cert)
	big := bigALPN()
	tests := []struct {
		name   string
		bypass []string
		sni    string
		// want is the route and what the bypass reason must hold; an
		// empty reason means the connection is decrypted.
		route, reason string
	}{
		{"client cidr", []string{"*.nomatch.example", "127.0.0.0/8"}, "bank.lab.test", "bypass", "client 127.0.0.1 is in bypass 127.0.0.0/8"},
		{"client ip", []string{"127.0.0.1"}, "other.test", "bypass", "address 127.0.0.1 is in bypass"},
		{"sni glob", []string{"10.9.9.0/24", "*.lab.test"}, "bank.lab.test", "bypass", "SNI bank.lab.test matches bypass *.lab.test"},
		{"no match", []string{"10.9.9.0/24", "*.lab.test"}, "other.test", "terminate", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := startListener(t, Options{Mode: Inspect, Backend: realServer, Bypass: tc.bypass,
				ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}}, nil)
			roots := realRoots
			if tc.reason == "" {
				roots = h.srv.deps.Minter.CA().Pool()
			}
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", h.addr,
				&tls.Config{ServerName: tc.sni, RootCAs: roots, NextProtos: big})
			if err != nil {
				t.Fatalf("handshake: %v (bypassed: want the real server's certificate, else the lab CA's)", err)
			}
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.WriteString(c, "GET /big HTTP/1.1\r\nHost: "+tc.sni+"\r\nConnection: close\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(c)
			if err != nil || !strings.Contains(string(got), "real server saw GET /big") {
				t.Fatalf("answer %q, %v: want the real server's", got, err)
			}
			issuer := c.ConnectionState().PeerCertificates[0].Issuer.CommonName
			_ = c.Close()
			r := h.next()
			if !r.o.HelloTooLarge {
				t.Fatalf("hello not beyond the parse cap (%q): the test proves nothing", r.o.HelloErr)
			}
			if r.o.Route != tc.route || !strings.Contains(r.o.Bypass, tc.reason) {
				t.Errorf("route %q, bypass %q (issuer %q); want %q with %q", r.o.Route, r.o.Bypass, issuer, tc.route, tc.reason)
			}
			if r.d.Code != explain.CodeOK {
				t.Errorf("code %s (%s), want ok", r.d.Code, r.d.Summary)
			}
			if tc.reason == "" {
				return
			}
			if issuer != "real server CA" {
				t.Errorf("client saw a certificate issued by %q, want the real server's", issuer)
			}
			if r.o.ClientTLS.Attempted || r.o.Backend.TLS.Attempted {
				t.Errorf("a bypassed connection ran a handshake of tlsgate's: client leg %v, server leg %v", r.o.ClientTLS.Attempted, r.o.Backend.TLS.Attempted)
			}
			if !strings.Contains(r.d.Summary, "bypassed (not decrypted)") || !strings.Contains(r.d.Summary, tc.reason) {
				t.Errorf("summary %q: want the bypass and its reason", r.d.Summary)
			}
			if strings.HasPrefix(tc.reason, "SNI") {
				if !strings.Contains(r.o.Bypass, "parse cap") || !strings.Contains(r.o.Bypass, "relayed unchanged") {
					t.Errorf("bypass %q: want it to say the hello was beyond the parse cap and its bytes relayed unchanged", r.o.Bypass)
				}
				if sni := explain.ClientSNI(r.o); sni != tc.sni {
					t.Errorf("SNI %q in the log, want %q", sni, tc.sni)
				}
				if w := strings.Join(r.d.Warnings, "\n"); strings.Contains(w, "routing by name") {
					t.Errorf("warnings %q: the bypass did route by name", w)
				}
			}
		})
	}
}

// TestBypassBeyondParseCapFaults: a connection is planned as decrypted
// when its hello is beyond sniff's cap, before crypto/tls reads the SNI a
// bypass glob then matches. The rules that need tlsgate's handshake or the
// decrypted stream (a bad chain, client_auth, a block page at request)
// never act on bytes relayed untouched, and must be neither logged nor
// counted as fired; a response-stage latency acts on the relayed stream
// as on any passed-through TLS, and stays.
func TestBypassBeyondParseCapFaults(t *testing.T) {
	sca := newTestServerCA(t)
	realServer := realHTTPS(t, sca.leaf(t, "bank.lab.test"))
	realRoots := x509.NewCertPool()
	realRoots.AddCert(sca.cert)
	big := bigALPN()
	e := faults.NewEngine(nil)
	for _, r := range []faults.Rule{
		{Name: "bad-chain", Action: faults.ActChain, Chain: "self_signed"},
		{Name: "mtls", Action: faults.ActClientAuth},
		{Name: "blocked", Action: faults.ActBlockPage},
		{Name: "slow", Action: faults.ActLatency, Stage: faults.StageResponse, Latency: faults.Duration(time.Millisecond)},
	} {
		if err := e.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	h := startListenerDeps(t, Options{Mode: Inspect, Backend: realServer, Bypass: []string{"*.lab.test"},
		ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}}, func(d *Deps) { d.Faults = e })
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", h.addr,
		&tls.Config{ServerName: "bank.lab.test", RootCAs: realRoots, NextProtos: big})
	if err != nil {
		t.Fatalf("handshake: %v (bypassed: want the real server's certificate)", err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET /big HTTP/1.1\r\nHost: bank.lab.test\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	_ = c.Close()
	if err != nil || !strings.Contains(string(got), "real server saw GET /big") {
		t.Fatalf("answer %q, %v: want the real server's, untouched", got, err)
	}
	r := h.next()
	if !r.o.HelloTooLarge || r.o.Route != "bypass" {
		t.Fatalf("hello too large %v, route %q: the test proves nothing", r.o.HelloTooLarge, r.o.Route)
	}
	if !slices.Equal(r.o.Faults, []string{"slow"}) {
		t.Errorf("faults logged as fired %q, want only slow: the others never acted on the relayed bytes", r.o.Faults)
	}
	for _, f := range r.o.FaultFirings {
		if f.Rule != "slow" {
			t.Errorf("firing of %s (%s at %s) logged on a bypassed connection", f.Rule, f.Action, f.Stage)
		}
	}
	if r.d.Code != explain.CodeOK {
		t.Errorf("code %s (%s), want ok", r.d.Code, r.d.Summary)
	}
	for _, st := range e.List() {
		want := int64(0)
		if st.Rule.Name == "slow" {
			want = 1
		}
		if st.Fires != want {
			t.Errorf("rule %s counted %d fires, want %d", st.Rule.Name, st.Fires, want)
		}
		if st.LastFire.IsZero() != (want == 0) {
			t.Errorf("rule %s last fired %v, want a time only for slow", st.Rule.Name, st.LastFire)
		}
	}
}
