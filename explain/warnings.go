package explain

import (
	"crypto/tls"
	"slices"
	"strings"
)

// Cipher suite strength classes, weakest first, for comparing the two legs
// of an intercepted connection.
const (
	rankUnknown   = -1 // not in crypto/tls's tables: not compared
	rankLegacy    = 0  // 3DES or RC4, whatever the key exchange
	rankStaticRSA = 1  // RSA key exchange: no forward secrecy
	rankECDHECBC  = 2  // forward secret, CBC with HMAC
	rankECDHEAEAD = 3  // forward secret, AES-GCM or ChaCha20-Poly1305
	rankTLS13     = 4  // TLS 1.3 suites: AEAD only, always forward secret
)

// suiteRank classifies a suite from crypto/tls's own tables, so a suite Go
// adds or drops changes the answer without a list to maintain here.
func suiteRank(id uint16) int {
	s, ok := suites()[id]
	if !ok {
		return rankUnknown
	}
	n := s.Name
	switch {
	case slices.Equal(s.SupportedVersions, []uint16{tls.VersionTLS13}):
		return rankTLS13
	case strings.Contains(n, "_RC4_") || strings.Contains(n, "_3DES_"):
		return rankLegacy
	case strings.HasPrefix(n, "TLS_RSA_"):
		return rankStaticRSA
	case strings.Contains(n, "_GCM_") || strings.Contains(n, "_CHACHA20_POLY1305"):
		return rankECDHEAEAD
	}
	return rankECDHECBC
}

// Warning keys; their words live in warningTexts.
const (
	warnVerifyOff      = "verify_off"
	warnDowngrade      = "downgrade"
	warnOfferDowngrade = "offer_downgrade"
	warnWeakerCipher   = "weaker_cipher"
	warnHelloTooLarge  = "hello_too_large"
	// warnHelloTooLargeRead: the same hello, read by crypto/tls on
	// tlsgate's own handshake, which knew its SNI.
	warnHelloTooLargeRead = "hello_too_large_read"
	// warnHelloTooLargeBypass: the same hello on an inspect listener,
	// whose SNI crypto/tls read matched a bypass glob: routing by name
	// did see it, but nothing else keyed on the hello did.
	warnHelloTooLargeBypass = "hello_too_large_bypass"
	warnRelayedUnread       = "relayed_unread"
	warnHelloUnread         = "hello_unread"
	// warnClientFINUnanswered: an HTTP/1 request (plaintext, or inside
	// TLS tlsgate terminated), the client's FIN, and the backend's close
	// without a byte (clientFINUnanswered).
	warnClientFINUnanswered = "client_fin_unanswered"
	// warnClientFINCutShort: the same, with the client's FIN before the
	// end of its request's header (headCutShort).
	warnClientFINCutShort = "client_fin_cut_short"
	// warnClientFINUnansweredPass: the same through a relay that passed
	// TLS through, read from the records' headers (passFINUnanswered).
	warnClientFINUnansweredPass = "client_fin_unanswered_pass"
	// warnH2Unanswered: an HTTP/2 relay whose client streams got no
	// HEADERS from the backend before the connection closed, read from
	// the frames' headers (h2Unanswered).
	warnH2Unanswered = "h2_unanswered"
)

// warningKeys decides which warnings a connection that worked earns, in a
// fixed order: trust first, then version, then cipher, then what tlsgate
// could not read, then an answer that never came.
func (f *facts) warningKeys(inspected bool) []string {
	o := f.o
	var keys []string
	if inspected {
		keys = f.legWarnings()
	}
	switch {
	case o.HelloTooLarge && o.Route == "bypass" && helloReadByTLS(o):
		keys = append(keys, warnHelloTooLargeBypass)
	case o.HelloTooLarge && helloReadByTLS(o):
		keys = append(keys, warnHelloTooLargeRead)
	case o.HelloTooLarge:
		keys = append(keys, warnHelloTooLarge)
	}
	if relayedUnread(o) {
		keys = append(keys, warnRelayedUnread)
	}
	if handshakeOnUnread(o) {
		keys = append(keys, warnHelloUnread)
	}
	switch noAnswer(o) {
	case "cut_short":
		keys = append(keys, warnClientFINCutShort)
	case "no_answer":
		keys = append(keys, warnClientFINUnanswered)
	case "pass_no_answer":
		keys = append(keys, warnClientFINUnansweredPass)
	case "h2_no_answer":
		keys = append(keys, warnH2Unanswered)
	}
	return keys
}

// legWarnings compares an inspected connection's two legs.
func (f *facts) legWarnings() []string {
	o := f.o
	var keys []string
	if o.Backend.TLS.VerifySkipped {
		keys = append(keys, warnVerifyOff)
	}
	cv, uv := o.ClientTLS.Version, o.Backend.TLS.Version
	switch {
	case cv > uv:
		keys = append(keys, warnDowngrade)
	case f.maxOffered >= tls.VersionTLS13 && f.explicitVersions && uv < tls.VersionTLS13:
		keys = append(keys, warnOfferDowngrade)
	}
	if _, ok := f.strongerOffered(); ok {
		keys = append(keys, warnWeakerCipher)
	}
	return keys
}

// strongerOffered returns the best suite the client offered that the
// server leg could have used, when it outranks the suite the server leg
// got. "Could have used" means at the server leg's version (a higher
// version is the downgrade warning's business, not counted twice) and with
// the server's key type (an RSA-only server cannot pick an ECDSA suite).
func (f *facts) strongerOffered() (uint16, bool) {
	b := f.o.Backend.TLS
	got := suiteRank(b.CipherSuite)
	if got == rankUnknown || b.Version == 0 {
		return 0, false
	}
	auth := suiteAuth(b.CipherSuite)
	best, bestRank := uint16(0), got
	for _, s := range f.suites {
		if a := suiteAuth(s); a != "" && auth != "" && a != auth {
			continue
		}
		if r := suiteRank(s); r > bestRank && suiteSupports(s, b.Version) {
			best, bestRank = s, r
		}
	}
	return best, best != 0
}

// suiteAuth is the certificate key type a TLS 1.2-style suite needs: "ecdsa",
// "rsa", or "" for TLS 1.3 suites, which work with any key.
func suiteAuth(id uint16) string {
	n := CipherName(id)
	switch {
	case strings.Contains(n, "_ECDSA_"):
		return "ecdsa"
	case strings.HasPrefix(n, "TLS_RSA_") || strings.HasPrefix(n, "TLS_ECDHE_RSA_"):
		return "rsa"
	}
	return ""
}
