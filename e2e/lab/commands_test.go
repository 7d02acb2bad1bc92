package labe2e

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
	"github.com/tlsgate/tlsgate/lab"
)

// backticked is a command (or any code) an explanation quotes.
var backticked = regexp.MustCompile("`([^`]+)`")

// verifyPromise is what a check says openssl s_client reports.
var verifyPromise = regexp.MustCompile(`reports verify error (\d+) `)

// curlPromise is the curl failure a check says to expect.
var curlPromise = regexp.MustCompile("`curl: \\((\\d+)\\) ([^`]+)`")

// printed is one command an explanation's check prints, with the check.
type printed struct{ cmd, check string }

// bounded is the `timeout N` prefix of a command expected to hang.
var bounded = regexp.MustCompile(`^timeout \d+ `)

// runnable picks the commands of the checks a trainee can paste as they
// are: curl, openssl s_client, a loop of curls, tlsgate fault, probe and
// ca export, each possibly bounded by `timeout N`. Those with a stand-in for
// the reader to fill (<iface>, …, another name) are templates, and a
// curl without a URL or an s_client without -connect is a list of
// options to add to a command (curl `--tlsv1.3`), not a command.
func runnable(checks []string) []printed {
	var out []printed
	for _, c := range checks {
		for _, m := range backticked.FindAllStringSubmatch(c, -1) {
			cmd := m[1]
			bare := bounded.ReplaceAllString(cmd, "")
			switch {
			case strings.HasPrefix(bare, "curl "):
				if !strings.Contains(bare, "://") {
					continue
				}
			case strings.HasPrefix(bare, "openssl s_client "):
				if !strings.Contains(bare, "-connect ") {
					continue
				}
			case strings.HasPrefix(bare, "tlsgate fault "), strings.HasPrefix(bare, "tlsgate probe "),
				strings.HasPrefix(bare, "tlsgate ca export"), strings.HasPrefix(bare, "for i in "):
			default:
				continue
			}
			if strings.Contains(strings.ReplaceAll(cmd, "</dev/null", ""), "<") || strings.Contains(cmd, "…") {
				continue
			}
			out = append(out, printed{cmd, c})
		}
	}
	return out
}

