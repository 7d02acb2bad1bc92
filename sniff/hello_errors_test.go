package sniff

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestParseClientHelloErrors checks that each malformed field is named, with
// the right extension and offset.
func TestParseClientHelloErrors(t *testing.T) {
	withExt := func(typ uint16, body []byte) []byte {
		h := minimalHello()
		h.exts = append(h.exts, testExt{typ, body})
		return records(handshake(h.body()))
	}
	// Offsets below: 5 record + 4 handshake + 2 version + 32 random = 43 is
	// the session id length byte.
	tests := []struct {
		name   string
		wire   []byte
		field  string
		ext    int
		offset int // -1: do not check
		reason string
	}{
		{"alert record", []byte{21, 3, 3, 0, 2, 2, 40}, "record header", -1, 0, "content type 21"},
		{"bad record version", []byte{22, 2, 0, 0, 4, 1, 0, 0, 0}, "record header", -1, 0, "version 0x0200"},
		{"empty record", []byte{22, 3, 1, 0, 0}, "record header", -1, 0, "length 0"},
		{"record overflow", []byte{22, 3, 1, 0x40, 1}, "record header", -1, 0, "exceeds 2^14"},
		{"second record not handshake", append(records([]byte{1, 0, 0, 40, 3, 3}), 23, 3, 3, 0, 1, 0), "record header", -1, 11, "content type 23"},
		{"server hello", []byte{22, 3, 3, 0, 4, 2, 0, 0, 70}, "handshake type", -1, 5, "not client_hello"},
		{"handshake type in 2nd record", records([]byte{11, 0, 0, 1, 0}, 1), "handshake type", -1, 5, "is 11"},
		{"legacy version truncated", records(handshake([]byte{3})), "legacy_version", -1, 9, "truncated"},
		{"random truncated", records(handshake(append([]byte{3, 3}, make([]byte, 20)...))), "random", -1, 11, "20 of 32"},
		{"session id too long", records(handshake(testHello{version: 0x0303, sid: make([]byte, 33), ciphers: []uint16{1}, comp: []byte{0}}.body())),
			"legacy_session_id", -1, 43, "exceeds 32"},
		{"session id overruns", records(handshake(append(append([]byte{3, 3}, make([]byte, 32)...), 10, 1, 2))),
			"legacy_session_id", -1, 43, "overruns message"},
		{"no ciphers", records(handshake(testHello{version: 0x0303, comp: []byte{0}}.body())), "cipher_suites", -1, 44, "empty"},
		{"odd ciphers", records(handshake(append(append([]byte{3, 3}, make([]byte, 32)...), 0, 0, 3, 0, 1, 2, 1, 0))),
			"cipher_suites", -1, 44, "odd"},
		{"ciphers overrun", records(handshake(append(append([]byte{3, 3}, make([]byte, 32)...), 0, 0, 9, 0, 1))),
			"cipher_suites", -1, 44, "overruns message"},
		{"no compression", records(handshake(testHello{version: 0x0303, ciphers: []uint16{1}}.body())),
			"legacy_compression_methods", -1, 48, "empty"},
		{"extensions overrun", records(handshake(append(testHello{version: 0x0303, ciphers: []uint16{1}, comp: []byte{0}, noExts: true}.body(), 0, 9, 0))),
			"extensions", -1, 50, "overruns message"},
		{"stray after extensions", records(handshake(append(testHello{version: 0x0303, ciphers: []uint16{1}, comp: []byte{0}}.body(), 7, 7))),
			"extensions", -1, 52, "2 stray bytes"},
		{"extension header cut", records(handshake(append(testHello{version: 0x0303, ciphers: []uint16{1}, comp: []byte{0}, noExts: true}.body(), 0, 1, 0))),
			"extensions", -1, 52, "stray bytes"},
		{"duplicate extension", withExt(extServerName, sniBody("again.test")), "extension 0x0000", 0, -1, "repeated"},
		{"unknown extension is opaque", withExt(0xff00, []byte{1, 2, 3}), "", 0, -1, ""},
		{"groups odd", withExt(extSupportedGroups, []byte{0, 3, 0, 0x1d, 0}), "extension 0x000a", 10, -1, "odd"},
		{"groups empty", withExt(extSupportedGroups, []byte{0, 0}), "extension 0x000a", 10, -1, "empty"},
		{"groups stray", withExt(extSupportedGroups, []byte{0, 2, 0, 0x1d, 9}), "extension 0x000a", 10, -1, "1 stray bytes"},
		{"sigalgs overrun", withExt(extSignatureAlgorithms, []byte{0, 8, 4, 3}), "extension 0x000d", 13, -1, "overruns"},
		{"alpn empty name", withExt(extALPN, []byte{0, 4, 2, 'h', '2', 0}), "extension 0x0010", 16, -1, "empty or overruns"},
		{"alpn empty list", withExt(extALPN, []byte{0, 0}), "extension 0x0010", 16, -1, "empty"},
		{"points empty", withExt(extECPointFormats, []byte{0}), "extension 0x000b", 11, -1, "empty"},
		{"key share empty key", func() []byte {
			h := minimalHello()
			h.exts[2].body = []byte{0, 4, 0, 0x1d, 0, 0}
			return records(handshake(h.body()))
		}(), "extension 0x0033", 51, -1, "0x001d is empty"},
		{"versions empty", func() []byte {
			h := minimalHello()
			h.exts[1].body = []byte{0}
			return records(handshake(h.body()))
		}(), "extension 0x002b", 43, -1, "empty or odd"},
		{"sni two hosts", func() []byte {
			h := minimalHello()
			h.exts[0].body = []byte{0, 8, 0, 0, 1, 'a', 0, 0, 1, 'b'}
			return records(handshake(h.body()))
		}(), "extension 0x0000", 0, -1, "two host_name"},
		{"sni empty host", func() []byte {
			h := minimalHello()
			h.exts[0].body = []byte{0, 3, 0, 0, 0}
			return records(handshake(h.body()))
		}(), "extension 0x0000", 0, -1, "host_name is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseClientHello(tt.wire)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			var he *HelloError
			if !errors.As(err, &he) {
				t.Fatalf("err = %v (hello %+v), want *HelloError", err, h)
			}
			if he.Field != tt.field || he.Extension != tt.ext || !strings.Contains(he.Reason, tt.reason) ||
				(tt.offset >= 0 && he.Offset != tt.offset) {
				t.Errorf("got %+v\nwant field %q ext %d offset %d reason ~%q", he, tt.field, tt.ext, tt.offset, tt.reason)
			}
			if errors.Is(err, ErrNeedMore) {
				t.Error("a malformed hello must not ask for more bytes")
			}
			if !strings.HasPrefix(err.Error(), "sniff: client hello: ") {
				t.Errorf("message %q lacks the package prefix", err)
			}
		})
	}
}

