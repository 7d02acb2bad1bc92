package transparent

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
)

// sockaddrIn builds a Linux sockaddr_in as the kernel writes it.
func sockaddrIn(ip string, port uint16) []byte {
	b := make([]byte, 16)
	binary.NativeEndian.PutUint16(b[0:2], linuxAFInet)
	binary.BigEndian.PutUint16(b[2:4], port)
	a := netip.MustParseAddr(ip).As4()
	copy(b[4:8], a[:])
	return b
}

// sockaddrIn6 builds a Linux sockaddr_in6 as the kernel writes it.
func sockaddrIn6(ip string, port uint16, scope uint32) []byte {
	b := make([]byte, 28)
	binary.NativeEndian.PutUint16(b[0:2], linuxAFInet6)
	binary.BigEndian.PutUint16(b[2:4], port)
	a := netip.MustParseAddr(ip).As16()
	copy(b[8:24], a[:])
	binary.NativeEndian.PutUint32(b[24:28], scope)
	return b
}

func TestParseSockaddr(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want string // "" means an error
	}{
		{"v4", sockaddrIn("10.200.9.9", 443), "10.200.9.9:443"},
		{"v4 in the 28-byte buffer", append(sockaddrIn("192.0.2.1", 8443), make([]byte, 12)...), "192.0.2.1:8443"},
		{"v6", sockaddrIn6("2001:db8::1", 443, 0), "[2001:db8::1]:443"},
		{"v6 link-local keeps its scope", sockaddrIn6("fe80::1", 443, 3), "[fe80::1%3]:443"},
		{"v6 truncated", sockaddrIn6("2001:db8::1", 443, 0)[:20], ""},
		{"v4 truncated", sockaddrIn("10.0.0.1", 1)[:6], ""},
		{"empty", nil, ""},
		{"one byte", []byte{2}, ""},
		{"unknown family", append([]byte{1, 0}, make([]byte, 26)...), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSockaddr(tc.in)
			if tc.want == "" {
				if !errors.Is(err, errBadSockaddr) {
					t.Fatalf("parseSockaddr = %v, %v; want errBadSockaddr", got, err)
				}
				return
			}
			if err != nil || got.String() != tc.want {
				t.Fatalf("parseSockaddr = %v, %v; want %s", got, err, tc.want)
			}
		})
	}
}

// FuzzParseSockaddr: any bytes decode to a valid AddrPort or an error,
// never a panic.
func FuzzParseSockaddr(f *testing.F) {
	f.Add(sockaddrIn("10.200.9.9", 443))
	f.Add(sockaddrIn6("fe80::1", 443, 3))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := parseSockaddr(b)
		if err == nil && !got.IsValid() {
			t.Fatalf("parseSockaddr(% x) = invalid AddrPort without an error", b)
		}
		if err != nil && got.IsValid() {
			t.Fatalf("parseSockaddr(% x) = %v and error %v", b, got, err)
		}
	})
}
