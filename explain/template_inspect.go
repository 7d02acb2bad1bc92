package explain

import (
	"strconv"
	"strings"

	"github.com/tlsgate/tlsgate/sniff"
)

// inspectPlaceholder fills the template names of transparent interception,
// inspect mode and client certificates; ok=false leaves a name unknown.
func (f *facts) inspectPlaceholder(name string) (string, bool) {
	o := f.o
	c, b := o.ClientTLS, o.Backend.TLS
	switch name {
	case "transparent":
		return f.orNone(o.Transparent), true
	case "listen_addr":
		return f.addr(o.Virtual), true
	case "listen_port":
		return f.port(o.Virtual), true
	case "peer_listener":
		return f.orNone(o.PeerSkew.Listener), true
	case "peer_rule":
		return f.orNone(o.PeerSkew.Rule), true
	case "peer_skew":
		return absDuration(o.PeerSkew.Skew).String(), true
	case "peer_clock_dir", "peer_clock_state":
		// Ahead, the window looks past (expired); behind, not started.
		key := map[string][2]string{"peer_clock_dir": {"clock_behind", "clock_ahead"}, "peer_clock_state": {"clock_not_yet", "clock_expired"}}[name]
		if o.PeerSkew.Skew > 0 {
			return f.say(key[1]), true
		}
		return f.say(key[0]), true
	case "doctor_where":
		// The doctor's rules depend on the bound address (a wildcard is
		// reached by REDIRECT, one address by DNAT): --listen when the
		// listener said it, else the port it was reached on.
		if o.ListenerBind != "" {
			return "--listen " + o.ListenerBind, true
		}
		return "--port " + f.port(listenerAddr(o)), true
	case "orig_dst":
		return f.addr(o.OrigDst), true
	case "orig_dst_err":
		return f.orNone(o.OrigDstErr), true
	case "accept_err":
		return f.orNone(o.AcceptErr), true
	case "bypass":
		return f.orNone(o.Bypass), true
	case "dest":
		return f.destText(), true
	case "streak":
		return f.streakSentence(), true
	case "late_fin":
		return f.lateFINSentence(), true
	case "cert_alert":
		return alertLabel(f.clientCertAlert()), true
	case "cert_alert_saw":
		return f.certAlertSaw(f.clientCertAlert(), f.legVersion()), true
	case "auth_rule":
		if i := f.authFiring(); i >= 0 {
			return f.o.FaultFirings[i].Rule, true
		}
		return f.orNone(""), true
	case "auth_cas":
		return f.authCAs(), true
	case "auth_alert_note":
		if i := f.authFiring(); i >= 0 && f.o.FaultFirings[i].RejectWith != 0 {
			return f.say("auth_reject_with"), true
		}
		return "", true
	case "verify_name":
		return f.orNone(verifyName(b)), true
	case "client_brief":
		return briefLeg(c), true
	case "server_brief":
		if b.VerifySkipped {
			return briefLeg(b) + f.say("brief_unverified"), true
		}
		return briefLeg(b) + f.say("brief_verified"), true
	case "http_brief":
		if n := len(o.HTTP1) + o.HTTPDropped; n > 0 {
			return " http=" + strconv.Itoa(n), true
		}
		return "", true
	case "upstream_trust":
		if b.VerifySkipped {
			return f.say("upstream_unverified", "{dest}", f.destText()), true
		}
		return f.say("upstream_verified", "{dest}", f.destText(), "{name}", f.orNone(verifyName(b))), true
	case "mimic_note":
		if o.Mimicked {
			return f.say("mimic_note"), true
		}
		return "", true
	case "client_version":
		return VersionName(c.Version), true
	case "server_version":
		return VersionName(b.Version), true
	case "client_ver_short":
		return shortVersion(c.Version), true
	case "server_ver_short":
		return shortVersion(b.Version), true
	case "server_cipher":
		return CipherName(b.CipherSuite), true
	case "server_cipher_class":
		return f.rankText(suiteRank(b.CipherSuite)), true
	case "best_offered", "best_offered_class":
		best, _ := f.strongerOffered()
		if name == "best_offered" {
			return CipherName(best), true
		}
		return f.rankText(suiteRank(best)), true
	case "backend_saw":
		// When tlsgate does not terminate, it dials as soon as the
		// ClientHello is in, so the client's handshake gets the reset.
		// On inspect the server leg comes first, so its failure usually
		// stops the client's handshake; one the backend reports only after
		// its handshake (TLS 1.3's certificate_required, on the first read)
		// reaches a client whose handshake with tlsgate completed.
		switch {
		case o.Mode == "inspect" && o.Route != "bypass" && !o.ClientTLS.Done:
			return f.say("backend_saw_inspect"), true
		case PassesTLS(o) || (o.Route == "" && o.Mode == "passthrough"):
			return f.say("backend_saw_passthrough"), true
		case (o.ClientTLS.Done || o.Route == "terminate") && o.ClientTLS.ALPN == "h2":
			// curl's HTTP/2 layer words a reset on its send as (16).
			return f.say("backend_saw_h2"), true
		case o.ClientTLS.Done || o.Route == "terminate":
			return f.say("backend_saw"), true
		}
		return f.say("backend_saw_plain"), true
	case "backend_closed_early_saw":
		return f.say(backendClosedEarlySaw(o)), true
	case "backend_reset_saw":
		if speaksH2(o) {
			return f.say("backend_reset_saw_h2"), true
		}
		return f.say("backend_reset_saw"), true
	}
	return f.faultPlaceholder(name)
}

