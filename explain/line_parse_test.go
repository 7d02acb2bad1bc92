package explain

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sampleLines reads the verbatim /var/log/ltm samples of bigip-log.md §1.3.
func sampleLines(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "lines", "bigip_samples.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if len(out) != 14 {
		t.Fatalf("%d sample lines, want the 14 of bigip-log.md §1.3", len(out))
	}
	return out
}

func ep(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// TestParseSamples: every verbatim sample parses with the right prefix,
// ID and fields.
func TestParseSamples(t *testing.T) {
	lines := sampleLines(t)
	type want struct {
		id, proc, host, timeText, key string
		pid, sev                      int
		left, right                   string // pair endpoints, "" for none
		check                         func(p Parsed) error
	}
	wants := []want{
		{id: "01260013", proc: "tmm", host: "SV5-F5-5600-2", timeText: "Jan 17 03:37:54", pid: 23068, sev: 4, key: "01260013",
			left: "10.160.23.133:50365", right: "10.156.1.150:443"},
		{id: "01260009", proc: "tmm1", host: "SV5-F5-5600-2", timeText: "Jan 17 04:03:37", pid: 23068, sev: 4, key: "01260009/not SSL",
			check: connErr("ssl_passthru", 5234, "not SSL", 40)},
		{id: "01260009", proc: "tmm1", pid: 75593, sev: 4, key: "01260009/unsupported version",
			check: connErr("ssl_hs_rxhello", 10026, "unsupported version", 40)},
		{id: "01260009", proc: "tmm2", pid: 217019, sev: 4, key: "01260009/TLS_FALLBACK_SCSV with a lower protocol",
			check: connErr("ssl_select_suite", 9301, "TLS_FALLBACK_SCSV with a lower protocol", 86)},
		{id: "01260009", proc: "tmm", host: "pua-bigip", timeText: "Feb  1 08:12:14", pid: 9244, sev: 4, key: "01260009/no shared ciphers",
			check: connErr("ssl_select_suite", 8181, "no shared ciphers", 40)},
		{id: "01260026", proc: "tmm", host: "pua-bigip", timeText: "Feb  1 08:12:14", pid: 9244, sev: 4, key: "01260026",
			left: "192.168.99.86:32962", right: "192.168.20.230:636"},
		{id: "01260013", proc: "tmm", host: "pua-bigip", timeText: "Feb  1 08:12:14", pid: 9244, sev: 4, key: "01260013",
			left: "192.168.99.86:32962", right: "192.168.20.230:636"},
		{id: "01260013", proc: "tmm2", host: "sslo1", timeText: "May  4 14:05:35", pid: 11526, sev: 4, key: "01260013",
			left: "10.1.10.50:61863", right: "93.184.216.34:443"},
		{id: "01260013", proc: "tmm1", host: "HOSTNAME", timeText: "May 24 11:15:25", pid: 18463, sev: 4, key: "01260013",
			left: "192.168.1.15:50932", right: "11.22.33.44:443"},
		{id: "011e0001", proc: "tmm3", pid: 184585, sev: 4, key: "011e0001", check: func(p Parsed) error {
			if r := p.RSTLimit; r == nil || r.What != "open port RST" || r.From != 501 || r.To != 500 || r.TrafficGroup != "/Common/dummy-traffic-group3" {
				return fmt.Errorf("rst limit %+v", p.RSTLimit)
			}
			return nil
		}},
		{id: "01420008", proc: "tmsh", pid: 16526, sev: 4, key: "01420008", check: certCheck(
			"CN=test-domain.com,OU=ADC,O=IT,L=Seoul,ST=Seoul,C=KR", "/Common/be_expire_soon", "Apr 30 01:36:52 2022",
			time.Date(2022, 4, 30, 1, 36, 52, 0, time.UTC), false)},
		{id: "01420007", proc: "tmsh", pid: 16900, sev: 4, key: "01420007", check: certCheck(
			"CN=I000105479,OU=Client certificates,O=NGINX Inc", "/Common/expired", "Jul  3 14:17:32 2021",
			time.Date(2021, 7, 3, 14, 17, 32, 0, time.UTC), true)},
		{id: "018e0017", proc: "sdmd", host: "bigip01.contoso.com", timeText: "2020-04-07T00:53:46.843+03:00", pid: 4689, sev: 6, key: "throttle",
			check: func(p Parsed) error {
				if p.Throttle != "Per-invocation log rate exceeded; throttling." {
					return fmt.Errorf("throttle %q", p.Throttle)
				}
				if want := time.Date(2020, 4, 6, 21, 53, 46, 843e6, time.UTC); !p.Time.Equal(want) {
					return fmt.Errorf("time %v, want %v", p.Time, want)
				}
				return nil
			}},
		{id: "01070638", proc: "mcpd", host: "SV5-F5-5600-2.splunk.com", timeText: "Jan 17 04:42:37", pid: 10653, sev: 5, key: "01070638",
			check: func(p Parsed) error {
				m := p.Monitor
				if m == nil || m.Pool != "/Common/infra-docs-pool" || m.Member != "/Common/go_web3:4000" || m.Status != "down" ||
					m.Monitor != "/Common/tcp_half_open" || m.LastError != "" || m.Duration != "was up for 837hrs:31mins:36sec" {
					return fmt.Errorf("monitor %+v", m)
				}
				return nil
			}},
	}
	for i, line := range lines {
		w := wants[i]
		t.Run(fmt.Sprintf("row%d", i+1), func(t *testing.T) {
			p, err := ParseLine(line)
			if err != nil {
				t.Fatalf("ParseLine: %v", err)
			}
			if p.ID != w.id || p.Process != w.proc || p.PID != w.pid || p.Sev != w.sev || p.Host != w.host || p.TimeText != w.timeText {
				t.Errorf("got id=%s proc=%s pid=%d sev=%d host=%q time=%q", p.ID, p.Process, p.PID, p.Sev, p.Host, p.TimeText)
			}
			if p.Raw != line || p.IDFromText {
				t.Errorf("raw %q, id from text %v", p.Raw, p.IDFromText)
			}
			if got := lineKey(p); got != w.key {
				t.Errorf("key %q, want %q", got, w.key)
			}
			if w.left != "" {
				if p.Pair == nil || p.Pair.Left.Addr != ep(w.left) || p.Pair.Right.Addr != ep(w.right) {
					t.Errorf("pair %+v, want %s -> %s", p.Pair, w.left, w.right)
				}
			}
			if w.check != nil {
				if err := w.check(p); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func connErr(fn string, line int, reason string, alert int) func(Parsed) error {
	return func(p Parsed) error {
		c := p.ConnError
		if c == nil || c.Function != fn || c.Line != line || c.Reason != reason || c.Alert != alert || c.AlertName != AlertName(alert) {
			return fmt.Errorf("conn error %+v", c)
		}
		return nil
	}
}

func certCheck(subject, file, date string, when time.Time, expired bool) func(Parsed) error {
	return func(p Parsed) error {
		c := p.Cert
		if c == nil || c.Subject != subject || c.File != file || c.Date != date || !c.When.Equal(when) || c.Expired != expired {
			return fmt.Errorf("cert %+v", c)
		}
		return nil
	}
}

// TestParseForms covers the prefixes collectors and chassis add, and
// lines pasted without a prefix.
func TestParseForms(t *testing.T) {
	tests := []struct {
		name, line           string
		pri, sev             int
		host, slot, proc, id string
		timeText, text, left string
		idFromText, nullFlow bool
		wantErr              error
	}{
		{name: "remote syslog PRI", line: "<132>Feb  1 08:12:14 pua-bigip warning tmm[9244]: 01260013:4: SSL Handshake failed for TCP 192.168.99.86:32962 -> 192.168.20.230:636",
			pri: 132, sev: 4, host: "pua-bigip", proc: "tmm", id: "01260013", timeText: "Feb  1 08:12:14", left: "192.168.99.86:32962"},
		{name: "QRadar sample, single-space day", line: "<133>Nov 5 14:01:50 f5networks.bigip.test notice mcpd[5281]: 01070638:5: Pool /Common/p member /Common/m:80 monitor status down.",
			pri: 133, sev: 5, host: "f5networks.bigip.test", proc: "mcpd", id: "01070638", timeText: "Nov 5 14:01:50"},
		{name: "RFC 5424", line: `<141>1 2020-04-14T14:39:05.271965+00:00 f5-bigip.com apmd 7389 01490248:5: [F5@12276 hostname="f5-bigip.com" errdefs_msgno="01490248:5:"] Access policy result`,
			pri: 141, sev: 5, host: "f5-bigip.com", proc: "apmd", id: "01490248", timeText: "2020-04-14T14:39:05.271965+00:00", text: "Access policy result"},
		{name: "RFC 5424 ID only in structured data", line: `<132>1 2020-04-14T14:39:05Z bigip tmm1 9244 - [F5@12276 errdefs_msgno="01260013:4:"] SSL Handshake failed for TCP 10.0.0.1:5000 -> 10.0.0.2:443`,
			pri: 132, sev: 4, host: "bigip", proc: "tmm1", id: "01260013", timeText: "2020-04-14T14:39:05Z", left: "10.0.0.1:5000"},
		{name: "chassis slot", line: "Feb  1 08:12:14 slot1/pua-bigip warning tmm[9244]: 01260013:4: SSL Handshake failed for TCP 192.168.99.86:32962 -> 192.168.20.230:636",
			pri: -1, sev: 4, host: "pua-bigip", slot: "slot1", proc: "tmm", id: "01260013", timeText: "Feb  1 08:12:14", left: "192.168.99.86:32962"},
		{name: "IPv6 addr.port", line: "Feb  1 08:12:14 bigip warning tmm[9244]: 01260013:4: SSL Handshake failed for TCP 2001:db8::10.50000 -> 2001:db8::1.443",
			pri: -1, sev: 4, host: "bigip", proc: "tmm", id: "01260013", timeText: "Feb  1 08:12:14", left: "[2001:db8::10]:50000"},
		{name: "route domain", line: "01260013:4: SSL Handshake failed for TCP 10.1.1.5%2:40000 -> 10.1.1.10%2:443",
			pri: -1, sev: 4, id: "01260013", left: "10.1.1.5:40000"},
		{name: "null connflow", line: "Feb  1 08:12:14 bigip warning tmm[9244]: 01260009:4: (null connflow): Connection error: ssl_passthru:5234: not SSL (40)",
			pri: -1, sev: 4, host: "bigip", proc: "tmm", id: "01260009", timeText: "Feb  1 08:12:14", nullFlow: true},
		{name: "tmsh show sys log timestamp", line: "01-17 03:37:54 SV5-F5-5600-2 warning tmm[23068]: 01260013:4: SSL Handshake failed for TCP 10.160.23.133:50365 -> 10.156.1.150:443",
			pri: -1, sev: 4, host: "SV5-F5-5600-2", proc: "tmm", id: "01260013", timeText: "01-17 03:37:54", left: "10.160.23.133:50365"},
		{name: "bare ID and text", line: "01260026:4: No shared ciphers between SSL peers 2001:db8::10.50000:2001:db8::1.443.",
			pri: -1, sev: 4, id: "01260026", left: "[2001:db8::10]:50000"},
		{name: "text only", line: "SSL Handshake failed for TCP 10.0.0.1:80 -> 10.0.0.2:443",
			pri: -1, sev: -1, id: "01260013", idFromText: true, left: "10.0.0.1:80"},
		{name: "no severity word", line: "Feb  1 08:12:14 bigip tmm[9244]: 01260013:4: SSL Handshake failed for TCP 10.0.0.1:5000 -> 10.0.0.2:443",
			pri: -1, sev: 4, host: "bigip", proc: "tmm", id: "01260013", timeText: "Feb  1 08:12:14", left: "10.0.0.1:5000"},
		{name: "iRule log", line: "Apr  7 00:53:46 bigip01 debug tmm1[13663]: Rule /Common/LDAP-Modify_plugin/APM-LDAP-Modify_irule <ACCESS_POLICY_AGENT_EVENT>: ldap_modify_result = 0",
			pri: -1, sev: 7, host: "bigip01", proc: "tmm1", timeText: "Apr  7 00:53:46"},
		{name: "CRLF and spaces", line: "  01260013:4: SSL Handshake failed for TCP 10.0.0.1:5000 -> 10.0.0.2:443\r\n",
			pri: -1, sev: 4, id: "01260013", left: "10.0.0.1:5000"},
		{name: "not a log line", line: "hello world", pri: -1, sev: -1, text: "hello world", wantErr: ErrNotBigIP},
		{name: "empty", line: "   ", pri: -1, sev: -1, wantErr: ErrEmptyLine},
		{name: "too long", line: strings.Repeat("x", MaxLineLen+1), pri: -1, sev: -1, wantErr: ErrLineTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseLine(tc.line)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if p.PRI != tc.pri || p.Sev != tc.sev || p.Host != tc.host || p.Slot != tc.slot || p.Process != tc.proc ||
				p.ID != tc.id || p.TimeText != tc.timeText || p.IDFromText != tc.idFromText || p.NullConnflow != tc.nullFlow {
				t.Errorf("got pri=%d sev=%d host=%q slot=%q proc=%q id=%q time=%q fromText=%v null=%v",
					p.PRI, p.Sev, p.Host, p.Slot, p.Process, p.ID, p.TimeText, p.IDFromText, p.NullConnflow)
			}
			if tc.text != "" && p.Text != tc.text {
				t.Errorf("text %q, want %q", p.Text, tc.text)
			}
			if tc.left != "" && (p.Pair == nil || p.Pair.Left.Addr != ep(tc.left)) {
				t.Errorf("pair %+v, left want %s", p.Pair, tc.left)
			}
		})
	}
}

// TestRouteDomain: "%2" is a route domain, kept apart from the address.
func TestRouteDomain(t *testing.T) {
	p, _ := ParseLine("01260013:4: SSL Handshake failed for TCP 10.1.1.5%2:40000 -> 10.1.1.10%2:443")
	if p.Pair == nil || p.Pair.Left.RouteDomain != 2 || p.Pair.Right.Addr != ep("10.1.1.10:443") {
		t.Fatalf("pair %+v", p.Pair)
	}
}

// TestAddrs: every address in a line's text is found, in order, in each
// form an endpoint takes, and bracketed words that are no address are not.
func TestAddrs(t *testing.T) {
	tests := []struct {
		name, line string
		want       []string
	}{
		{"IPv4 arrow", "01260013:4: SSL Handshake failed for TCP 10.0.0.1:5000 -> 10.0.0.2:443",
			[]string{"10.0.0.1:5000", "10.0.0.2:443"}},
		{"IPv6 addr.port", "01260013:4: SSL Handshake failed for TCP 2001:db8::10.50000 -> 2001:db8::1.443",
			[]string{"[2001:db8::10]:50000", "[2001:db8::1]:443"}},
		{"IPv6 in brackets", "01260013:4: SSL Handshake failed for TCP [2001:db8::10]:50000 -> [2001:db8::1]:443",
			[]string{"[2001:db8::10]:50000", "[2001:db8::1]:443"}},
		{"IPv6 in brackets with a route domain", "01260013:4: SSL Handshake failed for TCP [2001:db8::10%1]:50000 -> [2001:db8::1%1]:443",
			[]string{"[2001:db8::10]:50000", "[2001:db8::1]:443"}},
		{"reset cause, IPv6 in brackets", "01230140:3: RST sent from [2001:db8::1]:443 to [2001:db8::2]:5555, [0x2cc3b7b:2005] SSL handshake timeout exceeded",
			[]string{"[2001:db8::1]:443", "[2001:db8::2]:5555"}},
		{"reset cause, IPv4", "01230140:3: RST sent from 10.0.0.1:443 to 10.0.0.2:5555, [0x2cc3b7b:2005] SSL handshake timeout exceeded",
			[]string{"10.0.0.1:443", "10.0.0.2:5555"}},
		{"address inside brackets", "0126abcd:6: peer [10.0.0.1:443] went away", []string{"10.0.0.1:443"}},
		{"peers form", "01260026:4: No shared ciphers between SSL peers 192.168.99.86.32962:192.168.20.230.636.",
			[]string{"192.168.99.86:32962", "192.168.20.230:636"}},
		{"no address", "01070638:5: Pool /Common/p member /Common/m:80 monitor status down. [ /Common/tcp: down; last error:  ]", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseLine(tc.line)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range p.Addrs {
				got = append(got, a.Addr.String())
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("addrs %q, want %q", got, tc.want)
			}
		})
	}
}

// TestConnErrorEndpoints: endpoints written into a 01260009 line, before
// the message or after its alert, give the pair and stay out of the reason.
func TestConnErrorEndpoints(t *testing.T) {
	tests := []struct{ name, line, left, right string }{
		{"before", "01260009:4: 10.0.0.1:5555 -> 10.0.0.2:443: Connection error: ssl_passthru:5234: not SSL (40)", "10.0.0.1:5555", "10.0.0.2:443"},
		{"after the alert", "01260009:4: Connection error: ssl_passthru:5234: not SSL (40) 10.0.0.1:5555 -> 10.0.0.2:443", "10.0.0.1:5555", "10.0.0.2:443"},
		{"after the alert, IPv6 with a period", "01260009:4: Connection error: ssl_passthru:5234: not SSL (40) 2001:db8::1.5555 -> 2001:db8::2.443.",
			"[2001:db8::1]:5555", "[2001:db8::2]:443"},
		{"none", "01260009:4: Connection error: ssl_passthru:5234: not SSL (40)", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseLine(tc.line)
			if err != nil {
				t.Fatal(err)
			}
			if err := connErr("ssl_passthru", 5234, "not SSL", 40)(p); err != nil {
				t.Error(err)
			}
			if lineKey(p) != "01260009/not SSL" {
				t.Errorf("key %q", lineKey(p))
			}
			if tc.left == "" {
				if p.Pair != nil {
					t.Errorf("pair %+v, want none", p.Pair)
				}
				return
			}
			if p.Pair == nil || p.Pair.Left.Addr != ep(tc.left) || p.Pair.Right.Addr != ep(tc.right) {
				t.Errorf("pair %+v, want %s -> %s", p.Pair, tc.left, tc.right)
			}
		})
	}
}
