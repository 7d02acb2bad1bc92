package explain

import (
	"crypto/tls"
	"strconv"

	"github.com/tlsgate/tlsgate/sniff"
)

// A passthrough relay takes no part in the handshake: the client's hello
// goes to the backend and the backend's answer comes back untouched. The
// listener notes when that answer began with an alert record instead of a
// ServerHello (Backend.HelloAlert). The rule and words here explain the
// refusal from the one side tlsgate read, the client's hello.

// PassesTLS says o's relay carried the client's TLS records untouched
// (passthrough, and inspect's bypass): tlsgate took no part in the
// handshake, so the relay's reads are records whose shape can be read (the
// backend's first ones, the client's last), and the backend is the one
// that answered the hello. Decrypted relays (terminate, inspect) carry
// application data, and plaintext ones no TLS at all. The listener sets
// the route before the relay starts, and asks this too (what to keep from
// the relay), so the two agree on which routes pass TLS.
func PassesTLS(o *Outcome) bool {
	return o.Route == "passthrough" || o.Route == "bypass"
}

// ruleBackendHello: the backend refused the client's hello. A fatal alert
// ends the connection (RFC 8446 §6.2, RFC 5246 §7.2); a warning one is a
// refusal only when nothing followed it, since some servers send a
// warning unrecognized_name and then their ServerHello.
func ruleBackendHello(f *facts) (verdict, bool) {
	a := f.o.Backend.HelloAlert
	if a.Level == 0 || a.Level == 1 && f.o.BytesDown > sniff.AlertRecordLen {
		return verdict{}, false
	}
	return verdict{code: CodeBackendRejectedHello, variant: f.helloAlertVariant()}, true
}

// ruleBackendAnswer: the backend sent no ServerHello for a ClientHello
// tlsgate read and relayed: not a byte before the connection ended, or
// bytes that are no TLS record (a plaintext server's reply, a banner).
// No handshake can have completed, yet the relay was logged ok. A
// backend's reset is the backend_reset rule's, a fault's firing the fault
// rules', and first bytes that were no hello tlsgate read are the ok
// line's warning: the backend may have refused them for good reason. A
// client's reset after a silent backend is left ok too: a client that
// resets right after its hello leaves the backend no time to answer, and
// one that gave up on a silent backend closes with a FIN unless it left
// data unread. A reset after an answer that is no TLS is the client's
// reaction to it (curl resets on `wrong version number`, leaving the
// plaintext reply unread), so that answer still names the cause.
func ruleBackendAnswer(f *facts) (verdict, bool) {
	o := f.o
	if !PassesTLS(o) || !o.Backend.Attempted || o.Backend.DialErr != "" {
		return verdict{}, false
	}
	if o.Kind != sniff.TLSHandshake || o.Hello == nil && !o.HelloTooLarge || len(o.FaultFirings) > 0 {
		return verdict{}, false
	}
	head := o.Backend.AnswerHead[:min(o.Backend.AnswerLen, len(o.Backend.AnswerHead))]
	if o.End == EndBackendReset {
		// Not a byte before the reset: the hello got no answer, as after
		// a FIN. A backend that closed at once also resets the hello the
		// relay then writes to it, so its FIN and its reset race, and
		// both must read the same.
		if len(head) == 0 && o.BytesDown == 0 {
			return verdict{code: CodeBackendNoServerHello, variant: "reset"}, true
		}
		return verdict{}, false
	}
	switch {
	case len(head) > 0 && !tlsRecordStart(head):
		return verdict{code: CodeBackendNoServerHello, variant: "not_tls"}, true
	case len(head) == 0 && o.BytesDown == 0 && o.End != EndClientReset:
		return verdict{code: CodeBackendNoServerHello}, true
	}
	return verdict{}, false
}

// tlsRecordStart says b can begin what a TLS server sends: a record of a
// known content type (change_cipher_spec 20 to heartbeat 24) with major
// version 3, or an SSLv2 ServerHello (a two-byte length with the high bit
// set, then message type 4).
func tlsRecordStart(b []byte) bool {
	switch {
	case b[0] >= 20 && b[0] <= 24:
		return len(b) < 2 || b[1] == 3
	case b[0]&0x80 != 0:
		return len(b) < 3 || b[2] == 4
	}
	return false
}

