package explain

import (
	"crypto/tls"
	"slices"
	"strings"
)

// Rules for transparent interception and for the trust failures an
// intercepting listener meets. They sit in the rule order of detect.go.

// ruleNoOrigDst: a transparent listener refuses a flow it cannot place.
func ruleNoOrigDst(f *facts) (verdict, bool) {
	return verdict{code: CodeNoOriginalDst, variant: f.o.Transparent}, f.o.Route == "no_original_dst"
}

// ruleTransparentLoop: the original destination is tlsgate itself.
func ruleTransparentLoop(f *facts) (verdict, bool) {
	return verdict{code: CodeTransparentLoop}, f.o.Route == "transparent_loop"
}

// ruleClientCert reads Go's server-side client-certificate errors, whose
// texts are conclusive (bigip-log.md §5, client-symptoms.md §7). It runs
// before the alert rule: the client sent no alert, tlsgate did.
func ruleClientCert(f *facts) (verdict, bool) {
	if !f.legFailed() {
		return verdict{}, false
	}
	err := f.o.ClientTLS.Err
	// A client_auth rule asked for the certificate: the rule and its CAs,
	// not the listener's client_cert, are the story.
	auth := f.authFiring() >= 0
	switch {
	case strings.Contains(err, "client didn't provide a certificate") && auth:
		return verdict{code: CodeClientCertMissing, variant: "auth_fault"}, true
	case strings.Contains(err, "client didn't provide a certificate"):
		return verdict{code: CodeClientCertMissing, variant: versionVariant(f.legVersion())}, true
	case classifyErr(err) == errX509 && auth:
		return verdict{code: CodeClientCertRejected, variant: "auth_fault"}, true
	case classifyErr(err) == errX509:
		return verdict{code: CodeClientCertRejected, variant: x509Variant(err)}, true
	}
	return verdict{}, false
}

// authFiring is the client_auth rule that asked for the client's
// certificate, -1 when none fired.
func (f *facts) authFiring() int {
	return slices.IndexFunc(f.o.FaultFirings, func(fr FaultFiring) bool { return fr.Action == "client_auth" })
}

// authCAs words the CAs a client_auth rule accepts: the lab CA, none at
// all, or its PEM files.
func (f *facts) authCAs() string {
	i := f.authFiring()
	if i < 0 {
		return f.orNone("")
	}
	cas := f.o.FaultFirings[i].AcceptCAs
	if len(cas) == 0 {
		cas = []string{"lab"}
	}
	words := make([]string, len(cas))
	for j, ca := range cas {
		switch ca {
		case "lab":
			words[j] = f.say("auth_ca_lab")
		case "none":
			words[j] = f.say("auth_ca_none")
		default:
			words[j] = "`" + ca + "`"
		}
	}
	return strings.Join(words, f.say("auth_ca_or"))
}

// ruleRejectedSilently: the client got tlsgate's certificate flight and
// hung up without an alert. Clients that distrust a certificate usually
// say so with an alert; closing without one is what apps with pinned
// certificates, and some stacks with an untrusted CA, do. Not when a fault
// cut or stalled the flight: the client never saw the whole certificate.
func ruleRejectedSilently(f *facts) (verdict, bool) {
	l := f.o.ClientTLS
	if !f.legFailed() || !l.ServerFlightSent || f.alert >= 0 || f.flightDamaged() {
		return verdict{}, false
	}
	if l.FINBeforeFlight && classifyErr(l.Err) == errEOF {
		// Its FIN came before the flight was written: it closed without
		// waiting for the certificate, so it refused none (client_err).
		return verdict{}, false
	}
	// A chain rule's certificate is the one it refused: the rule, not
	// pinning or the lab CA, is the story.
	effect := f.chainEffect()
	// A configured certificate's issuer, not the lab CA, is the one a
	// client may distrust; and only an inspect listener has a bypass to
	// splice a pinning client past, so a terminate (or auto) listener's
	// minted leaf gets advice without one.
	kind := ""
	switch {
	case f.servesConfigured():
		kind = "configured"
	case f.o.Mode != "inspect":
		kind = "terminate"
	}
	switch classifyErr(l.Err) {
	case errEOF:
		if effect != "" {
			return verdict{code: CodeClientRejectedSilently, variant: effect + "_flight"}, true
		}
		return verdict{code: CodeClientRejectedSilently, variant: kind}, true
	case errReset:
		if effect != "" {
			return verdict{code: CodeClientRejectedSilently, variant: effect + "_flight"}, true
		}
		if kind != "" {
			return verdict{code: CodeClientRejectedSilently, variant: "reset_" + kind}, true
		}
		return verdict{code: CodeClientRejectedSilently, variant: "reset"}, true
	}
	return verdict{}, false
}

