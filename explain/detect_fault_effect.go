package explain

import (
	"slices"
	"strings"
	"time"
)

// Faults that did not end the connection but decided how it failed: a
// bad chain or a shifted clock behind a certificate alert, a cut or held
// handshake flight behind a client that hung up. Without them the client's
// behaviour reads as its own fault (an untrusted lab CA, a monitor that
// closed); with them the explanation names the rule and what it imitates.

// chainEffect is the variant of a certificate rejection a chain rule
// explains: "clock_fault" for a good chain with a shifted validity (the
// client's clock, in the real case), "revocation_fault" for a good chain
// with a damning OCSP staple, "ocsp_clock_fault" for a good chain whose
// staple's times are off (an ocsp_times rule), "chain_fault" for a bad
// chain, "" when no chain rule fired.
func (f *facts) chainEffect() string {
	i := f.effectFiring()
	if i < 0 || !servesCert(f.o.FaultFirings[i].Action) {
		return ""
	}
	fr := f.o.FaultFirings[i]
	switch {
	case fr.Action == "ocsp_times":
		return "ocsp_clock_fault"
	case fr.Chain == "" && fr.Skew != 0:
		return "clock_fault"
	case curlOCSP()[fr.Chain] != "":
		return "revocation_fault"
	}
	return "chain_fault"
}

// curlOCSP is what curl --cert-status prints (after "curl: (91) ") for the
// OCSP response each revocation chain staples, observed with curl 7.88.1
// on OpenSSL 3.0.19; the chain itself verifies.
func curlOCSP() map[string]string {
	return map[string]string{
		"revoked":      "SSL certificate revocation reason: keyCompromise (1)",
		"ocsp_unknown": "SSL server certificate status verification FAILED",
		"ocsp_expired": "OCSP response has expired",
	}
}

// flightEffect is the variant of a client that hung up during the
// handshake because a rule damaged tlsgate's flight: "flight_mtu",
// "flight_stalled" (held back, the client gave up) or "flight_cut"
// (tlsgate's own FIN or RST after part of it); "" when none did.
func (f *facts) flightEffect() string {
	i := f.effectFiring()
	if i < 0 {
		return ""
	}
	fr := f.o.FaultFirings[i]
	switch {
	case fr.Action == "mtu":
		return "flight_mtu"
	case fr.Action == "blackhole" || fr.Action == "timeout" || fr.Then == "hold":
		return "flight_stalled"
	case fr.Action == "truncate" || fr.Action == "limit_data":
		return "flight_cut"
	}
	return ""
}

// effectFiring is the firing that shaped the handshake's failure: the
// first chain rule, else the first rule that damaged tlsgate's flight
// toward the client; -1 when none did.
func (f *facts) effectFiring() int {
	firings := f.o.FaultFirings
	if i := slices.IndexFunc(firings, func(fr FaultFiring) bool { return servesCert(fr.Action) }); i >= 0 {
		return i
	}
	damaging := []string{"truncate", "limit_data", "mtu", "blackhole", "timeout"}
	early := []string{"accept", "client_hello", "server_flight"}
	return slices.IndexFunc(firings, func(fr FaultFiring) bool {
		toClient := fr.Direction == "" || fr.Direction == "s2c" || fr.Direction == "both"
		return toClient && slices.Contains(damaging, fr.Action) && slices.Contains(early, fr.Stage)
	})
}

// servesCert says a rule of action serves the certificate itself: a chain
// rule, or an ocsp_times rule (a good leaf, a staple with wrong times).
func servesCert(action string) bool { return action == "chain" || action == "ocsp_times" }

// certAlert says alert n is a client's verdict on the certificate.
func certAlert(n int) bool { return n >= 42 && n <= 49 && n != 47 }

// openSSLVerify is the X509_V_ERR number and OpenSSL 3 text a client
// reports for each bad chain (bigip-log.md §3.2, client-symptoms.md §4).
func openSSLVerify() map[string]string {
	return map[string]string{
		"expired":                  "10 (certificate has expired)",
		"not_yet_valid":            "9 (certificate is not yet valid)",
		"wrong_host":               "62 (hostname mismatch)",
		"self_signed":              "18 (self-signed certificate)",
		"untrusted_root":           "20 (unable to get local issuer certificate)",
		"untrusted_root_with_root": "19 (self-signed certificate in certificate chain)",
		"incomplete_chain":         "20 (unable to get local issuer certificate)",
		"reversed_chain":           "26 (unsuitable certificate purpose)",
		"wrong_eku":                "26 (unsuitable certificate purpose)",
		"sha1":                     "68 (CA signature digest algorithm too weak)",
		"sha1_intermediate":        "68 (CA signature digest algorithm too weak)",
		"md5":                      "68 (CA signature digest algorithm too weak)",
		"weak_rsa":                 "66 (EE certificate key too weak)",
		"ca_false_issuer":          "79 (invalid CA certificate)",
		"path_len":                 "25 (path length constraint exceeded)",
		"long_chain":               "22 (certificate chain too long, only past the client's depth limit)",
		"name_constraints":         "47 (permitted subtree violation)",
	}
}

