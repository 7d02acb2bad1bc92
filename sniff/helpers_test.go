package sniff

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// readHello loads a captured ClientHello from testdata.
func readHello(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// testExt is one extension of a synthetic hello.
type testExt struct {
	typ  uint16
	body []byte
}

// testHello describes a synthetic ClientHello body.
type testHello struct {
	version uint16
	sid     []byte
	ciphers []uint16
	comp    []byte
	exts    []testExt
	noExts  bool // omit the extensions block entirely
}

// body encodes the ClientHello body (without the handshake header).
func (t testHello) body() []byte {
	var b cryptobyte.Builder
	b.AddUint16(t.version)
	b.AddBytes(make([]byte, 32))
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(t.sid) })
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, c := range t.ciphers {
			b.AddUint16(c)
		}
	})
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(t.comp) })
	if !t.noExts {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, e := range t.exts {
				b.AddUint16(e.typ)
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(e.body) })
			}
		})
	}
	return b.BytesOrPanic()
}

// handshake wraps a body in a client_hello handshake header.
func handshake(body []byte) []byte {
	n := len(body)
	return append([]byte{1, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// records frames msg into TLS handshake records of the given sizes; the last
// record takes whatever is left.
func records(msg []byte, sizes ...int) []byte {
	var out []byte
	for i := 0; len(msg) > 0; i++ {
		n := len(msg)
		if i < len(sizes) && sizes[i] < n {
			n = sizes[i]
		}
		out = append(out, 22, 3, 1, byte(n>>8), byte(n))
		out = append(out, msg[:n]...)
		msg = msg[n:]
	}
	return out
}

// u16Body encodes a uint16-length-prefixed list of uint16 values.
func u16Body(vs ...uint16) []byte {
	var b cryptobyte.Builder
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, v := range vs {
			b.AddUint16(v)
		}
	})
	return b.BytesOrPanic()
}

// sniBody encodes a server_name extension with one host_name.
func sniBody(host string) []byte {
	var b cryptobyte.Builder
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint8(0)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(host)) })
	})
	return b.BytesOrPanic()
}

// minimalHello is a small valid TLS 1.3 hello used as a base for mutations.
func minimalHello() testHello {
	return testHello{
		version: 0x0303,
		ciphers: []uint16{0x1301, 0x0a0a},
		comp:    []byte{0},
		exts: []testExt{
			{extServerName, sniBody("lab.test")},
			{extSupportedVersions, []byte{4, 0x03, 0x04, 0x03, 0x03}},
			{extKeyShare, []byte{0, 6, 0x00, 0x1d, 0, 2, 0xaa, 0xbb}},
		},
	}
}
