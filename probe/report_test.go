package probe

import (
	"context"
	"encoding/json"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseSteps(t *testing.T) {
	cases := []struct {
		in   string
		want []int
		err  string
	}{
		{"1,3,4", []int{1, 3, 4}, ""},
		{"4,1,3,1", []int{1, 3, 4}, ""},
		{"1-3,7", []int{1, 2, 3, 7}, ""},
		{" 9 , 2 ", []int{2, 9}, ""},
		{"8-10", []int{8, 9, 10}, ""},
		{"0", nil, "from 1 to 10"},
		{"11", nil, "from 1 to 10"},
		{"5-2", nil, "runs backwards"},
		{"1,,2", nil, "empty item"},
		{"", nil, "empty item"},
		{"a-b", nil, "not a number"},
	}
	for _, tc := range cases {
		got, err := ParseSteps(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "probe: ") {
				t.Errorf("ParseSteps(%q) = %v, %v; want error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseSteps(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestSplitTarget(t *testing.T) {
	cases := []struct {
		in, host, port, err string
	}{
		{"lab.test:443", "lab.test", "443", ""},
		{"[::1]:8443", "::1", "8443", ""},
		{"127.0.0.1:1", "127.0.0.1", "1", ""},
		{"lab.test", "", "", "not HOST:PORT"},
		{":443", "", "", "has no host"},
		{"lab.test:0", "", "", "from 1 to 65535"},
		{"lab.test:https", "", "", "from 1 to 65535"},
		{"::1:443", "", "", "not HOST:PORT"},
	}
	for _, tc := range cases {
		h, p, err := SplitTarget(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("SplitTarget(%q) = %q, %q, %v; want error with %q", tc.in, h, p, err, tc.err)
			}
			continue
		}
		if err != nil || h != tc.host || p != tc.port {
			t.Errorf("SplitTarget(%q) = %q, %q, %v; want %q, %q", tc.in, h, p, err, tc.host, tc.port)
		}
	}
}

func TestFinalVerdict(t *testing.T) {
	st := func(n int, v Verdict, code string) Step {
		return Step{Number: n, Verdict: v, Code: code, Finding: code + " finding", Cause: code + " cause", Check: code + " check"}
	}
	cases := []struct {
		name    string
		steps   []Step
		verdict Verdict
		code    string
		step    int
	}{
		{"all pass", []Step{st(1, Pass, "connected"), st(3, Pass, "tls")}, Pass, "ok", 0},
		{"a warning", []Step{st(1, Pass, "connected"), st(4, Warn, "no_tls13")}, Warn, "no_tls13", 4},
		{"a failure beats a warning", []Step{st(4, Warn, "no_tls13"), st(7, Fail, "expired")}, Fail, "expired", 7},
		{"the stall explains the version timeouts", []Step{st(4, Fail, "no_version"), st(9, Fail, codeFlightStall)}, Fail, codeFlightStall, 9},
		{"a non-TLS answer explains the rest", []Step{st(3, Fail, "plain_http"), st(8, Fail, "neither"), st(7, Fail, "chain_invalid")}, Fail, "plain_http", 3},
		{"the banner comes before the hello", []Step{st(3, Fail, "ssh"), st(2, Fail, "ssh")}, Fail, "ssh", 2},
		{"large hello before the chain", []Step{st(7, Fail, "incomplete_chain"), st(8, Fail, "large_hello_intolerance")}, Fail, "large_hello_intolerance", 8},
		{"a cause beats a bare alert", []Step{st(3, Fail, "alert_handshake_failure"), st(5, Fail, "no_shared_cipher"), st(6, Fail, "no_variant")}, Fail, "no_shared_cipher", 5},
		{"SNI explains the alert", []Step{st(3, Fail, "alert_handshake_failure"), st(6, Fail, "sni_required")}, Fail, "sni_required", 6},
		{"a bare alert when nothing says more", []Step{st(3, Fail, "alert_handshake_failure"), st(6, Fail, "no_variant")}, Fail, "alert_handshake_failure", 3},
		{"a warning never beats a failure", []Step{st(3, Fail, "alert_handshake_failure"), st(4, Warn, "tls13_only")}, Fail, "alert_handshake_failure", 3},
		{"the HTTP layer comes last", []Step{st(10, Fail, "block_page"), st(7, Warn, "interception")}, Fail, "block_page", 10},
		{"only skips", []Step{st(4, Info, "skipped")}, Info, "nothing_judged", 0},
		{"nothing", nil, Info, "nothing_run", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := finalVerdict(tc.steps, newTr(LangEN))
			if f.Verdict != tc.verdict || f.Code != tc.code || f.Step != tc.step {
				t.Fatalf("got %+v; want %s %s from step %d", f, tc.verdict, tc.code, tc.step)
			}
			if f.Verdict == Fail && (f.Cause != tc.code+" cause" || f.Check != tc.code+" check") {
				t.Errorf("cause and check not carried over: %+v", f)
			}
		})
	}
}

func TestWriteText(t *testing.T) {
	rep := Report{Target: "lab.test:443", SNI: "lab.test", Steps: []Step{
		{Number: 1, Title: "TCP connect", Verdict: Pass, Finding: "connected"},
		{Number: 3, Title: "Answer to a ClientHello", Verdict: Fail, Code: "plain_http", Finding: "plain HTTP on this port",
			Evidence: []string{"HTTP/1.1 400"}, Cause: "no TLS here", Check: "the port"},
		{Number: 4, Title: "Protocol versions, each alone", Verdict: Info, Code: "skipped", Finding: "skipped: reasons",
			Attempts: []Attempt{{Label: "TLS 1.2", OK: true, Detail: "ok"}, {Label: "TLS 1.0", Detail: "alert 70"}}},
		{Number: 6, Title: "SNI", Verdict: Warn, Finding: "a missing SNI is refused"},
	}}
	rep.Final = finalVerdict(rep.Steps, newTr(LangEN))
	var sb strings.Builder
	if err := rep.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	out := sb.String()
	for _, want := range []string{
		"tlsgate probe lab.test:443 (SNI lab.test)\n",
		"✓ 1. TCP connect: connected\n",
		"✗ 3. Answer to a ClientHello: plain HTTP on this port\n      HTTP/1.1 400\n      likely cause: no TLS here\n      check first: the port\n",
		"· 4. Protocol versions, each alone: skipped: reasons\n",
		"      + TLS 1.2", "      - TLS 1.0",
		"! 6. SNI: a missing SNI is refused\n",
		"\nVerdict: FAIL plain HTTP on this port (step 3)\n  most likely cause: no TLS here\n  check first: the port\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"step":3`, `"verdict":"fail"`, `"code":"plain_http"`, `"final":{"verdict":"fail","step":3`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dialed := 0
	dial := func(context.Context, string, string) (net.Conn, error) { dialed++; return nil, context.Canceled }
	rep := Run(ctx, "127.0.0.1:9", Options{Dial: dial, Timeout: time.Second})
	if dialed != 0 || len(rep.Steps) != len(AllSteps()) {
		t.Fatalf("dialed %d times, %d steps; want no dial and %d skipped steps", dialed, len(rep.Steps), len(AllSteps()))
	}
	for _, s := range rep.Steps {
		if s.Code != "skipped" || !strings.Contains(s.Finding, "cancelled") {
			t.Errorf("step %d = %s %q; want skipped as cancelled", s.Number, s.Code, s.Finding)
		}
	}
	if rep.Failed() || rep.Final.Verdict != Info {
		t.Errorf("final %+v; want info", rep.Final)
	}
}

func TestFormatting(t *testing.T) {
	for in, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1518: "1,518", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := fmtInt(in); got != want {
			t.Errorf("fmtInt(%d) = %q; want %q", in, got, want)
		}
	}
	for in, want := range map[time.Duration]string{40 * time.Microsecond: "40 µs", 400 * time.Microsecond: "0.4 ms", 12 * time.Millisecond: "12 ms", 3 * time.Second: "3.0 s"} {
		if got := fmtDur(in); got != want {
			t.Errorf("fmtDur(%v) = %q; want %q", in, got, want)
		}
	}
	for in, want := range map[time.Duration]string{-10*24*time.Hour - time.Hour: "10 days", 24 * time.Hour: "1 day", 5 * time.Hour: "5 hours", time.Hour: "1 hour"} {
		if got := newTr(LangEN).days(in); got != want {
			t.Errorf("days(%v) = %q; want %q", in, got, want)
		}
	}
	for in, want := range map[time.Duration]string{-10*24*time.Hour - time.Hour: "10日", 24 * time.Hour: "1日", 5 * time.Hour: "5時間"} {
		if got := newTr(LangJA).days(in); got != want {
			t.Errorf("ja days(%v) = %q; want %q", in, got, want)
		}
	}
	for in, want := range map[string][2]string{"a": {"a", "a"}, "a,b": {"a and b", "a、b"}, "a,b,c": {"a, b and c", "a、b、c"}} {
		items := strings.Split(in, ",")
		if got := newTr(LangEN).list(items); got != want[0] {
			t.Errorf("list(%q) = %q; want %q", in, got, want[0])
		}
		if got := newTr(LangJA).list(items); got != want[1] {
			t.Errorf("ja list(%q) = %q; want %q", in, got, want[1])
		}
	}
}