// checksOf is the checks of listener's n-th event.
func checksOf(t *testing.T, p *tg.Lab, listener string, n int) []string {
	t.Helper()
	waitEvent(t, p, listener, n)
	b, err := os.ReadFile(p.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, line := range tg.CompleteLines(string(b)) {
		var e struct {
			Conn struct {
				Listener string   `json:"listener"`
				Checks   []string `json:"checks"`
			} `json:"conn"`
		}
		if json.Unmarshal([]byte(line), &e) != nil || e.Conn.Listener != listener {
			continue
		}
		if seen++; seen == n {
			return e.Conn.Checks
		}
	}
	t.Fatalf("no event %d for %s", n, listener)
	return nil
}

// demoHello is what the demo backend answers through a working port.
const demoHello = "hello from the tlsgate demo backend"

// want is what one printed command does on its scenario's lab: the
// command that contains has ends with exit status code and prints out.
type want struct {
	has  string
	code int
	out  string
}

// printedWants are, per scenario, the printed commands the general rules
// of TestPrintedCommandsWork do not cover (a curl that works where the Try
// fails, an s_client without a verify promise, a command bounded by
// timeout, a probe), and what each does. Every one must be printed.
var printedWants = map[string][]want{
	"security-software-interception": {{"curl --cacert", 0, demoHello}, {"tlsgate ca export", 0, "-----BEGIN CERTIFICATE-----"}},
	// Offering the server's highest version, as the check says, works.
	"fallback-scsv": {{"-servername localhost </dev/null", 0, "Protocol  : TLSv1.3"}},
	"mtls-required": {{"--cert ", 0, demoHello}},
	"sslv3-server":  {{"-msg", 1, "unsupported protocol"}},
	// s_client shows the staple and does not judge it; the probe does.
	"ocsp-expired": {{"-status </dev/null", 0, "OCSP Response Status: successful"},
		{"tlsgate probe", 0, "stapled OCSP response expired"}},
	"ocsp-not-yet-valid": {{"-status </dev/null", 0, "OCSP Response Status: successful"},
		{"tlsgate probe", 0, "stapled OCSP response is not valid yet"}},
	// Capped at TLS 1.2, the hello passes the intolerant middlebox.
	"tls13-intolerant-middlebox": {{"--tls-max 1.2", 0, demoHello}, {"-tls1_2 </dev/null", 0, "Protocol  : TLSv1.2"}},
	// Only the blocked name is reset; no SNI and another name pass.
	"waf-sni-reset": {{"-servername www.blocked.test", 1, "errno=104"}, {"-noservername", 0, "CONNECTED("},
		{"other.example", 0, demoHello}},
	// The hello is never answered: each command ends on its bound.
	"silent-drop": {{"timeout 10 openssl s_client -connect 127.0.0.1:{port} -servername", 124, ""},
		{"timeout 10 openssl s_client -connect 127.0.0.1:{port} -noservername", 124, ""},
		{"other.example", 28, "timed out after"}, {"tlsgate probe", 1, "no answer to the ClientHello"}},
	"pmtud-blackhole": {{"curl -v --max-time 10", 28, "Client hello (1)"}},
	"plaintext-reply": {{"curl -v http://", 0, "403 Forbidden"}},
	// The lab origin, the real server behind the proxy, is fine.
	"rewriting-proxy": {{"openssl s_client -connect 127.0.0.1:{origin}", 0, "CONNECTED("}},
	// The second certificate's constraints, as the check reads them.
	"name-constrained-intermediate": {{"X509v3 Name Constraints", 0, "Permitted:\n                  DNS:example.net"}},
}

// printsNone are the scenarios whose explanation prints no whole command:
// the versions and ciphers a client could add are options (curl
// `--tlsv1.3`), another name is a template, and a config scenario's fix
// is in the config. A command added to their texts gets an expectation.
var printsNone = map[string]bool{
	"old-client-tls10": true, "server-tls10-only": true, "server-tls13-only": true, "no-shared-cipher": true,
	"sni-required": true, "cipher-key-mismatch": true, "http-date-skew": true, "http-to-tls-port": true,
	"tls-to-plain-port": true, "waf-block-page": true,
}

// tryExit is the exit status of a Try whose client is not curl (curl's
// comes from the catalog, see lab.Scenario.ExpectExit): openssl s_client
// and tlsgate lab client end with 1 on a failed handshake.
var tryExit = map[string]int{"old-client-tls10": 1, "fallback-scsv": 1, "large-client-hello": 1}

// TestPrintedCommandsWork runs, for every scenario, every command the
// explanation of the Try connection prints, against the same lab, and
// holds each to what its text promises: openssl's verify error by number,
// a curl that shows the scenario's fault (the Try's exit status, not a
// (60) for the lab CA it was not given), the commands of printedWants to
// theirs, and `tlsgate fault disable` reaching this lab's rules, after
// which the Try works. They used to send the wrong SNI, leave out the lab
// CA and --cert-status, name a client certificate the lab did not have
// and export the CA of the default directory, not the lab's,
// hang past a minute on an unanswered hello, and switch the rules of
// whatever listened on the default admin port. A scenario whose listener
// is held down prints its command in the down line: checkDown runs it.
func TestPrintedCommandsWork(t *testing.T) {
	needTool(t, "curl")
	needTool(t, "openssl")
	needTool(t, "timeout")
	blocks := tg.NewPortBlocks()
	catalog := lab.Catalog()
	for index, s := range catalog {
		name := s.Name
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := tg.StartLab(t, blocks, tlsgateBin, "--only", name)
			vars := lab.Vars{Port: p.Base + index, Origin: lab.OriginPort(p.Base), CA: p.CAFile}
			try := lab.Expand(s.Try, vars)
			tryCode, ok := s.ExpectExit()
			if code, other := tryExit[name]; other {
				tryCode, ok = code, true
			}
			if !ok {
				t.Fatalf("%s: the Try %q promises no exit status", name, s.Try)
			}
			if out, code := runShell(t, try); code != tryCode || !s.MatchClient(out) {
				t.Fatalf("%s\nexit status %d, want %d and %q:\n%s", try, code, tryCode, s.ExpectClient, out)
			}
			if s.ExpectDown {
				checkDown(t, p, s, vars)
				p.Stop(t)
				return
			}
			cmds := runnable(checksOf(t, p, name, 1))
			if printsNone[name] {
				if len(cmds) != 0 {
					t.Fatalf("the explanation prints %d commands, none expected: give them a want: %q", len(cmds), cmds)
				}
				p.Stop(t)
				return
			}
			if len(cmds) == 0 {
				t.Fatal("the explanation prints no command to run")
			}
			wants := printedWants[name]
			used := make([]bool, len(wants))
			var switches []printed
			for _, c := range cmds {
				if strings.HasPrefix(c.cmd, "tlsgate fault disable") || strings.HasPrefix(c.cmd, "tlsgate fault rm") {
					switches = append(switches, c)
					continue
				}
				if i := slices.IndexFunc(wants, func(w want) bool { return strings.Contains(c.cmd, lab.Expand(w.has, vars)) }); i >= 0 {
					used[i] = true
					if out, code := runShell(t, c.cmd); code != wants[i].code || !strings.Contains(out, wants[i].out) {
						t.Errorf("%s\nexit status %d, want %d and %q:\n%s", c.cmd, code, wants[i].code, wants[i].out, out)
					}
					continue
				}
				checkPrinted(t, s, c, tryCode)
			}
			for i, w := range wants {
				if !used[i] {
					t.Errorf("no printed command holds %q: %q", lab.Expand(w.has, vars), cmds)
				}
			}
			if len(switches) == 0 {
				if len(s.Faults) > 0 && len(wants) == 0 {
					t.Fatal("the explanation says nothing of switching the fault off")
				}
				p.Stop(t)
				return
			}
			// The first one the text gives turns the fault off; another
			// (rm after disable) would find the rule gone or off.
			off := switches[0]
			if out, code := runShell(t, off.cmd); code != 0 {
				t.Fatalf("%s\nexit status %d:\n%s", off.cmd, code, out)
			}
			// Runtime changes apply to the next connection: the rule is
			// off once the API answered. The Try then works, or fails as
			// the check says it will without the rule.
			wantOff, wantText := 0, ""
			if m := curlPromise.FindStringSubmatch(off.check); m != nil {
				wantOff, wantText = atoi(m[1]), m[2]
			}
			if out, code := runShell(t, try); code != wantOff || !strings.Contains(out, wantText) {
				t.Errorf("%s\nafter %s: exit status %d, want %d %q (%s):\n%s", try, off.cmd, code, wantOff, wantText, off.check, out)
			}
			p.Stop(t)
		})
	}
}

