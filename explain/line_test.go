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

// TestMisreading: `x:80 -> y:443` is a client whose source port is 80
// connecting to a virtual server on 443, not a port forward.
func TestMisreading(t *testing.T) {
	p, err := ParseLine("Feb  1 08:12:14 bigip warning tmm1[9244]: 01260013:4: SSL Handshake failed for TCP 198.51.100.7:80 -> 203.0.113.10:443")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Langs() {
		x := ExplainLine(p, lang)
		if len(x.Sides) != 2 || x.Sides[0].Endpoint != "198.51.100.7:80" || x.Sides[1].Endpoint != "203.0.113.10:443" {
			t.Fatalf("%s: sides %+v", lang, x.Sides)
		}
		notes := strings.Join(x.Notes, "\n")
		want := map[string][]string{
			LangEN: {"`x:80 -> y:443`", "nothing was forwarded from port 80 to port 443", "The left port here is 80", "client's source port"},
			LangJA: {"`x:80 -> y:443`", "80 番から 443 番へ何かが転送されたわけではない", "左側のポートは 80", "送信元ポート"},
		}[lang]
		for _, w := range want {
			if !strings.Contains(notes, w) {
				t.Errorf("%s: notes lack %q:\n%s", lang, w, notes)
			}
		}
		if !strings.HasPrefix(x.Sides[0].Role, map[string]string{LangEN: "client", LangJA: "クライアント"}[lang]) ||
			!strings.HasPrefix(x.Sides[1].Role, map[string]string{LangEN: "virtual server", LangJA: "仮想サーバ"}[lang]) {
			t.Errorf("%s: roles %+v", lang, x.Sides)
		}
		// The server-side reading is given too: the line alone cannot tell.
		if !strings.Contains(x.Meaning, map[string]string{LangEN: "pool member", LangJA: "プールメンバー"}[lang]) ||
			!strings.Contains(x.Meaning, "203.0.113.10") {
			t.Errorf("%s: meaning does not say how to tell the sides apart: %s", lang, x.Meaning)
		}
	}
	// A virtual server on port 80 with a failed handshake is the usual
	// misconfiguration: a client-ssl profile on a plaintext port.
	p, _ = ParseLine("01260013:4: SSL Handshake failed for TCP 198.51.100.7:51000 -> 203.0.113.10:80")
	if notes := strings.Join(ExplainLine(p, LangEN).Notes, " "); !strings.Contains(notes, "port-80 virtual server") {
		t.Errorf("no port-80 note: %s", notes)
	}
}

// TestGroup: the S4 failure (rows 5–7) is one connection and is
// explained as one event: the reason says what, the summary says who.
func TestGroup(t *testing.T) {
	var ps []Parsed
	for _, l := range sampleLines(t) {
		p, _ := ParseLine(l)
		ps = append(ps, p)
	}
	events := ExplainLines(ps, LangEN)
	sizes := make([]int, len(events))
	for i, e := range events {
		sizes[i] = len(e.Lines)
	}
	if fmt.Sprint(sizes) != "[1 1 1 1 3 1 1 1 1 1 1 1]" {
		t.Fatalf("group sizes %v", sizes)
	}
	x := events[4].Explanation
	if x.Key != "01260009/no shared ciphers" || x.Lines != 3 || len(x.Sides) != 2 || x.Sides[0].Endpoint != "192.168.99.86:32962" {
		t.Errorf("group explanation %+v", x)
	}
	if !strings.Contains(x.Notes[0], "These 3 lines are one failed connection") || !strings.Contains(x.Notes[0], "tmm[9244]") {
		t.Errorf("group note %q", x.Notes[0])
	}
	if len(x.Scenarios) != 1 || x.Scenarios[0] != "no-shared-cipher" {
		t.Errorf("scenarios %v", x.Scenarios)
	}
	// Two connections in the same second on one tmm stay two groups: the
	// summary closes a group.
	twice := append(append([]Parsed{}, ps[4:7]...), ps[4:7]...)
	if g := GroupLines(twice); len(g) != 2 || len(g[0]) != 3 || len(g[1]) != 3 {
		t.Errorf("two connections grouped as %d groups", len(g))
	}
	// Different tmm instances are different connections.
	other := ps[6]
	other.Process = "tmm1"
	if g := GroupLines([]Parsed{ps[4], other}); len(g) != 2 {
		t.Errorf("lines of two tmms grouped together")
	}
}