// verifyName is the name a server leg's certificate was checked against:
// the recorded one, else the SNI sent (the same unless it was an IP).
func verifyName(b Leg) string {
	return firstNonEmpty(b.VerifyName, b.ServerName)
}

// destText is where tlsgate relayed (or would have): the server leg's
// peer, else the original destination, else the configured backend.
func (f *facts) destText() string {
	o := f.o
	if _, remote := backendEndpoints(o); remote.IsValid() {
		return addrText(remote)
	}
	if o.OrigDst.IsValid() {
		return addrText(o.OrigDst)
	}
	return f.orNone(o.Backend.Addr)
}

// streakSentence is said only from the second failure on: one failure is
// noise, a run of them for one client type and host is a pattern.
func (f *facts) streakSentence() string {
	o := f.o
	if o.FailStreak < 2 {
		return ""
	}
	return f.say("streak_sentence", "{n}", strconv.Itoa(o.FailStreak), "{ja4}", f.orNone(o.JA4), "{sni}", f.orNone(f.sni()))
}

// lateFINSentence is the other story of a client's bare FIN after
// tlsgate's flight, "" when it cannot apply. A client that writes its
// hello and shuts its sending side in two calls can be descheduled between
// them; its FIN then comes after the flight, like the FIN of a client
// that read the certificate and hung up. Nothing on tlsgate's socket tells
// the two apart: both are a FIN with no alert and no byte after the
// flight, the peer's kernel acknowledges the flight whether or not its
// application read it, and the FIN's delay is scheduling noise on a busy
// machine. So the diagnosis keeps the refusal, which it names first, and
// says the other order of events after it instead of guessing. A FIN that
// was in before the flight is client_closed_early (FINBeforeFlight); an
// RST or a completed handshake is another story.
func (f *facts) lateFINSentence() string {
	l := f.o.ClientTLS
	if l.Done || !l.ServerFlightSent || l.FINBeforeFlight || classifyErr(l.Err) != errEOF {
		return ""
	}
	return f.say("late_fin")
}

// briefLeg is a leg in the one-liner: version, OpenSSL cipher name, ALPN.
func briefLeg(l Leg) string {
	s := VersionName(l.Version) + " " + OpenSSLCipherName(l.CipherSuite)
	if l.ALPN != "" {
		s += " " + l.ALPN
	}
	return s
}

// shortVersion drops the "TLS " of a version name: "1.3".
func shortVersion(v uint16) string {
	return strings.TrimPrefix(VersionName(v), "TLS ")
}

func (f *facts) rankText(r int) string {
	if r < 0 {
		return f.say("rank_unknown")
	}
	return f.say("rank_" + strconv.Itoa(r))
}

// certAlertSaw says how a client words the alert tlsgate sent for its
// certificate (client-symptoms.md §5). Under TLS 1.3 it arrives after the
// client's handshake completed, on its first read.
func (f *facts) certAlertSaw(alert int, v uint16) string {
	curlText := map[int][2]string{
		48:  {"curl: (35) … tlsv1 alert unknown ca", "curl: (56) OpenSSL SSL_read: … tlsv1 alert unknown ca"},
		45:  {"curl: (60) SSL certificate verification failed", "curl: (56) OpenSSL SSL_read: … sslv3 alert certificate expired"},
		42:  {"curl: (35) … sslv3 alert bad certificate", "curl: (56) OpenSSL SSL_read: … sslv3 alert bad certificate"},
		40:  {"curl: (35) … sslv3 alert handshake failure", "curl: (56) OpenSSL SSL_read: … sslv3 alert handshake failure"},
		49:  {"curl: (35) … tlsv1 alert access denied", "curl: (56) OpenSSL SSL_read: … tlsv1 alert access denied"},
		116: {"curl: (98) … tlsv13 alert certificate required", "curl: (56) OpenSSL SSL_read: … tlsv13 alert certificate required"},
	}
	goText := "remote error: tls: " + AlertName(alert)
	for _, a := range alertTable() {
		if a.num == alert && a.goText != "" {
			goText = "remote error: tls: " + a.goText
		}
	}
	texts, ok := curlText[alert]
	if !ok {
		texts = [2]string{"curl: (35) … alert " + AlertName(alert), "curl: (56) OpenSSL SSL_read: … alert " + AlertName(alert)}
	}
	tls12 := f.say("cert_saw_tls12", "{curl}", texts[0], "{go}", goText)
	tls13 := f.say("cert_saw_tls13", "{curl}", texts[1], "{go}", goText)
	switch versionVariant(v) {
	case "tls13":
		return tls13
	case "tls12":
		return tls12
	}
	return tls13 + " " + tls12
}

// backendClosedEarlySaw picks the words for what a client printed when
// the backend ended the connection before a byte of its answer: tlsgate
// passed on a reset, a FIN, or a FIN and then the reset its write of the
// request met, and curl names each differently over HTTP/1 and HTTP/2.
func backendClosedEarlySaw(o *Outcome) string {
	key := "backend_closed_early_saw"
	if speaksH2(o) {
		key += "_h2"
	}
	switch {
	case o.End == EndBackendReset && o.FirstFIN == SideBackend:
		key += "_fin_reset"
	case o.End == EndBackendReset:
		key += "_reset"
	}
	return key
}

// speaksH2 says the client spoke HTTP/2 to tlsgate: h2 negotiated on the
// TLS tlsgate terminated, or the preface sent in plaintext (h2c prior
// knowledge), where curl prints the same (18) and Go the same errors.
func speaksH2(o *Outcome) bool {
	return o.ClientTLS.Done && o.ClientTLS.ALPN == "h2" || !o.ClientTLS.Done && o.Kind == sniff.HTTP2
}
