package explain

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// hasJapanese reports whether s holds kana, kanji or Japanese punctuation
// (、〜「」 and the like, U+3000–U+303F, and full-width forms such as （）).
func hasJapanese(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
	}) >= 0
}

// placeholders lists the {name} placeholders of s, sorted and unique.
func placeholders(s string) []string {
	out := placeholderRE.FindAllString(s, -1)
	slices.Sort(out)
	return slices.Compact(out)
}

// onlyPlaceholders reports whether s holds nothing but placeholders, so it
// has no words to translate.
func onlyPlaceholders(s string) bool {
	return strings.TrimSpace(placeholderRE.ReplaceAllString(s, "")) == ""
}

// checkPair checks one English text against its Japanese one: both present
// or both absent, the same placeholders, and Japanese words in the
// Japanese text unless it is a technical token kept as is.
func checkPair(t *testing.T, where, en, ja string, tokenOK bool) {
	t.Helper()
	switch {
	case (en == "") != (ja == ""):
		t.Errorf("%s: en %q, ja %q: one is missing", where, en, ja)
		return
	case en == "":
		return
	}
	if p, q := placeholders(en), placeholders(ja); !slices.Equal(p, q) {
		t.Errorf("%s: placeholders differ: en %v, ja %v", where, p, q)
	}
	if !hasJapanese(ja) && !onlyPlaceholders(ja) && !tokenOK {
		t.Errorf("%s: no Japanese in %q", where, ja)
	}
}

// TestKnowledgeJapanese: every code and variant entry has its Japanese
// words, field by field, with the same placeholders, and nothing more.
func TestKnowledgeJapanese(t *testing.T) {
	en, ja := knowledge(), knowledgeJA()
	for key, e := range en {
		j, ok := ja[key]
		if !ok {
			t.Errorf("%s: no Japanese entry", key)
			continue
		}
		checkPair(t, key+" summary", e.summary, j.summary, false)
		checkPair(t, key+" cause", e.cause, j.cause, false)
		checkPair(t, key+" client saw", e.clientSaw, j.clientSaw, false)
		checkPair(t, key+" tail", e.tail, j.tail, false)
		if len(e.checks) != len(j.checks) {
			t.Errorf("%s: %d English checks, %d Japanese", key, len(e.checks), len(j.checks))
			continue
		}
		for i := range e.checks {
			checkPair(t, key+" check", e.checks[i], j.checks[i], false)
		}
		if j.group != groupNone || j.ok || len(j.evidence) > 0 {
			t.Errorf("%s: the Japanese entry sets facts (group, ok, evidence); only words belong there", key)
		}
	}
	for key := range ja {
		if _, ok := en[key]; !ok {
			t.Errorf("%s: Japanese entry without an English one", key)
		}
	}
}

// TestWordsJapanese covers the small words: phrases, warnings, fault
// sentences and evidence labels.
func TestWordsJapanese(t *testing.T) {
	tokens := map[string]bool{"rank_0": true, "rank_2": true, "SNI": true, "JA3": true, "JA4": true}
	tables := []struct {
		name   string
		en, ja map[string]string
	}{
		{"phrase", phrasesEN(), phrasesJA()},
		{"warning", warningTexts(), warningTextsJA()},
		{"fault sentence", faultSentences(), faultSentencesJA()},
		{"fault what", faultWhat(), faultWhatJA()},
		{"fault stage", faultStagePhrase(), faultStagePhraseJA()},
		{"fault real", faultReal(), faultRealJA()},
	}
	for _, tb := range tables {
		for k, en := range tb.en {
			ja, ok := tb.ja[k]
			if !ok {
				t.Errorf("%s %s: no Japanese", tb.name, k)
				continue
			}
			checkPair(t, tb.name+" "+k, en, ja, tokens[k])
		}
		for k := range tb.ja {
			if _, ok := tb.en[k]; !ok {
				t.Errorf("%s %s: Japanese without English", tb.name, k)
			}
		}
	}
	labels := evidenceLabels()
	for k, l := range labels {
		checkPair(t, "evidence label "+k, l[0], l[1], tokens[l[1]])
	}
	used := []string{"transparent", "orig_dst", "faults", "fault"}
	for _, e := range knowledge() {
		used = append(used, e.evidence...)
	}
	for _, k := range used {
		if _, ok := labels[k]; !ok {
			t.Errorf("evidence key %s has no label", k)
		}
	}
}

