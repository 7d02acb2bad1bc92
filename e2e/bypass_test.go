package e2e

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// TestInspectBypassWithSNIRequire: an inspect listener whose client-ssl
// requires SNI, and a client in its bypass list dialling an IP (curl sends
// no SNI then). The client is spliced to the real server and gets its
// page; the log says so in one ok event, with no BIG-IP handshake failure,
// and /metrics counts it as ok. It used to be logged as sni_missing with
// "01260013 SSL Handshake failed" and "client saw: alert 40". A client
// outside the bypass list is still refused for the missing SNI.
func TestInspectBypassWithSNIRequire(t *testing.T) {
	t.Parallel()
	ca := tg.NewCA(t, "e2e real server CA")
	leaf := ca.Leaf(t, []string{"real.test"}, net.IPv4(127, 0, 0, 1))
	real := startHTTPBackend(t, "real", &leaf, nil)
	caFile := ca.Write(t, t.TempDir(), "real-ca.pem")
	toml := fmt.Sprintf("mode = \"inspect\"\nbackend = %q\nbypass = [\"127.0.0.2\"]\n"+
		"[listener.client_ssl]\nsni_require = true\n[listener.server_ssl]\nca = %q\n", real.addr, caFile)
	g := startGate(t, gateConfig{admin: true, listeners: []spec{{Name: "insp", TOML: toml}}})
	addr := g.Addr("insp")

	r := runCurl(t, "--interface", "127.0.0.2", "--cacert", caFile, "https://"+addr+"/")
	r.wantExit(t, 0)
	if r.status != 200 || !strings.Contains(r.body, "backend=real") {
		t.Fatalf("status %d body %q, want the real server's page", r.status, r.body)
	}
	e := g.eventFrom(t, "insp", "127.0.0.2:"+strconv.Itoa(r.localPort))
	wantCode(t, e, "ok")
	wantLines(t, e)
	if e.Route != "bypass" || !strings.Contains(e.Summary, "bypassed (not decrypted): address 127.0.0.2 is in bypass") {
		t.Errorf("route %q summary %q, want the bypass", e.Route, e.Summary)
	}
	if strings.Contains(e.ClientSaw, "alert 40") {
		t.Errorf("client saw %q: the client got the real server's page", e.ClientSaw)
	}

	r = runCurl(t, "--cacert", g.CAPEM(), "https://"+addr+"/")
	r.wantExit(t, 35)
	wantCode(t, g.curlEvent(t, "insp", r), "sni_missing")

	g.waitMetrics(t,
		`tlsgate_outcomes_total{diagnosis="ok",listener="insp"} 1`,
		`tlsgate_outcomes_total{diagnosis="sni_missing",listener="insp"} 1`)
	g.stop(t)
}
