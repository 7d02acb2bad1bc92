package probe

import (
	"context"
	"crypto/tls"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
)

// placeholder finds {name} in a text.
var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

func hasJapanese(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			return true
		}
	}
	return false
}

// TestTextsBothLanguages: every text has English and Japanese, the Japanese
// is Japanese, and both fill the same placeholders.
func TestTextsBothLanguages(t *testing.T) {
	for key, m := range texts() {
		if strings.TrimSpace(m.en) == "" {
			t.Errorf("%s: no English text", key)
		}
		if !hasJapanese(m.ja) {
			t.Errorf("%s: Japanese text %q has no Japanese in it", key, m.ja)
		}
		en, ja := placeholder.FindAllString(m.en, -1), placeholder.FindAllString(m.ja, -1)
		slices.Sort(en)
		slices.Sort(ja)
		if !slices.Equal(slices.Compact(en), slices.Compact(ja)) {
			t.Errorf("%s: placeholders differ: en %v, ja %v", key, en, ja)
		}
	}
}

// keyLiteral finds the text keys the code names: t.f("…"), tx.f("…") and
// the key argument of p.prob.
var keyLiteral = regexp.MustCompile(`(?:\.f\(|p\.prob\([A-Za-z]+, "[a-z_0-9]+", )"([a-z0-9_]+(?:\.[a-z0-9_]+)*[.]?)"`)

// dynamicKeys are the keys the code builds from parts.
func dynamicKeys() []string {
	var keys []string
	for _, n := range AllSteps() {
		keys = append(keys, "title."+stepName(n))
	}
	for _, v := range []Verdict{Pass, Fail, Warn, Info} {
		keys = append(keys, "verdict."+string(v))
	}
	for _, r := range []string{resReset, resClosed} {
		keys = append(keys, "word."+r, "word.cut_"+r, "word.hello_"+r, "banner."+r+"_on_connect",
			"hello."+r+"_after_hello", "hello."+r+"_after_hello.cause", "hello."+r+"_after_hello.check")
	}
	return append(keys, "word.hello_"+resTimeout, "chain.hostname_mismatch", "chain.cn_only")
}

// TestTextKeysUsed: every key the code names exists (a typo would print
// the key itself), every problem key has its cause and check, and no text
// is left that nothing uses.
func TestTextKeysUsed(t *testing.T) {
	all := texts()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "msgs_") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyLiteral.FindAllStringSubmatch(string(b), -1) {
			if strings.HasSuffix(m[1], "_") || strings.HasSuffix(m[1], ".") {
				continue // a prefix completed at run time: dynamicKeys lists those
			}
			used[m[1]] = true
			if strings.HasPrefix(m[0], "p.prob(") {
				used[m[1]+".cause"], used[m[1]+".check"] = true, true
			}
		}
	}
	for _, k := range dynamicKeys() {
		used[k] = true
	}
	for _, k := range []string{"chain.hostname_mismatch", "chain.cn_only"} {
		used[k+".cause"], used[k+".check"] = true, true
	}
	for k := range used {
		if _, ok := all[k]; !ok {
			t.Errorf("the code uses text %q, which does not exist", k)
		}
	}
	for k := range all {
		if !used[k] && k != "title.unknown" {
			t.Errorf("text %q is never used", k)
		}
	}
	if len(used) < 150 {
		t.Errorf("found only %d keys in the code; is keyLiteral still right?", len(used))
	}
}

// langTimeout bounds each attempt of TestRunJapanese's probes, generously:
// see the comment where it is used.
const langTimeout = 30 * time.Second

