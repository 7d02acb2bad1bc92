package explain

import (
	"fmt"
	"strconv"
	"strings"
)

// alertInfo pairs the RFC name of a TLS alert with the text Go's crypto/tls
// prints for it, so one table serves both naming and error parsing.
type alertInfo struct {
	num    int
	name   string // RFC 5246 §7.2 / RFC 8446 §6 / RFC 7507 / RFC 7301 spelling
	goText string // crypto/tls alert.go text ("" when Go has none)
}

// alertTable returns every registered alert. It is a function, not a
// package variable, so no package-level mutable state exists.
func alertTable() []alertInfo {
	return []alertInfo{
		{0, "close_notify", "close notify"},
		{10, "unexpected_message", "unexpected message"},
		{20, "bad_record_mac", "bad record MAC"},
		{21, "decryption_failed_RESERVED", "decryption failed"},
		{22, "record_overflow", "record overflow"},
		{30, "decompression_failure_RESERVED", "decompression failure"},
		{40, "handshake_failure", "handshake failure"},
		{41, "no_certificate_RESERVED", ""},
		{42, "bad_certificate", "bad certificate"},
		{43, "unsupported_certificate", "unsupported certificate"},
		{44, "certificate_revoked", "revoked certificate"},
		{45, "certificate_expired", "expired certificate"},
		{46, "certificate_unknown", "unknown certificate"},
		{47, "illegal_parameter", "illegal parameter"},
		{48, "unknown_ca", "unknown certificate authority"},
		{49, "access_denied", "access denied"},
		{50, "decode_error", "error decoding message"},
		{51, "decrypt_error", "error decrypting message"},
		{60, "export_restriction_RESERVED", "export restriction"},
		{70, "protocol_version", "protocol version not supported"},
		{71, "insufficient_security", "insufficient security level"},
		{80, "internal_error", "internal error"},
		{86, "inappropriate_fallback", "inappropriate fallback"},
		{90, "user_canceled", "user canceled"},
		{100, "no_renegotiation", "no renegotiation"},
		{109, "missing_extension", "missing extension"},
		{110, "unsupported_extension", "unsupported extension"},
		{111, "certificate_unobtainable_RESERVED", "certificate unobtainable"},
		{112, "unrecognized_name", "unrecognized name"},
		{113, "bad_certificate_status_response", "bad certificate status response"},
		{114, "bad_certificate_hash_value_RESERVED", "bad certificate hash value"},
		{115, "unknown_psk_identity", "unknown PSK identity"},
		{116, "certificate_required", "certificate required"},
		{120, "no_application_protocol", "no application protocol"},
		{121, "ech_required", "encrypted client hello required"},
	}
}

// AlertName returns the RFC name of TLS alert n ("unknown_ca" for 48), or
// "alert(n)" for a number no RFC assigns.
func AlertName(n int) string {
	for _, a := range alertTable() {
		if a.num == n {
			return a.name
		}
	}
	return "alert(" + strconv.Itoa(n) + ")"
}

// alertLabel is the "48 unknown_ca" form used in evidence and summaries.
func alertLabel(n int) string { return strconv.Itoa(n) + " " + AlertName(n) }

// AlertFromError finds the alert a peer sent, as reported in an error text,
// and returns its number, or -1 when the text reports no received alert.
// It understands Go ("remote error: tls: unknown certificate authority",
// "remote error: tls: alert(99)"), OpenSSL ("SSL alert number 48") and Java
// ("Received fatal alert: unknown_ca"). Go's "local error: tls: …" is an
// alert we sent, not one we received, so it yields -1.
func AlertFromError(errText string) int {
	if i := strings.Index(errText, "remote error: tls: "); i >= 0 {
		rest := errText[i+len("remote error: tls: "):]
		if n, ok := parseGoAlertNumber(rest); ok {
			return n
		}
		// Longest match first: "unknown certificate authority" must not be
		// taken for "unknown certificate".
		best, bestLen := -1, 0
		for _, a := range alertTable() {
			if a.goText != "" && strings.HasPrefix(rest, a.goText) && len(a.goText) > bestLen {
				best, bestLen = a.num, len(a.goText)
			}
		}
		return best
	}
	if i := strings.Index(errText, "SSL alert number "); i >= 0 {
		if n, ok := leadingInt(errText[i+len("SSL alert number "):]); ok {
			return n
		}
	}
	for _, prefix := range []string{"Received fatal alert: ", "Received warning alert: "} {
		if i := strings.Index(errText, prefix); i >= 0 {
			rest := errText[i+len(prefix):]
			for _, a := range alertTable() {
				if rest == a.name || strings.HasPrefix(rest, a.name+" ") || strings.HasPrefix(rest, a.name+")") {
					return a.num
				}
			}
		}
	}
	return -1
}

// parseGoAlertNumber reads Go's fallback form "alert(99)".
func parseGoAlertNumber(s string) (int, bool) {
	if !strings.HasPrefix(s, "alert(") {
		return 0, false
	}
	n, ok := leadingInt(s[len("alert("):])
	if !ok || n > 255 {
		return 0, false
	}
	return n, true
}

// leadingInt parses the decimal digits at the start of s (at most 3, alerts
// are one byte).
func leadingInt(s string) (int, bool) {
	end := 0
	for end < len(s) && end < 3 && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == 0 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil || n > 255 {
		return 0, false
	}
	return n, true
}

// VersionName names a protocol version the way operators read it: "SSLv2",
// "SSLv3", "TLS 1.0" … "TLS 1.3", "GREASE 0x0a0a", "TLS 1.3 draft 28", or
// the hex value for anything else. Zero is "none".
func VersionName(v uint16) string {
	switch {
	case v == 0:
		return "none"
	case v == 0x0002:
		return "SSLv2"
	case v == 0x0300:
		return "SSLv3"
	case v == 0x0301:
		return "TLS 1.0"
	case v == 0x0302:
		return "TLS 1.1"
	case v == 0x0303:
		return "TLS 1.2"
	case v == 0x0304:
		return "TLS 1.3"
	case IsGREASE(v):
		return fmt.Sprintf("GREASE 0x%04x", v)
	case v&0xff00 == 0x7f00:
		return fmt.Sprintf("TLS 1.3 draft %d", v&0xff)
	default:
		return fmt.Sprintf("0x%04x", v)
	}
}

// IsGREASE reports RFC 8701 reserved values (0x0a0a, 0x1a1a … 0xfafa),
// which clients sprinkle into version, cipher and extension lists.
func IsGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}
