package sniff

import (
	"slices"
	"strings"
	"testing"
)

// specHello is the example from FoxIO's JA4 technical details: 15 ciphers,
// 16 extensions, ALPN h2, TLS 1.3, giving t13d1516h2_8daaf6152771_e5627efa2ab1.
func specHello() *ClientHello {
	return &ClientHello{
		LegacyVersion:     0x0303,
		SupportedVersions: []uint16{0x0304, 0x0303},
		CipherSuites: []uint16{0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
			0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035},
		Extensions: []uint16{0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005,
			0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015},
		SignatureAlgorithms: []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601},
		ALPN:                []string{"h2", "http/1.1"},
		ServerName:          "example.com",
	}
}

func TestJA4SpecVector(t *testing.T) {
	const want = "t13d1516h2_8daaf6152771_e5627efa2ab1"
	h := specHello()
	before := slices.Clone(h.Extensions)
	if got := JA4(h); got != want {
		t.Errorf("JA4 = %s, want %s", got, want)
	}
	if !slices.Equal(h.Extensions, before) {
		t.Error("JA4 reordered the hello's extension list")
	}

	// The spec's variant without signature algorithms: no '_' before hashing.
	h.SignatureAlgorithms = nil
	if got := JA4(h); !strings.HasSuffix(got, "_6d807ffa2a79") {
		t.Errorf("JA4 without sigalgs = %s, want suffix _6d807ffa2a79", got)
	}
}

// TestJA4IgnoresGREASEAndOrder: GREASE anywhere and a permuted extension
// order (Chrome) leave JA4 unchanged, while JA3 follows the wire order.
func TestJA4IgnoresGREASEAndOrder(t *testing.T) {
	const want = "t13d1516h2_8daaf6152771_e5627efa2ab1"
	base := specHello()
	base.SupportedGroups = []uint16{0x001d}
	_, ja3Base := JA3(base)

	greased := specHello()
	greased.CipherSuites = append([]uint16{0x0a0a}, greased.CipherSuites...)
	greased.Extensions = append([]uint16{0x1a1a}, append(greased.Extensions, 0xfafa)...)
	greased.SignatureAlgorithms = append([]uint16{0x2a2a}, greased.SignatureAlgorithms...)
	greased.SupportedVersions = append([]uint16{0x3a3a}, greased.SupportedVersions...)
	greased.SupportedGroups = []uint16{0x4a4a, 0x001d}
	if got := JA4(greased); got != want {
		t.Errorf("JA4 with GREASE = %s, want %s", got, want)
	}
	if _, h := JA3(greased); h != ja3Base {
		t.Errorf("JA3 with GREASE = %s, want %s", h, ja3Base)
	}

	permuted := specHello()
	permuted.SupportedGroups = []uint16{0x001d}
	slices.Reverse(permuted.Extensions)
	slices.Reverse(permuted.CipherSuites)
	if got := JA4(permuted); got != want {
		t.Errorf("JA4 with permuted lists = %s, want %s", got, want)
	}
	if _, h := JA3(permuted); h == ja3Base {
		t.Error("JA3 should change with extension order")
	}

	// Signature algorithms are kept in wire order: reversing them changes c.
	sigs := specHello()
	slices.Reverse(sigs.SignatureAlgorithms)
	if got := JA4(sigs); got[:24] != want[:24] || got == want {
		t.Errorf("JA4 with reversed sigalgs = %s, want same a_b, different c", got)
	}
}

func TestJA4PartA(t *testing.T) {
	tests := []struct {
		name string
		mut  func(*ClientHello)
		want string
	}{
		{"spec", func(*ClientHello) {}, "t13d1516h2"},
		{"no SNI extension", func(h *ClientHello) {
			h.Extensions = slices.DeleteFunc(h.Extensions, func(v uint16) bool { return v == 0 })
		}, "t13i1515h2"},
		{"SNI extension with empty name still d", func(h *ClientHello) { h.ServerName = "" }, "t13d1516h2"},
		{"no supported_versions: legacy", func(h *ClientHello) { h.SupportedVersions = nil }, "t12d1516h2"},
		{"TLS 1.0", func(h *ClientHello) { h.SupportedVersions = nil; h.LegacyVersion = 0x0301 }, "t10d1516h2"},
		{"TLS 1.1", func(h *ClientHello) { h.SupportedVersions = nil; h.LegacyVersion = 0x0302 }, "t11d1516h2"},
		{"SSL 3.0", func(h *ClientHello) { h.SupportedVersions = nil; h.LegacyVersion = 0x0300 }, "ts3d1516h2"},
		{"SSL 2.0", func(h *ClientHello) { h.SupportedVersions = nil; h.LegacyVersion = 0x0002 }, "ts2d1516h2"},
		{"unknown version", func(h *ClientHello) { h.SupportedVersions = []uint16{0x7f1c} }, "t00d1516h2"},
		{"no ALPN", func(h *ClientHello) { h.ALPN = nil }, "t13d151600"},
		{"http/1.1 first", func(h *ClientHello) { h.ALPN = []string{"http/1.1"} }, "t13d1516h1"},
		{"single char", func(h *ClientHello) { h.ALPN = []string{"h"} }, "t13d1516hh"},
		{"empty first value", func(h *ClientHello) { h.ALPN = []string{""} }, "t13d151600"},
		{"0xab", func(h *ClientHello) { h.ALPN = []string{"\xab"} }, "t13d1516ab"},
		{"0xab 0xcd", func(h *ClientHello) { h.ALPN = []string{"\xab\xcd"} }, "t13d1516ad"},
		{"0x30 0xab", func(h *ClientHello) { h.ALPN = []string{"\x30\xab"} }, "t13d15163b"},
		{"0x30 0x31 0xab 0xcd", func(h *ClientHello) { h.ALPN = []string{"\x30\x31\xab\xcd"} }, "t13d15163d"},
		{"0x30 0xab 0xcd 0x31", func(h *ClientHello) { h.ALPN = []string{"\x30\xab\xcd\x31"} }, "t13d151601"},
		{"counts cap at 99", func(h *ClientHello) {
			for i := range 120 {
				h.CipherSuites = append(h.CipherSuites, 0x1000+uint16(i))
				h.Extensions = append(h.Extensions, 0x2000+uint16(i))
			}
		}, "t13d9999h2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := specHello()
			tt.mut(h)
			if got := JA4(h); !strings.HasPrefix(got, tt.want+"_") {
				t.Errorf("JA4 = %s, want prefix %s_", got, tt.want)
			}
		})
	}
}

