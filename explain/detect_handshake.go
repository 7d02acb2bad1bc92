package explain

import (
	"crypto/tls"
	"net/netip"
	"strconv"
	"strings"

	"github.com/tlsgate/tlsgate/sniff"
)

// The rules that read the handshakes and the relay: the client's TLS, the
// backend's dial and TLS, and how a relay that worked came to an end. The
// rules about the first bytes and how the peers behaved before a decision
// are in detect.go, with the order all of them run in.

// ruleHelloShape rejects TLS bytes that are not a usable ClientHello.
func ruleHelloShape(f *facts) (verdict, bool) {
	o := f.o
	if !expectsTLS(o.Mode) && !o.ClientTLS.Attempted {
		return verdict{}, false
	}
	if relayedUnread(o) || o.ClientTLS.Done {
		// Passed through untouched: the backend answered these bytes, not
		// tlsgate, so they are no refusal of ours (the ok line warns).
		// Or crypto/tls completed its handshake on bytes sniff could not
		// read (a hello sniff waited for in vain, or parses more
		// strictly): the connection worked, and the ok line warns of
		// what tlsgate could not read. The warning alerts crypto/tls
		// drops before or between the hello's records sniff drops too.
		return verdict{}, false
	}
	switch {
	case o.Kind == sniff.SSLv2Hello:
		return verdict{code: CodeVersionTooOld, variant: "sslv2"}, true
	case o.Kind == sniff.TLSOther:
		return verdict{code: CodeHelloMalformed, variant: "tls_record"}, true
	case o.HelloErr != "" && !o.HelloTooLarge:
		// A hello beyond the parse cap may be perfectly valid (a long
		// ALPN or PSK list): the handshake's own outcome decides.
		return verdict{code: CodeHelloMalformed}, true
	case classifyErr(o.ClientTLS.Err) == errSSLv2:
		return verdict{code: CodeVersionTooOld, variant: "sslv2"}, true
	}
	return verdict{}, false
}

// ruleSNI: a hello without SNI on a listener that requires it, read by
// tlsgate's parser or, beyond its cap, by crypto/tls on tlsgate's own
// handshake (the listener refuses it there alike). A bypassed connection
// is none of this: client-ssl applies to what is decrypted, and a bypass
// splices the client to the real server, which answered it.
func ruleSNI(f *facts) (verdict, bool) {
	o := f.o
	read := o.Hello != nil || o.ClientTLS.HelloRead
	missing := o.SNIRequired && o.Route != "bypass" && read && ClientSNI(o) == "" && !o.ClientTLS.Done
	return verdict{code: CodeSNIMissing}, missing
}

// ruleVersion decides from the offered versions, or from Go's error when
// the facts alone are not conclusive.
func ruleVersion(f *facts) (verdict, bool) {
	if !f.legFailed() || f.maxOffered == 0 {
		return verdict{}, false
	}
	tooOld := verdict{code: CodeVersionTooOld}
	if f.maxOffered == 0x0300 {
		tooOld.variant = "sslv3"
	}
	// A ceiling below TLS 1.2 is a legacy server's: "a TLS 1.3-only
	// client against TLS 1.2" is not the typical case there.
	tooNew := verdict{code: CodeVersionTooNew}
	switch {
	case f.ceiling < tls.VersionTLS12:
		tooNew.variant = "legacy_cap"
	case f.o.ClientTLS.CeilingCipherRule != "":
		// A cipher rule's TLS 1.2 suites capped the version, not the
		// listener's max_version nor a rule's.
		tooNew.variant = "cipher_cap"
	}
	switch {
	case f.maxOffered < f.floor:
		return tooOld, true
	case f.explicitVersions && f.minOffered > f.ceiling:
		return tooNew, true
	case f.negotiable == 0 || classifyErr(f.o.ClientTLS.Err) == errVersion:
		if f.maxOffered > f.ceiling {
			return tooNew, true
		}
		return tooOld, true
	}
	return verdict{}, false
}