// TestUnknownID: an ID tlsgate does not know is said so, with what could
// still be read from the line.
func TestUnknownID(t *testing.T) {
	p, err := ParseLine("<134>Jan 17 04:42:37 slot2/bigip01 info tmm1[23068]: 0126abcd:6: Some future message about 10.0.0.1:443 and 10.0.0.2.5000")
	if err != nil {
		t.Fatal(err)
	}
	x := ExplainLine(p, LangEN)
	if x.Known || x.Key != lineUnknown || x.Title != "unknown message ID 0126abcd: not one tlsgate knows" {
		t.Errorf("title %q known=%v", x.Title, x.Known)
	}
	if !strings.Contains(x.Meaning, "Subset 26 is TMM's SSL code") {
		t.Errorf("meaning %q", x.Meaning)
	}
	got := map[string]string{}
	for _, e := range x.Read {
		got[e.Key] = e.Value
	}
	want := map[string]string{"time": "Jan 17 04:42:37", "host": "bigip01", "slot": "slot2", "process": "tmm1[23068]",
		"severity": "6 info", "pri": "134 (local0.info)", "message_id": "0126abcd:6", "addresses": "10.0.0.1:443, 10.0.0.2.5000"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("read %s = %q, want %q", k, got[k], v)
		}
	}
	ja := ExplainLine(p, LangJA)
	if ja.Title != "未知のメッセージ ID 0126abcd: tlsgate が知らないメッセージ" {
		t.Errorf("ja title %q", ja.Title)
	}
	// A line with no ID and no known text is not guessed at either.
	p, err = ParseLine("Jan 17 04:42:37 bigip01 info tmm1[23068]: something else entirely")
	if err != nil || ExplainLine(p, LangEN).Key != lineNoID {
		t.Errorf("no-ID line: %v %s", err, ExplainLine(p, LangEN).Key)
	}
}

// TestLineKnowledgeJapanese: every line-explanation entry and note has
// English and Japanese words with the same placeholders; scenarios live in
// the English table only.
func TestLineKnowledgeJapanese(t *testing.T) {
	en, ja := lineKnowledgeEN(), lineKnowledgeJA()
	for key, e := range en {
		j, ok := ja[key]
		if !ok {
			t.Errorf("%s: no Japanese entry", key)
			continue
		}
		checkPair(t, key+" title", e.title, j.title, false)
		checkPair(t, key+" meaning", e.meaning, j.meaning, false)
		checkPair(t, key+" left", e.left, j.left, false)
		checkPair(t, key+" right", e.right, j.right, false)
		if len(e.causes) != len(j.causes) || len(e.checks) != len(j.checks) {
			t.Errorf("%s: causes %d/%d, checks %d/%d", key, len(e.causes), len(j.causes), len(e.checks), len(j.checks))
			continue
		}
		for i := range e.causes {
			checkPair(t, key+" cause", e.causes[i], j.causes[i], false)
		}
		for i := range e.checks {
			checkPair(t, key+" check", e.checks[i], j.checks[i], false)
		}
		if len(j.scenarios) > 0 {
			t.Errorf("%s: scenarios belong in the English table only", key)
		}
		if e.title == "" || e.meaning == "" {
			t.Errorf("%s: no title or meaning", key)
		}
	}
	for key := range ja {
		if _, ok := en[key]; !ok {
			t.Errorf("%s: Japanese entry without an English one", key)
		}
	}
	ne, nj := lineNotesEN(), lineNotesJA()
	for k, v := range ne {
		checkPair(t, "note "+k, v, nj[k], false)
	}
	for k := range nj {
		if _, ok := ne[k]; !ok {
			t.Errorf("note %s: Japanese without English", k)
		}
	}
}

