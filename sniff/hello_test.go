package sniff

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

// TestParseClientHelloCaptures checks facts about hellos captured from real
// clients (see capture_test.go).
func TestParseClientHelloCaptures(t *testing.T) {
	tests := []struct {
		file         string
		sni          string
		alpn         []string
		versions     []uint16
		keyShares    []uint16
		groupsPrefix []uint16
		max, min     uint16
		nCiphers     int
		exts         []uint16
		points       []uint8
		session      bool // has a 32-byte legacy session id (TLS 1.3 middlebox compat)
	}{
		{
			file: "hello-go-tls13.bin", sni: "lab.test", versions: []uint16{0x0304, 0x0303},
			keyShares: []uint16{0x11ec, 0x001d}, groupsPrefix: []uint16{0x11ec, 0x11eb, 0x11ed, 0x001d},
			max: 0x0304, min: 0x0303, nCiphers: 13,
			exts:   []uint16{0, 11, 65281, 23, 18, 5, 10, 13, 50, 43, 51},
			points: []uint8{0}, session: true,
		},
		{
			file: "hello-go-tls12.bin", sni: "lab.test", versions: []uint16{0x0303},
			groupsPrefix: []uint16{0x001d, 0x0017}, max: 0x0303, min: 0x0303, nCiphers: 10,
			exts:   []uint16{0, 11, 65281, 23, 18, 5, 10, 13, 50, 43},
			points: []uint8{0},
		},
		{
			file: "hello-curl.bin", alpn: []string{"h2", "http/1.1"}, versions: []uint16{0x0304, 0x0303, 0x0302, 0x0301},
			keyShares: []uint16{0x001d}, groupsPrefix: []uint16{0x001d, 0x0017}, max: 0x0304, min: 0x0301, nCiphers: 31,
			exts:   []uint16{11, 10, 16, 22, 23, 49, 13, 43, 45, 51, 21},
			points: []uint8{0, 1, 2}, session: true,
		},
		{
			file: "hello-curl-tls12.bin", alpn: []string{"h2", "http/1.1"},
			groupsPrefix: []uint16{0x001d, 0x0017}, max: 0x0303, min: 0x0303, nCiphers: 28,
			exts:   []uint16{11, 10, 16, 22, 23, 13},
			points: []uint8{0, 1, 2},
		},
		{
			file: "hello-curl-sni.bin", sni: "lab.test", alpn: []string{"h2", "http/1.1"},
			versions: []uint16{0x0304, 0x0303, 0x0302, 0x0301}, keyShares: []uint16{0x001d},
			max: 0x0304, min: 0x0301, nCiphers: 31,
			exts:   []uint16{0, 11, 10, 16, 22, 23, 49, 13, 43, 45, 51, 21},
			points: []uint8{0, 1, 2}, session: true,
		},
		{
			file: "hello-openssl.bin", sni: "lab.test", versions: []uint16{0x0304, 0x0303, 0x0302, 0x0301},
			keyShares: []uint16{0x001d}, max: 0x0304, min: 0x0301, nCiphers: 31,
			exts:   []uint16{0, 11, 10, 35, 22, 23, 13, 43, 45, 51},
			points: []uint8{0, 1, 2}, session: true,
		},
		{
			file: "hello-openssl-tls12.bin", sni: "lab.test", max: 0x0303, min: 0x0303, nCiphers: 28,
			exts:   []uint16{0, 11, 10, 35, 22, 23, 13},
			points: []uint8{0, 1, 2},
		},
		{
			file: "hello-openssl-alpn.bin", sni: "a-rather-long-host-name.with.many.labels.lab.test",
			alpn:     []string{"h2", "http/1.1", "spdy/3.1", "acme-tls/1", "h3", "imap", "pop3", "xmpp-client", "mqtt", "dot"},
			versions: []uint16{0x0304, 0x0303, 0x0302, 0x0301}, keyShares: []uint16{0x001d},
			max: 0x0304, min: 0x0301, nCiphers: 31,
			exts:   []uint16{0, 11, 10, 35, 16, 22, 23, 13, 43, 45, 51},
			points: []uint8{0, 1, 2}, session: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := readHello(t, tt.file)
			h, err := ParseClientHello(b)
			if err != nil {
				t.Fatal(err)
			}
			if h.ServerName != tt.sni {
				t.Errorf("ServerName = %q, want %q", h.ServerName, tt.sni)
			}
			if !slices.Equal(h.ALPN, tt.alpn) {
				t.Errorf("ALPN = %q, want %q", h.ALPN, tt.alpn)
			}
			if !slices.Equal(h.SupportedVersions, tt.versions) {
				t.Errorf("SupportedVersions = %x, want %x", h.SupportedVersions, tt.versions)
			}
			if !slices.Equal(h.KeyShareGroups, tt.keyShares) {
				t.Errorf("KeyShareGroups = %x, want %x", h.KeyShareGroups, tt.keyShares)
			}
			if len(h.SupportedGroups) < len(tt.groupsPrefix) || !slices.Equal(h.SupportedGroups[:len(tt.groupsPrefix)], tt.groupsPrefix) {
				t.Errorf("SupportedGroups = %x, want prefix %x", h.SupportedGroups, tt.groupsPrefix)
			}
			if h.MaxVersion() != tt.max || h.MinVersion() != tt.min {
				t.Errorf("Max/MinVersion = %#04x/%#04x, want %#04x/%#04x", h.MaxVersion(), h.MinVersion(), tt.max, tt.min)
			}
			if len(h.CipherSuites) != tt.nCiphers {
				t.Errorf("%d cipher suites, want %d", len(h.CipherSuites), tt.nCiphers)
			}
			if !slices.Equal(h.Extensions, tt.exts) {
				t.Errorf("Extensions = %d, want %d", h.Extensions, tt.exts)
			}
			if !slices.Equal(h.ECPointFormats, tt.points) {
				t.Errorf("ECPointFormats = %d, want %d", h.ECPointFormats, tt.points)
			}
			// Every capture: TLS 1.2 legacy version, null compression only,
			// no GREASE (Go, curl and OpenSSL do not send it), one record
			// that is the whole file, and signature algorithms present.
			if h.LegacyVersion != 0x0303 || !slices.Equal(h.Compression, []uint8{0}) || h.GREASE {
				t.Errorf("LegacyVersion %#04x Compression %v GREASE %v", h.LegacyVersion, h.Compression, h.GREASE)
			}
			if h.Records != 1 || h.WireLen != len(b) || h.HandshakeLen != len(b)-9 {
				t.Errorf("Records %d WireLen %d HandshakeLen %d for %d bytes", h.Records, h.WireLen, h.HandshakeLen, len(b))
			}
			if h.RecordVersion>>8 != 3 || len(h.SignatureAlgorithms) == 0 {
				t.Errorf("RecordVersion %#04x, %d signature algorithms", h.RecordVersion, len(h.SignatureAlgorithms))
			}
		})
	}
}