func ruleCipher(f *facts) (verdict, bool) {
	if !f.legFailed() {
		return verdict{}, false
	}
	if f.o.Hello != nil && f.negotiable != 0 && len(f.shared) == 0 {
		return verdict{code: CodeNoSharedCipher}, true
	}
	if classifyErr(f.o.ClientTLS.Err) != errCipher {
		return verdict{}, false
	}
	if f.o.Hello == nil {
		return verdict{code: CodeNoSharedCipher, variant: "error_only"}, true
	}
	if len(f.shared) == 0 {
		return verdict{code: CodeNoSharedCipher}, true
	}
	// Suites on both lists, refused anyway: say why when every one of
	// them fails for the same reason, and never that none was listed.
	return verdict{code: CodeNoSharedCipher, variant: f.sharedFailure()}, true
}

// sharedFailure names why the suites both sides list could not be used
// below TLS 1.3: "key_type" when each needs another key type than the
// certificate's, "no_curve" when each is ECDHE and the client names no
// curve crypto/tls has, "unusable" otherwise (mixed reasons, a certificate
// of unknown type, or curves a fault rule narrowed).
func (f *facts) sharedFailure() string {
	if f.negotiable >= tls.VersionTLS13 {
		return "unusable"
	}
	ours := f.o.ClientTLS.OurKey
	if ours == "" {
		return "unusable"
	}
	curve := f.sharedCurve()
	byKey, byCurve := 0, 0
	for _, id := range f.shared {
		switch {
		case !keyFits(id, ours):
			byKey++
		case !curve && strings.HasPrefix(CipherName(id), "TLS_ECDHE_"):
			byCurve++
		}
	}
	switch len(f.shared) {
	case byKey:
		return "key_type"
	case byCurve:
		return "no_curve"
	}
	return "unusable"
}

// sharedCurve says the client names an elliptic curve crypto/tls offers
// for ECDHE below TLS 1.3. A hello without the supported_groups extension
// (old clients) names none.
func (f *facts) sharedCurve() bool {
	for _, g := range f.o.Hello.SupportedGroups {
		switch tls.CurveID(g) {
		case tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521:
			return true
		}
	}
	return false
}

// keyFits says suite id can be used with a certificate whose key is of
// type key: ECDSA suites sign with ECDSA or Ed25519, the rest with RSA.
func keyFits(id uint16, key string) bool {
	need := suiteKey(id)
	return need == key || need == "ecdsa" && key == "ed25519"
}

// suiteKey is the key type a TLS 1.0-1.2 suite's certificate must have:
// ECDHE_ECDSA suites sign with ECDSA (or Ed25519), the rest use RSA.
func suiteKey(id uint16) string {
	if strings.Contains(CipherName(id), "_ECDSA_") {
		return "ecdsa"
	}
	return "rsa"
}

// servesConfigured says the client leg served the listener's configured
// certificate (client_ssl cert), whose subject and issuer the Outcome
// names, not a leaf minted by the lab CA (nor a fault rule's chain).
func (f *facts) servesConfigured() bool { return f.o.ClientTLS.OurCertIssuer != "" }

// closedVariant is the variant of a client that closed during the
// handshake: a client that gave up on a configured certificate gave up on
// its issuer, so the advice names it instead of the lab CA.
func (f *facts) closedVariant() string {
	if f.servesConfigured() {
		return "configured"
	}
	return "handshake"
}

