package sniff

import "fmt"

// ParseAlert looks through the records a client sent for an unencrypted
// alert: a record of type alert (21) whose length is 2 and whose level is
// warning (1) or fatal (2). An encrypted alert is longer (it carries a MAC or
// AEAD tag, and TLS 1.3 hides it in type 23), so this finds only plaintext
// ones, such as the alert OpenSSL sends in the clear when it rejects a TLS 1.3
// server before its handshake keys are in use. It walks whole records from the
// start of b and stops at the first incomplete record or at bytes that are not
// a TLS record.
func ParseAlert(b []byte) (level, desc uint8, ok bool) {
	for len(b) >= 5 {
		typ, major, n := b[0], b[1], int(b[3])<<8|int(b[4])
		if typ < 20 || typ > 23 || major != 3 || len(b) < 5+n {
			return 0, 0, false
		}
		if typ == 21 && n == 2 && (b[5] == 1 || b[5] == 2) {
			return b[5], b[6], true
		}
		b = b[5+n:]
	}
	return 0, 0, false
}

// AlertRecordLen is the size of an unencrypted alert record: a 5-byte
// record header and the two bytes of level and description.
const AlertRecordLen = 7

// FirstRecordAlert reports whether b, the first bytes a server sent on a
// connection, begin with an alert record in the clear: content type 21,
// a record version from SSL 3.0 to TLS 1.3 (0x0300-0x0304) or 0x0000,
// length 2, level warning (1) or fatal (2). A server that refuses a
// ClientHello sends exactly this instead of its ServerHello (RFC 8446
// §6, RFC 5246 §7.2). BIG-IP writes its version refusals with record
// version 0x0000 (ssldump shows `V0.0 Alert`, bigip-log.md §4.2), which
// Go clients accept, so it counts too. Only the first AlertRecordLen
// bytes are read; more change nothing, fewer give ok=false.
func FirstRecordAlert(b []byte) (version uint16, level, desc uint8, ok bool) {
	if len(b) < AlertRecordLen || b[0] != 21 || b[3] != 0 || b[4] != 2 || (b[5] != 1 && b[5] != 2) {
		return 0, 0, 0, false
	}
	v := uint16(b[1])<<8 | uint16(b[2])
	if v != 0 && (v < 0x0300 || v > 0x0304) {
		return 0, 0, 0, false
	}
	return v, b[5], b[6], true
}

// RecordTypeName names a TLS record's content type as ssldump and
// Wireshark spell it (RFC 8446 §5.1, RFC 6520 for heartbeat), "type N" for
// one that is no TLS content type.
func RecordTypeName(t uint8) string {
	switch t {
	case 20:
		return "change_cipher_spec"
	case 21:
		return "alert"
	case 22:
		return "handshake"
	case 23:
		return "application_data"
	case 24:
		return "heartbeat"
	}
	return fmt.Sprintf("type %d", t)
}

// AlertName returns the RFC name of an AlertDescription (RFC 5246 §7.2,
// RFC 8446 §6, RFC 7507, RFC 7301, RFC 9849), spelled with underscores as
// OpenSSL, ssldump and BIG-IP print it, e.g. 48 → "unknown_ca". Unassigned
// values give "alert(N)", as crypto/tls and explain.AlertName spell them.
func AlertName(desc uint8) string {
	switch desc {
	case 0:
		return "close_notify"
	case 10:
		return "unexpected_message"
	case 20:
		return "bad_record_mac"
	case 21:
		return "decryption_failed_RESERVED"
	case 22:
		return "record_overflow"
	case 30:
		return "decompression_failure_RESERVED"
	case 40:
		return "handshake_failure"
	case 41:
		return "no_certificate_RESERVED"
	case 42:
		return "bad_certificate"
	case 43:
		return "unsupported_certificate"
	case 44:
		return "certificate_revoked"
	case 45:
		return "certificate_expired"
	case 46:
		return "certificate_unknown"
	case 47:
		return "illegal_parameter"
	case 48:
		return "unknown_ca"
	case 49:
		return "access_denied"
	case 50:
		return "decode_error"
	case 51:
		return "decrypt_error"
	case 60:
		return "export_restriction_RESERVED"
	case 70:
		return "protocol_version"
	case 71:
		return "insufficient_security"
	case 80:
		return "internal_error"
	case 86:
		return "inappropriate_fallback"
	case 90:
		return "user_canceled"
	case 100:
		return "no_renegotiation"
	case 109:
		return "missing_extension"
	case 110:
		return "unsupported_extension"
	case 111:
		return "certificate_unobtainable_RESERVED"
	case 112:
		return "unrecognized_name"
	case 113:
		return "bad_certificate_status_response"
	case 114:
		return "bad_certificate_hash_value_RESERVED"
	case 115:
		return "unknown_psk_identity"
	case 116:
		return "certificate_required"
	case 120:
		return "no_application_protocol"
	case 121:
		return "ech_required"
	}
	return fmt.Sprintf("alert(%d)", desc)
}

