package faults

import (
	"fmt"
	"strings"

	"github.com/tlsgate/tlsgate/pki"
)

// A name_constraints chain rule is the catalog's cert.constraints with
// permitted_dns: pki mints the leaf under an intermediate whose X.509 name
// constraints permit only the rule's DNS subtrees, so every client that
// verifies the chain refuses a name outside them. This file holds its
// validation and the words of its symptom.

// validateConstraints checks permitted_dns against the chain: required
// by name_constraints, meaningless (and refused) with any other chain,
// and each entry a DNS subtree pki can put in the extension.
func (r *Rule) validateConstraints(fail failFunc) error {
	if r.Chain != ChainNameConstraints {
		if len(r.PermittedDNS) > 0 {
			return fail("permitted_dns", "only the name_constraints chain reads it, not chain %q: set chain = %q, or leave permitted_dns out", r.Chain, ChainNameConstraints)
		}
		return nil
	}
	if len(r.PermittedDNS) == 0 {
		return fail("permitted_dns", "missing: chain name_constraints needs the DNS subtrees its intermediate permits, such as [\"example.net\"]; a client asking for a name outside them refuses the chain")
	}
	if _, err := pki.CheckPermittedDNS(r.PermittedDNS); err != nil {
		return fail("permitted_dns", "%s", strings.TrimPrefix(err.Error(), "pki: "))
	}
	return nil
}

// constraintsSymptom is what clients print for a name_constraints chain
// (observed with curl 7.88.1 and openssl s_client on OpenSSL 3.0.19, Go
// 1.26.8 and Python 3.11.7): a name outside permitted breaks the permitted
// subtrees, an address (no SNI) the excluded ones.
func constraintsSymptom(permitted []string) string {
	return fmt.Sprintf("name constraints (the intermediate permits only DNS %s): for any other name curl (60) SSL certificate problem: permitted subtree violation; "+
		"openssl s_client Verify return code: 47 (permitted subtree violation); "+
		"Go x509: a root or intermediate certificate is not authorized to sign for this name: DNS name \"…\" is not permitted by any constraint; "+
		"Python [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: permitted subtree violation; "+
		"by IP address (no SNI) excluded subtree violation (47 becomes 48); a name inside them connects",
		strings.Join(permitted, ", "))
}