// TestGoPQHelloSize pins why the reassembly matters: Go's default hello
// carries an ML-KEM key share and is far bigger than a classic one.
func TestGoPQHelloSize(t *testing.T) {
	b := readHello(t, "hello-go-tls13.bin")
	h, err := ParseClientHello(b)
	if err != nil {
		t.Fatal(err)
	}
	if h.HandshakeLen < 1400 || h.KeyShareGroups[0] != 0x11ec {
		t.Errorf("HandshakeLen %d key shares %x: want a >1400-byte X25519MLKEM768 hello", h.HandshakeLen, h.KeyShareGroups)
	}
}

// TestParseClientHelloReassembly splits the Go PQ hello across three records
// and feeds it in small segments, as TCP may deliver it.
func TestParseClientHelloReassembly(t *testing.T) {
	single := readHello(t, "hello-go-tls13.bin")
	want, err := ParseClientHello(single)
	if err != nil {
		t.Fatal(err)
	}
	msg := single[5:]
	tests := []struct {
		name    string
		sizes   []int
		records int
	}{
		{"three records", []int{300, 700}, 3},
		{"header split", []int{2, 1}, 3},
		{"tiny records", slices.Repeat([]int{1}, len(msg)), len(msg)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire := records(msg, tt.sizes...)
			for n := 0; n < len(wire); n += 37 {
				if _, err := ParseClientHello(wire[:n]); !errors.Is(err, ErrNeedMore) {
					t.Fatalf("after %d of %d bytes: err = %v, want ErrNeedMore", n, len(wire), err)
				}
			}
			if _, err := ParseClientHello(wire[:len(wire)-1]); !errors.Is(err, ErrNeedMore) {
				t.Fatalf("one byte short: err = %v, want ErrNeedMore", err)
			}
			// Trailing bytes (a next record) must not disturb the result.
			got, err := ParseClientHello(append(slices.Clip(wire), 0x14, 3, 3, 0, 1, 1))
			if err != nil {
				t.Fatal(err)
			}
			if got.Records != tt.records || got.WireLen != len(wire) {
				t.Errorf("Records %d WireLen %d, want %d and %d", got.Records, got.WireLen, tt.records, len(wire))
			}
			got.Records, got.WireLen = want.Records, want.WireLen
			if JA4(got) != JA4(want) || got.ServerName != want.ServerName ||
				!slices.Equal(got.KeyShareGroups, want.KeyShareGroups) || got.HandshakeLen != want.HandshakeLen {
				t.Errorf("reassembled hello differs: %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestParseClientHelloDoesNotWriteInput guards the append in the
// reassembly loop, which must never scribble over the caller's bytes.
func TestParseClientHelloDoesNotWriteInput(t *testing.T) {
	wire := records(handshake(minimalHello().body()), 20)
	orig := slices.Clone(wire)
	if _, err := ParseClientHello(wire); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wire, orig) {
		t.Error("ParseClientHello modified its input")
	}
}

func TestParseClientHelloTooLarge(t *testing.T) {
	big := minimalHello()
	big.exts = append(big.exts, testExt{0xffce, make([]byte, 9000)})
	msg := handshake(big.body())
	tests := []struct {
		name string
		wire []byte
	}{
		// The handshake header alone proves it cannot fit.
		{"declared length", []byte{22, 3, 1, 0x40, 0, 1, 0, 0x40, 0}},
		// 9 KB of message in 100-byte records is fine; in 1-byte records it
		// needs 6 bytes of stream per message byte.
		{"tiny records", records(msg, slices.Repeat([]int{1}, len(msg))...)[:MaxHelloBytes]},
		// 16371 message bytes fit the declared-length check, but split in two
		// records they need 16385 bytes of stream.
		{"stream full", records(handshake(make([]byte, 16371)), 8000)[:MaxHelloBytes]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseClientHello(tt.wire)
			var he *HelloError
			if !errors.Is(err, ErrTooLarge) || !errors.As(err, &he) {
				t.Fatalf("err = %v, want a HelloError wrapping ErrTooLarge", err)
			}
		})
	}
	h, err := ParseClientHello(records(msg, slices.Repeat([]int{100}, len(msg)/100)...))
	if err != nil || h.Records != (len(msg)+99)/100 {
		t.Errorf("9 KB hello in 100-byte records: %v", err)
	}
}

func TestParseClientHelloNoExtensions(t *testing.T) {
	h, err := ParseClientHello(records(handshake(testHello{version: 0x0301, ciphers: []uint16{0x002f}, comp: []byte{0}, noExts: true}.body())))
	if err != nil {
		t.Fatal(err)
	}
	if h.Extensions != nil || h.MaxVersion() != 0x0301 || h.MinVersion() != 0x0301 || h.ServerName != "" {
		t.Errorf("got %+v", h)
	}
}

func TestGREASEDetection(t *testing.T) {
	tests := []struct {
		name string
		mut  func(*testHello)
	}{
		{"cipher", func(h *testHello) { h.ciphers = append(h.ciphers, 0x2a2a) }},
		{"extension", func(h *testHello) { h.exts = append(h.exts, testExt{0xdada, nil}) }},
		{"group", func(h *testHello) { h.exts = append(h.exts, testExt{extSupportedGroups, u16Body(0x3a3a, 0x1d)}) }},
		{"signature algorithm", func(h *testHello) { h.exts = append(h.exts, testExt{extSignatureAlgorithms, u16Body(0x0403, 0x4a4a)}) }},
		{"version", func(h *testHello) { h.exts[1].body = []byte{4, 0x5a, 0x5a, 3, 4} }},
		{"key share", func(h *testHello) { h.exts[2].body = []byte{0, 5, 0x6a, 0x6a, 0, 1, 0} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := minimalHello()
			th.ciphers = []uint16{0x1301}
			clean, err := ParseClientHello(records(handshake(th.body())))
			if err != nil || clean.GREASE {
				t.Fatalf("clean hello: GREASE %v err %v", clean != nil && clean.GREASE, err)
			}
			tt.mut(&th)
			h, err := ParseClientHello(records(handshake(th.body())))
			if err != nil {
				t.Fatal(err)
			}
			if !h.GREASE {
				t.Error("GREASE not detected")
			}
		})
	}
}

func TestIsGREASE(t *testing.T) {
	n := 0
	for v := 0; v <= 0xffff; v++ {
		if IsGREASE(uint16(v)) {
			n++
			if v&0xff != 0x0a|(v>>8&0xf0) {
				t.Errorf("IsGREASE(%#04x) = true", v)
			}
		}
	}
	if n != 16 {
		t.Errorf("%d GREASE values, want 16 (RFC 8701)", n)
	}
	for _, v := range []uint16{0x0a0a, 0x1a1a, 0xfafa} {
		if !IsGREASE(v) {
			t.Errorf("IsGREASE(%#04x) = false", v)
		}
	}
}

func TestMaxMinVersion(t *testing.T) {
	tests := []struct {
		legacy   uint16
		versions []uint16
		max, min uint16
	}{
		{0x0303, nil, 0x0303, 0x0303},
		{0x0303, []uint16{0x0a0a, 0x0304, 0x0303}, 0x0304, 0x0303},
		{0x0303, []uint16{0x0302, 0xfafa, 0x0304, 0x0301}, 0x0304, 0x0301},
		{0x0301, []uint16{0x2a2a}, 0x0301, 0x0301}, // only GREASE: fall back
		{0x0303, []uint16{0x7f1c, 0x0304}, 0x7f1c, 0x0304},
	}
	for _, tt := range tests {
		h := &ClientHello{LegacyVersion: tt.legacy, SupportedVersions: tt.versions}
		if h.MaxVersion() != tt.max || h.MinVersion() != tt.min {
			t.Errorf("%#04x %x: max %#04x min %#04x, want %#04x %#04x", tt.legacy, tt.versions, h.MaxVersion(), h.MinVersion(), tt.max, tt.min)
		}
	}
	var nilHello *ClientHello
	if nilHello.MaxVersion() != 0 || nilHello.MinVersion() != 0 {
		t.Error("nil hello must report version 0")
	}
}