// TestDiagnoseLang: the Japanese diagnosis of every case keeps the facts
// (code, BIG-IP lines, evidence keys) and says everything in Japanese,
// with every placeholder filled.
func TestDiagnoseLang(t *testing.T) {
	for _, tc := range diagCases() {
		en, ja := Diagnose(tc.o), DiagnoseLang(tc.o, LangJA)
		if ja.Code != en.Code || ja.OK != en.OK {
			t.Errorf("%s: ja %s/%v, en %s/%v", tc.name, ja.Code, ja.OK, en.Code, en.OK)
		}
		if !slices.Equal(lineTexts(ja), lineTexts(en)) {
			t.Errorf("%s: BIG-IP lines differ by language:\n%v\n%v", tc.name, lineTexts(ja), lineTexts(en))
		}
		if len(ja.Evidence) != len(en.Evidence) || len(ja.Checks) != len(en.Checks) || len(ja.Warnings) != len(en.Warnings) {
			t.Errorf("%s: evidence, checks or warnings differ in number", tc.name)
		}
		for i := range min(len(ja.Evidence), len(en.Evidence)) {
			if ja.Evidence[i].Key != en.Evidence[i].Key {
				t.Errorf("%s: evidence %d is %s in ja, %s in en", tc.name, i, ja.Evidence[i].Key, en.Evidence[i].Key)
			}
		}
		texts := append([]string{ja.Summary, ja.Cause, ja.ClientSaw}, ja.Checks...)
		texts = append(texts, ja.Warnings...)
		for _, s := range texts {
			if m := placeholderRE.FindString(s); m != "" {
				t.Errorf("%s: unfilled %s in %q", tc.name, m, s)
			}
		}
		for _, s := range append([]string{ja.Cause}, ja.Checks...) {
			if !hasJapanese(s) {
				t.Errorf("%s: no Japanese in %q", tc.name, s)
			}
		}
		if d := DiagnoseLang(tc.o, "fr"); render(d) != render(en) {
			t.Errorf("%s: an unknown language is not English", tc.name)
		}
	}
}

