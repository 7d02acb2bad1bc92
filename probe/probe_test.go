package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/internal/heldport"
)

// testClock starts at testBase and moves with real time, so certificate
// validity is judged at a fixed date while timings stay meaningful.
func testClock() func() time.Time {
	start := time.Now()
	return func() time.Time { return testBase().Add(time.Since(start)) }
}

// want is the verdict and code expected of one step.
type want struct {
	verdict Verdict
	code    string
	finding string // substring of the finding, when set
}

type probeCase struct {
	name    string
	serve   func(t *testing.T) string // returns the address to probe
	sni     string
	roots   func() *x509.CertPool
	timeout time.Duration
	banner  time.Duration // BannerWait; servers that speak first get a long one, as it costs nothing
	steps   map[int]want
	skipped []int // steps that must report "skipped"
	final   want
}

func TestRun(t *testing.T) {
	pki := newPKI(t)
	goodCfg := func() *tls.Config { return &tls.Config{Certificates: []tls.Certificate{pki.good()}} }
	cases := []probeCase{
		{
			name:  "good TLS 1.3 server",
			serve: func(t *testing.T) string { return tlsServer(t, goodCfg()) },
			steps: map[int]want{
				1:  {Pass, "connected", "connected to 127.0.0.1:"},
				2:  {Pass, "silent", "no banner"},
				3:  {Pass, "tls", "TLS 1.3"},
				4:  {Pass, "modern_versions", "TLS 1.2 and TLS 1.3"},
				5:  {Pass, "modern_ciphers", "ECDHE-ECDSA AES-GCM"},
				6:  {Pass, "same_cert", "CN=lab.test"},
				7:  {Pass, "verified", "matches lab.test"},
				8:  {Pass, "large_hello_ok", "X25519MLKEM768"},
				9:  {Pass, "flight_ok", "arrived whole"},
				10: {Pass, "http_ok", "HTTP/1.1 200 OK"},
			},
			final: want{Pass, "ok", "no problem found"},
		},
		{
			name: "TLS 1.2 only",
			serve: func(t *testing.T) string {
				cfg := goodCfg()
				cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
				return tlsServer(t, cfg)
			},
			steps: map[int]want{
				3: {Pass, "tls", "TLS 1.2"},
				4: {Warn, "no_tls13", "alert 70 protocol_version"},
				5: {Pass, "modern_ciphers", ""},
				7: {Pass, "verified", ""},
			},
			final: want{Warn, "no_tls13", "TLS 1.2 only"},
		},
		{
			name: "TLS 1.0 only",
			serve: func(t *testing.T) string {
				cfg := goodCfg()
				cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
				return tlsServer(t, cfg)
			},
			steps: map[int]want{
				3: {Pass, "tls", "TLS 1.0"},
				4: {Fail, "legacy_only", "only TLS 1.0"},
			},
			skipped: []int{5},
			final:   want{Fail, "legacy_only", ""},
		},
		{
			name:    "reset after the ClientHello",
			serve:   func(t *testing.T) string { return startServer(t, resetAfterHello) },
			steps:   map[int]want{1: {Pass, "connected", ""}, 2: {Pass, "silent", ""}, 3: {Fail, "reset_after_hello", "reset right after the ClientHello"}},
			skipped: []int{4, 5, 6, 7, 8, 9},
			final:   want{Fail, "reset_after_hello", ""},
		},
		{
			name:    "never answers",
			serve:   func(t *testing.T) string { return startServer(t, blackhole) },
			timeout: 300 * time.Millisecond,
			steps:   map[int]want{2: {Pass, "silent", ""}, 3: {Fail, "no_answer", "no answer to the ClientHello within 300 ms"}},
			skipped: []int{4, 5, 6, 7, 8, 9},
			final:   want{Fail, "no_answer", "silent drop"},
		},
		{
			name:    "plain HTTP on the port",
			serve:   plainHTTPServer,
			steps:   map[int]want{2: {Pass, "silent", ""}, 3: {Fail, "plain_http", `plain HTTP on this port: the server answered the ClientHello with "HTTP/1.1 400 Bad Request"`}},
			skipped: []int{4, 9},
			final:   want{Fail, "plain_http", "plain HTTP on this port"},
		},
		{
			name:    "SSH banner",
			banner:  5 * time.Second,
			serve:   func(t *testing.T) string { return startServer(t, sshBanner) },
			steps:   map[int]want{2: {Fail, "ssh", `SSH banner "SSH-2.0-OpenSSH_9.2p1`}, 3: {Fail, "ssh", "SSH server"}},
			skipped: []int{4, 7},
			final:   want{Fail, "ssh", "SSH banner"},
		},
		{
			name:   "SMTP greeting",
			banner: 5 * time.Second,
			serve:  func(t *testing.T) string { return startServer(t, smtpGreeting) },
			steps: map[int]want{
				2: {Fail, "smtp_or_ftp", `220 greeting "220 mail.lab.test ESMTP Postfix"`},
				3: {Fail, "starttls_protocol", ""},
			},
			skipped: []int{4, 9},
			final:   want{Fail, "smtp_or_ftp", ""},
		},
		{
			name:  "SSLv3 server (hand-written ServerHello)",
			serve: func(t *testing.T) string { return startServer(t, sslv3Server) },
			steps: map[int]want{
				3: {Fail, "sslv3", "SSLv3 ServerHello"},
				4: {Fail, "legacy_only", "only SSLv3"},
				6: {Fail, "no_variant", ""},
				7: {Info, "no_certificate", ""},
			},
			skipped: []int{5},
			final:   want{Fail, "sslv3", ""},
		},
		{
			name: "static RSA and 3DES only",
			serve: func(t *testing.T) string {
				leaf := pki.leafFor(t, certSpec{rsaBits: 2048})
				return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{chainOf(leaf, pki.inter)}, MaxVersion: tls.VersionTLS12,
					CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}})
			},
			steps: map[int]want{
				3: {Pass, "tls", "TLS_RSA_WITH_AES_128_CBC_SHA"},
				4: {Warn, "no_tls13", ""},
				5: {Fail, "legacy_ciphers_only", "RSA (static key exchange), 3DES"},
				7: {Pass, "verified", ""},
			},
			final: want{Fail, "legacy_ciphers_only", ""},
		},
		{
			name:  "large-ClientHello intolerance",
			serve: func(t *testing.T) string { return startServer(t, largeHelloIntolerant(goodCfg(), 1400)) },
			steps: map[int]want{
				3: {Pass, "tls", ""},
				8: {Fail, "large_hello_intolerance", "large-ClientHello intolerance (a middlebox parsing only the first segment)"},
				9: {Pass, "flight_ok", ""},
			},
			final: want{Fail, "large_hello_intolerance", ""},
		},
		{
			name: "server flight stalls after 1,000 bytes",
			serve: func(t *testing.T) string {
				leaf := pki.leafFor(t, certSpec{dns: manyNames(40)})
				cfg := &tls.Config{Certificates: []tls.Certificate{chainOf(leaf, pki.inter)}}
				return startServer(t, stallingServer(cfg, 1000))
			},
			timeout: stallTimeout,
			steps: map[int]want{
				3: {Pass, "tls", ""},
				9: {Fail, "pmtu_blackhole", "looks like a PMTUD black hole: the handshake stalls after the ServerHello arrived"},
			},
			skipped: []int{4, 5, 6, 7, 8},
			final:   want{Fail, "pmtu_blackhole", "check the tunnel MTU / MSS clamping"},
		},
		{
			name:    "server flight stalls inside the ServerHello",
			serve:   func(t *testing.T) string { return startServer(t, stallingServer(goodCfg(), 60)) },
			timeout: stallTimeout,
			steps: map[int]want{
				3: {Fail, "pmtu_blackhole", "the answer stalls inside its first record (60 bytes, then nothing)"},
				9: {Fail, "pmtu_blackhole", "before the ServerHello was complete"},
			},
			skipped: []int{4, 5, 6, 7, 8},
			final:   want{Fail, "pmtu_blackhole", "PMTUD black hole"},
		},
	}
	runCases(t, pki, cases)
}

