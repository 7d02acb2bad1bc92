package listener

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// testServerCA is a throwaway CA for the "real" servers behind inspect mode.
type testServerCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string // PEM file of cert
}

func newTestServerCA(t *testing.T) *testServerCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "real server CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	file := filepath.Join(t.TempDir(), "server-ca.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return &testServerCA{cert: cert, key: key, file: file}
}

func (ca *testServerCA) leaf(t *testing.T, names ...string) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0], Organization: []string{"Real Org"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// realHTTPS starts an HTTPS server (the "real" destination) speaking h2 and
// HTTP/1.1.
func realHTTPS(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "real server saw %s %s over %s", r.Method, r.URL.Path, r.Proto)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

func TestInspectBothLegsAndHTTP(t *testing.T) {
	sca := newTestServerCA(t)
	backend := realHTTPS(t, sca.leaf(t, "www.lab.test", "lab.test"))
	keylog := filepath.Join(t.TempDir(), "keys.log")
	h := startListener(t, Options{Mode: Inspect, Backend: backend, MimicUpstream: true, KeyLog: keylog,
		ClientSSL: &ClientSSL{}, ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}}, nil)
	pool := h.srv.deps.Minter.CA().Pool()

	for _, proto := range []string{"http/1.1", "h2"} {
		t.Run(proto, func(t *testing.T) {
			tr := &http.Transport{
				TLSClientConfig:   &tls.Config{RootCAs: pool, ServerName: "lab.test", NextProtos: []string{proto}},
				ForceAttemptHTTP2: proto == "h2",
				DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					return (&net.Dialer{}).DialContext(ctx, "tcp", h.addr)
				},
			}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			for _, p := range []string{"/one", "/two"} {
				resp, err := client.Get("https://lab.test" + p)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if !strings.Contains(string(body), "real server saw GET "+p) {
					t.Fatalf("body %q", body)
				}
				if resp.TLS.PeerCertificates[0].Subject.CommonName != "www.lab.test" {
					t.Errorf("client saw CN %q, want the real server's copied", resp.TLS.PeerCertificates[0].Subject.CommonName)
				}
				wantProto := map[string]int{"http/1.1": 1, "h2": 2}[proto]
				if resp.ProtoMajor != wantProto {
					t.Errorf("client got HTTP/%d, want %d", resp.ProtoMajor, wantProto)
				}
			}
			tr.CloseIdleConnections()
			r := h.next()
			if r.d.Code != explain.CodeOK || r.o.Route != "inspect" {
				t.Fatalf("code %s route %s: %s (client err %q, backend %q)", r.d.Code, r.o.Route, r.d.Summary, r.o.ClientTLS.Err, r.o.Backend.TLS.Err)
			}
			if !r.o.ClientTLS.Done || !r.o.Backend.TLS.Done || r.o.Backend.TLS.VerifySkipped || !r.o.Mimicked {
				t.Errorf("legs: client %+v backend %+v", r.o.ClientTLS, r.o.Backend.TLS)
			}
			if r.o.ClientTLS.ALPN != proto || r.o.Backend.TLS.ALPN != proto {
				t.Errorf("ALPN client %q server %q, want %q on both", r.o.ClientTLS.ALPN, r.o.Backend.TLS.ALPN, proto)
			}
			if len(r.o.Backend.TLS.PeerCert) == 0 || !strings.Contains(r.o.Backend.TLS.PeerCert[0], "www.lab.test") {
				t.Errorf("server chain summary %q", r.o.Backend.TLS.PeerCert)
			}
			if proto == "http/1.1" {
				if len(r.o.HTTP1) != 2 || r.o.HTTP1[0].Target != "/one" || r.o.HTTP1[1].Status != 200 || r.o.HTTP1[0].Host != "lab.test" {
					t.Errorf("HTTP exchanges %+v", r.o.HTTP1)
				}
			} else if len(r.o.HTTP1) != 0 {
				t.Errorf("h2 stream parsed as HTTP/1: %+v", r.o.HTTP1)
			}
		})
	}
	data, err := os.ReadFile(keylog)
	if err != nil {
		t.Fatal(err)
	}
	// TLS 1.3 on both legs of two connections: each handshake writes its
	// traffic secrets.
	if n := strings.Count(string(data), "CLIENT_TRAFFIC_SECRET_0"); n < 4 {
		t.Errorf("key log has %d CLIENT_TRAFFIC_SECRET_0 lines, want both legs of 2 connections:\n%s", n, data)
	}
}