// TestGoldenJA keeps a few Japanese diagnoses under review, one per family.
func TestGoldenJA(t *testing.T) {
	want := []string{"plaintext_on_tls_reset", "version_too_old_tls10", "no_shared_cipher_default",
		"client_alert_48", "backend_tls_verify_expired", "ok_inspect_weakened", "fault_reset_client_hello",
		"handshake_failed_inappropriate_fallback", "fault_wrap_chain_untrusted_root_alert48", "fault_wrap_clock_ahead_alert42",
		"fault_wrap_mtu_closed", "fault_wrap_truncate_fin", "ok_inspect_no_sni", "backend_tls_failed_alpn",
		"backend_rejected_hello_version_floor", "health_check_proxy_local_reset", "health_check_proxy_unknown_fin", "client_alert_48_configured",
		"fault_reset_client_hello_plain", "fault_close_accept_plain",
		"client_alert_42_configured", "client_alert_46_configured", "handshake_failed_bad_record_mac_configured",
		"client_auth_missing_access_denied", "client_auth_rejected_file", "fault_large_hello_fail_open", "fault_version_intolerance",
		"fault_wrap_chain_revoked_quiet",
		"client_closed_configured", "client_rejected_silently_configured",
		"fault_record_corrupt_pass_c2s", "fault_proxy_skew_ahead",
		"client_rejected_silently_terminate", "no_shared_cipher_key_type_configured",
		"fault_wrap_chain_untrusted_root_alert48_configured", "fault_wrap_clock_ahead_alert42_configured",
		"client_closed_early_before_backend_flight", "plaintext_allowed_abort", "fault_reset_accept_auto", "fault_sni_policy_host_mismatch", "ok_host_checked",
		"fault_sni_policy_host_mismatch_inspect", "ok_inspect_host_checked",
		"tls_on_plaintext_stalled_prefix", "tls_on_plaintext_stalled_body", "tls_on_plaintext_cut_hello", "tls_on_plaintext_cut_hello_rst", "handshake_timeout_relayed_bypass",
		"client_closed_early_hello_retry", "client_alert_80_cap_rule",
		"tls_on_plaintext_stalled_byte", "tls_on_plaintext_stalled_sslv2", "tls_on_plaintext_stalled_sslv2_body",
		"backend_closed_early_plain", "backend_closed_early_reset_inspect_h2", "backend_no_server_hello_reset",
		"backend_tls_failed_reset_before_hello", "backend_tls_failed_fin_reset_before_hello",
		"backend_rejected_hello_alpn", "fault_wrap_chain_name_constraints_alert46", "fault_rate_limit",
		"ok_h2_no_answer_backend_fin", "ok_h2_no_answer_client_fin", "ok_inspect_h2_no_answer",
		"plaintext_on_tls_client_fin_redirect_no_host", "plaintext_on_tls_redirect_connect", "plaintext_on_tls_redirect_http10_no_host",
		"ok_connect_tunnel", "connect_bad_request", "fault_connect_policy",
		"tls_on_plaintext_proxy_port", "tls_on_plaintext_proxy_port_stalled", "plaintext_on_tls_redirect_h2_cut",
		"ok_h2_no_answer_server_ssl", "ok_h2_no_answer_server_ssl_verify_off"}
	cases := map[string]*Outcome{}
	for _, tc := range diagCases() {
		cases[tc.name] = tc.o
	}
	for _, name := range want {
		t.Run(name, func(t *testing.T) {
			o, ok := cases[name]
			if !ok {
				t.Fatalf("no case %s", name)
			}
			checkGolden(t, filepath.Join("testdata", "ja", name+".golden"), render(DiagnoseLang(o, LangJA)))
		})
	}
}

func TestEvidenceLabel(t *testing.T) {
	tests := []struct{ key, lang, want string }{
		{"first_bytes", LangEN, "first bytes"},
		{"first_bytes", LangJA, "先頭バイト"},
		{"first_bytes", "", "first bytes"},
		{"no_such_key", LangJA, "no_such_key"},
	}
	for _, tc := range tests {
		if got := EvidenceLabel(tc.key, tc.lang); got != tc.want {
			t.Errorf("EvidenceLabel(%q, %q) = %q, want %q", tc.key, tc.lang, got, tc.want)
		}
	}
	if !ValidLang("ja") || !ValidLang("") || ValidLang("fr") {
		t.Error("ValidLang")
	}
}