// OpenSSLAlertReason is the reason string OpenSSL 3 gives a fatal alert
// received during the handshake, the words after "SSL routines::" that
// curl, openssl s_client and Python print: 48 → "tlsv1 alert unknown ca".
// It is "" for the alerts a server sends at warning level (0 close_notify,
// 90 user_canceled, 100 no_renegotiation), which OpenSSL does not report as
// a received alert, and for numbers OpenSSL has no reason for. Every entry
// was observed with curl 7.88.1 on OpenSSL 3.0.19 against a one-alert
// server; 121 ech_required has no reason string there ("reason(1121)").
// One table serves the fault symptoms and the explanations, so they
// cannot drift apart.
func OpenSSLAlertReason(desc uint8) string {
	switch desc {
	case 10:
		return "sslv3 alert unexpected message"
	case 20:
		return "sslv3 alert bad record mac"
	case 21:
		return "tlsv1 alert decryption failed"
	case 22:
		return "tlsv1 alert record overflow"
	case 30:
		return "sslv3 alert decompression failure"
	case 40:
		return "sslv3 alert handshake failure"
	case 41:
		return "sslv3 alert no certificate"
	case 42:
		return "sslv3 alert bad certificate"
	case 43:
		return "sslv3 alert unsupported certificate"
	case 44:
		return "sslv3 alert certificate revoked"
	case 45:
		return "sslv3 alert certificate expired"
	case 46:
		return "sslv3 alert certificate unknown"
	case 47:
		return "sslv3 alert illegal parameter"
	case 48:
		return "tlsv1 alert unknown ca"
	case 49:
		return "tlsv1 alert access denied"
	case 50:
		return "tlsv1 alert decode error"
	case 51:
		return "tlsv1 alert decrypt error"
	case 60:
		return "tlsv1 alert export restriction"
	case 70:
		return "tlsv1 alert protocol version"
	case 71:
		return "tlsv1 alert insufficient security"
	case 80:
		return "tlsv1 alert internal error"
	case 86:
		return "tlsv1 alert inappropriate fallback"
	case 109:
		return "tlsv13 alert missing extension"
	case 110:
		return "tlsv1 unsupported extension"
	case 111:
		return "tlsv1 certificate unobtainable"
	case 112:
		return "tlsv1 unrecognized name"
	case 113:
		return "tlsv1 bad certificate status response"
	case 114:
		return "tlsv1 bad certificate hash value"
	case 115:
		return "tlsv1 alert unknown psk identity"
	case 116:
		return "tlsv13 alert certificate required"
	case 120:
		return "tlsv1 alert no application protocol"
	}
	return ""
}

// VersionName names a protocol version the way OpenSSL and BIG-IP logs do:
// "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"; 0x0002 is "SSLv2",
// GREASE values read "GREASE(0x1a1a)", anything else "0x%04x".
func VersionName(v uint16) string {
	switch v {
	case 0x0002:
		return "SSLv2"
	case 0x0300:
		return "SSLv3"
	case 0x0301:
		return "TLSv1"
	case 0x0302:
		return "TLSv1.1"
	case 0x0303:
		return "TLSv1.2"
	case 0x0304:
		return "TLSv1.3"
	}
	if IsGREASE(v) {
		return fmt.Sprintf("GREASE(0x%04x)", v)
	}
	return fmt.Sprintf("0x%04x", v)
}
