package config

import (
	"crypto/tls"
	"fmt"
	"strings"
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
