package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// probeServers starts a good TLS server for lab.test (leaf signed by a test
// CA, sent with nothing else) and a plain HTTP server, both on loopback,
// and writes the CA to a PEM file.
func probeServers(t *testing.T) (tlsAddr, httpAddr, caFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "probe CLI test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(90 * 24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "lab.test"}, DNSNames: []string{"lab.test"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(60 * 24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, leafKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				tc := tls.Server(c, cfg)
				_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
				if tc.Handshake() != nil {
					return
				}
				// Answer one HTTP request, as the web server behind TLS does.
				if _, err := http.ReadRequest(bufio.NewReader(tc)); err != nil {
					return
				}
				_, _ = io.WriteString(tc, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n")
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	hln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.NotFoundHandler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(hln) }()
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String(), hln.Addr().String(), caFile
}

func TestCmdProbe(t *testing.T) {
	tlsAddr, httpAddr, caFile := probeServers(t)
	cases := []struct {
		name     string
		args     []string
		code     int
		contains []string // in stdout
		errHas   string   // in the returned error
		errLacks string   // not in the returned error
	}{
		{
			name: "good server, all steps",
			args: []string{tlsAddr, "--sni", "lab.test", "--cacert", caFile, "--timeout", "3s"},
			code: 0,
			contains: []string{"tlsgate probe " + tlsAddr + " (SNI lab.test)", "✓ 1. TCP connect", "✓ 3. Answer to a ClientHello: a TLS ServerHello: TLS 1.3",
				"✓ 7. Certificate chain verification: the chain verifies against " + caFile, "✓ 9.",
				"✓ 10. HTTP answer after the handshake: the server answers GET / with HTTP/1.1 200 OK", "Verdict: PASS no problem found"},
		},
		{
			name:     "flags after and before the target, selected steps",
			args:     []string{"--steps", "1,3", "--sni=lab.test", tlsAddr, "--timeout=2s"},
			code:     0,
			contains: []string{"✓ 1. TCP connect", "✓ 3. Answer"},
		},
		{
			name:     "plain HTTP fails with exit 1",
			args:     []string{httpAddr, "--steps", "1-3,7"},
			code:     1,
			contains: []string{"✗ 3. Answer to a ClientHello: plain HTTP on this port", "· 7. Certificate chain verification: skipped", "Verdict: FAIL plain HTTP on this port", "check first:"},
			errHas:   `"HTTP/1.1 400 Bad Request" (step 3)`,
		},
		{
			name:     "untrusted without --cacert: incomplete chain fails",
			args:     []string{tlsAddr, "--sni", "lab.test", "--steps", "7"},
			code:     1,
			contains: []string{"✗ 7. Certificate chain verification: incomplete chain", "the system roots"},
			errHas:   "incomplete chain",
		},
		{name: "no target", args: []string{"--json"}, code: 2, errHas: "HOST:PORT is required"},
		{name: "no port", args: []string{"127.0.0.1"}, code: 2, errHas: "not HOST:PORT"},
		{name: "bad steps", args: []string{tlsAddr, "--steps", "0,3"}, code: 2, errHas: "from 1 to 10"},
		{name: "bad language", args: []string{tlsAddr, "--lang", "fr"}, code: 2, errHas: `--lang "fr": want en or ja`},
		{
			name: "Japanese",
			args: []string{tlsAddr, "--sni", "lab.test", "--cacert", caFile, "--lang", "ja", "--steps", "1,3,7,10"},
			code: 0,
			contains: []string{"tlsgate probe " + tlsAddr + "（SNI lab.test を送信）", "✓ 1. TCP 接続: ", "✓ 3. ClientHello への応答: TLS の ServerHello が返った: TLS 1.3",
				"✓ 7. 証明書チェーンの検証: 証明書チェーンは " + caFile + " で検証でき", "✓ 10. ハンドシェイク後の HTTP 応答: GET / に対してサーバは HTTP/1.1 200 OK を返す",
				"判定: OK（合格） 問題は見つからなかった"},
		},
		{
			name:     "Japanese failure",
			args:     []string{httpAddr, "--steps", "1-3", "--lang=ja"},
			code:     1,
			contains: []string{"✗ 3. ClientHello への応答: このポートは平文の HTTP", "考えられる原因:", "まず確認:", "判定: NG（失敗）"},
			errHas:   "（ステップ 3）", // the one-line error is in the report's language too
			errLacks: "(step",
		},
		{name: "bad timeout", args: []string{tlsAddr, "--timeout", "-1s"}, code: 2, errHas: "--timeout must be positive"},
		{name: "bad handshake timeout", args: []string{tlsAddr, "--handshake-timeout", "0s"}, code: 2, errHas: "--handshake-timeout must be positive"},
		{name: "unknown flag", args: []string{tlsAddr, "--bogus"}, code: 2, errHas: "flag provided but not defined"},
		{name: "two targets", args: []string{tlsAddr, httpAddr}, code: 2, errHas: "unexpected argument"},
		{name: "missing cacert", args: []string{tlsAddr, "--cacert", filepath.Join(t.TempDir(), "nope.pem")}, code: 2, errHas: "--cacert"},
		{name: "help", args: []string{"--help"}, code: 0, contains: []string{"Usage: tlsgate probe HOST:PORT", "-sni", "-handshake-timeout", "(default 10s)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := cmdProbe(tc.args, &out, &errOut)
			if got := exitCode(err); got != tc.code {
				t.Fatalf("exit code %d (err %v); want %d\n%s", got, err, tc.code, out.String())
			}
			for _, s := range tc.contains {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, out.String())
				}
			}
			if tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("error %v; want it to contain %q", err, tc.errHas)
			}
			if tc.errLacks != "" && err != nil && strings.Contains(err.Error(), tc.errLacks) {
				t.Errorf("error %v; want it without %q", err, tc.errLacks)
			}
		})
	}
}