// stallTimeout is the probe's timeout for cases whose server stalls on
// purpose. It ends the stall; a whole handshake has HandshakeTimeout, but
// each wait for the server's next bytes within one is still this, so it
// must cover a ServerHello on a loaded machine: 400 and 500 ms did not
// (CI's two CPUs, -race: ServerHellos after 407 ms). The stall it ends
// costs its length once per case.
const stallTimeout = 3 * time.Second

// runCases probes each case's server and checks the report.
func runCases(t *testing.T, pki testPKI, cases []probeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.serve(t)
			o := Options{SNI: "lab.test", Roots: pki.pool, Timeout: 3 * time.Second, BannerWait: 250 * time.Millisecond, Now: testClock()}
			if tc.sni == "-" {
				o.SNI = ""
			}
			if tc.roots != nil {
				o.Roots = tc.roots()
			}
			if tc.timeout > 0 {
				o.Timeout = tc.timeout
			}
			if tc.banner > 0 {
				o.BannerWait = tc.banner
			}
			rep := Run(context.Background(), addr, o)
			checkReport(t, rep, tc)
		})
	}
}

// checkReport asserts a case's expectations and dumps the report on failure.
func checkReport(t *testing.T, rep Report, tc probeCase) {
	t.Helper()
	failed := false
	for n, w := range tc.steps {
		s, ok := rep.Step(n)
		if !ok {
			t.Errorf("step %d did not run", n)
			failed = true
			continue
		}
		if s.Verdict != w.verdict || s.Code != w.code || !strings.Contains(s.Finding, w.finding) {
			t.Errorf("step %d = %s %s %q; want %s %s containing %q", n, s.Verdict, s.Code, s.Finding, w.verdict, w.code, w.finding)
			failed = true
		}
	}
	for _, n := range tc.skipped {
		if s, _ := rep.Step(n); s.Code != "skipped" || s.Verdict != Info {
			t.Errorf("step %d = %s %s %q; want it skipped", n, s.Verdict, s.Code, s.Finding)
			failed = true
		}
	}
	f := rep.Final
	if f.Verdict != tc.final.verdict || f.Code != tc.final.code || !strings.Contains(f.Summary, tc.final.finding) {
		t.Errorf("final = %s %s %q; want %s %s containing %q", f.Verdict, f.Code, f.Summary, tc.final.verdict, tc.final.code, tc.final.finding)
		failed = true
	}
	if f.Verdict == Fail && (f.Cause == "" || f.Check == "") {
		t.Errorf("final failure without cause or check: %+v", f)
		failed = true
	}
	if rep.Failed() != (f.Verdict == Fail) {
		t.Errorf("Failed() = %v with final verdict %s", rep.Failed(), f.Verdict)
	}
	if failed {
		var sb strings.Builder
		_ = rep.WriteText(&sb)
		t.Log("\n" + sb.String())
	}
}