func TestFillPairs(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		pairs    []string
		want     string
	}{
		{"one", "saw {n} bytes", []string{"{n}", "5"}, "saw 5 bytes"},
		{"two and repeat", "{a}-{b}-{a}", []string{"{a}", "x", "{b}", "y"}, "x-y-x"},
		{"unknown kept", "{a} {zz}", []string{"{a}", "x"}, "x {zz}"},
		{"value not a template", "{a}", []string{"{a}", "{b}", "{b}", "no"}, "{b}"},
		{"unclosed", "x {a", []string{"{a}", "y"}, "x {a"},
		{"brace in text", "} {a} {", []string{"{a}", "y"}, "} y {"},
		{"no placeholder", "plain", []string{"{a}", "y"}, "plain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fillPairs(tc.in, tc.pairs); got != tc.want {
				t.Errorf("fillPairs(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestEarlyResetSawJA: the Japanese "client saw" of a transparent listener's
// early reset words the loopback case (curl (7)) as the English one does.
func TestEarlyResetSawJA(t *testing.T) {
	for _, tc := range diagCases() {
		if tc.code != CodeNoOriginalDst && tc.code != CodeTransparentLoop {
			continue
		}
		ja := DiagnoseLang(tc.o, LangJA).ClientSaw
		for _, want := range []string{"ネットワーク越しなら curl は `curl: (35) Recv failure", "（ループバックや LAN）", "`curl: (7) Failed to connect to … Couldn't connect to server`"} {
			if !strings.Contains(ja, want) {
				t.Errorf("%s: ja client saw %q lacks %q", tc.name, ja, want)
			}
		}
	}
}

// listItem and listItemJA are two names of a list of versions, suites,
// groups or protocols, joined as English and Japanese join them.
var listItem, listItemJA = listOf(", "), listOf("、")

// listOf matches two list items joined by sep.
func listOf(sep string) *regexp.Regexp {
	item := `(TLS 1\.[0-3]|SSLv3|TLS_[A-Z0-9_]+|P-[0-9]{3}|X25519[A-Za-z0-9]*|h2|http/1\.1|curl|openssl s_client|Java)`
	return regexp.MustCompile(item + sep + item)
}

// TestJapaneseListsUseTouten: Japanese prose writes a list with "、", so
// the versions, suites, groups and protocols a Japanese diagnosis lists in
// its sentences are joined so; they used to keep English's ", ". Text
// inside backticks is what a client or a command prints, and is left as it
// is. Evidence values are not prose (TestEvidenceListsSameInEveryLanguage).
func TestJapaneseListsUseTouten(t *testing.T) {
	quoted := regexp.MustCompile("`[^`]*`")
	lists := 0
	for _, tc := range diagCases() {
		d := DiagnoseLang(tc.o, LangJA)
		texts := append([]string{d.Summary, d.Cause, d.ClientSaw}, d.Checks...)
		for _, s := range texts {
			s = quoted.ReplaceAllString(s, "")
			s = strings.ReplaceAll(s, " ,", ",") // curl `…`, openssl … once the quotes are gone
			if m := listItem.FindString(s); m != "" {
				t.Errorf("%s: a Japanese list joined with \", \" (%q) in %q", tc.name, m, s)
			}
			lists += len(listItemJA.FindAllString(s, -1))
		}
	}
	if lists == 0 {
		t.Error("no Japanese diagnosis joins a list with 、: the cases no longer reach a list")
	}
}

// TestEvidenceListsSameInEveryLanguage: the lists in evidence values
// (versions_offered, ciphers_offered, ciphers_ours, groups_offered,
// alpn_offered, …) are technical values, the same in every language
// (DiagnoseLang) and split on ", " by collectors: a Japanese diagnosis must
// not join them with 、, and no evidence list joins with a bare ",". The
// ALPN lists did ("h2,http/1.1"), unlike every other evidence list.
func TestEvidenceListsSameInEveryLanguage(t *testing.T) {
	keys := map[string]bool{"versions_offered": true, "ciphers_offered": true, "ciphers_ours": true,
		"groups_offered": true, "key_shares": true, "groups_ours": true, "alpn_offered": true, "backend_alpn": true}
	bare := listOf(",")
	lists, alpnLists := 0, 0
	for _, tc := range diagCases() {
		ja := DiagnoseLang(tc.o, LangJA)
		en := map[string]string{}
		for _, e := range DiagnoseLang(tc.o, LangEN).Evidence {
			en[e.Key] = e.Value
		}
		for _, e := range ja.Evidence {
			if !keys[e.Key] {
				continue
			}
			if strings.Contains(e.Value, "、") {
				t.Errorf("%s: evidence %s joined with 、 in Japanese: %q", tc.name, e.Key, e.Value)
			}
			if m := bare.FindString(e.Value); m != "" {
				t.Errorf("%s: evidence %s joined with a bare \",\" (%q), not \", \": %q", tc.name, e.Key, m, e.Value)
			}
			if strings.Contains(e.Key, "alpn") && listItem.MatchString(e.Value) {
				alpnLists++
			}
			if listItem.MatchString(e.Value) {
				lists++
				// ciphers_ours ends in a worded "at TLS 1.x".
				if e.Key != "ciphers_ours" && e.Value != en[e.Key] {
					t.Errorf("%s: evidence %s is %q in Japanese, %q in English", tc.name, e.Key, e.Value, en[e.Key])
				}
			}
		}
	}
	if lists == 0 || alpnLists == 0 {
		t.Errorf("%d lists in evidence, %d of them ALPN: the test no longer reaches one of each", lists, alpnLists)
	}
}
