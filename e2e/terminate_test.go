package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// Case 1: a terminating listener serves HTTPS with a certificate minted by
// its lab CA, and logs the negotiated parameters.
func TestTerminateServesHTTPS(t *testing.T) {
	t.Parallel()
	be := startHTTPBackend(t, "plain", nil, nil)
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "term", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n", be.addr)},
	}})
	addr, port := g.Addr("term"), strconv.Itoa(g.Port("term"))

	tests := []struct {
		name string
		path string
		sni  string
		run  func(t *testing.T, path string) (body, client string)
	}{
		{name: "curl_ip", path: "/curl-ip", run: func(t *testing.T, path string) (string, string) {
			r := runCurl(t, "--cacert", g.CAPEM(), "https://"+addr+path)
			r.wantExit(t, 0)
			return r.body, r.client(t)
		}},
		{name: "curl_sni", path: "/curl-sni", sni: "lab.test", run: func(t *testing.T, path string) (string, string) {
			r := runCurl(t, "--cacert", g.CAPEM(), "--resolve", "lab.test:"+port+":127.0.0.1", "https://lab.test:"+port+path)
			r.wantExit(t, 0)
			return r.body, r.client(t)
		}},
		{name: "go_net_http", path: "/go", run: func(t *testing.T, path string) (string, string) {
			body, local, err := goGet(t, "https://"+addr+path, tg.PoolFromFile(t, g.CAPEM()))
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			return body, local
		}},
	}
	ja4 := regexp.MustCompile(`^t13[di][0-9]{4}[a-z0-9]{2}_[0-9a-f]{12}_[0-9a-f]{12}$`)
	ja3 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, client := tc.run(t, tc.path)
			if want := "backend=plain path=" + tc.path; !strings.HasPrefix(body, want) {
				t.Errorf("body %q, want prefix %q", body, want)
			}
			e := g.eventFrom(t, "term", client)
			wantCode(t, e, "ok")
			wantSessionLines(t, e, "TLSv1.3")
			if !e.OK || e.Route != "terminate" || e.Virtual != addr {
				t.Errorf("ok=%v route=%q virtual=%q, want true terminate %s", e.OK, e.Route, e.Virtual, addr)
			}
			ct := e.ClientTLS
			if !ct.Done || ct.Version != "TLS 1.3" || !strings.HasPrefix(ct.Cipher, "TLS_") || ct.Err != "" {
				t.Errorf("client_tls = %+v, want a done TLS 1.3 handshake with a cipher", ct)
			}
			if e.SNI != tc.sni {
				t.Errorf("sni = %q, want %q", e.SNI, tc.sni)
			}
			if !ja4.MatchString(e.JA4) || !ja3.MatchString(e.JA3) {
				t.Errorf("ja4 = %q, ja3 = %q: not fingerprints", e.JA4, e.JA3)
			}
			if e.Backend.Remote != be.addr || !be.sawPeer(e.Backend.Local) {
				t.Errorf("backend local %q remote %q; backend at %s saw %v", e.Backend.Local, e.Backend.Remote, be.addr, be.remotes)
			}
			if e.BytesUp <= 0 || e.BytesDown < int64(len(body)) {
				t.Errorf("bytes up %d down %d, body %d bytes", e.BytesUp, e.BytesDown, len(body))
			}
			if !strings.Contains(body, "remote="+e.Backend.Local) {
				t.Errorf("backend saw the request from another address than logged %s: %q", e.Backend.Local, body)
			}
		})
	}
	g.stop(t)
}

// Case 8: the client rejects the lab certificate and says so with an alert;
// tlsgate names the alert even when OpenSSL sends it in the clear (TLS 1.3).
func TestClientAlert(t *testing.T) {
	t.Parallel()
	be := startHTTPBackend(t, "plain", nil, nil)
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "term", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n", be.addr)},
	}})
	addr := g.Addr("term")

	tests := []struct {
		name    string
		run     func(t *testing.T) string // returns the client address
		alert   int
		errPart string
	}{
		{name: "curl_tls13_plaintext_alert", alert: 48, errPart: "bad record MAC", run: func(t *testing.T) string {
			r := runCurl(t, "https://"+addr+"/")
			r.wantExit(t, 60)
			return r.client(t)
		}},
		{name: "curl_tls12", alert: 48, errPart: "unknown certificate authority", run: func(t *testing.T) string {
			r := runCurl(t, "--tls-max", "1.2", "https://"+addr+"/")
			r.wantExit(t, 60)
			return r.client(t)
		}},
		{name: "go_no_ca", alert: 42, errPart: "bad certificate", run: func(t *testing.T) string {
			c, local, err := goTLS(t, addr, &tls.Config{ServerName: "127.0.0.1", RootCAs: x509.NewCertPool()})
			if c != nil {
				c.Close()
			}
			var ve *tls.CertificateVerificationError
			if !errors.As(err, &ve) {
				t.Errorf("Go handshake error %v, want a certificate verification error", err)
			}
			return local
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := tc.run(t)
			e := g.eventFrom(t, "term", client)
			wantCode(t, e, "client_alert")
			wantLines(t, e, handshakeFailed(client, addr))
			if e.ClientTLS.AlertRecv != tc.alert || !strings.Contains(e.ClientTLS.Err, tc.errPart) {
				t.Errorf("alert_recv %d err %q, want %d and %q", e.ClientTLS.AlertRecv, e.ClientTLS.Err, tc.alert, tc.errPart)
			}
			if got := e.Evidence["alert_recv"]; !strings.Contains(got, strconv.Itoa(tc.alert)) {
				t.Errorf("evidence alert_recv %q does not name alert %d", got, tc.alert)
			}
		})
	}
	g.stop(t)
}
