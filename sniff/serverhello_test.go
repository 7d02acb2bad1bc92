package sniff

import (
	"bytes"
	"errors"
	"testing"
)

// TestServerHelloVersion reads the chosen version from ServerHellos captured
// from a Go 1.26 server (TLS 1.3 with a hybrid key share, TLS 1.2, a
// HelloRetryRequest) and OpenSSL 3.0's s_server, and refuses what is not
// one, naming what was there.
func TestServerHelloVersion(t *testing.T) {
	tls13 := readHello(t, "serverhello-go-tls13.bin")
	tls12 := readHello(t, "serverhello-go-tls12.bin")
	tests := []struct {
		name string
		b    []byte
		want uint16
		err  error
	}{
		{"go tls13", tls13, 0x0304, nil},
		{"go tls12", tls12, 0x0303, nil},
		{"go hello retry request", readHello(t, "serverhello-go-hrr.bin"), 0x0304, nil},
		{"openssl tls13", readHello(t, "serverhello-openssl-tls13.bin"), 0x0304, nil},
		{"more records after it", append(append([]byte{}, tls12...), 20, 3, 3, 0, 1, 1), 0x0303, nil},
		{"no extensions", rec(22, hsMsg(2, serverHelloBody(0x0302, nil))), 0x0302, nil},
		{"empty", nil, 0, ErrNeedMore},
		{"half a header", tls13[:3], 0, ErrNeedMore},
		{"half the hello", tls13[:600], 0, ErrNeedMore},
		{"handshake header cut", tls13[:7], 0, ErrNeedMore},
		{"an alert", []byte{21, 3, 3, 0, 2, 2, 40}, 0, ErrNotServerHello},
		{"an alert, one byte", []byte{21}, 0, ErrNotServerHello},
		{"plain http", []byte("HTTP/1.1 403 Forbidden\r\n"), 0, ErrNotServerHello},
		{"a certificate first", rec(22, hsMsg(11, []byte{0, 0, 0})), 0, ErrNotServerHello},
		{"record too short", []byte{22, 3, 3, 0, 2, 2, 0}, 0, ErrNotServerHello},
		{"hello longer than its record", []byte{22, 3, 3, 0, 6, 2, 0, 0, 9, 3, 3}, 0, ErrNotServerHello},
		{"cut before extensions", rec(22, hsMsg(2, []byte{3, 3, 1, 2})), 0, ErrNotServerHello},
		{"extensions overrun", rec(22, hsMsg(2, append(serverHelloBody(0x0303, nil), 0, 9))), 0, ErrNotServerHello},
		{"supported_versions of 3 bytes", rec(22, hsMsg(2, serverHelloBody(0x0303, []testExt{{43, []byte{3, 4, 0}}}))), 0, ErrNotServerHello},
		{"other extensions only", rec(22, hsMsg(2, serverHelloBody(0x0303, []testExt{{0xff01, []byte{0}}}))), 0x0303, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ServerHelloVersion(tt.b)
			if tt.err != nil {
				if !errors.Is(err, tt.err) || v != 0 {
					t.Fatalf("got 0x%04x, %v; want an error wrapping %v", v, err, tt.err)
				}
				return
			}
			if err != nil || v != tt.want {
				t.Fatalf("got 0x%04x, %v; want 0x%04x", v, err, tt.want)
			}
		})
	}
}

// TestServerHelloChoice reads the suite beside the version: the captured
// hellos' and a hand-made one's; an error gives neither.
func TestServerHelloChoice(t *testing.T) {
	for _, tt := range []struct {
		name           string
		b              []byte
		version, suite uint16
	}{
		{"go tls13", readHello(t, "serverhello-go-tls13.bin"), 0x0304, 0x1301},
		{"openssl tls13", readHello(t, "serverhello-openssl-tls13.bin"), 0x0304, 0x1302},
		{"go tls12", readHello(t, "serverhello-go-tls12.bin"), 0x0303, 0xc02b},
		{"no extensions", rec(22, hsMsg(2, serverHelloBody(0x0302, nil))), 0x0302, 0x1301},
		{"an alert", []byte{21, 3, 3, 0, 2, 2, 40}, 0, 0},
	} {
		v, suite, err := ServerHelloChoice(tt.b)
		if v != tt.version || suite != tt.suite || (err == nil) != (tt.version != 0) {
			t.Errorf("%s: 0x%04x, 0x%04x, %v; want 0x%04x, 0x%04x", tt.name, v, suite, err, tt.version, tt.suite)
		}
	}
}

// serverHelloBody is a ServerHello body: version, a zero random, an empty
// session ID, TLS_AES_128_GCM_SHA256, no compression, and exts (none:
// no extensions block at all).
func serverHelloBody(version uint16, exts []testExt) []byte {
	b := []byte{byte(version >> 8), byte(version)}
	b = append(b, make([]byte, 32)...)
	b = append(b, 0, 0x13, 0x01, 0)
	if exts == nil {
		return b
	}
	var block []byte
	for _, e := range exts {
		block = append(block, byte(e.typ>>8), byte(e.typ), byte(len(e.body)>>8), byte(len(e.body)))
		block = append(block, e.body...)
	}
	return append(append(b, byte(len(block)>>8), byte(len(block))), block...)
}

// hsMsg frames body as a handshake message of type typ.
func hsMsg(typ byte, body []byte) []byte {
	return append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
}

// rec frames body as one TLS 1.2 record of type typ.
func rec(typ byte, body []byte) []byte {
	return append([]byte{typ, 3, 3, byte(len(body) >> 8), byte(len(body))}, body...)
}

// TestHelloRetryOnly tells a server that sent only a HelloRetryRequest
// (and perhaps its CCS) from one whose ServerHello, and certificate, went
// out after the retry or instead of it.
func TestHelloRetryOnly(t *testing.T) {
	hrr := readHello(t, "serverhello-go-hrr.bin")
	ccs := []byte{20, 3, 3, 0, 1, 1}
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	tests := []struct {
		name string
		b    []byte
		want bool
	}{
		{"go hello retry request", hrr, true},
		{"retry and its CCS", cat(hrr, ccs), true},
		{"retry, CCS cut by the cap", cat(hrr, ccs[:3]), true},
		{"retry, then the ServerHello of the second hello", cat(hrr, ccs, readHello(t, "serverhello-go-tls13.bin")), false},
		{"retry, then an alert for the second hello", cat(hrr, []byte{21, 3, 3, 0, 2, 2, 47}), false},
		{"a TLS 1.3 ServerHello", readHello(t, "serverhello-go-tls13.bin"), false},
		{"a TLS 1.2 ServerHello", readHello(t, "serverhello-go-tls12.bin"), false},
		{"an alert", []byte{21, 3, 3, 0, 2, 2, 40}, false},
		{"retry cut short", hrr[:40], false},
		{"nothing", nil, false},
	}
	for _, tt := range tests {
		if got := HelloRetryOnly(tt.b); got != tt.want {
			t.Errorf("%s: HelloRetryOnly = %v, want %v", tt.name, got, tt.want)
		}
	}
}
