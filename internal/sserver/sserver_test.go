package sserver

import "testing"

// TestAcceptAddr reads the ACCEPT line among s_server's other output.
func TestAcceptAddr(t *testing.T) {
	for _, tc := range []struct {
		name, out, want string
		ok              bool
	}{
		{"ipv4", "Using default temp DH parameters\nACCEPT 127.0.0.1:40123\n", "127.0.0.1:40123", true},
		{"ipv6", "ACCEPT [::1]:40123\n", "[::1]:40123", true},
		{"bare line of a given port", "ACCEPT\n", "", false},
		{"not yet printed", "Using default temp DH parameters\n", "", false},
		{"line still being written", "ACCEPT 127.0.0.1:401", "", false},
		{"port 0", "ACCEPT 127.0.0.1:0\n", "", false},
		{"bind error", "error:80000062:system library:BIO_bind:Address already in use\n", "", false},
		{"after other lines", "-----BEGIN SSL SESSION PARAMETERS-----\nACCEPT 127.0.0.1:5\nmore\n", "127.0.0.1:5", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := AcceptAddr(tc.out)
			if got != tc.want || ok != tc.ok {
				t.Errorf("AcceptAddr(%q) = %q, %v; want %q, %v", tc.out, got, ok, tc.want, tc.ok)
			}
		})
	}
}
