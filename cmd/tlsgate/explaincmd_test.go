package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/lab"
)

// explainSamples are the verbatim lines of bigip-log.md §1.3, from the
// explain package's testdata (comments dropped).
func explainSamples(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../explain/testdata/lines/bigip_samples.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func runExplain(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := explainMain(args, strings.NewReader(stdin), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// TestExplainScenariosExist: every lab scenario an explanation points at
// is in the catalog, so `tlsgate lab --only NAME` works for it.
func TestExplainScenariosExist(t *testing.T) {
	names := map[string]bool{}
	for _, s := range lab.Catalog() {
		names[s.Name] = true
	}
	refs := explain.LineScenarios()
	if len(refs) == 0 {
		t.Fatal("no scenario referenced")
	}
	for _, n := range refs {
		if !names[n] {
			t.Errorf("explanations refer to lab scenario %q, which the catalog does not have", n)
		}
	}
}

// TestExplainSamplesStdin: the 14 samples on stdin, with blank lines in
// between, give 12 events (rows 5–7 are one connection).
func TestExplainSamplesStdin(t *testing.T) {
	in := strings.Join(explainSamples(t), "\n\n") + "\n"
	out, stderr, err := runExplain(t, in, "--json")
	if err != nil || stderr != "" {
		t.Fatalf("err %v, stderr %q", err, stderr)
	}
	var rep struct {
		Lang   string `json:"lang"`
		Events []struct {
			Lines []struct {
				Number int    `json:"number"`
				ID     string `json:"id"`
				Raw    string `json:"raw"`
			} `json:"lines"`
			Explanation explain.LineExplanation `json:"explanation"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Lang != "en" || len(rep.Events) != 12 {
		t.Fatalf("lang %s, %d events", rep.Lang, len(rep.Events))
	}
	group := rep.Events[4]
	if len(group.Lines) != 3 || group.Lines[0].Number != 9 || group.Lines[2].ID != "01260013" ||
		group.Explanation.Key != "01260009/no shared ciphers" || group.Explanation.Sides[0].Endpoint != "192.168.99.86:32962" {
		t.Errorf("group event %+v", group)
	}
	if e := rep.Events[10].Explanation; e.Key != "throttle" || !strings.Contains(e.Title, "018e0017") {
		t.Errorf("throttle event %+v", e)
	}
}

// TestExplainText: the famous misreading, as an argument, in both languages.
func TestExplainText(t *testing.T) {
	line := "Feb  1 08:12:14 bigip warning tmm1[9244]: 01260013:4: SSL Handshake failed for TCP 198.51.100.7:80 -> 203.0.113.10:443"
	out, _, err := runExplain(t, "", line)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"== event 1: SSL handshake failed (the summary line)",
		"   " + line,
		"Sides of the arrow:\n   198.51.100.7:80   client: its address and ephemeral source port",
		"   203.0.113.10:443  virtual server: the address and port the client connected to",
		"Likely causes (most likely first):\n   1. The client rejected the certificate",
		"nothing was forwarded from port 80 to port 443",
		"Reproduce in the lab:\n   tlsgate lab --only untrusted-root",
		"Read from the line: time Feb  1 08:12:14; host bigip; process tmm1[9244]; severity 4 warning; message ID 01260013:4",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	ja, _, err := runExplain(t, "", line, "--lang", "ja")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"== イベント 1: SSL ハンドシェイク失敗（サマリ行）", "矢印の左右:", "考えられる原因（可能性の高い順）:",
		"最初に確認すること:", "ラボで再現:\n   tlsgate lab --only untrusted-root", "80 番から 443 番へ何かが転送されたわけではない", "行から読み取れたこと: 時刻 Feb  1 08:12:14"} {
		if !strings.Contains(ja, want) {
			t.Errorf("Japanese output lacks %q:\n%s", want, ja)
		}
	}
}

// TestExplainFallbackScenario: BIG-IP's TLS_FALLBACK_SCSV refusal points to
// the lab scenario that reproduces it, and the line's alert is read.
func TestExplainFallbackScenario(t *testing.T) {
	line := "Feb  1 08:12:14 bigip warning tmm2[217019]: 01260009:4: Connection error: ssl_select_suite:9301: TLS_FALLBACK_SCSV with a lower protocol (86)"
	for _, lang := range []string{"en", "ja"} {
		out, _, err := runExplain(t, "", line, "--lang", lang)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "tlsgate lab --only fallback-scsv") || strings.Contains(out, "no lab scenario") {
			t.Errorf("%s: output does not point to the fallback-scsv scenario:\n%s", lang, out)
		}
		if !strings.Contains(out, "-tls1_2 -fallback_scsv") {
			t.Errorf("%s: output lacks the openssl command that reproduces it:\n%s", lang, out)
		}
	}
}

// TestExplainUnknown: an unknown ID is said to be unknown; a line that is
// no BIG-IP line at all is reported on stderr, and only such lines fail.
func TestExplainUnknown(t *testing.T) {
	out, stderr, err := runExplain(t, "", "Jan 17 04:42:37 bigip01 info tmm1[23068]: 0126abcd:6: something new 10.0.0.1:443")
	if err != nil || stderr != "" {
		t.Fatalf("err %v, stderr %q", err, stderr)
	}
	if !strings.Contains(out, "unknown message ID 0126abcd: not one tlsgate knows") || !strings.Contains(out, "addresses 10.0.0.1:443") ||
		!strings.Contains(out, "no lab scenario reproduces this line") {
		t.Errorf("output:\n%s", out)
	}
	_, stderr, err = runExplain(t, "not a log line\n", "--lang", "ja")
	if err == nil || !strings.HasPrefix(stderr, "tlsgate: explain: line 1: not a BIG-IP log line: ") {
		t.Errorf("err %v, stderr %q", err, stderr)
	}
	var ue usageError
	if errors.As(err, &ue) {
		t.Errorf("unreadable input is not a usage error: %v", err)
	}
}

func TestExplainUsage(t *testing.T) {
	for _, tc := range []struct {
		stdin string
		args  []string
	}{
		{"", nil},
		{"\n  \n", nil},
		{"", []string{"--lang", "fr", "01260013:4: x"}},
		{"", []string{"--nope"}},
	} {
		_, _, err := runExplain(t, tc.stdin, tc.args...)
		var ue usageError
		if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), "explain: ") {
			t.Errorf("%q %v: err %v, want a usage error", tc.stdin, tc.args, err)
		}
	}
	out, _, err := runExplain(t, "", "--help")
	if !errors.Is(err, errHelp) || !strings.Contains(out, "Usage: tlsgate explain") {
		t.Errorf("--help: %v %q", err, out)
	}
}

// TestExplainLongLineStdin: a line past explain.MaxLineLen on stdin is
// refused as too long, with its real length, and the lines around it are
// still explained, as they are when the same lines come as arguments.
func TestExplainLongLineStdin(t *testing.T) {
	good := "Feb  1 08:12:14 pua-bigip warning tmm[9244]: 01260013:4: SSL Handshake failed for TCP 192.168.99.86:32962 -> 192.168.20.230:636"
	long := "Feb  1 08:12:14 h warning tmm[1]: 01260013:4: SSL Handshake failed for TCP " + strings.Repeat("x", explain.MaxLineLen+5000)
	for _, tc := range []struct {
		name  string
		stdin string
		size  int
	}{
		{"in the middle", good + "\n" + long + "\n" + good + "\n", len(long)},
		{"last, without a newline", good + "\n" + long, len(long)},
		{"ending in CRLF", good + "\r\n" + long + "\r\n", len(long)},
		{"far past the read buffer", good + "\n" + long + long + long + "\n", 3 * len(long)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, err := runExplain(t, tc.stdin)
			if err != nil {
				t.Fatalf("err %v, stderr %q", err, stderr)
			}
			if !strings.Contains(out, "== event 1: SSL handshake failed") || !strings.Contains(out, "192.168.20.230:636") {
				t.Errorf("the good line is not explained:\n%.400s", out)
			}
			want := fmt.Sprintf("tlsgate: explain: line 2: line too long: %d bytes (at most %d)\n", tc.size, explain.MaxLineLen)
			if stderr != want {
				t.Errorf("stderr %q, want %q", stderr, want)
			}
		})
	}
}

// TestExplainSkipsOwnLines: tlsgate's own log (BIG-IP lines, then its own
// tlsgate[PID] lines) pasted whole explains the BIG-IP group once; the own
// lines are counted on stderr, not each made an event of "no message ID".
func TestExplainSkipsOwnLines(t *testing.T) {
	own := []string{
		"Nov 28 16:34:13 lab warning tlsgate[7150]: [conn 1 plaintext_on_tls] summary: plaintext http from 127.0.0.1:44994 on TLS listener term (127.0.0.1:19301); non_ssl action: reset",
		"Nov 28 16:34:13 lab warning tlsgate[7150]: [conn 1 plaintext_on_tls] check 1: Check the URL the client uses: it must be https://127.0.0.1:19301/, not http://.",
		"Nov 28 16:34:21 lab warning tlsgate[7150]: max_connections reached: connections refused with a reset listener=maxconn",
	}
	group := []string{
		"Nov 28 16:34:13 lab warning tmm1[7150]: 01260009:4: Connection error: ssl_passthru:5234: not SSL (40)",
		"Nov 28 16:34:13 lab warning tmm1[7150]: 01260013:4: SSL Handshake failed for TCP 127.0.0.1:44994 -> 127.0.0.1:19301",
	}
	tests := []struct {
		name      string
		lines     []string
		events    int
		wantErr   bool
		errSubstr string
	}{
		{"BIG-IP group with tlsgate's lines", append(append([]string{}, group...), own...), 1, false, ""},
		{"tlsgate's lines only", own, 0, true, "all are tlsgate's own"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, err := runExplain(t, strings.Join(tt.lines, "\n")+"\n")
			if (err != nil) != tt.wantErr || (err != nil && !strings.Contains(err.Error(), tt.errSubstr)) {
				t.Fatalf("err %v, want error %t (%q)", err, tt.wantErr, tt.errSubstr)
			}
			var ue usageError
			if errors.As(err, &ue) {
				t.Errorf("tlsgate's own lines are no usage error: %v", err)
			}
			if n := strings.Count(out, "== event "); n != tt.events {
				t.Errorf("%d events, want %d:\n%s", n, tt.events, out)
			}
			if strings.Contains(out, "no message ID") {
				t.Errorf("an own line was explained as a line without an ID:\n%s", out)
			}
			if want := fmt.Sprintf("skipped %d of tlsgate's own line(s)", len(own)); !strings.Contains(stderr, want) {
				t.Errorf("stderr %q lacks %q", stderr, want)
			}
		})
	}
}