// TestRunJapanese probes the same servers in both languages: the codes and
// verdicts agree, and every sentence for people is Japanese in Japanese,
// with no placeholder left.
func TestRunJapanese(t *testing.T) {
	pki := newPKI(t)
	servers := map[string]func(t *testing.T) string{
		"good": func(t *testing.T) string {
			return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{pki.good()}})
		},
		"plain HTTP": plainHTTPServer,
		"reset":      func(t *testing.T) string { return startServer(t, resetAfterHello) },
		"incomplete": func(t *testing.T) string {
			return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{chainOf(pki.leaf)}})
		},
		"TLS 1.0 only": func(t *testing.T) string {
			return tlsServer(t, &tls.Config{Certificates: []tls.Certificate{pki.good()}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10})
		},
		"SNI strict": func(t *testing.T) string { return tlsServer(t, sniStrict(pki)) },
		"answer reset mid-body": func(t *testing.T) string {
			return startServer(t, httpsThen(&tls.Config{Certificates: []tls.Certificate{pki.good()}}, cutAnswer("Content-Length: 1000\r\n", 300), endReset))
		},
		"request reset without an answer": func(t *testing.T) string {
			return startServer(t, httpsThen(&tls.Config{Certificates: []tls.Certificate{pki.good()}}, "", endReset))
		},
		"block page": func(t *testing.T) string {
			return startServer(t, httpsHandler(&tls.Config{Certificates: []tls.Certificate{pki.good()}},
				httpAnswer("403 Forbidden", "", "The requested URL was rejected. Please consult with your administrator. Your support ID is: 42")))
		},
	}
	for name, serve := range servers {
		t.Run(name, func(t *testing.T) {
			addr := serve(t)
			reps := map[string]Report{}
			for _, lang := range []string{LangEN, LangJA} {
				// None of these servers stalls, so no attempt waits for the
				// timeout: it only bounds a handshake that is slow because
				// the machine is loaded. A short one turned such a handshake
				// into a stall (pmtu_blackhole, large_hello_intolerance,
				// no_tls13) in one language's run and not the other's.
				o := Options{SNI: "lab.test", Roots: pki.pool, Timeout: langTimeout, BannerWait: 200 * time.Millisecond, Now: testClock(), Lang: lang}
				reps[lang] = Run(context.Background(), addr, o)
			}
			en, ja := reps[LangEN], reps[LangJA]
			if ja.Lang != LangJA || en.Lang != LangEN {
				t.Errorf("report languages %q, %q", en.Lang, ja.Lang)
			}
			if len(en.Steps) != len(ja.Steps) || en.Final.Code != ja.Final.Code || en.Final.Verdict != ja.Final.Verdict {
				t.Fatalf("en and ja disagree: %+v vs %+v", en.Final, ja.Final)
			}
			for i, s := range ja.Steps {
				if e := en.Steps[i]; e.Code != s.Code || e.Verdict != s.Verdict || e.Name != s.Name {
					t.Errorf("step %d: en %s %s, ja %s %s", s.Number, e.Verdict, e.Code, s.Verdict, s.Code)
				}
				for field, text := range map[string]string{"title": s.Title, "finding": s.Finding, "cause": s.Cause, "check": s.Check} {
					checkJapanese(t, "step "+s.Name+" "+field, text)
				}
			}
			f := ja.Final
			for field, text := range map[string]string{"summary": f.Summary, "cause": f.Cause, "check": f.Check} {
				checkJapanese(t, "final "+field, text)
			}
			var sb strings.Builder
			if err := ja.WriteText(&sb); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"判定:", "tlsgate probe " + addr + "（SNI lab.test を送信）"} {
				if !strings.Contains(sb.String(), want) {
					t.Errorf("Japanese text report lacks %q:\n%s", want, sb.String())
				}
			}
		})
	}
}

// checkJapanese fails on an English sentence or a placeholder left in a
// Japanese report. Empty texts (no cause on a pass) are fine.
func checkJapanese(t *testing.T, what, text string) {
	t.Helper()
	if text == "" {
		return
	}
	if !hasJapanese(text) {
		t.Errorf("%s is not Japanese: %q", what, text)
	}
	if p := placeholder.FindString(text); p != "" {
		t.Errorf("%s keeps the placeholder %s: %q", what, p, text)
	}
}

// codeLiteral finds the codes the code sets: Code: "…", s.Code = "…",
// s.Verdict, s.Code = Fail, "…" and p.prob(Fail, "…", ….
var codeLiteral = regexp.MustCompile(`(?:Code: |Code = |Code = (?:Pass|Fail|Warn|Info), |p\.prob\((?:Pass|Fail|Warn|Info), )"([a-z0-9_]+)"`)

// TestCodesComplete: every code the source sets is in Codes, and Codes
// holds nothing the source never sets.
func TestCodesComplete(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// The codes built at run time: from a reply kind, a result, a variable.
	set := map[string]bool{codeFlightStall: true, "ok": true, "nothing_run": true, "nothing_judged": true, "imap": true, "pop3": true,
		"hostname_mismatch": true, "cn_only": true}
	for _, r := range []string{resReset, resClosed} {
		set[r+"_on_connect"], set[r+"_after_hello"] = true, true
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range codeLiteral.FindAllStringSubmatch(string(b), -1) {
			if m[1] != "alert_" { // completed with the alert's name
				set[m[1]] = true
			}
		}
	}
	for c := range set {
		if !KnownCode(c) {
			t.Errorf("the source sets code %q, which Codes does not list", c)
		}
	}
	for _, c := range Codes() {
		if !set[c] {
			t.Errorf("Codes lists %q, which the source never sets", c)
		}
	}
	for _, c := range []string{"alert_handshake_failure", "alert_access_denied"} {
		if !KnownCode(c) {
			t.Errorf("KnownCode(%q) = false", c)
		}
	}
	for _, c := range []string{"", "alert_", "no such code", "expired "} {
		if KnownCode(c) {
			t.Errorf("KnownCode(%q) = true", c)
		}
	}
}
