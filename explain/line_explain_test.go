package explain

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

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
		"01260009:4: Connection error: ssl_passthru:5234: not SSL",
		"01260009:4: Connection error: ssl_hs_vfy_vfyresult:12345: some new reason",
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
				if strings.Contains(s, "((") || strings.Contains(s, "(（") {
					t.Errorf("%s %s: a value in parentheses twice in %q", lang, x.Key, s)
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
			checkGolden(t, filepath.Join("testdata", "lines", "samples_"+lang+".golden"), renderEvents(ExplainLines(ps, lang)))
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

// TestNoSharedCiphersGroups: a key exchange group mismatch ends in the
// same `no shared ciphers` (40) as a suite mismatch, so the pasted reason
// line and its 01260026 detail line name it as a cause and say how to
// check the groups, in both languages.
func TestNoSharedCiphersGroups(t *testing.T) {
	for _, line := range []string{
		"Feb  1 08:12:14 pua-bigip warning tmm[9244]: 01260009:4: Connection error: ssl_select_suite:8181: no shared ciphers (40)",
		"Feb  1 08:12:14 pua-bigip warning tmm[9244]: 01260026:4: No shared ciphers between SSL peers 192.168.99.86.32962:192.168.20.230.636.",
	} {
		p, err := ParseLine(line)
		if err != nil {
			t.Fatal(err)
		}
		for lang, words := range map[string][2]string{
			LangEN: {"key exchange group", "-groups X25519"},
			LangJA: {"鍵交換グループ", "-groups X25519"},
		} {
			x := ExplainLine(p, lang)
			causes, checks := strings.Join(x.Causes, "\n"), strings.Join(x.Checks, "\n")
			for _, w := range []string{words[0], "supported_groups", "key_share"} {
				if !strings.Contains(causes, w) {
					t.Errorf("%s %s: no cause names %q:\n%s", lang, x.Key, w, causes)
				}
			}
			for _, w := range []string{words[1], "supported_groups", "tmsh list ltm cipher rule"} {
				if !strings.Contains(checks, w) {
					t.Errorf("%s %s: no check says %q:\n%s", lang, x.Key, w, checks)
				}
			}
		}
	}
}

// TestConnErrorSides: an 01260009 line that carries the connection's
// endpoints shows the sides of the arrow as the summary line does, with the
// arrow note and the check that tells the sides apart; one without them
// shows none. Such a line used to have its endpoints read but no sides.
func TestConnErrorSides(t *testing.T) {
	with, err := ParseLine("Feb  1 08:12:14 bigip warning tmm1[9244]: 01260009:4: Connection error: ssl_passthru:5234: not SSL (40) 198.51.100.7:80 -> 203.0.113.10:443")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Langs() {
		x := ExplainLine(with, lang)
		sum := lineKnowledgeTables()[lang][IDHandshakeFailed]
		if len(x.Sides) != 2 || x.Sides[0] != (Side{Endpoint: "198.51.100.7:80", Role: sum.left}) || x.Sides[1] != (Side{Endpoint: "203.0.113.10:443", Role: sum.right}) {
			t.Errorf("%s: sides %+v, want the summary's roles for both endpoints", lang, x.Sides)
		}
		notes := strings.Join(x.Notes, "\n")
		if !strings.Contains(notes, "`x:80 -> y:443`") || !strings.Contains(notes, map[string]string{LangEN: "The left port here is 80", LangJA: "左側のポートは 80"}[lang]) {
			t.Errorf("%s: no arrow or low-port note:\n%s", lang, notes)
		}
		if strings.Contains(notes, "port-80") || strings.Contains(notes, "80 番の仮想サーバ") {
			t.Errorf("%s: a reason line got the port-80 hint meant for lines without a reason:\n%s", lang, notes)
		}
		if !strings.Contains(strings.Join(x.Checks, "\n"), "tmsh list ltm virtual one-line | grep '203.0.113.10'") {
			t.Errorf("%s: no check telling the sides apart: %q", lang, x.Checks)
		}
	}
	without, _ := ParseLine("Feb  1 08:12:14 bigip warning tmm1[9244]: 01260009:4: Connection error: ssl_passthru:5234: not SSL (40)")
	if x := ExplainLine(without, LangEN); len(x.Sides) != 0 || len(x.Notes) != 0 {
		t.Errorf("without endpoints: sides %+v notes %q, want none", x.Sides, x.Notes)
	}
}

// TestRouteDomainExplained: a route domain (%N after an address) is said to
// be one, the tmsh lookups keep the %N (the same IP in another route domain
// is another host), and the capture filters and client commands, which take
// no %N, keep the bare address. It used to be read and never mentioned.
func TestRouteDomainExplained(t *testing.T) {
	lines := []string{
		"Feb  1 08:12:14 bigip warning tmm1[9244]: 01260013:4: SSL Handshake failed for TCP 192.168.99.86%2:32962 -> 192.168.20.230%2:636",
		"Feb  1 08:12:14 bigip warning tmm1[9244]: 01260009:4: Connection error: ssl_select_suite:8181: no shared ciphers (40) 192.168.99.86%2:32962 -> 192.168.20.230%2:636",
	}
	for _, line := range lines {
		p, err := ParseLine(line)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range Langs() {
			x := ExplainLine(p, lang)
			notes, checks := strings.Join(x.Notes, "\n"), strings.Join(x.Checks, "\n")
			want := map[string]string{
				LangEN: "A `%N` after an address is a BIG-IP route domain (192.168.99.86%2:32962, 192.168.20.230%2:636: route domain 2)",
				LangJA: "アドレスの後の `%N` は BIG-IP のルートドメイン（192.168.99.86%2:32962, 192.168.20.230%2:636: ルートドメイン 2）",
			}[lang]
			if !strings.Contains(notes, want) || !strings.Contains(notes, map[string]string{LangEN: "(192.168.99.86%2)", LangJA: "（192.168.99.86%2）"}[lang]) {
				t.Errorf("%s %s: no route domain note %q:\n%s", lang, p.ID, want, notes)
			}
			if !strings.Contains(checks, "grep '192.168.20.230%2'") {
				t.Errorf("%s %s: the tmsh lookup dropped the route domain:\n%s", lang, p.ID, checks)
			}
			if strings.Contains(checks, "host 192.168.99.86%") || strings.Contains(checks, "-connect 192.168.20.230%") {
				t.Errorf("%s %s: a capture filter or client command got a %%N it cannot take:\n%s", lang, p.ID, checks)
			}
		}
	}
	// Two route domains on one line are both named.
	p, _ := ParseLine("01260013:4: SSL Handshake failed for TCP 10.0.0.1%3:5555 -> 10.0.0.2%4:443")
	if notes := strings.Join(ExplainLine(p, LangEN).Notes, "\n"); !strings.Contains(notes, "(10.0.0.1%3:5555, 10.0.0.2%4:443: route domain 3, 4)") {
		t.Errorf("two route domains:\n%s", notes)
	}
	// Route domain 0, the default, is never written, and no note is added.
	p, _ = ParseLine("01260013:4: SSL Handshake failed for TCP 10.0.0.1:5555 -> 10.0.0.2:443")
	if notes := strings.Join(ExplainLine(p, LangEN).Notes, "\n"); strings.Contains(notes, "route domain") {
		t.Errorf("a note on a line without route domains:\n%s", notes)
	}
}

// TestPoolMonitorPartsMissing: an 01070638 line cut after "monitor status
// down." names no monitor, last error or up-time. Its explanation used to
// read "its health monitor (not in the line) failed (last error: (none));
// (not in the line)."; now it says in words what the line does not give.
func TestPoolMonitorPartsMissing(t *testing.T) {
	cases := []struct {
		line     string
		want     map[string][]string
		unwanted []string
	}{
		{line: "notice mcpd[5281]: 01070638:5: Pool /Common/p member /Common/m:80 monitor status down.",
			want: map[string][]string{
				LangEN: {"its health monitor failed (the line names neither the monitor nor its last error); the line does not say how long the member had been up.",
					"`tmsh list ltm monitor <type> <monitor>`"},
				LangJA: {"ヘルスモニターが失敗している（行にはモニター名も最後のエラーも書かれていない）。メンバーがそれまでどれだけ稼働していたかは行に書かれていない。",
					"`tmsh list ltm monitor <type> <モニター>`"},
			}},
		{line: "notice mcpd[5281]: 01070638:5: Pool /Common/p member /Common/m:80 monitor status down. [ /Common/https: down; last error: /Common/https: Unable to connect ]",
			want: map[string][]string{
				LangEN: {"its health monitor /Common/https failed (last error: /Common/https: Unable to connect); the line does not say how long the member had been up."},
				LangJA: {"ヘルスモニター /Common/https が失敗している（最後のエラー: /Common/https: Unable to connect）。メンバーがそれまでどれだけ稼働していたかは行に書かれていない。"},
			}},
		{line: "notice mcpd[5281]: 01070638:5: Pool /Common/p member /Common/m:80 monitor status down. [ /Common/tcp_half_open: down; last error:  ]  [ was up for 837hrs:31mins:36sec ]",
			want: map[string][]string{
				LangEN: {"its health monitor /Common/tcp_half_open failed (last error: (none)); was up for 837hrs:31mins:36sec."},
				LangJA: {"ヘルスモニター /Common/tcp_half_open が失敗している（最後のエラー: （なし））。was up for 837hrs:31mins:36sec。"},
			}},
	}
	for _, c := range cases {
		p, err := ParseLine(c.line)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range Langs() {
			x := ExplainLine(p, lang)
			text := x.Meaning + "\n" + strings.Join(x.Checks, "\n")
			for _, w := range c.want[lang] {
				if !strings.Contains(text, w) {
					t.Errorf("%s %q:\nwant %q in\n%s", lang, c.line, w, text)
				}
			}
			if m := lineNotes(lang)[noteUnknownValue]; strings.Contains(text, m) {
				t.Errorf("%s %q: %q in\n%s", lang, c.line, m, text)
			}
		}
	}
}

// TestPRIMismatch: a forwarded line whose <PRI> says another severity than
// the line itself was re-prioritised on the way; one that agrees, or that
// has no PRI, gets no such note.
func TestPRIMismatch(t *testing.T) {
	const summary = "01260013:4: SSL Handshake failed for TCP 198.51.100.7:51000 -> 203.0.113.10:443"
	tests := []struct {
		name string
		line string
		want map[string]string // lang → text the note must hold; nil: no note
	}{
		{"info PRI on a warning line", "<134>Nov  5 14:01:50 bigip warning tmm[5281]: " + summary,
			map[string]string{LangEN: "<134> (local0.info) and the line's own severity (4 warning) disagree", LangJA: "<134>（local0.info）と行自体の重大度（4 warning）"}},
		{"PRI against the digit alone", "<131>" + summary,
			map[string]string{LangEN: "<131> (local0.err) and the line's own severity (4 warning)", LangJA: "<131>（local0.err）"}},
		{"RFC 5424 with another facility and severity", `<141>1 2020-04-14T14:39:05.271965+00:00 bigip tmm 7389 01260013:4: [F5@12276 errdefs_msgno="01260013:4:"] SSL Handshake failed for TCP 198.51.100.7:51000 -> 203.0.113.10:443`,
			map[string]string{LangEN: "<141> (local1.notice)", LangJA: "<141>（local1.notice）"}},
		{"agreeing PRI", "<132>Nov  5 14:01:50 bigip warning tmm[5281]: " + summary, nil},
		{"no PRI", "Nov  5 14:01:50 bigip warning tmm[5281]: " + summary, nil},
		{"PRI and no severity in the line", "<134>Nov  5 14:01:50 bigip tmm[5281]: SSL Handshake failed for TCP 198.51.100.7:51000 -> 203.0.113.10:443", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseLine(tt.line)
			if err != nil {
				t.Fatal(err)
			}
			for _, lang := range Langs() {
				notes := strings.Join(ExplainLine(p, lang).Notes, "\n")
				has := strings.Contains(notes, map[string]string{LangEN: "syslog priority", LangJA: "syslog の優先度"}[lang])
				if tt.want == nil {
					if has {
						t.Errorf("%s: unexpected PRI note:\n%s", lang, notes)
					}
					continue
				}
				if !has || !strings.Contains(notes, tt.want[lang]) {
					t.Errorf("%s: notes lack %q:\n%s", lang, tt.want[lang], notes)
				}
			}
		})
	}
}
