package config

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strings"

	"github.com/tlsgate/tlsgate/listener"
)

// parseVersion maps the config's "1.0".."1.3" to crypto/tls constants. Only the
// numbers are accepted: one spelling keeps configs greppable, and the error names it.
func parseVersion(s string) (uint16, bool) {
	switch s {
	case "1.0":
		return tls.VersionTLS10, true
	case "1.1":
		return tls.VersionTLS11, true
	case "1.2":
		return tls.VersionTLS12, true
	case "1.3":
		return tls.VersionTLS13, true
	}
	return 0, false
}

// lookupCipher finds a suite crypto/tls implements by its IANA name, ignoring case.
// Insecure suites are accepted on purpose: reproducing an RC4 or 3DES server is one
// of the things a lab is for.
func lookupCipher(name string) (uint16, bool) {
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, cs := range list {
			if strings.EqualFold(cs.Name, name) {
				return cs.ID, true
			}
		}
	}
	return 0, false
}

// cipherHint explains why name is not a suite we know and what to write instead.
// BIG-IP logs and tmsh cipher strings use OpenSSL names, so that is the likeliest
// mistake; we point at the IANA name rather than accept two spellings.
func cipherHint(name string) string {
	if iana := opensslToIANA(strings.ToUpper(name)); iana != "" {
		return fmt.Sprintf("that is the OpenSSL name; write %q", iana)
	}
	var names []string
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, cs := range list {
			names = append(names, cs.Name)
		}
	}
	if strings.Contains(strings.ToUpper(name), "DHE_") && !strings.Contains(strings.ToUpper(name), "ECDHE") {
		return "Go's crypto/tls implements no finite-field DHE suites"
	}
	if s := suggest(strings.ToUpper(name), names); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return "use an IANA name that Go's crypto/tls implements (the list is in config.toml)"
}

// opensslToIANA maps the OpenSSL names of the suites crypto/tls implements to their
// IANA names (TLS 1.3 suites have the same name in both). Other OpenSSL names map to
// "", since pointing at a suite Go cannot run would only move the error.
func opensslToIANA(name string) string {
	switch name {
	case "RC4-SHA":
		return "TLS_RSA_WITH_RC4_128_SHA"
	case "DES-CBC3-SHA":
		return "TLS_RSA_WITH_3DES_EDE_CBC_SHA"
	case "AES128-SHA":
		return "TLS_RSA_WITH_AES_128_CBC_SHA"
	case "AES256-SHA":
		return "TLS_RSA_WITH_AES_256_CBC_SHA"
	case "AES128-SHA256":
		return "TLS_RSA_WITH_AES_128_CBC_SHA256"
	case "AES128-GCM-SHA256":
		return "TLS_RSA_WITH_AES_128_GCM_SHA256"
	case "AES256-GCM-SHA384":
		return "TLS_RSA_WITH_AES_256_GCM_SHA384"
	case "ECDHE-ECDSA-RC4-SHA":
		return "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"
	case "ECDHE-ECDSA-AES128-SHA":
		return "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"
	case "ECDHE-ECDSA-AES256-SHA":
		return "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"
	case "ECDHE-RSA-RC4-SHA":
		return "TLS_ECDHE_RSA_WITH_RC4_128_SHA"
	case "ECDHE-RSA-DES-CBC3-SHA":
		return "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"
	case "ECDHE-RSA-AES128-SHA":
		return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
	case "ECDHE-RSA-AES256-SHA":
		return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"
	case "ECDHE-ECDSA-AES128-SHA256":
		return "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"
	case "ECDHE-RSA-AES128-SHA256":
		return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"
	case "ECDHE-RSA-AES128-GCM-SHA256":
		return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
	case "ECDHE-ECDSA-AES128-GCM-SHA256":
		return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
	case "ECDHE-RSA-AES256-GCM-SHA384":
		return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
	case "ECDHE-ECDSA-AES256-GCM-SHA384":
		return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
	case "ECDHE-RSA-CHACHA20-POLY1305":
		return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
	case "ECDHE-ECDSA-CHACHA20-POLY1305":
		return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
	}
	return ""
}