// checkPrinted holds a printed command printedWants does not name to the
// general rules: tlsgate fault works, openssl keeps its check's verify
// promise, and a curl shows the scenario's fault as the Try did.
func checkPrinted(t *testing.T, s lab.Scenario, c printed, tryCode int) {
	t.Helper()
	out, code := runShell(t, c.cmd)
	switch {
	case strings.HasPrefix(c.cmd, "tlsgate "):
		if code != 0 {
			t.Errorf("%s\nexit status %d:\n%s", c.cmd, code, out)
		}
	case strings.HasPrefix(c.cmd, "openssl"):
		if m := verifyPromise.FindStringSubmatch(c.check); m != nil {
			if !strings.Contains(out, "verify error:num="+m[1]+":") {
				t.Errorf("%s\nprints no verify error %s, as its check promises (%s):\n%s", c.cmd, m[1], c.check, out)
			}
		} else if strings.Contains(c.check, "The chain itself verifies") && !strings.Contains(out, "Verify return code: 0 (ok)") {
			t.Errorf("%s\ndoes not verify, as its check promises:\n%s", c.cmd, out)
		} else if !strings.Contains(c.cmd, "x509 -noout -dates") {
			t.Errorf("%s\nhas no promise to hold it to: give it a want in printedWants:\n%s", c.cmd, out)
		}
		if strings.Contains(c.cmd, "x509 -noout -dates") && !strings.Contains(out, "notAfter=") {
			t.Errorf("%s\nprints no dates:\n%s", c.cmd, out)
		}
	case strings.Contains(c.cmd, "grep -i '^date:'"):
		if code != 0 || !strings.Contains(strings.ToLower(out), "date:") {
			t.Errorf("%s\nexit status %d, want the server's Date:\n%s", c.cmd, code, out)
		}
	default: // curl, or a loop of curls
		if code != tryCode || !s.MatchClient(out) {
			t.Errorf("%s\nexit status %d, want the Try's %d and %q (the scenario's fault):\n%s", c.cmd, code, tryCode, s.ExpectClient, out)
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
