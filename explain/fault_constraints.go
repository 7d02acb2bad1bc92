package explain

import "strings"

// A name_constraints chain rule (the catalog's cert.constraints) serves a
// leaf under an intermediate whose X.509 name constraints leave out the
// name the client asked for. The chain check is then about that
// intermediate: the constraints are on it, not on the leaf, so the check
// says how to read them and what they leave out.

// constraintsCmd prints the name constraints of the second certificate a
// server sends (the intermediate): s_client with the client's SNI,
// awk keeping the PEM blocks from the second on, openssl x509 reading the
// first of those, sed printing the extension (the last one pki writes) up
// to the signature.
const constraintsCmd = "openssl s_client -connect {virtual}{sni_flag} -showcerts </dev/null 2>/dev/null | awk '/BEGIN CERTIFICATE/{n++} n==2' | openssl x509 -noout -text | sed -n '/X509v3 Name Constraints/,/Signature Algorithm/p'"

// constraintsLook is the chain check's last sentences for a
// name_constraints chain, "" for any other: the command that reads the
// intermediate's constraints, the subtrees the rule permitted, and the
// name (or, without SNI, the address) they leave out.
func (f *facts) constraintsLook(fr FaultFiring) string {
	if fr.Chain != "name_constraints" {
		return ""
	}
	name, _ := f.placeholder("sni_or_host")
	key := "chain_look_constraints"
	if f.sni() == "" {
		key += "_ip"
	}
	return f.say(key, "{cmd}", f.expand(constraintsCmd), "{permitted}", "DNS:"+strings.Join(fr.PermittedDNS, ", DNS:"), "{name}", name)
}