// okVariant picks the success text: a spliced bypass, an inspected
// connection with both legs up, and a host check's outcome. On inspect the
// host check is its own variant ("inspect_host_mismatch"): the inspect
// text alone would say the request was relayed to a client that got a 421
// from tlsgate, and the host check's text alone would drop the two legs.
func okVariant(o *Outcome) string {
	host := ""
	switch {
	case slices.ContainsFunc(o.FaultFirings, func(fr FaultFiring) bool { return fr.Action == "sni_policy" && fr.Stage == "request" }):
		// An sni_policy with host_mismatch is logged only when it
		// answered 421: the handshake worked, a request did not.
		host = "host_mismatch"
	case o.HostChecked != "":
		host = "host_checked"
	}
	// No answer outranks a host check that passed: "nothing to fix for
	// what was checked" must not stand beside it (a mismatch is a fault
	// firing, which the no-answer warning never joins).
	unanswered := noAnswer(o)
	switch {
	case o.Route == "bypass":
		return "bypass"
	case (o.Route == "inspect" || o.Mode == "inspect") && o.ClientTLS.Done && o.Backend.TLS.Done:
		switch {
		case unanswered == "h2_no_answer":
			return "inspect_h2_no_answer"
		case unanswered != "":
			return "inspect_no_answer" // TLS: never cut_short
		case host != "":
			return "inspect_" + host
		}
		return "inspect"
	case unanswered == "h2_no_answer" && o.Backend.TLS.Attempted:
		// server_ssl: the backend leg was TLS, so asking the backend
		// directly takes https://, not h2c.
		return "h2_no_answer_tls"
	case unanswered != "":
		return unanswered
	}
	return host
}

// inspectVariant says v is one of the inspected successes, whose
// interception warnings apply.
func inspectVariant(v verdict) bool {
	return v.code == CodeOK && (v.variant == "inspect" || strings.HasPrefix(v.variant, "inspect_"))
}

// legVersion is the client leg's version: the negotiated one, or for a
// failed leg the one a server with our range would have chosen.
func (f *facts) legVersion() uint16 {
	if v := f.o.ClientTLS.Version; v != 0 {
		return v
	}
	return f.negotiable
}

// versionVariant names the variants whose client-visible symptoms differ
// between TLS 1.3 (client auth after the client's Finished) and earlier.
func versionVariant(v uint16) string {
	switch {
	case v == tls.VersionTLS13:
		return "tls13"
	case v != 0:
		return "tls12"
	}
	return ""
}

// clientCertAlert is the alert a Go server sends for a client-certificate
// failure (client-symptoms.md §8.1): 116 in TLS 1.3 and 40 before it for a
// missing certificate; 48 unknown CA, 45 expired or not yet valid, 42 for
// the rest. The alert seen on the wire wins when the listener read one.
func (f *facts) clientCertAlert() int {
	l := f.o.ClientTLS
	if l.AlertSent >= 0 {
		return l.AlertSent
	}
	if strings.Contains(l.Err, "client didn't provide a certificate") {
		if f.legVersion() == tls.VersionTLS13 {
			return 116
		}
		return 40
	}
	switch x509Variant(l.Err) {
	case "unknown_authority":
		return 48
	case "expired", "not_yet_valid":
		return 45
	}
	return 42
}