// ruleClientAlert: close_notify during a handshake is a polite close, not
// a complaint, so it counts as closing early.
func ruleClientAlert(f *facts) (verdict, bool) {
	switch {
	case f.alert == 0:
		return verdict{code: CodeClientClosedEarly, variant: f.closedVariant()}, true
	case f.alert > 0 && certAlert(f.alert) && f.chainEffect() != "":
		// A chain rule served what the client refused: its trust store
		// is not the question the alert number alone would raise.
		return verdict{code: CodeClientAlert, variant: f.chainEffect()}, true
	case f.alert > 0 && certAlert(f.alert) && f.o.PeerSkew.Rule != "":
		// The client is tlsgate's own upstream leg under a shifted
		// clock: the dates it judged by are the question, not the
		// certificate or the trust store.
		return verdict{code: CodeClientAlert, variant: "peer_skew"}, true
	case (f.alert == 48 || f.alert == 42 || f.alert == 46) && f.servesConfigured():
		// The listener serves its configured certificate: an issuer the
		// client does not trust is that certificate's, and the lab CA,
		// which signed nothing here, is not the question. 42 (Go) and
		// 46 (Java) are how other clients say unknown_ca.
		return verdict{code: CodeClientAlert, variant: strconv.Itoa(f.alert) + "_configured"}, true
	case f.alert == 48 && f.o.Mode == "inspect" && f.o.Backend.TLS.Done:
		// The server leg was verified and done: the client refused the
		// interception itself, the lab CA's copy of a good certificate.
		return verdict{code: CodeClientAlert, variant: "48_inspect"}, true
	case f.alert == 80 && f.ceiling < tls.VersionTLS12 && f.maxOffered >= tls.VersionTLS12:
		// An OpenSSL 3 client refused the legacy version the server's
		// ceiling forced, although it offered TLS 1.2: the ceiling is
		// the knob, not the floor.
		return verdict{code: CodeClientAlert, variant: "80_cap"}, true
	case f.alert > 0:
		return verdict{code: CodeClientAlert, variant: strconv.Itoa(f.alert)}, true
	}
	return verdict{}, false
}

// ruleClientErr classifies the remaining client-leg handshake errors.
func ruleClientErr(f *facts) (verdict, bool) {
	err := f.o.ClientTLS.Err
	if !f.legFailed() && err == "" {
		return verdict{}, false
	}
	switch classifyErr(err) {
	case errNone:
		return verdict{code: CodeHandshakeFailed}, true
	case errTimeout:
		return verdict{code: CodeHandshakeTimeout}, true
	case errEOF:
		if v := f.flightEffect(); v != "" {
			return verdict{code: CodeClientClosedEarly, variant: v}, true
		}
		if f.o.ClientTLS.FINBeforeFlight {
			return verdict{code: CodeClientClosedEarly, variant: "before_flight"}, true
		}
		if f.o.ClientTLS.HelloRetryOnly {
			return verdict{code: CodeClientClosedEarly, variant: "hello_retry"}, true
		}
		return verdict{code: CodeClientClosedEarly, variant: f.closedVariant()}, true
	case errReset:
		if f.flightEffect() == "flight_cut" {
			return verdict{code: CodeClientResetEarly, variant: "flight_cut"}, true
		}
		if f.o.ClientTLS.HelloRetryOnly {
			return verdict{code: CodeClientResetEarly, variant: "hello_retry"}, true
		}
		return verdict{code: CodeClientResetEarly, variant: "handshake"}, true
	case errBadRecordMAC:
		if v := f.chainEffect(); v != "" {
			return verdict{code: CodeHandshakeFailed, variant: v}, true
		}
		if f.servesConfigured() {
			return verdict{code: CodeHandshakeFailed, variant: "bad_record_mac_configured"}, true
		}
		return verdict{code: CodeHandshakeFailed, variant: "bad_record_mac"}, true
	}
	return verdict{code: CodeHandshakeFailed, variant: handshakeVariant(err)}, true
}

// handshakeVariant picks a specific explanation for known Go server errors.
func handshakeVariant(err string) string {
	return firstMatch(err, []textVariant{
		{"inappropriate protocol fallback", "inappropriate_fallback"},
		{"no certificates configured", "no_certificate"},
		{"no application protocol", "alpn"},
	})
}

// textVariant maps a substring of an error text to a knowledge variant.
type textVariant struct{ sub, variant string }

// firstMatch is the variant of the first entry whose text s contains, or "".
func firstMatch(s string, known []textVariant) string {
	for _, k := range known {
		if strings.Contains(s, k.sub) {
			return k.variant
		}
	}
	return ""
}

