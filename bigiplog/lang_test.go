package bigiplog

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

func hasJapanese(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han)
	}) >= 0
}

// encodeAllLang is encodeAll in a language.
func encodeAllLang(t *testing.T, format, lang string) string {
	t.Helper()
	o := testOptions
	o.Format, o.Lang = format, lang
	enc, err := NewEncoder(o)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, ge := range goldenEntries() {
		buf, err := enc.Clone().EncodeEntry(ge.ent, ge.fields)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(buf.Bytes())
		buf.Free()
	}
	return out.String()
}

// TestEncoderGoldenJA keeps the Japanese bigip and json output under
// review.
func TestEncoderGoldenJA(t *testing.T) {
	for _, format := range []string{"bigip", "json"} {
		t.Run(format, func(t *testing.T) {
			got := encodeAllLang(t, format, explain.LangJA)
			path := filepath.Join("testdata", format+"_ja.golden")
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
				t.Errorf("%s mismatch:\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

// TestJapaneseKeepsBigIPLines: the language changes our words only; the
// BIG-IP lines and the [conn N code] tags are the same in both.
func TestJapaneseKeepsBigIPLines(t *testing.T) {
	en := strings.Split(encodeAllLang(t, "bigip", explain.LangEN), "\n")
	ja := strings.Split(encodeAllLang(t, "bigip", explain.LangJA), "\n")
	if len(en) != len(ja) {
		t.Fatalf("%d English lines, %d Japanese", len(en), len(ja))
	}
	for i := range en {
		isBigIP := strings.Contains(en[i], " tmm[") || strings.Contains(en[i], " tmm1[")
		switch {
		case isBigIP && en[i] != ja[i]:
			t.Errorf("BIG-IP line %d differs:\n en %q\n ja %q", i, en[i], ja[i])
		case strings.Contains(en[i], "] summary: "):
			tag := en[i][:strings.Index(en[i], "] summary: ")+1]
			if !strings.HasPrefix(ja[i], tag+" 概要: ") || !hasJapanese(ja[i][len(tag):]) {
				t.Errorf("line %d: %q", i, ja[i])
			}
		case strings.Contains(en[i], "] evidence first_bytes: "):
			if !strings.Contains(ja[i], "] 根拠 先頭バイト: ") {
				t.Errorf("line %d: evidence label %q", i, ja[i])
			}
		case strings.Contains(en[i], " fault] rule "):
			if !strings.Contains(ja[i], " fault] ルール ") {
				t.Errorf("line %d: fault line %q", i, ja[i])
			}
		}
	}
}

// TestJSONJapanese: the JSON keys and codes stay; the message, summary,
// cause and checks are Japanese.
func TestJSONJapanese(t *testing.T) {
	for _, line := range strings.Split(strings.TrimSpace(encodeAllLang(t, "json", explain.LangJA)), "\n") {
		var rec struct {
			Msg  string         `json:"msg"`
			Conn map[string]any `json:"conn"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Conn == nil {
			continue
		}
		code, _ := rec.Conn["diagnosis"].(string)
		summary, _ := rec.Conn["summary"].(string)
		cause, _ := rec.Conn["cause"].(string)
		if code == "" || !hasJapanese(cause) {
			t.Errorf("conn %v: code %q cause %q", rec.Conn["id"], code, cause)
		}
		if rec.Msg != "conn" && rec.Msg != summary {
			t.Errorf("msg %q is neither the entry's nor the summary %q", rec.Msg, summary)
		}
	}
	// The listener logs the English summary as the message: it becomes
	// the Japanese one.
	o := plaintextOutcome()
	enc, err := NewEncoder(Options{Format: "json", Host: "h", PID: 1, Lang: explain.LangJA})
	if err != nil {
		t.Fatal(err)
	}
	d := explain.Diagnose(o)
	buf, err := enc.EncodeEntry(zapcore.Entry{Level: zapcore.WarnLevel, Time: testTime, Message: d.Summary},
		[]zapcore.Field{{Key: EventKey, Type: zapcore.ObjectMarshalerType, Interface: Event{Outcome: o, Diagnosis: &d}}})
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Msg string `json:"msg"`
	}
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil || rec.Msg != explain.DiagnoseLang(o, explain.LangJA).Summary {
		t.Errorf("msg %q, %v", rec.Msg, err)
	}
}

func TestLabelsJapanese(t *testing.T) {
	en, ja := labelsFor(explain.LangEN), labelsFor(explain.LangJA)
	pairs := [][2]string{{en.summary, ja.summary}, {en.cause, ja.cause}, {en.check, ja.check}, {en.clientSaw, ja.clientSaw},
		{en.evidence, ja.evidence}, {en.warning, ja.warning}, {en.ruleFired, ja.ruleFired}, {en.firingAt, ja.firingAt}, {en.shouldSee, ja.shouldSee}}
	for _, p := range pairs {
		if strings.Count(p[0], "%") != strings.Count(p[1], "%") || !hasJapanese(p[1]) {
			t.Errorf("label %q / %q", p[0], p[1])
		}
	}
}

// TestSyslogJapanese: the remote syslog form speaks the configured
// language too.
func TestSyslogJapanese(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	o := testOptions
	o.Lang = explain.LangJA
	core, err := NewSyslogCore("udp", pc.LocalAddr().String(), o, zapcore.InfoLevel, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer core.(interface{ Close() error }).Close()
	writeEvents(t, core)
	buf := make([]byte, 64<<10)
	for range 3 {
		// A generous deadline only guards against a hang; it asserts nothing.
		if err := pc.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		if line := string(buf[:n]); strings.Contains(line, "tlsgate[") {
			if !strings.Contains(line, "[conn 43 plaintext_on_tls] 概要: ") {
				t.Errorf("first own line %q", line)
			}
			return
		}
	}
	t.Error("no line of ours among the first three")
}
