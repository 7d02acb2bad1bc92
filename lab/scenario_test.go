package lab

import (
	"fmt"
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
	tests := []struct {
		name, client, vs string
		want             []string
	}{
		{"ipv4", "10.0.0.1:50000", "10.0.0.2:443", []string{
			"01260009:4: Connection error: ssl_select_suite:8181: no shared ciphers (40)",
			"01260026:4: No shared ciphers between SSL peers 10.0.0.1.50000:10.0.0.2.443.",
			"01260013:4: SSL Handshake failed for TCP 10.0.0.1:50000 -> 10.0.0.2:443",
		}},
		// IPv6 endpoints are addr.port in both lines, without brackets.
		{"ipv6", "[::1]:50000", "[::1]:443", []string{
			"01260009:4: Connection error: ssl_select_suite:8181: no shared ciphers (40)",
			"01260026:4: No shared ciphers between SSL peers ::1.50000:::1.443.",
			"01260013:4: SSL Handshake failed for TCP ::1.50000 -> ::1.443",
		}},
		// An IPv4-mapped address is written as the IPv4 address it maps.
		{"ipv4-mapped", "[::ffff:10.0.0.1]:50000", "10.0.0.2:443", []string{
			"01260009:4: Connection error: ssl_select_suite:8181: no shared ciphers (40)",
			"01260026:4: No shared ciphers between SSL peers 10.0.0.1.50000:10.0.0.2.443.",
			"01260013:4: SSL Handshake failed for TCP 10.0.0.1:50000 -> 10.0.0.2:443",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.BigIPLines(tt.client, tt.vs); !slices.Equal(got, tt.want) {
				t.Errorf("BigIPLines(%q, %q):\n got %q\nwant %q", tt.client, tt.vs, got, tt.want)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	got := Expand("curl --cacert {ca} https://localhost:{port}/ vs :{origin}", Vars{Port: 9407, Origin: 9499, CA: "/tmp/ca.pem"})
	if want := "curl --cacert /tmp/ca.pem https://localhost:9407/ vs :9499"; got != want {
		t.Errorf("Expand = %q, want %q", got, want)
	}
}

// TestByFamily: the catalog read by family, client, server, network, each
// in catalog order (the server clock scenarios, last in the catalog to keep
// every earlier port, join the server family), for scenarios and placed
// ones alike, with the ports kept and the input unchanged.
func TestByFamily(t *testing.T) {
	placed, err := Place(Catalog(), nil, DefaultBasePort)
	if err != nil {
		t.Fatal(err)
	}
	in := slices.Clone(placed)
	got := ByFamily(placed)
	if !slices.EqualFunc(in, placed, func(a, b Placed) bool { return a.Name == b.Name }) {
		t.Error("ByFamily reordered its input")
	}
	var want []Placed
	for _, f := range Families() {
		for _, p := range placed {
			if p.Family == f {
				want = append(want, p)
			}
		}
	}
	name := func(p Placed) string { return fmt.Sprintf("%s:%d", p.Name, p.Port) }
	if g, w := mapNames(got, name), mapNames(want, name); !slices.Equal(g, w) {
		t.Errorf("ByFamily(placed) = %v\nwant %v", g, w)
	}
	if slices.Equal(mapNames(placed, name), mapNames(want, name)) {
		t.Error("the catalog is already in family order: this test no longer checks a regrouping")
	}
	scen := ByFamily(Catalog())
	if g, w := mapNames(scen, func(s Scenario) string { return s.Name }), mapNames(want, func(p Placed) string { return p.Name }); !slices.Equal(g, w) {
		t.Errorf("ByFamily(Catalog()) = %v\nwant %v", g, w)
	}
}

func mapNames[S any](ss []S, f func(S) string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}
