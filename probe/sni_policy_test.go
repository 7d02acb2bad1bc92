package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// sniGate refuses a ClientHello without SNI with alert 40
// handshake_failure, as BIG-IP's sni-require and tlsgate's sni_require
// do, and hands every other hello to a TLS server; named, when set, are
// the only names served, the rest getting alert 40 too.
func sniGate(cfg *tls.Config, named ...string) func(net.Conn, <-chan struct{}) {
	return func(c net.Conn, done <-chan struct{}) {
		hdr, body, err := readRecord(c)
		if err != nil {
			return
		}
		prefix := append(hdr, body...)
		h, err := sniff.ParseClientHello(prefix)
		if err != nil {
			return
		}
		if h.ServerName == "" || (len(named) > 0 && !strings.Contains(strings.Join(named, " "), h.ServerName)) {
			_, _ = c.Write([]byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 40})
			return
		}
		tlsHandler(cfg)(&replayConn{Conn: c, r: io.MultiReader(bytes.NewReader(prefix), c)}, done)
	}
}

// TestSNIRefusalTold: step 6 tells the refusals of a hello without SNI
// apart. Alert 40 while any name, even a made-up one, is served is a
// policy that requires SNI (a client-ssl sni-require), not a missing
// default certificate: the probe used to blame "no default" and advise
// giving the server one, which its own evidence contradicted. Alert 112
// is the missing default certificate. Alert 40 with the made-up name
// refused too is told as either. In English and in Japanese.
func TestSNIRefusalTold(t *testing.T) {
	pki := newPKI(t)
	anyName := func(t *testing.T) string {
		return startServer(t, sniGate(&tls.Config{Certificates: []tls.Certificate{pki.good()}}))
	}
	onlyLab := func(t *testing.T) string {
		return startServer(t, sniGate(&tls.Config{Certificates: []tls.Certificate{pki.good()}}, "lab.test"))
	}
	strict := func(t *testing.T) string { return tlsServer(t, sniStrict(pki)) }
	tests := []struct {
		name    string
		serve   func(t *testing.T) string
		sni     string
		verdict Verdict
		// cause and check must hold these, per language; absent must
		// not appear in either.
		cause, check map[string]string
		absent       []string
	}{
		{name: "policy, by IP", serve: anyName, verdict: Fail,
			cause:  map[string]string{LangEN: "a policy requires SNI", LangJA: "SNI を必須にするポリシー"},
			check:  map[string]string{LangEN: "sni-require", LangJA: "sni-require"},
			absent: []string{"default certificate", "has no default", "デフォルト証明書", "デフォルトがない"}},
		{name: "policy, by name", serve: anyName, sni: "lab.test", verdict: Warn,
			cause:  map[string]string{LangEN: "even the made-up " + bogusSNI, LangJA: "でたらめな名前 " + bogusSNI},
			check:  map[string]string{LangEN: "[listener.client_ssl] sni_require", LangJA: "[listener.client_ssl] sni_require"},
			absent: []string{"default certificate", "has no default", "デフォルト証明書", "デフォルトがない"}},
		{name: "no default certificate, by IP", serve: strict, verdict: Fail,
			cause:  map[string]string{LangEN: "has no default", LangJA: "デフォルトがない"},
			check:  map[string]string{LangEN: "default certificate", LangJA: "デフォルト証明書"},
			absent: []string{"policy", "sni-require", "ポリシー"}},
		{name: "no default certificate, by name", serve: strict, sni: "lab.test", verdict: Warn,
			cause:  map[string]string{LangEN: "has no default", LangJA: "デフォルトがない"},
			check:  map[string]string{LangEN: "default certificate", LangJA: "デフォルト証明書"},
			absent: []string{"policy", "sni-require", "ポリシー"}},
		{name: "unclear, by name", serve: onlyLab, sni: "lab.test", verdict: Warn,
			cause: map[string]string{LangEN: "by a policy or for want of a certificate", LangJA: "ポリシーによるものか"},
			check: map[string]string{LangEN: "sni-require) and a default certificate", LangJA: "sni-require）と"}},
		{name: "unclear, by IP", serve: onlyLab, verdict: Fail,
			cause: map[string]string{LangEN: "by a policy or for want of a certificate", LangJA: "ポリシーによるものか"},
			check: map[string]string{LangEN: "probe again with --sni NAME", LangJA: "--sni 名前 を付けて再度 probe"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.serve(t)
			for _, lang := range []string{LangEN, LangJA} {
				rep := Run(context.Background(), addr, Options{SNI: tc.sni, Roots: pki.pool, Timeout: 3 * time.Second,
					BannerWait: 50 * time.Millisecond, Now: testClock(), Steps: []int{StepSNI}, Lang: lang})
				s, ok := rep.Step(StepSNI)
				if !ok {
					t.Fatalf("%s: step 6 did not run", lang)
				}
				if s.Verdict != tc.verdict || s.Code != "sni_required" {
					t.Errorf("%s: step 6 = %s %s %q, want %s sni_required", lang, s.Verdict, s.Code, s.Finding, tc.verdict)
				}
				if !strings.Contains(s.Cause, tc.cause[lang]) || !strings.Contains(s.Check, tc.check[lang]) {
					t.Errorf("%s: cause %q\ncheck %q\nwant them to hold %q and %q", lang, s.Cause, s.Check, tc.cause[lang], tc.check[lang])
				}
				for _, a := range tc.absent {
					if strings.Contains(s.Cause+s.Check, a) {
						t.Errorf("%s: cause %q\ncheck %q\nmust not say %q", lang, s.Cause, s.Check, a)
					}
				}
			}
		})
	}
}
