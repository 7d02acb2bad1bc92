package explain

import (
	"strings"
	"testing"
	"time"
)

// TestPeerSkewAlert: the lab origin behind a proxy whose upstream clock a
// proxy_skew rule shifts gets alert 42 from that proxy. Its explanation
// was the generic alert-42 text (trust the lab CA, the name, both
// clocks); with the peer known to be tlsgate's own skewed leg it names
// the shifted clock and what the certificate looked like by it.
func TestPeerSkewAlert(t *testing.T) {
	for _, tc := range []struct {
		skew  time.Duration
		words []string
	}{
		{30 * 24 * time.Hour, []string{"720h0m0s ahead", "looked expired", "rule proxy-clock-ahead", "listener proxy-clock-skew", "ntpq -p", "-dates"}},
		{-2 * time.Hour, []string{"2h0m0s behind", "looked not yet valid"}},
	} {
		o := withHello(base("terminate"), modernHello())
		o.Listener = "origin"
		o.ClientTLS.AlertRecv = 42
		o.ClientTLS.Err = "remote error: tls: bad certificate"
		o.PeerSkew = PeerSkew{Listener: "proxy-clock-skew", Rule: "proxy-clock-ahead", Skew: tc.skew}
		d := Diagnose(o)
		text := d.Cause + "\n" + strings.Join(d.Checks, "\n")
		if d.Code != CodeClientAlert {
			t.Fatalf("code %s, want %s", d.Code, CodeClientAlert)
		}
		for _, w := range tc.words {
			if !strings.Contains(text, w) {
				t.Errorf("skew %s: %q missing from\n%s", tc.skew, w, text)
			}
		}
		if strings.Contains(text, "signed by unknown authority") {
			t.Errorf("skew %s: still the generic trust-store advice:\n%s", tc.skew, text)
		}
		var ev bool
		for _, e := range d.Evidence {
			ev = ev || e.Key == "peer_skew" && strings.Contains(e.Value, "proxy-clock-ahead")
		}
		if !ev {
			t.Errorf("skew %s: no peer_skew evidence: %+v", tc.skew, d.Evidence)
		}
		ja := DiagnoseLang(o, LangJA)
		if strings.Contains(ja.Cause, "{") {
			t.Errorf("Japanese cause has an unfilled placeholder: %s", ja.Cause)
		}
	}
}
