package faults

import (
	"fmt"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// chromeAlert is the error page Chrome shows for an alert answering its
// ClientHello (client-symptoms.md §6); other alerts give
// ERR_SSL_PROTOCOL_ERROR.
func chromeAlert(code uint8) string {
	switch code {
	case 20:
		return "ERR_SSL_BAD_RECORD_MAC_ALERT"
	case 40, 70, 71:
		return "ERR_SSL_VERSION_OR_CIPHER_MISMATCH"
	case 42, 43, 44, 45, 46, 48, 49, 116:
		return "ERR_BAD_SSL_CLIENT_AUTH_CERT"
	case 51:
		return "ERR_SSL_DECRYPT_ERROR_ALERT"
	case 112:
		return "ERR_SSL_UNRECOGNIZED_NAME_ALERT"
	}
	return "ERR_SSL_PROTOCOL_ERROR"
}

// GoAlertText is the text crypto/tls gives an alert (its alert.go), which a
// Go client reports as "remote error: tls: <text>". Unlisted codes read
// "alert(N)", as crypto/tls prints them.
func GoAlertText(code uint8) string {
	switch code {
	case 0:
		return "close notify"
	case 10:
		return "unexpected message"
	case 20:
		return "bad record MAC"
	case 21:
		return "decryption failed"
	case 22:
		return "record overflow"
	case 30:
		return "decompression failure"
	case 40:
		return "handshake failure"
	case 42:
		return "bad certificate"
	case 43:
		return "unsupported certificate"
	case 44:
		return "revoked certificate"
	case 45:
		return "expired certificate"
	case 46:
		return "unknown certificate"
	case 47:
		return "illegal parameter"
	case 48:
		return "unknown certificate authority"
	case 49:
		return "access denied"
	case 50:
		return "error decoding message"
	case 51:
		return "error decrypting message"
	case 60:
		return "export restriction"
	case 70:
		return "protocol version not supported"
	case 71:
		return "insufficient security level"
	case 80:
		return "internal error"
	case 86:
		return "inappropriate fallback"
	case 90:
		return "user canceled"
	case 100:
		return "no renegotiation"
	case 109:
		return "missing extension"
	case 110:
		return "unsupported extension"
	case 111:
		return "certificate unobtainable"
	case 112:
		return "unrecognized name"
	case 113:
		return "bad certificate status response"
	case 114:
		return "bad certificate hash value"
	case 115:
		return "unknown PSK identity"
	case 116:
		return "certificate required"
	case 120:
		return "no application protocol"
	case 121:
		return "encrypted client hello required"
	}
	return fmt.Sprintf("alert(%d)", code)
}

// alertSymptom describes an alert answering the ClientHello. curl's words
// are OpenSSL's reason for the alert (sniff.OpenSSLAlertReason), or the
// bare reason number OpenSSL prints for one it has no words for.
func alertSymptom(a Action, r *Rule, then Then) string {
	var rr Rule
	if r != nil {
		rr = *r
	}
	rr.Action = a
	code := rr.AlertCode()
	name := sniff.AlertName(code)
	curl := fmt.Sprintf("curl (35) … SSL routines::reason(%d)", 1000+int(code))
	if reason := sniff.OpenSSLAlertReason(code); reason != "" {
		curl = "curl (35) … " + reason
	}
	goErr := "Go remote error: tls: " + GoAlertText(code)
	switch code {
	case 0:
		curl = "curl (35) OpenSSL SSL_connect: SSL_ERROR_ZERO_RETURN"
		goErr = "Go EOF (close_notify before the handshake)"
	case 90:
		// Sent at warning level (AlertLevel): OpenSSL and Go skip it and
		// report what comes after it.
		curl = "curl skips the warning and reports what follows: " + curlAfter(then)
		goErr = "Go skips it too: " + goAfter(then)
	case 100:
		curl = "curl (35) … no renegotiation"
		goErr = "Go skips the warning and reports what follows: " + goAfter(then)
	case 45:
		curl = "curl (60) SSL certificate verification failed"
	case 116:
		curl = "curl (98) … " + sniff.OpenSSLAlertReason(code)
	}
	s := fmt.Sprintf("%s %d %s: %s; %s; Chrome %s", ClassAlert, code, name, curl, goErr, chromeAlert(code))
	switch then {
	case ThenRST:
		s += "; then the connection is reset"
	case ThenHold:
		s += "; then the connection stays open and silent"
	}
	return s
}

// curlAfter and goAfter are what curl and a Go client report for the
// follow-up of a warning alert they skipped (observed with curl 7.88.1 and
// Go 1.26 against user_canceled).
func curlAfter(then Then) string {
	switch then {
	case ThenRST:
		return "(35) Recv failure: Connection reset by peer"
	case ThenHold:
		return "(28) Connection timed out"
	}
	return "(35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL"
}

func goAfter(then Then) string {
	switch then {
	case ThenRST:
		return "read: connection reset by peer"
	case ThenHold:
		return "i/o timeout at its deadline"
	}
	return "EOF"
}

// chainSymptom describes a bad chain (client-symptoms.md §3 rows 12–18, §4).
func chainSymptom(c Chain, skew time.Duration, permitted []string) string {
	var s string
	switch c {
	case ChainExpired:
		s = "expired: curl (60) SSL certificate problem: certificate has expired; Go x509: certificate has expired or is not yet valid: current time … is after …; Chrome NET::ERR_CERT_DATE_INVALID"
	case ChainNotYetValid:
		s = "not yet valid: curl (60) SSL certificate problem: certificate is not yet valid; Go x509: certificate has expired or is not yet valid: current time … is before …; Chrome NET::ERR_CERT_DATE_INVALID"
	case ChainWrongHost:
		s = "wrong host: curl (60) SSL: no alternative certificate subject name matches target host name; Go x509: certificate is valid for …, not …; Chrome NET::ERR_CERT_COMMON_NAME_INVALID"
	case ChainSelfSigned:
		s = "self-signed: curl (60) SSL certificate problem: self-signed certificate; Go x509: certificate signed by unknown authority; Chrome NET::ERR_CERT_AUTHORITY_INVALID"
	case ChainUntrustedRoot:
		s = "untrusted root: curl (60) SSL certificate problem: unable to get local issuer certificate; Go x509: certificate signed by unknown authority; Chrome NET::ERR_CERT_AUTHORITY_INVALID"
	case ChainUntrustedRootWithRoot:
		s = "untrusted root in chain: curl (60) SSL certificate problem: self-signed certificate in certificate chain; Go x509: certificate signed by unknown authority; Chrome NET::ERR_CERT_AUTHORITY_INVALID"
	case ChainIncomplete:
		s = "incomplete chain: curl (60) SSL certificate problem: unable to get local issuer certificate; Go x509: certificate signed by unknown authority; browsers may succeed through AIA fetching or a cached intermediate"
	case ChainReversed:
		s = "reversed chain: curl (60) SSL certificate problem: unsuitable certificate purpose; Go x509: certificate is not valid for any names, but wanted to match …"
	case ChainSHA1:
		s = "SHA-1 signature: curl (60) SSL certificate problem: CA signature digest algorithm too weak; Go x509: certificate signed by unknown authority (possibly because of \"x509: cannot verify signature: insecure algorithm ECDSA-SHA1\" …) (SHA1-RSA under an RSA lab CA); Chrome NET::ERR_CERT_WEAK_SIGNATURE_ALGORITHM"
	case ChainSHA1Intermediate:
		s = "SHA-1 signed intermediate: curl (60) SSL certificate problem: CA signature digest algorithm too weak; Go x509: certificate signed by unknown authority (possibly because of \"x509: cannot verify signature: insecure algorithm ECDSA-SHA1\" …); Chrome NET::ERR_CERT_WEAK_SIGNATURE_ALGORITHM"
	case ChainMD5:
		s = "MD5 signature: curl (60) SSL certificate problem: CA signature digest algorithm too weak; Go x509: certificate signed by unknown authority (possibly because of \"x509: cannot verify signature: insecure algorithm MD5-RSA\" …); Java Algorithm constraints check failed on signature algorithm: MD5withRSA; Chrome NET::ERR_CERT_WEAK_SIGNATURE_ALGORITHM"
	case ChainWeakRSA:
		s = "weak RSA key: curl (60) SSL certificate problem: EE certificate key too weak; Go accepts 1024-bit keys and rejects <1024 (crypto/rsa: N-bit keys are insecure); Chrome NET::ERR_CERT_WEAK_KEY"
	case ChainWrongEKU:
		s = "wrong EKU: curl (60) SSL certificate problem: unsuitable certificate purpose; Go x509: certificate specifies an incompatible key usage; Chrome ERR_SSL_KEY_USAGE_INCOMPATIBLE"
	case ChainCAFalseIssuer:
		s = "issuer not a CA: curl (60) SSL certificate problem: invalid CA certificate; Go x509: certificate signed by unknown authority (… parent certificate cannot sign this kind of certificate)"
	case ChainPathLen:
		s = "path length: curl (60) SSL certificate problem: path length constraint exceeded; Go x509: too many intermediates for path length constraint"
	case ChainNameConstraints:
		s = constraintsSymptom(permitted)
	case ChainLong:
		s = "long chain: OK for curl and Go (default depth); Java: The certificate chain length (11) exceeds the maximum allowed length (10)"
	case ChainHugeCert:
		s = "huge certificate: OK below the limits; above them curl (35) excessive message size, Go tls: handshake message of length … exceeds maximum of 262144 bytes, Java 32768-byte limit"
	case ChainCNOnly:
		s = "CN-only certificate (no SANs): Go x509: certificate relies on legacy Common Name field, use SANs instead; Chrome NET::ERR_CERT_COMMON_NAME_INVALID; curl and Java accept it"
	case ChainRevoked:
		s = "OCSP staple says revoked: only clients that check revocation notice: curl --cert-status (91) SSL certificate revocation reason: keyCompromise (1); Go, curl without --cert-status and browsers (for a private CA) connect"
	case ChainOCSPUnknown:
		s = "OCSP staple says unknown: only clients that check revocation notice: curl --cert-status (91) SSL server certificate status verification FAILED; Go, curl without --cert-status and browsers (for a private CA) connect"
	case ChainOCSPExpired:
		s = "OCSP staple expired (past its nextUpdate): only clients that check revocation notice: curl --cert-status (91) OCSP response has expired; Go, curl without --cert-status and browsers (for a private CA) connect"
	default:
		s = "per the chain (client-symptoms.md §4)"
	}
	s = ClassCert + ", " + s
	if skew != 0 {
		s += fmt.Sprintf("; validity shifted by %s (clock skew): expect expired or not yet valid when the shift passes the window", skew)
	}
	return s
}

// clientAuthSymptom describes a client_auth rule (client-symptoms.md §3
// row 22, §5): under TLS 1.3 the server judges the client's certificate
// after the client's Finished, so the client's handshake succeeds and the
// alert comes on its first read; under TLS 1.2 it ends the handshake.
func clientAuthSymptom(r *Rule) string {
	a := &ClientAuth{Require: true}
	if r != nil {
		a = r.clientAuth()
	}
	code := a.RejectWith
	var what string
	switch {
	case code != 0 && a.Require:
		what = fmt.Sprintf("%d %s for a missing or refused client certificate", code, sniff.AlertName(code))
	case code != 0:
		what = fmt.Sprintf("%d %s for a refused client certificate (a client that sends none connects)", code, sniff.AlertName(code))
	case a.Require:
		code = 116
		what = "116 certificate_required for a missing client certificate (40 handshake_failure under TLS 1.2), 48 unknown_ca for one from a CA outside accept_cas"
	default:
		code = 48
		what = "48 unknown_ca for a client certificate from a CA outside accept_cas (a client that sends none connects)"
	}
	code12 := code
	if code == 116 && a.RejectWith == 0 {
		code12 = 40 // crypto/tls's alert for a missing certificate below TLS 1.3
	}
	// curl exits 98 (CURLE_SSL_CLIENTCERT) for certificate_required met
	// inside its handshake, whatever the version (client-symptoms.md §5).
	exit12 := 35
	if code12 == 116 {
		exit12 = 98
	}
	s := fmt.Sprintf("%s %s: under TLS 1.3 the client's handshake completes and the alert comes on its first read: curl (56) OpenSSL SSL_read: … %s; "+
		"Go Handshake() returns nil, then Read: remote error: tls: %s; under TLS 1.2 it ends the handshake: curl (%d) … %s",
		ClassAlert, what, sniff.OpenSSLAlertReason(code), GoAlertText(code), exit12, sniff.OpenSSLAlertReason(code12))
	if a.Require {
		s += "; a Go client whose only certificate is from a CA the server does not name sends none, and meets the missing-certificate alert"
	}
	return s + "; Chrome " + chromeAlert(code)
}

// abortSymptom describes an abort rule: an HTTP error status the proxy
// answers itself (curl exits 0, or 22 with -f), and with grpc_status a
// gRPC call's status in an HTTP 200, as Envoy's fault filter sends them.
func abortSymptom(r *Rule) string {
	status := DefaultAbortStatus
	if r != nil && r.Status != 0 {
		status = r.Status
	}
	s := fmt.Sprintf("%s %d from the proxy itself (%q), not a TLS error and never relayed to the backend: curl exits 0 and prints %[3]s, "+
		"or (22) The requested URL returned error: %[2]d with -f; Go resp.StatusCode == %[2]d with err == nil",
		ClassHTTP, status, AbortBody)
	if r != nil && r.GRPCStatus != nil {
		g := *r.GRPCStatus
		s += fmt.Sprintf("; a gRPC call (content-type application/grpc, over h2, which the listener then offers in ALPN) gets HTTP 200 with grpc-status %d (%s) "+
			"and grpc-message %s in a Trailers-Only response: curl -v --http2 shows < grpc-status: %[1]d; a gRPC client reports status %[2]s with message %[3]q",
			g, GRPCCodeName(g), AbortBody)
	}
	return s
}

// ocspTimesSymptom describes an ocsp_times rule: a good certificate whose
// stapled OCSP response is not current by the client's clock. curl
// --cert-status reports both directions as expired (OpenSSL's
// OCSP_check_validity fails, and curl has one message for it), observed
// with curl 7.88.1 on OpenSSL 3.0.19. Go hands the staple over unjudged;
// only a VerifyConnection that checks it refuses (alert 42).
func ocspTimesSymptom(r *Rule) string {
	times := "its times shifted (clock skew)"
	if r != nil && r.Skew > 0 {
		times = fmt.Sprintf("its thisUpdate %s in the future (a responder whose clock is ahead)", r.Skew.D())
	} else if r != nil && r.Skew < 0 {
		times = fmt.Sprintf("its nextUpdate %s in the past (a server whose clock is behind, stapling a stale response)", (-r.Skew).D())
	}
	return ClassCert + ", OCSP staple not current, " + times + ": only clients that check the staple notice, beyond OpenSSL's five minutes of leeway: " +
		"curl --cert-status (91) OCSP response has expired (in both directions); a Go client that checks the staple in VerifyConnection fails with its own error and sends alert 42; " +
		"Go, curl without --cert-status and browsers (for a private CA) connect"
}

// httpDateSymptom describes an http_date rule: no error anywhere, only
// the first response's Date header moved, which curl -v shows and which
// caches compute a response's age from (RFC 9111 §4.2.3).
func httpDateSymptom(r *Rule) string {
	shift := "shifted"
	if r != nil && r.Skew > 0 {
		shift = fmt.Sprintf("%s in the future (an origin whose clock is ahead)", r.Skew.D())
	} else if r != nil && r.Skew < 0 {
		shift = fmt.Sprintf("%s in the past (an origin whose clock is behind)", (-r.Skew).D())
	}
	return ClassNone + ": the first response's Date header is " + shift + " (the origin's shifted, or tlsgate's clock shifted where the origin sent none or one that does not parse); " + httpDateEffect
}

// httpDateEffect is what a shifted Date does, whichever way it was made.
const httpDateEffect = "curl -v shows it (< Date: …) and exits 0. " +
	"Caches take the response's age from it: a Date in the past makes a response with a shorter max-age stale on arrival, so it is fetched again every time " +
	"(RFC 9111 apparent age); one in the future changes nothing there. Cookie expiry and HSTS max-age count from the client's own clock and do not change"