// effectPlaceholder fills the template names of the effect variants;
// ok=false leaves a name unknown.
func (f *facts) effectPlaceholder(name string) (string, bool) {
	i := f.effectFiring()
	var fr FaultFiring
	if i >= 0 {
		fr = f.o.FaultFirings[i]
	}
	switch name {
	case "effect_rule":
		return f.orNone(fr.Rule), true
	case "effect_action":
		return f.orNone(fr.Action), true
	case "effect_stage":
		return f.orNone(f.stagePhrase(fr.Stage)), true
	case "effect_symptom":
		return f.orNone(fr.Symptom), true
	case "chain_name":
		return f.orNone(fr.Chain), true
	case "chain_verify":
		if v, ok := f.chainVerify(fr); ok {
			return v, true
		}
		return f.say("chain_verify_other"), true
	case "chain_curl":
		return f.chainCurl(fr), true
	case "chain_look":
		return f.constraintsLook(fr), true
	case "ocsp_state":
		return f.say("ocsp_" + fr.Chain), true
	case "ocsp_probe_code":
		return f.orNone(probeOCSPCode(fr)), true
	case "silent_end":
		return f.silentEnd(), true
	case "chain_instead", "replaced_note":
		// A rule's chain is always the lab CA's: on a listener serving its
		// configured certificate it replaced that one, issuer and all.
		if s := f.o.ClientTLS.ReplacedCertSubject; s != "" {
			return f.say(name+"_configured", "{listener}", f.orNone(f.o.Listener), "{subject}", s), true
		}
		return f.say(name + "_lab"), true
	case "skew":
		return absDuration(fr.Skew).String(), true
	case "ocsp_clock", "ocsp_clock_real":
		// A positive shift puts thisUpdate ahead (the responder's clock
		// ahead), a negative one nextUpdate behind (a stale staple).
		dir := "_ahead"
		if fr.Skew < 0 {
			dir = "_behind"
		}
		return f.say(name+dir, "{skew}", absDuration(fr.Skew).String()), true
	case "clock_state", "clock_dir", "clock_saw":
		// A negative shift moves the window into the past: the
		// certificate looks expired, as to a client whose clock is ahead.
		ahead := fr.Skew < 0
		key := map[string][2]string{
			"clock_state": {"clock_not_yet", "clock_expired"},
			"clock_dir":   {"clock_behind", "clock_ahead"},
			"clock_saw":   {"clock_saw_not_yet", "clock_saw_expired"},
		}[name]
		if ahead {
			return f.say(key[1]), true
		}
		return f.say(key[0]), true
	case "host_rule":
		return f.orNone(f.o.HostChecked), true
	case "host_checked":
		return f.orNone(f.o.HostCheckedName), true
	case "answer_rule", "answer_symptom":
		// The rule that answered plain HTTP in the backend's place.
		var fr FaultFiring
		if i := answeringFiring(f.o); i >= 0 {
			fr = f.o.FaultFirings[i]
		}
		if name == "answer_rule" {
			return f.orNone(fr.Rule), true
		}
		return f.orNone(fr.Symptom), true
	}
	return f.helloAlertPlaceholder(name)
}

// chainVerify is the OpenSSL verify error for the chain fr served, as the
// client met it. Without SNI the name to check is the address dialled:
// OpenSSL reports an IP that is not on the certificate as its own error,
// not 62, and an address under name constraints breaks their excluded IP
// subtrees, not the permitted DNS ones.
func (f *facts) chainVerify(fr FaultFiring) (string, bool) {
	if f.sni() == "" {
		switch fr.Chain {
		case "wrong_host":
			return "64 (IP address mismatch)", true
		case "name_constraints":
			return "48 (excluded subtree violation)", true
		}
	}
	v, ok := openSSLVerify()[fr.Chain]
	return v, ok
}

// chainCurl is what curl (OpenSSL 3) prints for the chain fr served
// (client-symptoms.md §4): exit 60 with OpenSSL's verify text for most,
// the name check curl makes itself for wrong_host, and what it does with
// the chains it accepts or cannot read. A skew may move any chain's dates
// past the client's clock, which curl then reports first.
func (f *facts) chainCurl(fr FaultFiring) string {
	var s string
	switch fr.Chain {
	case "wrong_host":
		host, _ := f.placeholder("sni_or_host")
		s = f.say("curl_wrong_host", "{host}", host)
	case "huge_cert":
		s = f.say("curl_huge_cert")
	case "long_chain", "cn_only", "":
		s = f.say("curl_accepts")
	case "revoked", "ocsp_unknown", "ocsp_expired":
		s = f.say("curl_ocsp", "{text}", curlOCSP()[fr.Chain])
	default:
		v, ok := f.chainVerify(fr)
		if !ok {
			return f.say("curl_chain_other")
		}
		_, text, _ := strings.Cut(v, " (")
		s = f.say("curl_verify", "{text}", strings.TrimSuffix(text, ")"))
	}
	if fr.Chain != "" && fr.Skew != 0 {
		s += f.say("curl_skew", "{skew}", absDuration(fr.Skew).String())
	}
	return s
}

// probeOCSPCode is the code `tlsgate probe` gives, in step 7, the staple
// the firing served, so that an explanation leads to the probe's line for
// the same fault: the revocation chains by the staple's status, an
// ocsp_times rule by the direction of its shift. "" for anything else.
func probeOCSPCode(fr FaultFiring) string {
	switch {
	case fr.Action == "ocsp_times" && fr.Skew > 0:
		return "ocsp_not_yet_valid"
	case fr.Action == "ocsp_times" && fr.Skew < 0:
		return "ocsp_expired"
	}
	return map[string]string{"revoked": "ocsp_revoked", "ocsp_unknown": "ocsp_unknown", "ocsp_expired": "ocsp_expired"}[fr.Chain]
}

// silentEnd words how a client that sent no alert left: after a completed
// handshake, or during it, with a FIN or a reset, once tlsgate's
// certificate flight was out.
func (f *facts) silentEnd() string {
	switch {
	case f.o.ClientTLS.Done:
		return f.say("silent_done")
	case classifyErr(f.o.ClientTLS.Err) == errReset:
		return f.say("silent_flight_rst")
	}
	return f.say("silent_flight_fin")
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
