package e2e

import (
	"crypto/tls"
	"fmt"
	"strings"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// refusal is what one refused client must have seen and tlsgate logged.
type refusal struct {
	alert   string // the evidence's alert, "70 protocol_version"
	summary string // in the summary, after the alert
}

// wantRefusal checks the event of a hello the backend refused: the
// backend's diagnosis, no BIG-IP line (a passthrough virtual logs none),
// the alert record relayed as the only bytes down.
func wantRefusal(t *testing.T, e *connEvent, want refusal) {
	t.Helper()
	wantCode(t, e, "backend_rejected_hello")
	wantLines(t, e)
	if e.Route != "passthrough" || e.BytesDown != 7 {
		t.Errorf("route %q bytes_down %d, want passthrough and the 7-byte alert record", e.Route, e.BytesDown)
	}
	if got := e.Evidence["hello_alert"]; !strings.Contains(got, "alert fatal "+want.alert) {
		t.Errorf("evidence hello_alert %q, want fatal %s", got, want.alert)
	}
	if !strings.Contains(e.Summary, "with alert "+want.alert+": "+want.summary) {
		t.Errorf("summary %q, want alert %s and %q", e.Summary, want.alert, want.summary)
	}
	if !strings.Contains(e.Cause, "tlsgate decrypts nothing") || !strings.Contains(e.Cause, "no BIG-IP line is shown") {
		t.Errorf("cause %q does not say the backend refused and BIG-IP logs nothing", e.Cause)
	}
}

// TestPassthroughBackendRefusesHello: real openssl s_server backends that
// refuse a client's hello (version floor, no shared cipher, unknown SNI),
// behind passthrough listeners on both engines and an auto listener. The
// client must get the backend's alert through tlsgate, and tlsgate must
// explain the refusal instead of logging ok.
func TestPassthroughBackendRefusesHello(t *testing.T) {
	t.Parallel()
	ca := tg.NewCA(t, "e2e s_server CA")
	version := startSServer(t, ca, "-min_protocol", "TLSv1.2")
	cipher := startSServer(t, ca, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA")
	sni := startSServer(t, ca, "-servername", "lab.test", "-servername_fatal", "-cert2", "{cert}", "-key2", "{key}")
	plain := startHTTPBackend(t, "plain", nil, nil)
	pass := func(backend, engine string) string {
		return fmt.Sprintf("mode = \"passthrough\"\nbackend = %q\nengine = %q\n", backend, engine)
	}
	var listeners []spec
	for _, engine := range []string{"epoll", "goroutines"} {
		listeners = append(listeners,
			spec{Name: "version-" + engine, TOML: pass(version, engine)},
			spec{Name: "cipher-" + engine, TOML: pass(cipher, engine)},
			spec{Name: "sni-" + engine, TOML: pass(sni, engine)})
	}
	listeners = append(listeners, spec{Name: "version-auto",
		TOML: fmt.Sprintf("mode = \"auto\"\nbackend = %q\nplain_backend = %q\n", version, plain.addr)})
	g := startGate(t, gateConfig{admin: true, listeners: listeners})

	floor := refusal{alert: "70 protocol_version", summary: "the client offers at most TLS 1.1"}
	for _, name := range []string{"version-epoll", "version-goroutines", "version-auto"} {
		t.Run(name, func(t *testing.T) {
			addr := g.Addr(name)
			// s_client first: it cannot name its port, so its event is
			// the listener's first.
			code, out := runOpenSSL(t, addr, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")
			if code == 0 || !strings.Contains(out, "tlsv1 alert protocol version") || !strings.Contains(out, "SSL alert number 70") {
				t.Errorf("openssl exit %d, want the backend's alert 70:\n%s", code, out)
			}
			wantRefusal(t, g.onlyEvent(t, name), floor)

			r := runCurl(t, "--tlsv1.1", "--tls-max", "1.1", "--ciphers", "DEFAULT@SECLEVEL=0", "https://"+addr+"/")
			r.wantExit(t, 35)
			if !strings.Contains(r.stderr, "tlsv1 alert protocol version") {
				t.Errorf("curl stderr %q, want tlsv1 alert protocol version", r.stderr)
			}
			e := g.curlEvent(t, name, r)
			wantRefusal(t, e, floor)
			// curl sends no SNI for an IP address, so the check has none.
			if !strings.Contains(strings.Join(e.Checks, "\n"), "`openssl s_client -connect "+version+" -tls1_1 -cipher DEFAULT@SECLEVEL=0 </dev/null`") {
				t.Errorf("checks %q do not test the backend directly with the client's version", e.Checks)
			}

			c, local, err := goTLS(t, addr, &tls.Config{ServerName: "lab.test", MinVersion: tls.VersionTLS10,
				MaxVersion: tls.VersionTLS11, RootCAs: ca.Pool()})
			if c != nil {
				c.Close()
			}
			if err == nil || !strings.Contains(err.Error(), "remote error: tls: protocol version not supported") {
				t.Errorf("Go handshake error %v, want the backend's alert 70", err)
			}
			e = g.eventFrom(t, name, local)
			wantRefusal(t, e, floor)
			if e.SNI != "lab.test" {
				t.Errorf("sni %q, want lab.test", e.SNI)
			}
		})
	}

	shared := refusal{alert: "40 handshake_failure", summary: "most likely none of the"}
	for _, name := range []string{"cipher-epoll", "cipher-goroutines"} {
		t.Run(name, func(t *testing.T) {
			addr := g.Addr(name)
			code, out := runOpenSSL(t, addr, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384")
			if code == 0 || !strings.Contains(out, "sslv3 alert handshake failure") {
				t.Errorf("openssl exit %d, want the backend's alert 40:\n%s", code, out)
			}
			wantRefusal(t, g.onlyEvent(t, name), shared)

			r := runCurl(t, "-k", "--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384", "https://"+addr+"/")
			r.wantExit(t, 35)
			if !strings.Contains(r.stderr, "sslv3 alert handshake failure") {
				t.Errorf("curl stderr %q, want sslv3 alert handshake failure", r.stderr)
			}
			e := g.curlEvent(t, name, r)
			wantRefusal(t, e, shared)
			if got := e.Evidence["ciphers_offered"]; got != "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" {
				t.Errorf("evidence ciphers_offered %q, want the one suite curl offered", got)
			}

			c, local, err := goTLS(t, addr, &tls.Config{ServerName: "lab.test", MaxVersion: tls.VersionTLS12,
				CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}, RootCAs: ca.Pool()})
			if c != nil {
				c.Close()
			}
			if err == nil || !strings.Contains(err.Error(), "remote error: tls: handshake failure") {
				t.Errorf("Go handshake error %v, want the backend's alert 40", err)
			}
			wantRefusal(t, g.eventFrom(t, name, local), shared)
		})
	}

	for _, name := range []string{"sni-epoll", "sni-goroutines"} {
		t.Run(name, func(t *testing.T) {
			code, out := runOpenSSL(t, g.Addr(name), "-servername", "other.test")
			if code == 0 || !strings.Contains(out, "SSL alert number 112") {
				t.Errorf("openssl exit %d, want the backend's alert 112:\n%s", code, out)
			}
			wantRefusal(t, g.onlyEvent(t, name), refusal{alert: "112 unrecognized_name", summary: "it does not serve the name other.test"})
		})
	}

	// The outcome metric counts the refusals as what they are: before,
	// they went up under diagnosis="ok". Once every listener's count is
	// in, every refusal was counted, so an ok among them would show.
	var want []string
	for _, l := range listeners {
		n := 3 // s_client, curl and Go
		if strings.HasPrefix(l.Name, "sni-") {
			n = 1 // s_client only
		}
		want = append(want, fmt.Sprintf(`tlsgate_outcomes_total{diagnosis="backend_rejected_hello",listener=%q} %d`, l.Name, n))
	}
	body := g.waitMetrics(t, want...)
	if strings.Contains(body, `tlsgate_outcomes_total{diagnosis="ok"`) {
		t.Errorf("a refused hello counted as ok:\n%s", body)
	}
	g.stop(t)
}
