package config

import "testing"

// TestCheckServerName: server_name takes what can name one server, as SNI
// and in a certificate; anything else could never verify.
func TestCheckServerName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"", true},
		{"backend.lab", true},
		{"api-1.internal_zone.example.", true},
		{"10.0.0.7", true},
		{"::1", true},
		{"bad name", false},
		{"*.example", false},
		{"host:443", false},
		{"https://backend.lab", false},
		{"bäckend.lab", false},
	} {
		if err := checkServerName(tc.name); (err == nil) != tc.ok {
			t.Errorf("checkServerName(%q) = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}