func ruleBackendDial(f *facts) (verdict, bool) {
	b := f.o.Backend
	if b.DialErr == "" && !b.Refused && !b.TimedOut {
		return verdict{}, false
	}
	class := classifyErr(b.DialErr)
	switch {
	case b.Refused || class == errRefused:
		return verdict{code: CodeBackendRefused}, true
	case b.TimedOut || class == errTimeout:
		return verdict{code: CodeBackendTimeout}, true
	}
	return verdict{code: CodeBackendError}, true
}

// ruleBackendTLS: a verification failure gets its own code because its fix
// (trust, names, dates) differs from a negotiation failure's. A completed
// handshake cannot have failed verification (Go aborts it), so Verify text
// on a done leg is a note such as "not checked", never a failure.
func ruleBackendTLS(f *facts) (verdict, bool) {
	t := f.o.Backend.TLS
	if (t.Verify != "" && !t.Done) || classifyErr(t.Err) == errX509 {
		v := x509Variant(t.Verify + " " + t.Err)
		// Without SNI or server_name the leg checks the backend's address,
		// which a certificate for names rarely carries: the missing SNI,
		// not the certificate, is the story.
		if _, ip := netip.ParseAddr(verifyName(t)); v == "hostname" && ip == nil && f.sni() == "" {
			v = "hostname_nosni"
		}
		return verdict{code: CodeBackendTLSVerify, variant: v}, true
	}
	if t.Err == "" && (!t.Attempted || t.Done) {
		return verdict{}, false
	}
	switch {
	case f.o.Backend.EndedBeforeHello != "":
		// The ClientHello never left: no version, suite or name was
		// refused, whatever bytes (an alert) the backend sent first.
		return verdict{code: CodeBackendTLSFailed, variant: "reset_before_hello"}, true
	case classifyErr(t.Err) == errNotTLS && f.o.Mode == "inspect":
		// inspect always speaks TLS to the server: no table to remove.
		return verdict{code: CodeBackendTLSFailed, variant: "plain_backend_inspect"}, true
	case classifyErr(t.Err) == errNotTLS:
		return verdict{code: CodeBackendTLSFailed, variant: "plain_backend"}, true
	case t.CertRequested && !t.Mutual && backendAlert(t) > 0:
		// The backend asked for a client certificate and got none: its
		// alert (40 under TLS 1.2, 116 under 1.3) is the refusal of that,
		// not of a version or suite, which were settled before the request.
		return verdict{code: CodeBackendTLSFailed, variant: "client_cert"}, true
	case backendAlert(t) == 120:
		// no_application_protocol (RFC 7301 §3.2): the backend speaks none
		// of the protocols offered to it; versions and ciphers were fine.
		if len(t.ALPNOffered) == 0 {
			return verdict{code: CodeBackendTLSFailed, variant: "alpn_unoffered"}, true
		}
		return verdict{code: CodeBackendTLSFailed, variant: "alpn"}, true
	case backendAlert(t) == 70:
		// protocol_version: the server leg offers TLS 1.2 and 1.3, so the
		// backend speaks only older versions.
		return verdict{code: CodeBackendTLSFailed, variant: "version"}, true
	case backendAlert(t) > 0:
		return verdict{code: CodeBackendTLSFailed, variant: "alert"}, true
	case classifyErr(t.Err) == errTimeout:
		return verdict{code: CodeBackendTLSFailed, variant: "timeout"}, true
	}
	return verdict{code: CodeBackendTLSFailed}, true
}

// x509Variant names the verification failure from Go's x509 error text.
func x509Variant(s string) string {
	return firstMatch(s, []textVariant{
		{"is after", "expired"},
		{"is before", "not_yet_valid"},
		{"expired", "expired"},
		{"unknown authority", "unknown_authority"},
		{"is valid for", "hostname"},
		{"doesn't contain any IP SANs", "hostname"},
		{"not valid for any names", "hostname"},
		{"legacy Common Name", "hostname"},
		{"incompatible key usage", "key_usage"},
	})
}

