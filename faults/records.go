package faults

import (
	"bytes"
	"io"
	"slices"

	"github.com/tlsgate/tlsgate/sniff"
)

// Record-layer constants (RFC 5246 §6.2.1, RFC 8446 §5.1).
const (
	recordHandshake   = 22
	recordAlert       = 21
	recordCCS         = 20
	handshakeSrvHello = 2
	extRenegInfo      = 0xff01 // RFC 5746
)

// Alert levels (RFC 5246 §7.2).
const (
	AlertWarning uint8 = 1
	AlertFatal   uint8 = 2
)

// AlertLevel is the level a server uses for desc: warning for close_notify,
// user_canceled and no_renegotiation, fatal for the rest.
func AlertLevel(desc uint8) uint8 {
	switch desc {
	case 0, 90, 100:
		return AlertWarning
	}
	return AlertFatal
}

// AlertRecord is one plaintext alert record: the 7 bytes a server sends when
// it refuses a ClientHello. recordVersion is the record-layer version; 0
// means 0x0301, which is what crypto/tls and OpenSSL use before a version is
// agreed.
func AlertRecord(level, desc uint8, recordVersion uint16) []byte {
	if recordVersion == 0 {
		recordVersion = 0x0301
	}
	return []byte{recordAlert, byte(recordVersion >> 8), byte(recordVersion), 0, 2, level, desc}
}

// ServerHelloSSL3 answers a ClientHello with a ServerHello that selects SSL
// 3.0 (0x0300), in an SSL 3.0 record, as a server stuck on SSLv3 would. The
// suite is one the client offered, so the version is the only objection a
// client can raise: Go reports "tls: server selected unsupported protocol
// version 300", OpenSSL "unsupported protocol". random supplies the 32-byte
// server random.
func ServerHelloSSL3(hello *sniff.ClientHello, random io.Reader) []byte {
	return serverHello(0x0300, 0x0300, pickOffered(hello), random)
}

// ServerHelloUnofferedCipher answers with a TLS 1.2-style ServerHello (or the
// client's highest version, if lower) that selects suite, whether or not the
// client offered it. With a suite the client never offered, Go reports "tls:
// server chose an unconfigured cipher suite" and OpenSSL "unknown cipher
// returned" (for suites it lacks) or "wrong cipher returned". PickUnoffered
// chooses such a suite.
func ServerHelloUnofferedCipher(hello *sniff.ClientHello, suite uint16, random io.Reader) []byte {
	v := uint16(0x0303)
	if hello != nil {
		if m := hello.MaxVersion(); m >= 0x0301 && m < v {
			v = m
		}
	}
	return serverHello(v, v, suite, random)
}

// PickUnoffered returns the first suite of prefer that the hello does not
// offer, falling back to classic suites no modern client offers
// (TLS_RSA_WITH_RC4_128_MD5 first). Suite names are IANA names or 0xNNNN.
func PickUnoffered(hello *sniff.ClientHello, prefer []string) uint16 {
	var offered []uint16
	if hello != nil {
		offered = hello.CipherSuites
	}
	var cands []uint16
	for _, name := range prefer {
		if id, _, ok := lookupSuite(name, false); ok {
			cands = append(cands, id)
		}
	}
	cands = append(cands, 0x0004, 0x0003, 0x003b, 0x0005, 0x000a, 0x002f)
	for _, c := range cands {
		if !slices.Contains(offered, c) {
			return c
		}
	}
	return 0x0004
}

// pickOffered returns a pre-TLS 1.3 suite the client offered, skipping
// GREASE and signalling values, or TLS_RSA_WITH_AES_128_CBC_SHA.
func pickOffered(hello *sniff.ClientHello) uint16 {
	if hello != nil {
		for _, c := range hello.CipherSuites {
			if !sniff.IsGREASE(c) && c != 0x00ff && c != 0x5600 && c>>8 != 0x13 {
				return c
			}
		}
	}
	return 0x002f
}

// serverHello builds one handshake record holding a ServerHello with an
// empty session ID, null compression and an empty renegotiation_info
// extension: OpenSSL 3 refuses a TLS 1.2 ServerHello without it ("unsafe
// legacy renegotiation disabled") before reaching the error we want.
func serverHello(version, recordVersion, suite uint16, random io.Reader) []byte {
	var rnd [32]byte
	if random != nil {
		_, _ = io.ReadFull(random, rnd[:])
	}
	// A TLS 1.3-capable client treats these last bytes as a downgrade
	// canary (RFC 8446 §4.1.3); a random that happens to spell one must not.
	if bytes.HasPrefix(rnd[24:], []byte("DOWNGRD")) {
		rnd[24] ^= 0xff
	}
	body := []byte{byte(version >> 8), byte(version)}
	body = append(body, rnd[:]...)
	body = append(body, 0)                              // session_id length
	body = append(body, byte(suite>>8), byte(suite), 0) // cipher_suite, compression_method null
	body = append(body, 0, 5, 0xff, 0x01, 0, 1, 0)      // extensions: renegotiation_info, empty
	msg := append([]byte{handshakeSrvHello, 0, byte(len(body) >> 8), byte(len(body))}, body...)
	rec := []byte{recordHandshake, byte(recordVersion >> 8), byte(recordVersion), byte(len(msg) >> 8), byte(len(msg))}
	return append(rec, msg...)
}
