package faults

import (
	"crypto/tls"
	"slices"
	"strings"

	"github.com/tlsgate/tlsgate/sniff"
)

// groupNames maps the spellings operators use (IANA, OpenSSL, Go) to the
// key-exchange groups crypto/tls can negotiate. A function, not a package
// variable: only rule validation and planning of cipher rules read it.
func groupNames() map[string]tls.CurveID {
	return map[string]tls.CurveID{
		"x25519": tls.X25519, "x25519mlkem768": tls.X25519MLKEM768,
		"p-256": tls.CurveP256, "secp256r1": tls.CurveP256, "curvep256": tls.CurveP256, "prime256v1": tls.CurveP256,
		"p-384": tls.CurveP384, "secp384r1": tls.CurveP384, "curvep384": tls.CurveP384,
		"p-521": tls.CurveP521, "secp521r1": tls.CurveP521, "curvep521": tls.CurveP521,
	}
}

// sigAlgNames maps TLS SignatureScheme names (RFC 8446 §4.2.3) to codes.
func sigAlgNames() map[string]uint16 {
	return map[string]uint16{
		"ecdsa_secp256r1_sha256": 0x0403, "ecdsa_secp384r1_sha384": 0x0503, "ecdsa_secp521r1_sha512": 0x0603,
		"rsa_pss_rsae_sha256": 0x0804, "rsa_pss_rsae_sha384": 0x0805, "rsa_pss_rsae_sha512": 0x0806,
		"rsa_pss_pss_sha256": 0x0809, "rsa_pss_pss_sha384": 0x080a, "rsa_pss_pss_sha512": 0x080b,
		"rsa_pkcs1_sha256": 0x0401, "rsa_pkcs1_sha384": 0x0501, "rsa_pkcs1_sha512": 0x0601,
		"ed25519": 0x0807, "ecdsa_sha1": 0x0203, "rsa_pkcs1_sha1": 0x0201,
	}
}

func lookupGroup(name string) (tls.CurveID, bool) {
	id, ok := groupNames()[strings.ToLower(name)]
	return id, ok
}

func lookupSigAlg(name string) (uint16, bool) {
	id, ok := sigAlgNames()[strings.ToLower(name)]
	return id, ok
}

func knownGroupNames() string {
	return "X25519, X25519MLKEM768, P-256, P-384, P-521"
}

func knownSigAlgNames() string {
	names := make([]string, 0, 16)
	for n := range sigAlgNames() {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// validateGroupsSigAlgs checks the cipher action's group and signature
// algorithm restrictions.
func (r *Rule) validateGroupsSigAlgs(fail failFunc) error {
	for _, g := range r.Groups {
		if _, ok := lookupGroup(g); !ok {
			return fail("groups", "unknown group %q (want %s)", g, knownGroupNames())
		}
	}
	for _, s := range r.SignatureAlgorithms {
		if _, ok := lookupSigAlg(s); !ok {
			return fail("signature_algorithms", "unknown signature algorithm %q (want %s)", s, knownSigAlgNames())
		}
	}
	return nil
}

// SigAlgRefusal says whether the hello offers none of the policy's signature
// algorithms. crypto/tls has no server-side knob for them, so the listener
// answers such a hello itself, with the handshake_failure (40) a strict
// profile sends.
func (t TLSPolicy) SigAlgRefusal(h *sniff.ClientHello) (alert uint8, refused bool) {
	if h == nil || len(t.SigAlgs) == 0 {
		return 0, false
	}
	for _, s := range h.SignatureAlgorithms {
		if slices.Contains(t.SigAlgs, s) {
			return 0, false
		}
	}
	return 40, true
}

// groupRefusal says whether the hello offers none of the allowed groups.
func (t TLSPolicy) groupRefusal(h *sniff.ClientHello) bool {
	if len(t.Groups) == 0 {
		return false
	}
	for _, g := range h.SupportedGroups {
		if slices.Contains(t.Groups, tls.CurveID(g)) {
			return false
		}
	}
	return true
}