// ruleIdleTimeout: the relay worked until tlsgate's idle timer reset it.
// The client sees a reset, so it is not ok, however normal the timer is.
func ruleIdleTimeout(f *facts) (verdict, bool) {
	return verdict{code: CodeIdleTimeout}, f.o.End == EndIdleTimeout
}

// ruleRelayReset: a relay that worked until one side reset it. A backend's
// reset reached the client as one, so it is not ok. A client's is still
// ok: clients reset when they close with unread data or give up, and
// whatever they saw was their own doing; the variant says how it ended.
func ruleRelayReset(f *facts) (verdict, bool) {
	switch f.o.End {
	case EndClientReset:
		if okVariant(f.o) == "" {
			return verdict{code: CodeOK, variant: "client_reset"}, true
		}
	case EndBackendReset:
		return verdict{code: CodeBackendReset}, true
	}
	return verdict{}, false
}

// ruleChainRejectedAfterHandshake: a chain rule served a bad certificate
// (a bad chain, or a good one whose dates it shifted), the handshake
// completed, and the client left without a byte of application data. That
// is a client checking the certificate after the handshake and hanging up
// on it without an alert (curl checks the host name only then, and closes
// with close_notify or a plain FIN), not a connection that worked. A
// backend's reset, the idle timer and tlsgate's shutdown are explained by
// their own rules first.
func ruleChainRejectedAfterHandshake(f *facts) (verdict, bool) {
	o := f.o
	if o.Route != "terminate" && o.Route != "inspect" || !o.ClientTLS.Done || o.FaultApplied != "" {
		return verdict{}, false
	}
	effect := f.chainEffect()
	if o.BytesUp != 0 || len(o.HTTP1) != 0 || o.End == EndBackendReset || effect == "" {
		return verdict{}, false
	}
	return verdict{code: CodeClientRejectedSilently, variant: effect}, true
}

// ruleQuietAfterHandshake catches a client that completed the handshake and
// left without sending a byte. curl does this when the certificate's name
// does not match (it checks the name after the handshake, and sends no
// alert), and so do TLS health monitors that only test the handshake.
func ruleQuietAfterHandshake(f *facts) (verdict, bool) {
	o := f.o
	if o.Route != "terminate" && o.Route != "inspect" {
		return verdict{}, false
	}
	quiet := o.ClientTLS.Done && o.BytesUp == 0 && len(o.HTTP1) == 0 && o.FaultApplied == "" && len(o.FaultFirings) == 0
	// Still ok: monitors do this legitimately. The variant only adds the
	// explanation an operator needs when a user reports a name error.
	if okVariant(o) == "inspect" {
		// Both legs of an inspect connection were up: the summary shows
		// both, like the other inspected successes.
		return verdict{code: CodeOK, variant: "inspect_quiet"}, quiet
	}
	return verdict{code: CodeOK, variant: "quiet"}, quiet
}

// relayedUnread says the connection's first bytes began TLS but were no
// ClientHello tlsgate could read (an SSLv2-format hello, a record that is
// not a handshake, a hello that did not parse), and a passthrough relayed
// them to the backend as they came: tlsgate sent no alert and refused
// nothing, so whatever the client saw came from the backend (or from the
// dial that failed, which the backend rules explain).
func relayedUnread(o *Outcome) bool {
	if o.Route != "passthrough" || o.ClientTLS.Attempted || !o.Backend.Attempted {
		return false
	}
	return helloUnread(o)
}

// handshakeOnUnread says tlsgate's own handshake completed on first bytes
// sniff could not read as a ClientHello (see ruleHelloShape).
func handshakeOnUnread(o *Outcome) bool {
	return o.ClientTLS.Done && helloUnread(o)
}

// helloUnread says the first bytes began TLS but gave no ClientHello:
// an SSLv2-format hello, a record that is not a handshake, or a hello
// that did not parse. A hello beyond the parse cap has its own warning.
func helloUnread(o *Outcome) bool {
	return o.Kind == sniff.SSLv2Hello || o.Kind == sniff.TLSOther || o.HelloErr != "" && !o.HelloTooLarge
}
