package bigiplog

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// testTime is the S4 sample's second: a single-digit day.
var testTime = time.Date(2026, time.February, 1, 8, 12, 14, 0, time.UTC)

func TestFormatLineExact(t *testing.T) {
	tests := []struct {
		name string
		ts   time.Time
		proc string
		l    explain.Line
		want string
	}{
		{"single digit day padded", testTime, "tmm",
			explain.Line{ID: "01260013", Sev: 4, Text: "SSL Handshake failed for TCP 192.168.99.86:32962 -> 192.168.20.230:636"},
			"Feb  1 08:12:14 lab-bigip warning tmm[9244]: 01260013:4: SSL Handshake failed for TCP 192.168.99.86:32962 -> 192.168.20.230:636"},
		{"two digit day", time.Date(2026, time.January, 17, 4, 3, 37, 0, time.UTC), "tmm1",
			explain.Line{ID: "01260009", Sev: 4, Text: "Connection error: ssl_passthru:5234: not SSL (40)"},
			"Jan 17 04:03:37 lab-bigip warning tmm1[9244]: 01260009:4: Connection error: ssl_passthru:5234: not SSL (40)"},
		{"err severity", testTime, "tmm2",
			explain.Line{ID: "01260008", Sev: 3, Text: "SSL transaction (TPS) rate limit reached"},
			"Feb  1 08:12:14 lab-bigip err tmm2[9244]: 01260008:3: SSL transaction (TPS) rate limit reached"},
		{"control bytes escaped", testTime, "tmm",
			explain.Line{ID: "01260013", Sev: 4, Text: "a\nb\rc"},
			`Feb  1 08:12:14 lab-bigip warning tmm[9244]: 01260013:4: a\x0ab\x0dc`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatLine(tc.ts, "lab-bigip", tc.proc, 9244, tc.l); got != tc.want {
				t.Errorf("\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestSeverityAgreement: the word before the process and the digit after
// the ID always describe the same severity, and PRI is local0 (128 + sev).
func TestSeverityAgreement(t *testing.T) {
	words := []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}
	for sev, word := range words {
		l := explain.Line{ID: "01260013", Sev: sev, Text: "x"}
		line := FormatLine(testTime, "h", "tmm", 1, l)
		if !strings.Contains(line, " "+word+" tmm[1]: 01260013:"+strconv.Itoa(sev)+": x") {
			t.Errorf("sev %d: %q", sev, line)
		}
		wantPRI := "<" + strconv.Itoa(128+sev) + ">"
		if got := FormatSyslog(testTime, "h", "tmm", 1, l); got != wantPRI+line {
			t.Errorf("sev %d syslog: %q", sev, got)
		}
	}
	if got := FormatSyslog(testTime, "h", "tmm", 1, explain.Line{ID: "01260013", Sev: 4}); !strings.HasPrefix(got, "<132>Feb  1 ") {
		t.Errorf("warning PRI: %q", got)
	}
	if got := FormatOwn(testTime, "h", 1, 6, "hello"); got != "Feb  1 08:12:14 h info tlsgate[1]: hello" {
		t.Errorf("own line: %q", got)
	}
	if SeverityWord(-3) != "emerg" || SeverityWord(42) != "debug" {
		t.Errorf("clamping failed")
	}
}

func TestTMMName(t *testing.T) {
	tests := []struct {
		id   uint64
		n    int
		want string
	}{{0, 2, "tmm"}, {1, 2, "tmm1"}, {2, 2, "tmm"}, {43, 4, "tmm3"}, {5, 0, "tmm1"}, {7, 1, "tmm"},
		{15, 16, "tmm15"}, {16, 17, "tmm16"}, {99, 100, "tmm99"}}
	for _, tc := range tests {
		if got := TMMName(tc.id, tc.n); got != tc.want {
			t.Errorf("TMMName(%d, %d) = %q, want %q", tc.id, tc.n, got, tc.want)
		}
	}
	// Every connection's line group names one: the usual ones are free.
	if n := testing.AllocsPerRun(100, func() { _ = TMMName(13, 16) }); n != 0 {
		t.Errorf("TMMName(13, 16) made %v allocations, want none", n)
	}
}

// noCipherOutcome is the S4 sample: a TLS 1.2 client offering only 3DES.
func noCipherOutcome(client, virtual string) *explain.Outcome {
	return &explain.Outcome{
		ID: 42, Listener: "ldaps", Mode: "terminate", Route: "terminate",
		Client: netip.MustParseAddrPort(client), Virtual: netip.MustParseAddrPort(virtual),
		Kind: sniff.TLSHandshake, FirstBytes: []byte{0x16, 0x03, 0x01, 0x00, 0x2f, 0x01},
		Hello: &sniff.ClientHello{RecordVersion: 0x0301, LegacyVersion: 0x0303, CipherSuites: []uint16{0x000a}},
		ClientTLS: explain.Leg{Attempted: true, AlertSent: 40, AlertRecv: -1,
			Err: "tls: no cipher suite supported by both client and server; client offered: [a]"},
		Backend: explain.Backend{TLS: explain.Leg{AlertSent: -1, AlertRecv: -1}},
	}
}

// TestGroupLines checks the rendered three-line group for IPv4 and IPv6:
// 01260026 dots every endpoint, 01260013 uses ip:port (v4) / ip.port (v6).
func TestGroupLines(t *testing.T) {
	tests := []struct {
		client, virtual string
		want            []string
	}{
		{"192.168.99.86:32962", "192.168.20.230:636", []string{
			"Feb  1 08:12:14 lab-bigip warning tmm[9244]: 01260009:4: Connection error: ssl_select_suite:8181: no shared ciphers (40)",
			"Feb  1 08:12:14 lab-bigip warning tmm[9244]: 01260026:4: No shared ciphers between SSL peers 192.168.99.86.32962:192.168.20.230.636.",
			"Feb  1 08:12:14 lab-bigip warning tmm[9244]: 01260013:4: SSL Handshake failed for TCP 192.168.99.86:32962 -> 192.168.20.230:636",
		}},
		{"[2001:db8::86]:32962", "[2001:db8::230]:636", []string{
			"Feb  1 08:12:14 lab-bigip warning tmm[9244]: 01260009:4: Connection error: ssl_select_suite:8181: no shared ciphers (40)",
			"Feb  1 08:12:14 lab-bigip warning tmm[9244]: 01260026:4: No shared ciphers between SSL peers 2001:db8::86.32962:2001:db8::230.636.",
			"Feb  1 08:12:14 lab-bigip warning tmm[9244]: 01260013:4: SSL Handshake failed for TCP 2001:db8::86.32962 -> 2001:db8::230.636",
		}},
	}
	for _, tc := range tests {
		d := explain.Diagnose(noCipherOutcome(tc.client, tc.virtual))
		if len(d.BigIP) != len(tc.want) {
			t.Fatalf("%s: %d lines: %+v", tc.client, len(d.BigIP), d.BigIP)
		}
		for i, l := range d.BigIP {
			if got := FormatLine(testTime, "lab-bigip", TMMName(42, 2), 9244, l); got != tc.want[i] {
				t.Errorf("line %d\n got %q\nwant %q", i, got, tc.want[i])
			}
		}
	}
}

func FuzzFormatLine(f *testing.F) {
	f.Add("lab-bigip", "tmm1", "01260013", 4, "SSL Handshake failed for TCP 1.2.3.4:5 -> 6.7.8.9:443")
	f.Add("h\n", "tmm", "x", 99, "a\r\nb")
	f.Fuzz(func(t *testing.T, host, proc, id string, sev int, text string) {
		line := FormatSyslog(testTime, host, proc, 1, explain.Line{ID: id, Sev: sev, Text: text})
		if strings.ContainsAny(line, "\n\r") {
			t.Fatalf("line break in %q", line)
		}
		w := SeverityWord(sev)
		c := clampSev(sev)
		if !strings.HasPrefix(line, "<"+strconv.Itoa(128+c)+">") || !strings.Contains(line, " "+w+" ") {
			t.Fatalf("severity mismatch in %q", line)
		}
		// Without an ID the text follows the process directly: no "ID:sev:".
		if id == "" && !strings.HasSuffix(line, "]: "+oneLine(text)) {
			t.Fatalf("ID-less line %q does not end with its text", line)
		}
	})
}
