package lab

import (
	"slices"
	"testing"
)

func TestMatchClient(t *testing.T) {
	tests := []struct {
		expect, out string
		want        bool
	}{
		{"curl: (60) SSL certificate problem: certificate has expired", "curl: (60) SSL certificate problem: certificate has expired\nMore details", true},
		{"curl: (35) … tlsv1 alert protocol version", "curl: (35) OpenSSL/3.0.19: error:0A00042E:SSL routines::tlsv1 alert protocol version", true},
		{"curl: (35) … tlsv1 alert protocol version", "curl: (56) OpenSSL/3.0.19: tlsv1 alert protocol version", false},
		{"HTTP/1.1 200 … Via: 1.1 corp-proxy", "Via: 1.1 corp-proxy\nHTTP/1.1 200 OK", false}, // order matters
		{"HTTP/1.1 200 … Via: 1.1 corp-proxy", "HTTP/1.1 200 OK\r\nVia: 1.1 corp-proxy\r\n", true},
		{"… connection reset by peer", "read: connection reset by peer", true},
		{"certificate has expired", "certificate is not yet valid", false},
	}
	for _, tt := range tests {
		s := Scenario{ExpectClient: tt.expect}
		if got := s.MatchClient(tt.out); got != tt.want {
			t.Errorf("MatchClient(%q) on %q = %v, want %v", tt.expect, tt.out, got, tt.want)
		}
	}
}

func TestExpectExit(t *testing.T) {
	tests := []struct {
		try, expect string
		code        int
		ok          bool
	}{
		{"curl https://x/", "curl: (60) SSL certificate problem: x", 60, true},
		{"curl -sS https://x/", "The requested URL was rejected.", 0, true},
		{"openssl s_client -connect x:1", "tlsv1 alert protocol version", 0, false},
		{"tlsgate lab client https://x/", "… connection reset by peer", 0, false},
	}
	for _, tt := range tests {
		code, ok := Scenario{Try: tt.try, ExpectClient: tt.expect}.ExpectExit()
		if code != tt.code || ok != tt.ok {
			t.Errorf("ExpectExit(%q, %q) = %d, %v; want %d, %v", tt.try, tt.expect, code, ok, tt.code, tt.ok)
		}
	}
}

func TestBigIPLines(t *testing.T) {
	s := Scenario{BigIP: []string{ltmNoSharedCiphers, ltmNoSharedPeers, ltmHandshakeFailed}}
	got := s.BigIPLines("10.0.0.1:50000", "10.0.0.2:443")
	want := []string{
		"01260009:4: Connection error: ssl_select_suite:8181: no shared ciphers (40)",
		"01260026:4: No shared ciphers between SSL peers 10.0.0.1.50000:10.0.0.2.443.",
		"01260013:4: SSL Handshake failed for TCP 10.0.0.1:50000 -> 10.0.0.2:443",
	}
	if !slices.Equal(got, want) {
		t.Errorf("BigIPLines:\n got %q\nwant %q", got, want)
	}
}

func TestExpand(t *testing.T) {
	got := Expand("curl --cacert {ca} https://localhost:{port}/ vs :{origin}", Vars{Port: 9407, Origin: 9499, CA: "/tmp/ca.pem"})
	if want := "curl --cacert /tmp/ca.pem https://localhost:9407/ vs :9499"; got != want {
		t.Errorf("Expand = %q, want %q", got, want)
	}
}
