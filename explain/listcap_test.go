package explain

import (
	"strings"
	"testing"
)

// TestEvidenceListCap: a hostile hello can offer thousands of suites (a
// 16 KiB hello holds about 8,000); the evidence names the first ListCap
// and says how many more there were, so the diagnosis, and the log line
// it becomes, stays bounded. A list of exactly ListCap is named whole.
func TestEvidenceListCap(t *testing.T) {
	for _, tc := range []struct {
		n        int
		wantMore string
	}{
		{n: 5},
		{n: ListCap},
		{n: ListCap + 1, wantMore: "… and 1 more"},
		{n: 6000, wantMore: "… and 5840 more"},
	} {
		suites := make([]uint16, 0, tc.n)
		for id := uint16(0x1000); len(suites) < tc.n; id++ {
			if !IsGREASE(id) { // left out of the evidence
				suites = append(suites, id) // unnamed: printed as hex
			}
		}
		o := failed(withHello(base("terminate"), legacyHello(0x0303, suites...)), "tls: no cipher suite supported by both client and server")
		o.Hello.SupportedGroups = suites
		d := Diagnose(o)
		if d.Code != CodeNoSharedCipher {
			t.Fatalf("%d suites: code %s, want %s", tc.n, d.Code, CodeNoSharedCipher)
		}
		var offered string
		for _, e := range d.Evidence {
			if e.Key == "ciphers_offered" {
				offered = e.Value
			}
		}
		names := strings.Split(offered, ", ")
		more := names[len(names)-1]
		switch {
		case tc.wantMore == "" && (len(names) != tc.n || strings.HasPrefix(more, "…")):
			t.Errorf("%d suites: evidence names %d items ending %q, want all %d", tc.n, len(names), more, tc.n)
		case tc.wantMore != "" && (len(names) != ListCap+1 || more != tc.wantMore):
			t.Errorf("%d suites: evidence names %d items ending %q, want %d then %q", tc.n, len(names), more, ListCap, tc.wantMore)
		}
		total := 0
		for _, e := range d.Evidence {
			total += len(e.Value)
		}
		if total > 16<<10 {
			t.Errorf("%d suites: evidence holds %d bytes, want at most 16 KiB", tc.n, total)
		}
	}
}

// TestCipherNameSCSV: the suite list's signalling values are named, not
// left as hex; unknown suites stay hex, known ones keep their IANA names.
func TestCipherNameSCSV(t *testing.T) {
	for id, want := range map[uint16]string{
		0x00ff: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
		0x5600: "TLS_FALLBACK_SCSV",
		0x1301: "TLS_AES_128_GCM_SHA256",
		0x1000: "0x1000",
	} {
		if got := CipherName(id); got != want {
			t.Errorf("CipherName(%#04x) = %q, want %q", id, got, want)
		}
	}
}