// TestExplainFilled: every sample's explanation, in both languages, has
// every placeholder filled and says something in each part.
func TestExplainFilled(t *testing.T) {
	lines := append(sampleLines(t),
		"01260009:4: Connection error: ssl_hs_vfy_vfyresult:12345: some new reason (48)",
		"01260008:3: SSL transaction (TPS) rate limit reached",
		"01230140:3: RST sent from 10.0.0.2:443 to 10.0.0.1:5000, [0x2512c60:2345] SSL handshake timeout exceeded",
		"01260006:4: Peer cert verify error: unable to get local issuer certificate (depth 0; cert CN=pool.lab.test)",
		"Jan 17 04:42:37 bigip info tmm1[9244]: SSL Handshake details for TCP 10.0.0.1:5000 -> 10.0.0.2:443 entity: client SID: 00 version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519 mutual-authentication: false",
		"Jan 17 04:42:37 bigip info tmm1[9244]: SSL Handshake details for TCP 10.0.0.9:40000 -> 10.0.1.5:8443 entity: server SID: 01 version: TLSv1.2 cipher-suite: ECDHE-RSA-AES128-GCM-SHA256 key-exchange: secp256r1 mutual-authentication: false",
		"debug tmm1[13663]: Rule /Common/x <HTTP_REQUEST>: hello",
		"Feb  1 08:12:14 bigip warning tmm[9244]: 01260013:4: Per-invocation log rate exceeded; throttling.",
	)
	for _, l := range lines {
		p, _ := ParseLine(l)
		for _, lang := range Langs() {
			x := ExplainLine(p, lang)
			texts := append([]string{x.Title, x.Meaning}, x.Causes...)
			texts = append(texts, x.Checks...)
			texts = append(texts, x.Notes...)
			for _, s := range x.Sides {
				texts = append(texts, s.Role)
			}
			for _, s := range texts {
				if m := placeholderRE.FindString(s); m != "" {
					t.Errorf("%s %s: unfilled %s in %q", lang, x.Key, m, s)
				}
			}
			if x.Title == "" || x.Meaning == "" || len(x.Checks) == 0 {
				t.Errorf("%s %s: empty title, meaning or checks", lang, x.Key)
			}
			if lang == LangJA && !hasJapanese(x.Meaning) {
				t.Errorf("%s: Japanese meaning without Japanese", x.Key)
			}
		}
	}
}

// renderEvents is the golden text form of explained lines.
func renderEvents(events []LineEvent) string {
	var b strings.Builder
	for _, ev := range events {
		for _, p := range ev.Lines {
			fmt.Fprintf(&b, "line: %s\n", p.Raw)
		}
		x := ev.Explanation
		fmt.Fprintf(&b, "key: %s known=%v lines=%d\ntitle: %s\nmeaning: %s\n", x.Key, x.Known, x.Lines, x.Title, x.Meaning)
		for _, s := range x.Sides {
			fmt.Fprintf(&b, "side %s: %s\n", s.Endpoint, s.Role)
		}
		for i, c := range x.Causes {
			fmt.Fprintf(&b, "cause %d: %s\n", i+1, c)
		}
		for i, c := range x.Checks {
			fmt.Fprintf(&b, "check %d: %s\n", i+1, c)
		}
		for _, n := range x.Notes {
			fmt.Fprintf(&b, "note: %s\n", n)
		}
		fmt.Fprintf(&b, "scenarios: %s\n", strings.Join(x.Scenarios, ", "))
		for _, e := range x.Read {
			fmt.Fprintf(&b, "read %s: %s\n", e.Key, e.Value)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestLineGolden keeps the explanations of the verbatim samples, in both
// languages, under review.
func TestLineGolden(t *testing.T) {
	var ps []Parsed
	for _, l := range sampleLines(t) {
		p, _ := ParseLine(l)
		ps = append(ps, p)
	}
	for _, lang := range Langs() {
		t.Run(lang, func(t *testing.T) {
			got := renderEvents(ExplainLines(ps, lang))
			path := filepath.Join("testdata", "lines", "samples_"+lang+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("golden mismatch for %s:\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

func TestLineScenarios(t *testing.T) {
	s := LineScenarios()
	if len(s) == 0 || s[0] == "" {
		t.Fatalf("LineScenarios() = %v", s)
	}
	for i := 1; i < len(s); i++ {
		if s[i-1] >= s[i] {
			t.Errorf("not sorted and unique: %v", s)
		}
	}
}
