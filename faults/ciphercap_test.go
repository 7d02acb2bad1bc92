package faults

import (
	"crypto/tls"
	"slices"
	"testing"
)

// TestTLSPolicyCipherCap: a cipher rule's suites cap the version at TLS
// 1.2 (crypto/tls cannot restrict TLS 1.3 suites). The policy says which
// rule and which ciphers did, so a client above the cap is told to change
// that rule; a max_version above 1.2 that the suites overrule is not the
// ceiling's rule, while one at or below 1.2 still is.
func TestTLSPolicyCipherCap(t *testing.T) {
	gcm := Rule{Name: "gcm12", Action: ActCipher, Ciphers: []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}}
	tests := []struct {
		name             string
		rules            []Rule
		capRule, maxRule string
		wantCapSuites    []string
		wantMax          uint16
	}{
		{"ciphers alone", []Rule{gcm}, "gcm12", "", gcm.Ciphers, tls.VersionTLS12},
		{"a max_version of 1.3 overruled", []Rule{{Name: "v13", Action: ActVersion, MaxVersion: VersionTLS13}, gcm}, "gcm12", "", gcm.Ciphers, tls.VersionTLS12},
		{"a max_version of 1.1 binds", []Rule{{Name: "v11", Action: ActVersion, MinVersion: VersionTLS10, MaxVersion: VersionTLS11}, gcm}, "", "v11", nil, tls.VersionTLS11},
		{"groups alone cap nothing", []Rule{{Name: "p384", Action: ActCipher, Groups: []string{"P-384"}}}, "", "", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine(nil)
			for i := range tt.rules {
				tt.rules[i].Stage = StageClientHello
			}
			if err := e.Set(tt.rules); err != nil {
				t.Fatal(err)
			}
			pol := e.Plan(ConnInfo{Index: 1, Decrypted: true}).TLSPolicy()
			if pol.CipherCapRule != tt.capRule || pol.MaxVersionRule != tt.maxRule || !slices.Equal(pol.CipherCapSuites, tt.wantCapSuites) || pol.MaxVersion != tt.wantMax {
				t.Errorf("cap rule %q suites %v, max_version rule %q, max %x; want %q %v, %q, %x",
					pol.CipherCapRule, pol.CipherCapSuites, pol.MaxVersionRule, pol.MaxVersion, tt.capRule, tt.wantCapSuites, tt.maxRule, tt.wantMax)
			}
		})
	}
}
