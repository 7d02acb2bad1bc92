package probe

import (
	"crypto/tls"
	"fmt"
	"io"
)

// helloBytes returns the ClientHello record crypto/tls sends for cfg, by
// running the client against a conn that only records. Step 3 writes these
// bytes on a real socket so it can read whatever comes back, raw.
func helloBytes(cfg *tls.Config) ([]byte, error) {
	c := &captureConn{}
	err := tls.Client(c, cfg).Handshake()
	b := c.bytes()
	if len(b) == 0 {
		return nil, fmt.Errorf("probe: crypto/tls wrote no ClientHello: %w", err)
	}
	return b, nil
}

// retryHello is a TLS 1.3-only ClientHello with an empty key_share list
// (RFC 8446 §4.2.8 allows it). A TLS 1.3 server answers it with a
// HelloRetryRequest of about a hundred bytes, a TLS 1.2-only one with a
// short alert: an answer that fits any packet. Step 3 sends it when a full
// hello gets no answer, to tell a lost hello from a lost answer.
func retryHello(cfg *tls.Config) ([]byte, error) {
	cfg = cfg.Clone()
	cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS13, tls.VersionTLS13
	b, err := helloBytes(cfg)
	if err != nil {
		return nil, err
	}
	return withoutKeyShares(b)
}

// withoutKeyShares rewrites a ClientHello record so its key_share extension
// (51) carries no shares, fixing the three lengths around it: extensions,
// handshake message and record.
func withoutKeyShares(rec []byte) ([]byte, error) {
	bad := func(what string) ([]byte, error) {
		return nil, fmt.Errorf("probe: ClientHello of %d bytes: %s", len(rec), what)
	}
	if len(rec) < 9 || rec[0] != 22 || rec[5] != 1 {
		return bad("not a handshake record with a ClientHello")
	}
	msg := rec[9:]
	// legacy_version(2) random(32) session_id<1>
	pos := 34
	if len(msg) < pos+1 {
		return bad("cut in the session id")
	}
	pos += 1 + int(msg[pos])
	if len(msg) < pos+2 { // cipher_suites<2>
		return bad("cut in the cipher suites")
	}
	pos += 2 + (int(msg[pos])<<8 | int(msg[pos+1]))
	if len(msg) < pos+1 { // compression_methods<1>
		return bad("cut in the compression methods")
	}
	pos += 1 + int(msg[pos])
	if len(msg) < pos+2 {
		return bad("no extensions")
	}
	head := msg[:pos]
	var exts []byte
	found := false
	for e := pos + 2; e < len(msg); {
		if len(msg) < e+4 {
			return bad("cut in an extension header")
		}
		typ, n := int(msg[e])<<8|int(msg[e+1]), int(msg[e+2])<<8|int(msg[e+3])
		if len(msg) < e+4+n {
			return bad("cut in an extension body")
		}
		if typ == 51 {
			exts = append(exts, 0, 51, 0, 2, 0, 0) // client_shares<0..2^16-1>, empty
			found = true
		} else {
			exts = append(exts, msg[e:e+4+n]...)
		}
		e += 4 + n
	}
	if !found {
		return bad("no key_share extension")
	}
	body := append(append(append([]byte(nil), head...), byte(len(exts)>>8), byte(len(exts))), exts...)
	hs := append([]byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
	return append([]byte{22, rec[1], rec[2], byte(len(hs) >> 8), byte(len(hs))}, hs...), nil
}

// sslv3Suites are the suites an SSLv3 client offered: RSA key exchange with
// AES, 3DES and RC4, plus the renegotiation SCSV (RFC 5746) that every
// client since 2010 sends.
func sslv3Suites() []uint16 {
	return []uint16{0x002f, 0x0035, 0x000a, 0x0005, 0x0004, 0x00ff}
}

// sslv3Hello builds an SSLv3 ClientHello (RFC 6101 §5.6.1.2) by hand, since
// crypto/tls dropped SSLv3 in Go 1.14: record and client_version 0x0300,
// a fresh random, no session, SSLv3-era suites, null compression, and no
// extensions (SSLv3 predates them).
func sslv3Hello(rand io.Reader) ([]byte, error) {
	var random [32]byte
	if _, err := io.ReadFull(rand, random[:]); err != nil {
		return nil, fmt.Errorf("probe: random for the SSLv3 hello: %w", err)
	}
	suites := sslv3Suites()
	body := []byte{0x03, 0x00}
	body = append(body, random[:]...)
	body = append(body, 0) // session_id length
	body = append(body, byte(len(suites)*2>>8), byte(len(suites)*2))
	for _, s := range suites {
		body = append(body, byte(s>>8), byte(s))
	}
	body = append(body, 1, 0) // one compression method: null
	msg := append([]byte{1, 0, byte(len(body) >> 8), byte(len(body))}, body...)
	return append([]byte{22, 0x03, 0x00, byte(len(msg) >> 8), byte(len(msg))}, msg...), nil
}
