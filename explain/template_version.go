package explain

import (
	"crypto/tls"
	"strings"
)

// The version advice is computed from the listener's floor and ceiling and
// from what the client offered: "offer TLS 1.2 or later" is wrong advice
// for a client that offered TLS 1.2 to a TLS 1.3-only listener.

// versionPlaceholder fills the template names of the version advice;
// ok=false leaves a name unknown.
func (f *facts) versionPlaceholder(name string) (string, bool) {
	switch name {
	case "min_offered":
		return VersionName(f.minOffered), true
	case "max_offered_cfg":
		return versionConfig(f.maxOffered), true
	case "min_offered_cfg":
		return versionConfig(f.minOffered), true
	case "bigip_enable_old":
		// Serving the client's best version means enabling every version
		// from it up to the floor.
		return bigipNoOptions(f.maxOffered, f.floor-1), true
	case "bigip_enable_new":
		return bigipNoOptions(f.ceiling+1, f.minOffered), true
	case "client_floor_flags":
		return f.clientFlags(f.floor, f.ceiling), true
	case "client_ceiling_flags":
		return f.clientFlags(f.ceiling, f.ceiling), true
	case "max_version_knob":
		// The knob that caps the server: a fault rule's max_version when
		// one set the ceiling, else the listener's.
		if r := f.o.ClientTLS.CeilingRule; r != "" {
			return f.say("knob_max_rule", "{rule}", r), true
		}
		return f.say("knob_max_listener", "{listener}", f.o.Listener), true
	case "ceiling_cipher_rule":
		return f.o.ClientTLS.CeilingCipherRule, true
	case "ceiling_ciphers":
		return f.list(f.o.ClientTLS.CeilingCiphers), true
	case "bigip_enable_modern":
		// What a BIG-IP client-ssl profile must stop disabling for TLS
		// 1.2 and later, up to what the client offers.
		return bigipNoOptions(tls.VersionTLS12, max(tls.VersionTLS12, min(f.maxOffered, tls.VersionTLS13))), true
	case "legacy_risk":
		if f.maxOffered < tls.VersionTLS12 {
			return f.say("legacy_risk"), true
		}
		return "", true
	}
	return f.effectPlaceholder(name)
}

// versionConfig spells v as min_version and max_version take it.
func versionConfig(v uint16) string {
	return strings.TrimPrefix(VersionName(v), "TLS ")
}

// bigipNoOptions lists the client-ssl options that disable the versions
// from lo to hi (within TLS 1.0-1.3), as BIG-IP names them.
func bigipNoOptions(lo, hi uint16) string {
	names := map[uint16]string{
		tls.VersionTLS10: "no-tlsv1", tls.VersionTLS11: "no-tlsv1.1",
		tls.VersionTLS12: "no-tlsv1.2", tls.VersionTLS13: "no-tlsv1.3",
	}
	var out []string
	for v := max(lo, tls.VersionTLS10); v <= min(hi, tls.VersionTLS13); v++ {
		out = append(out, names[v])
	}
	return strings.Join(out, "/")
}

// clientFlags says how common clients are made to offer versions lo to hi.
// OpenSSL 3 (curl, s_client, Python) refuses TLS 1.0 and 1.1 at its default
// security level 2 (client-symptoms.md §1), so those need SECLEVEL=0.
func (f *facts) clientFlags(lo, hi uint16) string {
	curl := "curl --tlsv" + versionConfig(lo)
	sclient := "openssl s_client -tls" + strings.ReplaceAll(versionConfig(lo), ".", "_")
	if lo == tls.VersionTLS10 {
		sclient = "openssl s_client -tls1"
	}
	if hi < tls.VersionTLS13 {
		curl += " --tls-max " + versionConfig(hi)
	}
	if lo < tls.VersionTLS12 {
		curl += " --ciphers DEFAULT@SECLEVEL=0"
		sclient += " -cipher DEFAULT@SECLEVEL=0"
	}
	var java []string
	for v := lo; v <= hi && v <= tls.VersionTLS13; v++ {
		java = append(java, strings.TrimSuffix("TLSv"+versionConfig(v), ".0")) // Java says TLSv1
	}
	// Tool names stay outside the backticks, as Java's does: these are
	// options to add to the client's own command, not commands to paste.
	s := f.list([]string{"curl `" + strings.TrimPrefix(curl, "curl ") + "`", "openssl s_client `" + strings.TrimPrefix(sclient, "openssl s_client ") + "`",
		"Java `-Djdk.tls.client.protocols=" + strings.Join(java, ",") + "`"})
	if lo < tls.VersionTLS12 {
		s += f.say("java_legacy")
	}
	return s
}