func TestInspectUpstreamVerifyFailure(t *testing.T) {
	sca := newTestServerCA(t)
	other := newTestServerCA(t) // the listener trusts a different CA
	backend := realHTTPS(t, sca.leaf(t, "lab.test"))
	h := startListener(t, Options{Mode: Inspect, Backend: backend, ClientSSL: &ClientSSL{},
		ServerSSL: &ServerSSL{CAFile: other.file, Verify: true}}, nil)
	c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool()})
	if err == nil {
		c.Close()
		t.Fatal("client handshake succeeded although the real server failed verification")
	}
	r := h.next()
	if r.d.Code != explain.CodeBackendTLSVerify {
		t.Fatalf("code %s: %s", r.d.Code, r.d.Summary)
	}
	if !strings.Contains(r.o.Backend.TLS.Verify, "unknown authority") {
		t.Errorf("verify reason %q", r.o.Backend.TLS.Verify)
	}
}

// TestInspectCipherKeyMismatch: inspect mode's client leg serves an ECDSA
// leaf too, so RSA-only suites fail there on the key type, and the
// diagnosis says so rather than that no offered suite was listed.
func TestInspectCipherKeyMismatch(t *testing.T) {
	sca := newTestServerCA(t)
	backend := realHTTPS(t, sca.leaf(t, "lab.test"))
	rsaOnly := []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
	h := startListener(t, Options{Mode: Inspect, Backend: backend,
		ClientSSL: &ClientSSL{MaxVersion: tls.VersionTLS12, Ciphers: rsaOnly},
		ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}}, nil)
	c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool(),
		MaxVersion: tls.VersionTLS12, CipherSuites: rsaOnly})
	if err == nil {
		c.Close()
		t.Fatal("handshake succeeded with only RSA suites against an ECDSA leaf")
	}
	r := h.next()
	if want := "need an RSA certificate and the listener serves an ECDSA one"; r.d.Code != explain.CodeNoSharedCipher ||
		!strings.Contains(r.d.Summary, want) {
		t.Fatalf("code %s summary %q, want no_shared_cipher saying %q", r.d.Code, r.d.Summary, want)
	}
}

// TestInspectNoSNINames: a client that dials the listener's IP sends no
// SNI. The server leg is then verified for the backend's host, and the
// leaf is minted for the address the client dialled; the diagnosis names
// both instead of "(none)" and "<name on the certificate>", and its
// openssl command sends no SNI either.
func TestInspectNoSNINames(t *testing.T) {
	sca := newTestServerCA(t)
	backend := realHTTPS(t, sca.leaf(t, "127.0.0.1"))
	h := startListener(t, Options{Mode: Inspect, Backend: backend, ClientSSL: &ClientSSL{},
		ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}}, nil)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: h.srv.deps.Minter.CA().Pool()}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get("https://" + h.addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	tr.CloseIdleConnections()
	r := h.next()
	if r.d.Code != explain.CodeOK || r.o.Route != "inspect" || r.o.Hello.ServerName != "" {
		t.Fatalf("code %s route %s sni %q: %s", r.d.Code, r.o.Route, r.o.Hello.ServerName, r.d.Summary)
	}
	if r.o.Backend.TLS.VerifyName != "127.0.0.1" || r.o.LeafName != "127.0.0.1" {
		t.Errorf("verify name %q, leaf name %q, want 127.0.0.1 for both", r.o.Backend.TLS.VerifyName, r.o.LeafName)
	}
	want := "verified the real server " + backend + "'s certificate for 127.0.0.1, then terminated the client with a lab-CA leaf for 127.0.0.1"
	if !strings.Contains(r.d.Cause, want) {
		t.Errorf("cause %q, want it to say %q", r.d.Cause, want)
	}
	if cmd := "`openssl s_client -connect " + backend + " </dev/null`"; !strings.Contains(strings.Join(r.d.Checks, "\n"), cmd) {
		t.Errorf("checks %q, want %s", r.d.Checks, cmd)
	}
	if !strings.HasPrefix(r.d.ClientSaw, "A working connection to 127.0.0.1 ") {
		t.Errorf("client saw %q", r.d.ClientSaw)
	}
}

