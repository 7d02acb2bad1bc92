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