// helloAlertVariant reads the likely cause from the alert and the hello.
// 70 is the version alert, a floor when the client offers less than TLS
// 1.3 and a ceiling when it offers 1.3. From a client that offers nothing
// above TLS 1.1, 40 (BIG-IP's generic alert, and others') and 80 (OpenSSL
// 3 at its default security level) are version refusals too; from a
// current client, 40 and 71 most often mean no cipher suite in common.
// Without a parsed hello there is nothing to read a cause from.
func (f *facts) helloAlertVariant() string {
	desc := f.o.Backend.HelloAlert.Desc
	old := f.maxOffered < tls.VersionTLS12
	switch {
	case f.o.Hello == nil && f.o.SSLv2 == nil && strayRecord(f.o.FirstBytes):
		// No hello at all: the backend refused a record of another type.
		return "no_hello"
	case f.o.SSLv2 != nil && f.maxOffered < 0x0300:
		return "sslv2"
	case f.o.SSLv2 != nil && (desc == 70 || old && (desc == 40 || desc == 80)):
		// An SSLv2-format hello offering TLS: its version is all that
		// was read of it.
		return "version_floor"
	}
	if f.o.Hello == nil || f.maxOffered == 0 {
		return ""
	}
	switch {
	case desc == 70 && f.maxOffered >= tls.VersionTLS13:
		return "version_ceiling"
	case desc == 70, old && (desc == 40 || desc == 80):
		return "version_floor"
	case desc == 40 || desc == 71:
		return "cipher"
	case desc == 112 && f.sni() == "":
		return "sni_none"
	case desc == 112:
		return "sni"
	case desc == 120:
		return "alpn"
	}
	return ""
}

// strayRecord says b, a client's first bytes, begin a TLS record of
// another type than handshake: change_cipher_spec, alert, application
// data or heartbeat, with major version 3.
func strayRecord(b []byte) bool {
	return len(b) >= 5 && b[0] >= 20 && b[0] <= 24 && b[0] != 22 && b[1] == 3
}

// clientRecord names the client's stray first record for prose: an
// alert's level and description, else its content type.
func (f *facts) clientRecord() string { return f.recordNamed("record_alert", "record_other") }

// recordNamed words the first record with the phrase alertKey for an
// alert (its level and description) or typeKey (its content type): the
// header, and an alert's two bytes, say exactly what came.
func (f *facts) recordNamed(alertKey, typeKey string) string {
	b := f.o.FirstBytes
	if _, level, desc, ok := sniff.FirstRecordAlert(b); ok {
		lv := "warning"
		if level == 2 {
			lv = "fatal"
		}
		return f.say(alertKey, "{level}", lv, "{alert}", alertLabel(int(desc)))
	}
	var t uint8
	if len(b) > 0 {
		t = b[0]
	}
	return f.say(typeKey, "{type}", sniff.RecordTypeName(t))
}

// helloAlertPlaceholder fills the template names of a refused hello;
// ok=false leaves a name unknown.
func (f *facts) helloAlertPlaceholder(name string) (string, bool) {
	a := f.o.Backend.HelloAlert
	switch name {
	case "hello_alert":
		return alertLabel(int(a.Desc)), true
	case "backend_answer":
		return f.evidenceValue("backend_answer"), true
	case "hello_alert_saw":
		if a.Level == 1 {
			return f.helloWarningSaw(int(a.Desc)), true
		}
		return f.helloAlertSaw(int(a.Desc)), true
	case "hello_alert_level":
		if a.Level == 1 {
			return f.say("hello_alert_warning"), true
		}
		return "", true
	case "seclevel_note":
		if f.maxOffered < tls.VersionTLS12 {
			return f.say("seclevel_note"), true
		}
		return "", true
	case "next_version":
		return VersionName(f.nextVersion()), true
	case "next_version_flags":
		return f.clientFlags(f.nextVersion(), tls.VersionTLS13), true
	case "sclient_offer":
		return f.sclientOffer(), true
	case "sclient_min_offered":
		return " " + sclientVersion(f.minOffered), true
	case "sclient_offer_note":
		// OpenSSL 3 builds lack -ssl3: a command that cannot run here
		// is said to need another build, with one that runs.
		if f.sclientOffer() == " "+sclientVersion(0x0300) {
			return f.say("ssl3_note"), true
		}
		return "", true
	case "sclient_min_note":
		if f.minOffered == 0x0300 {
			return f.say("ssl3_note"), true
		}
		return "", true
	case "client_record":
		if !strayRecord(f.o.FirstBytes) {
			return f.say("unknown"), true
		}
		return f.clientRecord(), true
	case "backend_port":
		if _, remote := backendEndpoints(f.o); remote.IsValid() {
			return strconv.Itoa(int(remote.Port())), true
		}
		return f.say("unknown"), true
	}
	return f.clientEndPlaceholder(name)
}

// nextVersion is the lowest version above what the client offers that a
// backend today accepts: TLS 1.2 for an older client, else TLS 1.3.
func (f *facts) nextVersion() uint16 {
	if f.maxOffered < tls.VersionTLS12 {
		return tls.VersionTLS12
	}
	return tls.VersionTLS13
}

// sclientOffer is the openssl s_client option (with a leading space) that
// offers what the client offered: its highest version, or nothing when
// OpenSSL's own default (TLS 1.2 and 1.3) covers the offer or no hello was
// read.
func (f *facts) sclientOffer() string {
	switch {
	case f.maxOffered == 0, f.maxOffered >= tls.VersionTLS13 && f.minOffered <= tls.VersionTLS12:
		return ""
	case f.maxOffered >= tls.VersionTLS13:
		return " " + sclientVersion(tls.VersionTLS13)
	}
	return " " + sclientVersion(f.maxOffered)
}

