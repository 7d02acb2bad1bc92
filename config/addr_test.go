package config

import "testing"

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		addr   string
		listen bool
		ok     bool
	}{
		{"127.0.0.1:8443", true, true},
		{":8443", true, true},
		{"[::1]:8443", true, true},
		{"localhost:0", true, true},
		{"127.0.0.1:0", false, false},
		{":8080", false, false},
		{"backend.lab:443", false, true},
		{"[fe80::1%eth0]:443", false, true},
		{"127.0.0.1", true, false},
		{"127.0.0.1:https", true, false},
		{"127.0.0.1:+80", true, false},
		{"127.0.0.1:-1", true, false},
		{"127.0.0.1:65536", true, false},
		{"127.0.0.1:", true, false},
		{"::1:443", false, false},
		{"bad host:443", false, false},
		{"", true, false},
	}
	for _, tt := range tests {
		err := checkAddr(tt.addr, tt.listen)
		if (err == nil) != tt.ok {
			t.Errorf("checkAddr(%q, listen=%v) = %v, want ok=%v", tt.addr, tt.listen, err, tt.ok)
		}
	}
}

func TestBindConflict(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"127.0.0.1:8443", "127.0.0.1:8443", true},
		{"127.0.0.1:8443", "127.0.0.1:8444", false},
		{"127.0.0.1:8443", "127.0.0.2:8443", false},
		{":8443", "127.0.0.1:8443", true},
		{"[::]:8443", "[::1]:8443", true},
		{"0.0.0.0:8443", "127.0.0.1:8443", true},
		{"0.0.0.0:8443", "[::1]:8443", false},
		{"[::ffff:127.0.0.1]:8443", "127.0.0.1:8443", true},
		{"LocalHost:8443", "localhost:8443", true},
		{"localhost:8443", "127.0.0.1:8443", false}, // compared as written: checkClashes resolves names first
		{"127.0.0.1:0", "127.0.0.1:0", false},
		{"127.0.0.1:08443", "127.0.0.1:8443", true},
	}
	for _, tt := range tests {
		if got := bindConflict(tt.a, tt.b); got != tt.want {
			t.Errorf("bindConflict(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := bindConflict(tt.b, tt.a); got != tt.want {
			t.Errorf("bindConflict(%q, %q) = %v, want %v (reversed)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestSelfLoop(t *testing.T) {
	tests := []struct {
		listen, backend string
		want            bool
	}{
		{"127.0.0.1:8443", "127.0.0.1:8443", true},
		{":8443", "127.0.0.1:8443", true},
		{":8443", "localhost:8443", true},
		{"0.0.0.0:8443", "[::1]:8443", true},
		{":8443", "10.0.0.5:8443", false}, // same port on another machine is the usual case
		{"127.0.0.1:8443", "127.0.0.1:8080", false},
		{"127.0.0.1:8443", "backend.lab:8443", false},
		{"127.0.0.1:0", "127.0.0.1:0", false},
	}
	for _, tt := range tests {
		if got := selfLoop(tt.listen, tt.backend); got != tt.want {
			t.Errorf("selfLoop(%q, %q) = %v, want %v", tt.listen, tt.backend, got, tt.want)
		}
	}
}