func TestJA4EmptyLists(t *testing.T) {
	h := &ClientHello{LegacyVersion: 0x0303}
	if got, want := JA4(h), "t12i000000_000000000000_000000000000"; got != want {
		t.Errorf("JA4 = %s, want %s", got, want)
	}
	// Only SNI and ALPN: the sorted list is empty after removing them.
	h.Extensions = []uint16{0, 16}
	h.SignatureAlgorithms = []uint16{0x0403}
	if got, want := JA4(h), "t12d000200_000000000000_000000000000"; got != want {
		t.Errorf("JA4 = %s, want %s", got, want)
	}
	if JA4(nil) != "" {
		t.Error("JA4(nil) should be empty")
	}
	if r, h := JA3(nil); r != "" || h != "" {
		t.Error("JA3(nil) should be empty")
	}
}

// TestJA3Vector is the example from the original JA3 README.
func TestJA3Vector(t *testing.T) {
	h := &ClientHello{
		LegacyVersion:   769,
		CipherSuites:    []uint16{47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4},
		Extensions:      []uint16{0, 10, 11},
		SupportedGroups: []uint16{23, 24, 25},
		ECPointFormats:  []uint8{0},
	}
	raw, hash := JA3(h)
	if raw != "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0" || hash != "ada70206e40642a3e4461f35503241d5" {
		t.Errorf("JA3 = %s %s", raw, hash)
	}
}

// TestFingerprintsOfCaptures pins JA4 and JA3 of the captured hellos. The
// expected values came from an independent Python implementation run over
// the same files.
func TestFingerprintsOfCaptures(t *testing.T) {
	tests := []struct{ file, ja4, ja3 string }{
		{"hello-go-tls13.bin", "t13d131100_f57a46bbacb6_ab7e3b40a677", "9b7dcdf3f997f1fb7b4409c94cb7ef36"},
		{"hello-go-tls12.bin", "t12d101000_a8cf61a50a39_a92c7c6a82fe", "56b1a25a33c2c8ddedc25af497f1c47c"},
		{"hello-curl.bin", "t13i3111h2_e8f1e7e78f70_b26ce05bbdd6", "78f0dc5ac5b19daf131a133cfdee9691"},
		{"hello-curl-tls12.bin", "t12i2806h2_d943125447b4_a44c6288192a", "a800670a9e75f9768d052dd7f0be5728"},
		{"hello-curl-sni.bin", "t13d3112h2_e8f1e7e78f70_b26ce05bbdd6", "0149f47eabf9a20d0893e2a44e5a6323"},
		{"hello-openssl.bin", "t13d311000_e8f1e7e78f70_1f22a2ca17c4", "a3afc2c46ba4a7d7fbe1cfb7a3031c2f"},
		{"hello-openssl-tls12.bin", "t12d280700_d943125447b4_e7e480e5a997", "871a754af286dfb70c1b53c6887c62e0"},
		{"hello-openssl-alpn.bin", "t13d3111h2_e8f1e7e78f70_1f22a2ca17c4", "5a1edc7f170af1014fc65c994878e63c"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			h, err := ParseClientHello(readHello(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := JA4(h); got != tt.ja4 {
				t.Errorf("JA4 = %s, want %s", got, tt.ja4)
			}
			if _, got := JA3(h); got != tt.ja3 {
				t.Errorf("JA3 = %s, want %s", got, tt.ja3)
			}
		})
	}
	// The same client with and without SNI differs only in part a.
	curl, _ := ParseClientHello(readHello(t, "hello-curl.bin"))
	curlSNI, _ := ParseClientHello(readHello(t, "hello-curl-sni.bin"))
	if a, b := JA4(curl), JA4(curlSNI); a[10:] != b[10:] || a[:10] == b[:10] {
		t.Errorf("curl %s vs curl+SNI %s", a, b)
	}
}
