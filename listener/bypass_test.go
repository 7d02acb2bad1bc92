package listener

import (
	"net/netip"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// TestBypassEntriesCheckedAtBuild: bypass entries are parsed once, when
// the listener is built, and one that can never match is refused there,
// named with its index, instead of being skipped on every connection.
func TestBypassEntriesCheckedAtBuild(t *testing.T) {
	tests := []struct {
		entry string
		want  string
	}{
		{"", `listener in: bypass[1] "": empty entry`},
		{"[a-", `listener in: bypass[1] "[a-": not an IP, a CIDR or an SNI glob (character '[')`},
		{`*.bank\`, `listener in: bypass[1] "*.bank\\": not an IP, a CIDR or an SNI glob (character '\\')`},
		{"10.0.0.0/33", `listener in: bypass[1] "10.0.0.0/33": not an IP or a CIDR (netip.ParsePrefix("10.0.0.0/33"): prefix length out of range`},
		{"fe80::1::2", `listener in: bypass[1] "fe80::1::2": not an IP or a CIDR (ParseAddr("fe80::1::2"): multiple :: in address`},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			_, err := New(Options{Name: "in", Mode: Inspect, Listen: "127.0.0.1:0", Backend: "127.0.0.1:9",
				Bypass: []string{"*.ok.test", tt.entry}}, Deps{Logger: zap.NewNop()})
			// The wording after the parse error's start is the standard
			// library's.
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("New: %v, want %q", err, tt.want)
			}
		})
	}
}

// TestBypassReasons: what each parsed entry matches, and the reason it
// gives, the configured entry named as written.
func TestBypassReasons(t *testing.T) {
	l, err := parseBypass([]string{"*.Bank.test", "10.1.0.0/16", "192.0.2.7", "2001:db8::/32"})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{bypass: l}
	addr := func(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
	tests := []struct {
		name    string
		client  string
		origDst string
		sni     string
		want    string
	}{
		{"client in CIDR", "10.1.2.3:5000", "", "", "client 10.1.2.3 is in bypass 10.1.0.0/16"},
		{"destination in CIDR", "127.0.0.1:5000", "[2001:db8::1]:443", "", "destination 2001:db8::1 is in bypass 2001:db8::/32"},
		{"destination IP", "127.0.0.1:5000", "192.0.2.7:443", "", "address 192.0.2.7 is in bypass"},
		{"SNI glob, any case", "127.0.0.1:5000", "", "WWW.bank.test", "SNI www.bank.test matches bypass *.Bank.test"},
		{"no match", "127.0.0.1:5000", "192.0.2.8:443", "bank.test", ""},
		// '*' takes any run, as a fault rule's sni reads it (RuleMisfit
		// counts on that): path.Match's stopped at a '/' a hand-made SNI
		// may hold, and a rule refused as bypass-only could have fired.
		{"SNI glob, a '/' in the name", "127.0.0.1:5000", "", "a/b.bank.test", "SNI a/b.bank.test matches bypass *.Bank.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &explain.Outcome{Client: addr(tt.client)}
			if tt.origDst != "" {
				o.OrigDst = addr(tt.origDst)
			}
			if tt.sni != "" {
				o.Hello = &sniff.ClientHello{ServerName: tt.sni}
			}
			if got := s.bypassReason(o); got != tt.want {
				t.Errorf("bypass reason %q, want %q", got, tt.want)
			}
		})
	}
	if !s.hasSNIBypass() || (&Server{}).hasSNIBypass() {
		t.Error("hasSNIBypass does not follow the globs")
	}
	if strings.Contains(s.sniBypass(""), "bypass") {
		t.Error("an empty SNI matched a glob")
	}
}