func TestCmdProbeJSON(t *testing.T) {
	tlsAddr, httpAddr, caFile := probeServers(t)
	type step struct {
		Step     int    `json:"step"`
		Name     string `json:"name"`
		Verdict  string `json:"verdict"`
		Code     string `json:"code"`
		Finding  string `json:"finding"`
		Attempts []struct {
			Label    string `json:"label"`
			OK       bool   `json:"ok"`
			HelloLen int    `json:"hello_bytes"`
		} `json:"attempts"`
	}
	type report struct {
		Target string `json:"target"`
		SNI    string `json:"sni"`
		Steps  []step `json:"steps"`
		Final  struct {
			Verdict string `json:"verdict"`
			Step    int    `json:"step"`
			Code    string `json:"code"`
			Check   string `json:"check"`
		} `json:"final"`
	}
	cases := []struct {
		name      string
		args      []string
		code      int
		steps     int
		final     string
		finalCode string
	}{
		{"good server", []string{"--json", tlsAddr, "--sni", "lab.test", "--cacert", caFile}, 0, 10, "pass", "ok"},
		{"plain HTTP", []string{httpAddr, "--json", "--steps", "1,2,3,4"}, 1, 4, "fail", "plain_http"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := cmdProbe(tc.args, &out, io.Discard)
			if got := exitCode(err); got != tc.code {
				t.Fatalf("exit code %d (err %v); want %d", got, err, tc.code)
			}
			var rep report
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("stdout is not JSON: %v\n%s", err, out.String())
			}
			if len(rep.Steps) != tc.steps || rep.Final.Verdict != tc.final || rep.Final.Code != tc.finalCode {
				t.Fatalf("got %d steps, final %+v; want %d steps, %s %s\n%s", len(rep.Steps), rep.Final, tc.steps, tc.final, tc.finalCode, out.String())
			}
			for i, s := range rep.Steps {
				if s.Step != i+1 || s.Name == "" || s.Verdict == "" || s.Code == "" || s.Finding == "" {
					t.Errorf("step %d incomplete: %+v", i+1, s)
				}
			}
			if tc.final == "fail" && rep.Final.Check == "" {
				t.Errorf("a failed final verdict has no check: %+v", rep.Final)
			}
			if tc.finalCode == "ok" {
				large := rep.Steps[7]
				if len(large.Attempts) != 2 || large.Attempts[0].HelloLen <= 1400 || large.Attempts[1].HelloLen >= 1400 {
					t.Errorf("step 8 attempts %+v; want a hello over 1,400 bytes and one under", large.Attempts)
				}
			}
		})
	}
}