// manyNames makes a leaf big enough that the server's flight exceeds one
// full-size segment.
func manyNames(n int) []string {
	out := []string{"lab.test"}
	for i := 1; i < n; i++ {
		out = append(out, "a-rather-long-name-to-grow-the-leaf-"+strings.Repeat("x", i%7)+"-"+string(rune('a'+i%26))+".lab.test")
	}
	return out
}

func TestRunConnectFailures(t *testing.T) {
	// Held bound, not listening: refused, and no parallel test's
	// listener can take the port, as it could one let go.
	closedAddr, _ := heldport.Refusing(t)
	hang := func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	cases := []struct {
		name   string
		target string
		dial   Dialer
		code   string
	}{
		{"refused", closedAddr, nil, "refused"},
		{"SYN dropped", "127.0.0.1:9", hang, "connect_timeout"},
		{"no port", "127.0.0.1", nil, "bad_target"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := Run(context.Background(), tc.target, Options{Dial: tc.dial, Timeout: 200 * time.Millisecond})
			s, ok := rep.Step(StepConnect)
			if !ok || s.Verdict != Fail || s.Code != tc.code || s.Check == "" {
				t.Fatalf("step 1 = %+v; want fail %s with a check", s, tc.code)
			}
			if rep.Final.Code != tc.code || rep.Final.Step != StepConnect {
				t.Errorf("final = %+v; want %s from step 1", rep.Final, tc.code)
			}
			for _, s := range rep.Steps[1:] {
				if s.Code != "skipped" {
					t.Errorf("step %d = %s %s; want skipped after a failed connect", s.Number, s.Verdict, s.Code)
				}
			}
		})
	}
}

// TestRunOnlyDialsTarget checks that every connection goes to the target
// through the injected dialer, and that --steps limits the work.
func TestRunOnlyDialsTarget(t *testing.T) {
	pki := newPKI(t)
	addr := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{pki.good()}})
	var dialed []string
	dial := func(ctx context.Context, network, a string) (net.Conn, error) {
		dialed = append(dialed, network+" "+a)
		var d net.Dialer
		return d.DialContext(ctx, network, a)
	}
	rep := Run(context.Background(), addr, Options{SNI: "lab.test", Roots: pki.pool, Dial: dial, Steps: []int{1, 3, 7}})
	if len(rep.Steps) != 3 {
		t.Fatalf("ran %d steps; want 3", len(rep.Steps))
	}
	// Step 3 makes two connections: the raw hello, and a full handshake
	// to see whether the server asks for a client certificate.
	if len(dialed) != 4 {
		t.Errorf("dialed %d times; want 1 + 2 + 1: %v", len(dialed), dialed)
	}
	for _, d := range dialed {
		if d != "tcp "+addr {
			t.Errorf("dialed %q; want only tcp %s", d, addr)
		}
	}
	if rep.Final.Verdict != Pass {
		t.Errorf("final = %+v; want pass", rep.Final)
	}
}

// smtpGreeting speaks first, as an SMTP server does, and rejects garbage.
func smtpGreeting(c net.Conn, _ <-chan struct{}) {
	if _, err := io.WriteString(c, "220 mail.lab.test ESMTP Postfix\r\n"); err != nil {
		return
	}
	buf := make([]byte, 4096)
	if _, err := c.Read(buf); err != nil {
		return
	}
	_, _ = io.WriteString(c, "500 5.5.2 Error: bad syntax\r\n")
}

// sslv3Server answers any hello with an SSLv3 ServerHello, the hand-written
// record a server that only speaks SSLv3 would send.
func sslv3Server(c net.Conn, _ <-chan struct{}) {
	if _, _, err := readRecord(c); err != nil {
		return
	}
	rec := serverHello(0x0300, 0x002f, 0, "")
	rec[1], rec[2] = 3, 0
	if _, err := c.Write(rec); err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, c)
}