// sclientVersion is the openssl s_client option that offers only v, with
// the security level OpenSSL 3 needs to offer TLS 1.0 or 1.1 at all.
func sclientVersion(v uint16) string {
	switch v {
	case 0x0300:
		return "-ssl3"
	case tls.VersionTLS10:
		return "-tls1 -cipher DEFAULT@SECLEVEL=0"
	case tls.VersionTLS11:
		return "-tls1_1 -cipher DEFAULT@SECLEVEL=0"
	case tls.VersionTLS12:
		return "-tls1_2"
	}
	return "-tls1_3"
}

// helloAlertSaw is how clients word alert desc received in answer to
// their ClientHello (client-symptoms.md §3 rows 5-9, §5, §6): curl exits
// 35, s_client names the alert number, Go prints its alert text.
func (f *facts) helloAlertSaw(desc int) string {
	openssl := map[int]string{
		40: "sslv3 alert handshake failure", 49: "tlsv1 alert access denied", 70: "tlsv1 alert protocol version",
		71: "tlsv1 alert insufficient security", 80: "tlsv1 alert internal error", 112: "tlsv1 unrecognized name",
		120: "tlsv1 alert no application protocol",
	}
	chrome := map[int]string{
		40: "ERR_SSL_VERSION_OR_CIPHER_MISMATCH", 70: "ERR_SSL_VERSION_OR_CIPHER_MISMATCH",
		71: "ERR_SSL_VERSION_OR_CIPHER_MISMATCH", 80: "ERR_SSL_PROTOCOL_ERROR", 112: "ERR_SSL_UNRECOGNIZED_NAME_ALERT",
		49: "ERR_BAD_SSL_CLIENT_AUTH_CERT",
	}
	goText := AlertName(desc)
	for _, a := range alertTable() {
		if a.num == desc && a.goText != "" {
			goText = a.goText
		}
	}
	n := strconv.Itoa(desc)
	var parts []string
	if text, ok := openssl[desc]; ok {
		parts = append(parts, "curl `curl: (35) … "+text+"`", "openssl s_client `…:"+text+":…:SSL alert number "+n+"`")
	} else {
		parts = append(parts, "curl `curl: (35) …` (exit 35)", "openssl s_client `…:SSL alert number "+n+"`")
	}
	parts = append(parts, "Go `remote error: tls: "+goText+"`", "Java `Received fatal alert: "+AlertName(desc)+"`")
	if c, ok := chrome[desc]; ok {
		parts = append(parts, "Chrome "+c)
	}
	return f.list(parts)
}

// helloWarningSaw is what clients print when the answer to their
// ClientHello is a warning-level alert and then the close: observed with
// curl 7.88.1 and s_client on OpenSSL 3.0.19, Go 1.26.8 and Java 17.0.15,
// the versions of client-symptoms.md, whose received-alert table holds
// fatal alerts only. OpenSSL and Go skip a warning before the ServerHello
// and report the close, as after a bare FIN (client-symptoms.md §3 row
// 2); Java refuses a warning of an alert that only a handshake uses and
// otherwise skips it too (its Alert.handshakeOnly).
func (f *facts) helloWarningSaw(desc int) string {
	parts := []string{"curl `curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to …`",
		"openssl s_client `…:unexpected eof while reading:…`" + f.say("msg_shows_alert", "{alert}", AlertName(desc)),
		"Go `EOF`"}
	switch handshakeOnly, known := javaAlert(desc); {
	case handshakeOnly:
		parts = append(parts, "Java `javax.net.ssl.SSLHandshakeException: received handshake warning: "+AlertName(desc)+"`")
	case known:
		parts = append(parts, "Java `javax.net.ssl.SSLHandshakeException: Remote host terminated the handshake`")
	}
	return f.list(parts)
}

// javaAlert reads the JDK's Alert enum (sun.security.ssl.Alert): known
// says Java has the description, handshakeOnly its flag. A warning of a
// handshake-only alert during the handshake is fatal to a Java client,
// the others it skips; an unknown one it refuses in words not observed
// here, so the text leaves Java out.
func javaAlert(desc int) (handshakeOnly, known bool) {
	switch desc {
	case 0, 10, 20, 21, 22, 30, 80, 86, 90:
		return false, true
	case 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 60, 70, 71, 100, 109, 110, 111, 112, 113, 114, 115, 116, 120:
		return true, true
	}
	return false, false
}

// firstRecordText is the backend's first record for evidence: its bytes,
// then what they say.
func firstRecordText(a RecordAlert) string {
	level := map[uint8]string{1: "warning", 2: "fatal"}[a.Level]
	rec := []byte{21, byte(a.Version >> 8), byte(a.Version), 0, 2, a.Level, a.Desc}
	version := VersionName(a.Version)
	if a.Version == 0 {
		version = "0x0000" // BIG-IP's, where VersionName would say "none"
	}
	return hexPrefix(rec, len(rec)) + " = alert " + level + " " + alertLabel(int(a.Desc)) + ", record version " + version
}