// TestInspectBackendALPNRefused: the client offers only h2, tlsgate
// forwards that list, and a real server that speaks only http/1.1
// answers with alert 120. The diagnosis names ALPN, not versions.
func TestInspectBackendALPNRefused(t *testing.T) {
	sca := newTestServerCA(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{sca.leaf(t, "lab.test")},
		NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	backend := serveEach(t, ln, func(c net.Conn) { _ = c.(*tls.Conn).Handshake() })
	h := startListener(t, Options{Mode: Inspect, Backend: backend, ClientSSL: &ClientSSL{},
		ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}}, nil)
	c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool(),
		NextProtos: []string{"h2"}})
	if err == nil {
		c.Close()
		t.Fatal("client handshake succeeded although the real server refused its ALPN list")
	}
	r := h.next()
	if r.d.Code != explain.CodeBackendTLSFailed || r.o.Backend.TLS.AlertRecv != 120 {
		t.Fatalf("code %s alert %d: %s", r.d.Code, r.o.Backend.TLS.AlertRecv, r.d.Summary)
	}
	if got := r.o.Backend.TLS.ALPNOffered; len(got) != 1 || got[0] != "h2" {
		t.Errorf("ALPN offered upstream %q, want [h2]", got)
	}
	if !strings.Contains(r.d.Cause, "ALPN") || !strings.Contains(r.d.Cause, "the client offered h2") ||
		strings.Contains(r.d.Cause, "version, ciphers") {
		t.Errorf("cause %q, want the ALPN explanation", r.d.Cause)
	}
}

func TestInspectBypassSplices(t *testing.T) {
	sca := newTestServerCA(t)
	backend := realHTTPS(t, sca.leaf(t, "bank.lab.test"))
	h := startListener(t, Options{Mode: Inspect, Backend: backend, ClientSSL: &ClientSSL{},
		Bypass: []string{"*.lab.test"}}, nil)
	roots := x509.NewCertPool()
	roots.AddCert(sca.cert)
	c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "bank.lab.test", RootCAs: roots})
	if err != nil {
		t.Fatalf("bypassed connection should reach the real server untouched: %v", err)
	}
	c.Close()
	r := h.next()
	if r.o.Route != "bypass" || !strings.Contains(r.o.Bypass, "*.lab.test") {
		t.Fatalf("route %s bypass %q", r.o.Route, r.o.Bypass)
	}
}

func TestTransparentDestination(t *testing.T) {
	sca := newTestServerCA(t)
	backend := realHTTPS(t, sca.leaf(t, "lab.test"))
	dst := netip.MustParseAddrPort(backend)
	cases := []struct {
		name      string
		mode      string
		lookup    func(net.Conn, string) (netip.AddrPort, error)
		wantRoute string
	}{
		{"redirected", TransparentRedirect, func(net.Conn, string) (netip.AddrPort, error) { return dst, nil }, "passthrough"},
		{"no conntrack entry", TransparentRedirect, func(net.Conn, string) (netip.AddrPort, error) {
			return netip.AddrPort{}, fmt.Errorf("transparent: no original destination")
		}, "no_original_dst"},
		{"loop", TransparentRedirect, func(c net.Conn, _ string) (netip.AddrPort, error) { return addrPort(c.LocalAddr()), nil }, "transparent_loop"},
		// TPROXY's original destination is the socket's local address, so
		// a client dialling the listener directly names the listener
		// itself: a loop, as README and the try= hint say (redirect's
		// lookup turns the same dial into no_original_dst instead).
		{"tproxy direct dial", TransparentTProxy, func(c net.Conn, _ string) (netip.AddrPort, error) { return addrPort(c.LocalAddr()), nil }, "transparent_loop"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := startListenerDeps(t, Options{Mode: Passthrough, Transparent: tc.mode}, func(d *Deps) { d.OriginalDst = tc.lookup })
			roots := x509.NewCertPool()
			roots.AddCert(sca.cert)
			c, err := tls.Dial("tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: roots})
			if err == nil {
				c.Close()
			}
			r := h.next()
			if r.o.Route != tc.wantRoute {
				t.Fatalf("route %q, want %q (diagnosis %s)", r.o.Route, tc.wantRoute, r.d.Code)
			}
			if tc.wantRoute == "passthrough" && (err != nil || r.o.OrigDst != dst) {
				t.Errorf("err %v orig dst %v", err, r.o.OrigDst)
			}
			// The doctor hint passes the bound address with --listen.
			if r.o.ListenerBind != h.addr {
				t.Errorf("listener bind %q, want the listening socket's %q", r.o.ListenerBind, h.addr)
			}
		})
	}
}
