package listener

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/faults"
)

// TestPassthroughCeilingRefusesOnlyAboveIt: a passthrough listener has no
// tls.Server, so it refuses a hello for a version or cipher rule by hand.
// A rule with only max_version (a legacy server capped at TLS 1.1) took
// Go's server floor of TLS 1.2 for its own, so its range was empty: it
// refused with alert 70, fired and was counted even for a client that
// offered TLS 1.1 and 1.0, which the rule allows, and the log said the
// profile accepted none of them. A cipher rule alone did the same to a
// TLS 1.0 client offering its suite. Now the rules' own range decides:
// such clients go through to the server, and the rule does not fire; a
// client whose every version is above the cap is still refused.
func TestPassthroughCeilingRefusesOnlyAboveIt(t *testing.T) {
	cap11 := faults.Rule{Name: "cap11", Action: faults.ActVersion, MaxVersion: faults.VersionTLS11}
	cbc := faults.Rule{Name: "cbc-only", Action: faults.ActCipher, Ciphers: []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}}
	legacy := &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}}
	tests := []struct {
		name    string
		rule    faults.Rule
		client  *tls.Config
		refused bool
	}{
		{"max_version alone, client within it", cap11, legacy, false},
		{"max_version alone, client above it", cap11, &tls.Config{MinVersion: tls.VersionTLS12}, true},
		{"cipher alone, TLS 1.0 client offering its suite", cbc, legacy, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, e, err := dialUnderRule(t, Passthrough, tt.rule, tt.client)
			refused := r.o.FaultApplied == "tls_policy"
			if refused != tt.refused {
				t.Fatalf("refused by the rule: %v (alert %d, client error %v, offered %v); want %v",
					refused, r.o.ClientTLS.AlertSent, err, r.o.Hello.SupportedVersions, tt.refused)
			}
			fires := e.List()[0].Fires
			if !tt.refused {
				if len(r.o.Faults) != 0 || fires != 0 {
					t.Errorf("rule logged %v, counted %d, for a hello it allows", r.o.Faults, fires)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "protocol version not supported") || r.o.ClientTLS.AlertSent != 70 || fires != 1 {
				t.Errorf("client error %v, alert %d, fires %d; want alert 70, counted once", err, r.o.ClientTLS.AlertSent, fires)
			}
		})
	}
}