// versionName is the config spelling of a crypto/tls version constant.
func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "1.0"
	case tls.VersionTLS11:
		return "1.1"
	case tls.VersionTLS12:
		return "1.2"
	case tls.VersionTLS13:
		return "1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

// defaultMinVersion is the lowest version a client_ssl profile without min_version
// accepts: crypto/tls's server default, which the listener keeps.
const defaultMinVersion = tls.VersionTLS12

// checkCipherVersions rejects a cipher list of which no suite can be negotiated
// within the profile's versions. crypto/tls applies the list to TLS 1.2 and below
// only (it picks TLS 1.3 suites itself), so max_version = "1.2" with only TLS 1.3
// suites would fail every handshake. The reverse, TLS 1.3 only with TLS 1.2 suites
// listed, is left alone: the list is then unused, not harmful.
func checkCipherVersions(t *table, c *listener.ClientSSL) {
	lo, hi := c.MinVersion, c.MaxVersion
	if lo == 0 {
		lo = defaultMinVersion
	}
	if hi == 0 {
		hi = tls.VersionTLS13
	}
	if hi >= tls.VersionTLS13 || lo > hi {
		return // TLS 1.3 needs no listed suite; min above max is reported already
	}
	var why []string
	tls13 := false
	for _, id := range c.Ciphers {
		vs := suiteVersions(id)
		if slices.ContainsFunc(vs, func(v uint16) bool { return v >= lo && v <= hi }) {
			return
		}
		tls13 = tls13 || slices.Contains(vs, tls.VersionTLS13)
		why = append(why, fmt.Sprintf("%s is %s", tls.CipherSuiteName(id), versionRange(vs)))
	}
	note := ""
	if tls13 {
		note = "; crypto/tls picks TLS 1.3 suites itself and applies this list below TLS 1.3"
	}
	t.fail("ciphers", "would allow no suite at all with TLS %s (%s%s); list a suite for those versions, or raise max_version",
		versionSpan(lo, hi), strings.Join(why, ", "), note)
}

// noteRSAOnly notes a cipher list whose TLS 1.0-1.2 suites all need an RSA
// certificate on a listener that serves minted leaves, which are ECDSA:
// below TLS 1.3 no handshake can succeed. It is a note, not an error,
// because that is how a lab reproduces "no shared cipher" on purpose.
func noteRSAOnly(t *table, ids []uint16) {
	var rsa []string
	for _, id := range ids {
		name := tls.CipherSuiteName(id)
		switch {
		case slices.Equal(suiteVersions(id), []uint16{tls.VersionTLS13}):
			continue // TLS 1.3 suites do not name a key type
		case strings.HasPrefix(name, "TLS_ECDHE_RSA_") || strings.HasPrefix(name, "TLS_RSA_"):
			rsa = append(rsa, name)
		default:
			return // an ECDSA suite works with the minted leaves
		}
	}
	if len(rsa) == 0 {
		return
	}
	t.note("ciphers", "every TLS 1.0-1.2 suite listed (%s) needs an RSA certificate, and without cert and key this listener "+
		"serves minted ECDSA P-256 leaves: clients that do not use TLS 1.3 will fail with no shared cipher (BIG-IP 01260026). "+
		"That reproduces the failure on purpose; otherwise add an ECDHE_ECDSA suite, or give an RSA cert and key",
		strings.Join(rsa, ", "))
}

// suiteVersions lists the versions crypto/tls negotiates suite id at.
func suiteVersions(id uint16) []uint16 {
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, cs := range list {
			if cs.ID == id {
				return cs.SupportedVersions
			}
		}
	}
	return nil
}

// versionRange words a suite's versions: "TLS 1.3 only", "TLS 1.0 to 1.2".
func versionRange(vs []uint16) string {
	if len(vs) == 0 {
		return "not negotiable"
	}
	lo, hi := slices.Min(vs), slices.Max(vs)
	if lo == hi {
		return "TLS " + versionName(lo) + " only"
	}
	return "TLS " + versionSpan(lo, hi)
}

func versionSpan(lo, hi uint16) string {
	if lo == hi {
		return versionName(lo)
	}
	return versionName(lo) + " to " + versionName(hi)
}
