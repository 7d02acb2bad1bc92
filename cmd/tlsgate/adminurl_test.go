package main

import (
	"net"
	"strings"
	"testing"
)

// TestAdminClientURL: the advice lines name an admin URL a client can
// connect to. A wildcard [admin] listen bound as [::]:PORT (Go binds
// "0.0.0.0" dual-stack, so it reads [::] too) used to be advised as
// http://[::]:PORT, which curl users cannot use as written.
func TestAdminClientURL(t *testing.T) {
	for _, tc := range []struct {
		name, listen, bound, want string
	}{
		{"loopback v4", "127.0.0.1:8474", "127.0.0.1:8474", "http://127.0.0.1:8474"},
		{"loopback v4, port 0", "127.0.0.1:0", "127.0.0.1:40001", "http://127.0.0.1:40001"},
		{"loopback v6", "[::1]:8474", "[::1]:8474", "http://[::1]:8474"},
		{"specific v4", "192.0.2.10:8474", "192.0.2.10:8474", "http://192.0.2.10:8474"},
		{"specific v6", "[2001:db8::1]:8474", "[2001:db8::1]:8474", "http://[2001:db8::1]:8474"},
		{"a name, bound to its address", "localhost:8474", "127.0.0.1:8474", "http://127.0.0.1:8474"},
		{"wildcard v4, bound dual-stack", "0.0.0.0:8474", "[::]:8474", "http://127.0.0.1:8474"},
		{"wildcard v4, bound v4", "0.0.0.0:8474", "0.0.0.0:8474", "http://127.0.0.1:8474"},
		{"wildcard v4, port 0", "0.0.0.0:0", "[::]:40002", "http://127.0.0.1:40002"},
		{"wildcard v6", "[::]:8474", "[::]:8474", "http://[::1]:8474"},
		{"wildcard v6, port 0", "[::]:0", "[::]:40003", "http://[::1]:40003"},
		{"wildcard v4-mapped", "[::ffff:0.0.0.0]:8474", "[::]:8474", "http://127.0.0.1:8474"},
		{"no host", ":8474", "[::]:8474", "http://127.0.0.1:8474"},
		// A host without IPv6 binds Go's wildcard as IPv4.
		{"no host, IPv4-only host", ":8474", "0.0.0.0:8474", "http://127.0.0.1:8474"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bound, err := net.ResolveTCPAddr("tcp", tc.bound)
			if err != nil {
				t.Fatal(err)
			}
			if got := adminClientURL(tc.listen, bound); got != tc.want {
				t.Errorf("adminClientURL(%q, %s) = %q, want %q", tc.listen, tc.bound, got, tc.want)
			}
		})
	}
}

// TestAdminTryHintCarriesTheToken: with [admin] token set, the API answers
// 401 to any request without "Authorization: Bearer"; the start-up line's
// commands must carry it (named, never printed) or they fail as pasted.
func TestAdminTryHintCarriesTheToken(t *testing.T) {
	const u, other = "http://127.0.0.1:8474", "http://127.0.0.1:19640"
	tests := []struct {
		url   string
		token bool
		want  []string
		never []string
	}{
		{u, false, []string{"tlsgate fault ls ;", "curl " + u + "/events"}, []string{"Authorization", "--token"}},
		{u, true, []string{"tlsgate fault ls --token '<[admin] token>'", "curl -H 'Authorization: Bearer <[admin] token>' " + u + "/events"}, []string{"curl " + u}},
		{other, true, []string{"tlsgate fault ls --admin " + other + " --token '<[admin] token>'", "curl -H 'Authorization: Bearer <[admin] token>' " + other + "/events"}, []string{"curl " + other}},
	}
	for _, tt := range tests {
		got := adminTryHint(tt.url, tt.token)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s token=%v: %q lacks %q", tt.url, tt.token, got, w)
			}
		}
		for _, n := range tt.never {
			if strings.Contains(got, n) {
				t.Errorf("%s token=%v: %q has %q", tt.url, tt.token, got, n)
			}
		}
	}
}
