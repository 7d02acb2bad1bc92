package explain

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strings"
)

// Key exchange groups: what the client offered (supported_groups) against
// what tlsgate allowed on the client leg (a cipher rule's groups narrow
// crypto/tls's CurvePreferences).

// ruleGroup: the client offers no key exchange group tlsgate allowed. It
// runs before ruleCipher because below TLS 1.3 Go reports the mismatch as
// "no cipher suite supported" (its ECDHE suites need a shared curve),
// which would send the operator to the cipher lists; under TLS 1.3 it says
// "no key exchanges supported", which no other rule explains.
func ruleGroup(f *facts) (verdict, bool) {
	if !f.legFailed() {
		return verdict{}, false
	}
	switch classifyErr(f.o.ClientTLS.Err) {
	case errGroup:
		if f.noSharedGroup() {
			return verdict{code: CodeNoSharedGroup}, true
		}
		return verdict{code: CodeNoSharedGroup, variant: "error_only"}, true
	case errCipher:
		// Suites on both lists, every one ECDHE, and no group to run
		// ECDHE with: the groups are the cause, not the suites.
		allECDHE := len(f.shared) > 0 && !slices.ContainsFunc(f.shared, func(id uint16) bool {
			return !strings.HasPrefix(CipherName(id), "TLS_ECDHE_")
		})
		if allECDHE && f.noSharedGroup() {
			return verdict{code: CodeNoSharedGroup}, true
		}
	}
	return verdict{}, false
}

// noSharedGroup says tlsgate allowed only some groups on the client leg
// and the ClientHello offers none of them.
func (f *facts) noSharedGroup() bool {
	ours, h := f.o.ClientTLS.OurGroups, f.o.Hello
	if len(ours) == 0 || h == nil {
		return false
	}
	return !slices.ContainsFunc(h.SupportedGroups, func(g uint16) bool { return !IsGREASE(g) && slices.Contains(ours, g) })
}

// groupList names groups for people, GREASE left out, joined by join.
func (f *facts) groupList(ids []uint16, join func([]string) string) string {
	names := make([]string, 0, min(len(ids), ListCap+1))
	total := 0
	for _, id := range ids {
		if IsGREASE(id) {
			continue
		}
		if total++; len(names) < ListCap {
			names = append(names, GroupName(id))
		}
	}
	if total == 0 {
		return f.say("none")
	}
	return join(f.more(names, total))
}

// GroupName names a key exchange group as operators write it (P-256, not
// crypto/tls's CurveP256); unknown codes as hex.
func GroupName(id uint16) string {
	switch id {
	case uint16(tls.CurveP256):
		return "P-256"
	case uint16(tls.CurveP384):
		return "P-384"
	case uint16(tls.CurveP521):
		return "P-521"
	case 0x001e:
		return "X448"
	case 0x0100, 0x0101, 0x0102, 0x0103, 0x0104:
		return fmt.Sprintf("ffdhe%d", []int{2048, 3072, 4096, 6144, 8192}[id-0x0100])
	}
	if s := tls.CurveID(id).String(); !strings.HasPrefix(s, "CurveID(") {
		return s
	}
	return fmt.Sprintf("0x%04x", id)
}
