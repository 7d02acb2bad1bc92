package listener

import (
	"net"
	"testing"
)

// TestShownAddr: a listener is shown by the address it was configured
// with and the port it got, not by Go's dual-stack [::] for 0.0.0.0; a
// host name shows what it resolved to.
func TestShownAddr(t *testing.T) {
	for _, tc := range []struct {
		name, listen string
		bound        net.Addr
		want         string
	}{
		{"0.0.0.0 bound dual-stack", "0.0.0.0:8443", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8443}, "0.0.0.0:8443"},
		{"port 0", "0.0.0.0:0", &net.TCPAddr{IP: net.IPv6unspecified, Port: 19001}, "0.0.0.0:19001"},
		{"loopback", "127.0.0.1:0", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 19002}, "127.0.0.1:19002"},
		{"::", "[::]:8443", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8443}, "[::]:8443"},
		{"host name", "localhost:8443", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8443}, "127.0.0.1:8443"},
		{"empty host", ":8443", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8443}, "[::]:8443"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ShownAddr(tc.listen, tc.bound).String(); got != tc.want {
				t.Errorf("ShownAddr(%q, %v) = %s, want %s", tc.listen, tc.bound, got, tc.want)
			}
		})
	}
}
