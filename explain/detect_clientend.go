package explain

import (
	"strconv"

	"github.com/tlsgate/tlsgate/sniff"
)

// A passthrough relay passes the client's answer to the backend's flight
// as it passes the rest. The listener reads the first bytes the client
// sent after its ClientHello (Backend.ClientEnd): a finished handshake
// has the client's Finished there, a refused one an alert and a close.
// In a TLS 1.2 handshake, or from OpenSSL under TLS 1.3, the alert is in
// the clear; under TLS 1.3 otherwise it is encrypted and only its size
// gives it away.

// ruleClientEnd: the client ended its handshake with the backend instead
// of finishing it. A plaintext alert must be fatal (a warning one ends
// nothing by itself). A client that sent nothing after its hello counts
// only when the backend's certificate was on the way and the relay ended
// with the client's close: a client that stays quiet until the idle
// timeout is that timeout's story. One whose FIN the relay read before the
// flight closed early instead.
func ruleClientEnd(f *facts) (verdict, bool) {
	e := f.o.Backend.ClientEnd
	switch {
	case e.Kind == sniff.ClientEndAlert && e.Level == 2:
		// 49 access_denied is about the client's own access, not the
		// backend's certificate.
		if certAlert(int(e.Desc)) && e.Desc != 49 {
			return verdict{code: CodeClientRejectedBackend, variant: "cert"}, true
		}
		return verdict{code: CodeClientRejectedBackend}, true
	case e.Kind == sniff.ClientEndEncryptedAlert:
		return verdict{code: CodeClientRejectedBackend, variant: "encrypted"}, true
	case e.Kind == sniff.ClientEndSilent && f.o.Backend.FlightSent && (f.o.End == "" || f.o.End == EndClientReset):
		if f.o.Backend.FINBeforeFlight {
			// Its FIN came before the flight was relayed: it closed
			// without waiting for the certificate, so it refused none
			// (a terminate listener's FINBeforeFlight).
			return verdict{code: CodeClientClosedEarly, variant: "before_backend_flight"}, true
		}
		return verdict{code: CodeClientRejectedBackend, variant: "abandoned"}, true
	}
	return verdict{}, false
}

// clientEndPlaceholder fills the template names of a client's refusal of
// the backend; ok=false leaves a name unknown.
func (f *facts) clientEndPlaceholder(name string) (string, bool) {
	e := f.o.Backend.ClientEnd
	switch name {
	case "client_end_alert":
		return alertLabel(int(e.Desc)), true
	case "client_end_why":
		return clientEndWords(f.lang, "why", e.Desc), true
	case "client_end_saw":
		return clientEndWords(f.lang, "saw", e.Desc), true
	}
	return f.stallPlaceholder(name)
}

// clientEndText is the client's bytes after its hello for evidence: what
// they were and what they say.
func clientEndText(o *Outcome) string {
	e := o.Backend.ClientEnd
	ccs := ""
	if e.CCS {
		ccs = "14 03 03 00 01 01 (ChangeCipherSpec), then "
	}
	switch e.Kind {
	case sniff.ClientEndAlert:
		level := map[uint8]string{1: "warning", 2: "fatal"}[e.Level]
		return ccs + "an alert record in the clear: " + level + " " + alertLabel(int(e.Desc)) + " (read)"
	case sniff.ClientEndEncryptedAlert:
		return ccs + "one application_data record of 19 bytes, then the client's close: an encrypted alert (inferred)"
	case sniff.ClientEndSilent:
		return "nothing: the client closed after its ClientHello; the backend had sent " + bytesEN(o.BytesDown)
	}
	return ""
}

// bytesEN words a count of bytes in English, singular for one, for the
// evidence values that are English in every language.
func bytesEN(n int64) string {
	if n == 1 {
		return "1 byte"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
