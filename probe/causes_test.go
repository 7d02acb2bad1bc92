package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRunCauses covers the causes the lab catalog asks the probe to name
// that the other tables do not: client certificates, TLS 1.3-only, no
// shared cipher, a plaintext port, an SNI filter, a black hole that passes
// small answers, and what the HTTP layer answers.
func TestRunCauses(t *testing.T) {
	pki := newPKI(t)
	goodCfg := func() *tls.Config { return &tls.Config{Certificates: []tls.Certificate{pki.good()}} }
	cases := []probeCase{
		{
			name: "client certificate required, TLS 1.2",
			serve: func(t *testing.T) string {
				cfg := goodCfg()
				cfg.MaxVersion, cfg.ClientAuth, cfg.ClientCAs = tls.VersionTLS12, tls.RequireAndVerifyClientCert, pki.pool
				return tlsServer(t, cfg)
			},
			steps: map[int]want{
				3: {Fail, "client_cert_required", "requires a client certificate"},
				7: {Pass, "verified", ""},
			},
			skipped: []int{4, 5, 6, 8, 9, 10},
			final:   want{Fail, "client_cert_required", ""},
		},
		{
			name: "client certificate required, TLS 1.3 (refused after the handshake)",
			serve: func(t *testing.T) string {
				cfg := goodCfg()
				cfg.MinVersion, cfg.ClientAuth = tls.VersionTLS13, tls.RequireAnyClientCert
				return tlsServer(t, cfg)
			},
			// The alert comes after the handshake, and the probe waits
			// BannerWait for it: the default 250 ms is too short for the
			// server's answer on a loaded machine (the certificate then
			// reads as optional).
			banner:  stallTimeout,
			steps:   map[int]want{3: {Fail, "client_cert_required", "after the handshake: alert 116 certificate_required"}},
			skipped: []int{4, 10},
			final:   want{Fail, "client_cert_required", ""},
		},
		{
			name: "client certificate optional",
			serve: func(t *testing.T) string {
				cfg := goodCfg()
				cfg.ClientAuth = tls.RequestClientCert
				return tlsServer(t, cfg)
			},
			steps: map[int]want{3: {Pass, "tls", ""}, 10: {Pass, "http_ok", ""}},
			final: want{Pass, "ok", ""},
		},
		{
			name: "TLS 1.3 only",
			serve: func(t *testing.T) string {
				cfg := goodCfg()
				cfg.MinVersion = tls.VersionTLS13
				return tlsServer(t, cfg)
			},
			steps:   map[int]want{4: {Warn, "tls13_only", "clients capped at TLS 1.2 fail (TLS 1.2: alert 70 protocol_version)"}},
			skipped: []int{5},
			final:   want{Warn, "tls13_only", "accepts only TLS 1.3"},
		},
		{
			name: "no shared cipher: RSA suites with an ECDSA certificate",
			serve: func(t *testing.T) string {
				cfg := goodCfg()
				cfg.MaxVersion, cfg.CipherSuites = tls.VersionTLS12, []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}
				return tlsServer(t, cfg)
			},
			steps: map[int]want{
				3: {Fail, "alert_handshake_failure", ""},
				4: {Info, "inconclusive", ""},
				5: {Fail, "no_shared_cipher", ""},
				6: {Fail, "no_variant", ""},
			},
			final: want{Fail, "no_shared_cipher", ""},
		},
		{
			name:    "TLS sent to a plaintext HTTP port",
			serve:   func(t *testing.T) string { return startServer(t, plainPortServer) },
			steps:   map[int]want{3: {Fail, "plaintext_port", `a plain-text GET / gets "HTTP/1.1 200 OK"`}},
			skipped: []int{4, 7, 10},
			final:   want{Fail, "plaintext_port", ""},
		},
		{
			name:    "a middlebox intolerant of TLS 1.3 resets every hello that offers it",
			serve:   func(t *testing.T) string { return startServer(t, versionIntolerant(goodCfg())) },
			steps:   map[int]want{3: {Fail, "version_intolerance", "the same ClientHello capped at TLS 1.2 gets a ServerHello (TLS 1.2)"}},
			skipped: []int{4, 5, 6, 7, 8, 10},
			final:   want{Fail, "version_intolerance", ""},
		},
		{
			name:    "an SNI filter resets one name",
			serve:   func(t *testing.T) string { return startServer(t, sniFilter(goodCfg(), "lab.test")) },
			steps:   map[int]want{3: {Fail, "reset_after_hello", "it follows the name: a ClientHello with SNI " + bogusSNI + " gets a TLS answer"}},
			skipped: []int{4, 10},
			final:   want{Fail, "reset_after_hello", ""},
		},
		{
			name:    "a black hole for full-size packets: the full flight never comes, a HelloRetryRequest does",
			serve:   func(t *testing.T) string { return startServer(t, mtuBlackhole(goodCfg(), 536)) },
			timeout: stallTimeout,
			steps:   map[int]want{3: {Fail, codeFlightStall, "a hello answered in one small packet gets its"}},
			skipped: []int{4, 5, 6, 7, 8, 9, 10},
			final:   want{Fail, codeFlightStall, "PMTUD black hole"},
		},
		{
			name: "WAF block page after the handshake",
			serve: func(t *testing.T) string {
				return startServer(t, httpsHandler(goodCfg(), httpAnswer("403 Forbidden", "",
					"<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. Please consult with your administrator.<br><br>Your support ID is: 4790312465112094721</body></html>")))
			},
			steps: map[int]want{3: {Pass, "tls", ""}, 7: {Pass, "verified", ""}, 10: {Fail, "block_page", "support ID 4790312465112094721"}},
			final: want{Fail, "block_page", "F5 BIG-IP ASM"},
		},
		{
			name: "a proxy adds Via and strips HSTS",
			serve: func(t *testing.T) string {
				return startServer(t, httpsHandler(goodCfg(), httpAnswer("200 OK", "Via: 1.1 corp-proxy\r\n", "hello\n")))
			},
			steps: map[int]want{10: {Warn, "rewriting_proxy", "Via: 1.1 corp-proxy"}},
			final: want{Warn, "rewriting_proxy", ""},
		},
		{
			name: "a CDN with HSTS is only noted",
			serve: func(t *testing.T) string {
				return startServer(t, httpsHandler(goodCfg(), httpAnswer("200 OK", "Via: 1.1 varnish\r\nStrict-Transport-Security: max-age=63072000\r\n", "hello\n")))
			},
			steps: map[int]want{10: {Info, "via_proxy", "Via: 1.1 varnish"}},
			final: want{Pass, "ok", ""},
		},
		{
			name: "the pool behind the virtual server is down",
			serve: func(t *testing.T) string {
				return startServer(t, httpsHandler(goodCfg(), httpAnswer("502 Bad Gateway", "", "no pool member\n")))
			},
			steps: map[int]want{10: {Warn, "http_server_error", "502 Bad Gateway"}},
			final: want{Warn, "http_server_error", ""},
		},
		{
			name: "the answer is reset mid-body",
			serve: func(t *testing.T) string {
				return startServer(t, httpsThen(goodCfg(), cutAnswer("Content-Length: 1000\r\n", 300), endReset))
			},
			steps: map[int]want{3: {Pass, "tls", ""}, 10: {Fail, "http_cut", "HTTP/1.1 200 OK, then 300 of the 1,000 body bytes its Content-Length announces, then the connection was reset"}},
			final: want{Fail, "http_cut", "the answer to GET / is cut"},
		},
		{
			name: "the answer is closed mid-body",
			serve: func(t *testing.T) string {
				return startServer(t, httpsThen(goodCfg(), cutAnswer("Content-Length: 1000\r\n", 300), endClose))
			},
			steps: map[int]want{10: {Fail, "http_cut", "300 of the 1,000 body bytes its Content-Length announces, then the connection was closed"}},
			final: want{Fail, "http_cut", ""},
		},
		{
			name: "a chunked answer is reset before its last chunk",
			serve: func(t *testing.T) string {
				return startServer(t, httpsThen(goodCfg(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n400\r\n"+strings.Repeat("x", 100), endReset))
			},
			steps: map[int]want{10: {Fail, "http_cut", "105 body bytes with no end of the body yet, then the connection was reset"}},
			final: want{Fail, "http_cut", ""},
		},
		{
			name: "the answer stalls mid-body",
			serve: func(t *testing.T) string {
				return startServer(t, httpsThen(goodCfg(), cutAnswer("Content-Length: 1000\r\n", 300), endStall))
			},
			timeout: stallTimeout,
			steps:   map[int]want{10: {Fail, "http_cut", "300 of the 1,000 body bytes its Content-Length announces, then the connection was idle until the " + fmtDur(stallTimeout) + " timeout"}},
			final:   want{Fail, "http_cut", ""},
		},
		{
			name: "an answer longer than the probe reads is not cut",
			serve: func(t *testing.T) string {
				return startServer(t, httpsHandler(goodCfg(), cutAnswer("Content-Length: 100000\r\n", 100000)))
			},
			steps: map[int]want{10: {Pass, "http_ok", "HTTP/1.1 200 OK"}},
			final: want{Pass, "ok", ""},
		},
		{
			name: "an answer that ends at the close, read whole",
			serve: func(t *testing.T) string {
				return startServer(t, httpsHandler(goodCfg(), cutAnswer("Connection: close\r\n", 300)))
			},
			steps: map[int]want{10: {Pass, "http_ok", "HTTP/1.1 200 OK"}},
			final: want{Pass, "ok", ""},
		},
		{
			name: "the request is reset without an answer, as a virtual server whose pool is down does",
			serve: func(t *testing.T) string {
				return startServer(t, httpsThen(goodCfg(), "", endReset))
			},
			steps: map[int]want{3: {Pass, "tls", ""}, 7: {Pass, "verified", ""},
				10: {Fail, "http_reset", "accepts TLS, then resets GET / without an HTTP answer: the virtual server's pool or backend is likely down"}},
			final: want{Fail, "http_reset", "pool or backend is likely down"},
		},
		{
			name: "the request is closed without an answer",
			serve: func(t *testing.T) string {
				return startServer(t, httpsThen(goodCfg(), "", endClose))
			},
			steps: map[int]want{10: {Fail, "http_closed", "accepts TLS, then closes GET / without an HTTP answer"}},
			final: want{Fail, "http_closed", "pool or backend is likely down"},
		},
		{
			name: "a TLS service that does not speak HTTP",
			serve: func(t *testing.T) string {
				return startServer(t, func(c net.Conn, done <-chan struct{}) {
					tc := tls.Server(c, goodCfg())
					if tc.Handshake() == nil {
						_, _ = io.Copy(io.Discard, tc)
					}
				})
			},
			timeout: stallTimeout,
			steps:   map[int]want{10: {Info, "http_no_answer", "no HTTP answer to GET / within " + fmtDur(stallTimeout)}},
			final:   want{Pass, "ok", ""},
		},
	}
	runCases(t, pki, cases)
}

// cutAnswer is a 200 OK with the framing header lines given and n bytes of
// body, which may be fewer than the framing announces.
func cutAnswer(framing string, n int) string {
	return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + framing + "\r\n" + strings.Repeat("x", n)
}

// httpAnswer is a complete HTTP/1.1 response with extra header lines.
func httpAnswer(status, headers, body string) string {
	return "HTTP/1.1 " + status + "\r\n" + headers + "Content-Type: text/html\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\nConnection: close\r\n\r\n" + body
}

// plainPortServer is a plaintext HTTP server that resets what it cannot
// parse, as tlsgate's plaintext listener and many proxies do with TLS.
func plainPortServer(c net.Conn, _ <-chan struct{}) {
	b := make([]byte, 1)
	if _, err := io.ReadFull(c, b); err != nil {
		return
	}
	if b[0] == 22 {
		resetConn(c)
		return
	}
	_, _ = io.WriteString(c, httpAnswer("200 OK", "", "plain\n"))
}

// sniFilter resets a ClientHello that carries name (as a firewall matching
// the SNI does) and hands others to a TLS server.
func sniFilter(cfg *tls.Config, name string) func(net.Conn, <-chan struct{}) {
	return func(c net.Conn, done <-chan struct{}) {
		hdr, body, err := readRecord(c)
		if err != nil {
			return
		}
		if bytes.Contains(body, []byte(name)) {
			resetConn(c)
			return
		}
		prefix := append(hdr, body...)
		tlsHandler(cfg)(&replayConn{Conn: c, r: io.MultiReader(bytes.NewReader(prefix), c)}, done)
	}
}

// mtuConn drops the first write larger than limit and everything after it,
// the way a path whose full-size packets vanish stalls a TCP stream; small
// writes before it pass.
type mtuConn struct {
	net.Conn
	limit   int
	mu      sync.Mutex
	stalled bool
}

func (c *mtuConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stalled || len(b) > c.limit {
		c.stalled = true
		return len(b), nil
	}
	return c.Conn.Write(b)
}

// mtuBlackhole is a TLS server behind such a path.
func mtuBlackhole(cfg *tls.Config, limit int) func(net.Conn, <-chan struct{}) {
	return func(c net.Conn, done <-chan struct{}) {
		tlsHandler(cfg)(&mtuConn{Conn: c, limit: limit}, done)
	}
}

// TestRunCertificateJudgement covers step 6 and 7 judgements that depend on
// the certificate's own fields: lifetimes, inspection marks, a root named
// as issuer, a default certificate that fits a client without SNI.
func TestRunCertificateJudgement(t *testing.T) {
	pki := newPKI(t)
	zRoot := mint(t, certSpec{cn: "Zscaler Root CA", ca: true}, nil)
	contoso := mint(t, certSpec{cn: "Contoso Root CA", ca: true}, nil)
	serveLeaf := func(leaf issued, extra ...issued) func(t *testing.T) string {
		return func(t *testing.T) string {
			return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{chainOf(leaf, extra...)}})
		}
	}
	cases := []probeCase{
		{
			name:  "short-lived certificate with most of its life left",
			serve: serveLeaf(pki.leafFor(t, certSpec{notBefore: testBase().Add(-24 * time.Hour), notAfter: testBase().Add(6*24*time.Hour + time.Hour)}), pki.inter),
			steps: map[int]want{7: {Pass, "verified", "valid for another 6 days"}},
			final: want{Pass, "ok", ""},
		},
		{
			name:  "long-lived certificate about to expire",
			serve: serveLeaf(pki.leafFor(t, certSpec{notBefore: testBase().Add(-85 * 24 * time.Hour), notAfter: testBase().Add(5*24*time.Hour + time.Hour)}), pki.inter),
			steps: map[int]want{7: {Warn, "expires_soon", "expires in 5 days"}},
			final: want{Warn, "expires_soon", ""},
		},
		{
			name:  "re-signed by an inspecting product this host does not trust",
			serve: serveLeaf(mint(t, certSpec{cn: "lab.test", dns: []string{"lab.test"}}, &zRoot)),
			steps: map[int]want{7: {Fail, "interception", "re-signed copy issued by CN=Zscaler Root CA"}},
			final: want{Fail, "interception", ""},
		},
		{
			name:  "re-signed by an inspecting product this host trusts",
			serve: serveLeaf(mint(t, certSpec{cn: "lab.test", dns: []string{"lab.test"}}, &zRoot)),
			roots: func() *x509.CertPool { p := x509.NewCertPool(); p.AddCert(zRoot.cert); return p },
			steps: map[int]want{7: {Warn, "interception", "which this host trusts"}},
			final: want{Warn, "interception", ""},
		},
		{
			name:  "tlsgate's own inspect copy",
			serve: serveLeaf(pki.leafFor(t, certSpec{ou: "tlsgate inspect: copy of CN=lab.test"}), pki.inter),
			steps: map[int]want{7: {Warn, "interception", "tlsgate inspect"}},
			final: want{Warn, "interception", ""},
		},
		{
			name:  "leaf alone, issued by a private root",
			serve: serveLeaf(mint(t, certSpec{cn: "lab.test", dns: []string{"lab.test"}}, &contoso)),
			steps: map[int]want{7: {Fail, "untrusted_root", "issued directly by CN=Contoso Root CA"}},
			final: want{Fail, "untrusted_root", ""},
		},
		{
			name:  "leaf alone that names its issuer's certificate",
			serve: serveLeaf(pki.leafFor(t, certSpec{aia: []string{"http://ca.lab.test/inter.der"}})),
			steps: map[int]want{7: {Fail, "incomplete_chain", "http://ca.lab.test/inter.der"}},
			final: want{Fail, "incomplete_chain", ""},
		},
		{
			name: "default certificate for the IP address",
			serve: func(t *testing.T) string {
				def := pki.leafFor(t, certSpec{cn: "127.0.0.1", dns: []string{}, ips: []net.IP{loopbackIP()}})
				good := pki.good()
				return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{chainOf(def, pki.inter)},
					GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
						if h.ServerName == "lab.test" {
							return &good, nil
						}
						return nil, nil
					}})
			},
			steps: map[int]want{6: {Pass, "per_name_certs", "CN=127.0.0.1"}},
			final: want{Pass, "ok", ""},
		},
	}
	runCases(t, pki, cases)
}

// TestWithoutKeyShares checks the rewritten hello on a real server: a Go
// TLS 1.3 server answers it with a HelloRetryRequest, the small answer
// step 3 relies on.
func TestWithoutKeyShares(t *testing.T) {
	pki := newPKI(t)
	addr := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{pki.good()}})
	hello, err := retryHello(&tls.Config{ServerName: "lab.test", InsecureSkipVerify: true, CurvePreferences: smallCurves()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(hello); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	p := &prober{o: Options{}.withDefaults()}
	rr := p.readReply(context.Background(), c, time.Now().Add(5*time.Second))
	if rr.r.kind != replyHRR || rr.r.version != tls.VersionTLS13 {
		t.Fatalf("answer %+v (%s); want a TLS 1.3 HelloRetryRequest", rr.r, rr.errText())
	}
	if len(rr.b) > segmentHint/4 {
		t.Errorf("the HelloRetryRequest takes %d bytes; the point is that it is small", len(rr.b))
	}
	for _, bad := range [][]byte{nil, []byte("GET / HTTP/1.1\r\n\r\n"), hello[:40]} {
		if _, err := withoutKeyShares(bad); err == nil {
			t.Errorf("withoutKeyShares(% x) succeeded", bad)
		}
	}
}
