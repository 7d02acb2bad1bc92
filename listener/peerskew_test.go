package listener

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestPeerSkewReachesTheOrigin: the lab's proxy-clock-skew runs a proxy
// whose upstream clock a proxy_skew rule shifts in front of an origin in
// the same process. The origin gets the proxy's alert 42 and explained it
// with the generic alert-42 causes; with the listeners sharing
// SkewedDials, its Outcome names the rule and the shift, and its
// diagnosis the clock.
func TestPeerSkewReachesTheOrigin(t *testing.T) {
	reg := &SkewedDials{}
	origin := startListenerDeps(t, Options{Name: "origin", Mode: Terminate, ClientSSL: &ClientSSL{}, Backend: "127.0.0.1:9"},
		func(d *Deps) { d.SkewedDials = reg })
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, origin.srv.deps.Minter.CA().CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	e := faults.NewEngine(nil)
	if err := e.Set([]faults.Rule{{Name: "proxy-clock", Action: faults.ActProxySkew, Skew: faults.Duration(30 * 24 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	proxy := startListenerDeps(t, Options{Name: "proxy", Mode: Inspect, Backend: origin.addr,
		ServerSSL: &ServerSSL{CAFile: caFile, Verify: true}}, func(d *Deps) { d.Faults, d.SkewedDials = e, reg })
	c, err := tls.Dial("tcp", proxy.addr, &tls.Config{ServerName: "lab.test", RootCAs: proxy.srv.deps.Minter.CA().Pool()})
	if err == nil {
		c.Close()
	}
	if p := proxy.next(); p.o.FaultApplied != "proxy_skew" {
		t.Fatalf("proxy: fault_applied %q (%s), want proxy_skew", p.o.FaultApplied, p.d.Summary)
	}
	o := origin.next()
	want := explain.PeerSkew{Listener: "proxy", Rule: "proxy-clock", Skew: 30 * 24 * time.Hour}
	if o.o.ClientTLS.AlertRecv != 42 || o.o.PeerSkew != want {
		t.Fatalf("origin: alert %d, peer skew %+v; want 42 and %+v", o.o.ClientTLS.AlertRecv, o.o.PeerSkew, want)
	}
	if !strings.Contains(o.d.Cause, "rule proxy-clock runs 720h0m0s ahead") {
		t.Errorf("origin's cause does not name the proxy's clock:\n%s", o.d.Cause)
	}
}