// TestHelloErrorOffsetAcrossRecords checks the message in the brief's form
// and that offsets are stream offsets even when record headers intervene.
func TestHelloErrorOffsetAcrossRecords(t *testing.T) {
	h := minimalHello()
	msg := handshake(h.body())
	// Corrupt the supported_versions extension length so it overruns.
	at := bytes.Index(msg, []byte{0x00, 0x2b, 0x00, 0x05})
	msg[at+3] = 0xff
	for _, split := range []int{0, 20, at + 1} {
		var wire []byte
		if split == 0 {
			wire = records(msg)
		} else {
			wire = records(msg, split)
		}
		_, err := ParseClientHello(wire)
		var he *HelloError
		if !errors.As(err, &he) {
			t.Fatalf("split %d: err = %v", split, err)
		}
		// With split 20 the extension header lies wholly in the second
		// record; with split at+1 its type straddles the record boundary.
		want := 5 + at
		if split > 0 && split <= at {
			want += 5
		}
		if he.Offset != want || wire[he.Offset] != 0x00 {
			t.Errorf("split %d: offset %d, want %d", split, he.Offset, want)
		}
		wantMsg := "sniff: client hello: extension 0x002b length overruns extensions block at offset "
		if !strings.HasPrefix(err.Error(), wantMsg) || he.Extension != 43 {
			t.Errorf("split %d: %q (ext %d)", split, err, he.Extension)
		}
	}
}
