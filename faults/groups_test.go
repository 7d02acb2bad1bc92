package faults

import (
	"crypto/tls"
	"slices"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

func TestGroupAndSigAlgPolicy(t *testing.T) {
	rule := Rule{Name: "fips-lb", Stage: StageClientHello, Action: ActCipher,
		Groups: []string{"P-256", "secp384r1"}, SignatureAlgorithms: []string{"ecdsa_secp256r1_sha256"}}
	if err := rule.Validate(); err != nil {
		t.Fatal(err)
	}
	e := NewEngine(nil)
	if err := e.Add(rule); err != nil {
		t.Fatal(err)
	}
	pol := e.Plan(ConnInfo{Index: 1, Hello: &sniff.ClientHello{}}).TLSPolicy()
	if !slices.Equal(pol.Groups, []tls.CurveID{tls.CurveP256, tls.CurveP384}) || !slices.Equal(pol.SigAlgs, []uint16{0x0403}) {
		t.Fatalf("policy %+v", pol)
	}
	if cfg := pol.Configure(&tls.Config{}); !slices.Equal(cfg.CurvePreferences, pol.Groups) {
		t.Errorf("CurvePreferences %v", cfg.CurvePreferences)
	}
	cases := []struct {
		name    string
		hello   sniff.ClientHello
		refused bool
	}{
		{"x25519 only, no ecdsa p256 sigalg", sniff.ClientHello{SupportedVersions: []uint16{0x0304}, SupportedGroups: []uint16{0x001d}, SignatureAlgorithms: []uint16{0x0804}}, true},
		{"p256 but rsa-pss only", sniff.ClientHello{SupportedVersions: []uint16{0x0304}, SupportedGroups: []uint16{0x0017}, SignatureAlgorithms: []uint16{0x0804}}, true},
		{"p256 and ecdsa", sniff.ClientHello{SupportedVersions: []uint16{0x0304}, SupportedGroups: []uint16{0x0017}, SignatureAlgorithms: []uint16{0x0403}}, false},
	}
	for _, c := range cases {
		alert, refused := pol.Refusal(&c.hello)
		if refused != c.refused || (refused && alert != 40) {
			t.Errorf("%s: refused=%v alert=%d", c.name, refused, alert)
		}
	}
	for _, bad := range []Rule{
		{Name: "g", Stage: StageClientHello, Action: ActCipher, Groups: []string{"brainpool"}},
		{Name: "s", Stage: StageClientHello, Action: ActCipher, SignatureAlgorithms: []string{"md5"}},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("rule %+v validated", bad)
		}
	}
}
