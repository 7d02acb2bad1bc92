package labe2e

import (
	"encoding/json"
	"os"
	"regexp"
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

// runnable picks the commands of the checks a trainee can paste as they
// are: curl, openssl s_client, a loop of curls and tlsgate fault. Those
// with a stand-in for the reader to fill (<iface>, …, another name) are
// templates, not commands.
func runnable(checks []string) []printed {
	var out []printed
	for _, c := range checks {
		for _, m := range backticked.FindAllStringSubmatch(c, -1) {
			cmd := m[1]
			if !strings.HasPrefix(cmd, "curl ") && !strings.HasPrefix(cmd, "openssl s_client ") &&
				!strings.HasPrefix(cmd, "tlsgate fault ") && !strings.HasPrefix(cmd, "for i in ") {
				continue
			}
			if strings.Contains(strings.ReplaceAll(cmd, "</dev/null", ""), "<") || strings.Contains(cmd, "…") ||
				strings.Contains(cmd, "other.example") {
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

// TestPrintedCommandsWork runs, for the scenarios a rule breaks (not a
// config or the client's own settings), every command the explanation of
// the Try connection prints, against the same lab, and holds each to what
// its text promises: openssl's verify error by number,
// a curl that shows the scenario's fault (the Try's exit status, not a
// (60) for the lab CA it was not given), and `tlsgate fault disable`
// reaching this lab's rules, after which the Try works. They used to
// send the wrong SNI, leave out the lab CA and --cert-status, and switch
// the rules of whatever listened on the default admin port.
func TestPrintedCommandsWork(t *testing.T) {
	needTool(t, "curl")
	needTool(t, "openssl")
	blocks := tg.NewPortBlocks()
	catalog := lab.Catalog()
	for _, name := range []string{
		"clock-ahead", "clock-behind", "expired", "not-yet-valid", "wrong-host", "self-signed", "untrusted-root",
		"untrusted-root-in-chain", "incomplete-chain", "default-cert-no-sni",
		"ocsp-expired", "ocsp-not-yet-valid", "bit-flip", "proxy-clock-skew", "waf-sni-reset", "sslv3-server",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, err := lab.Find(catalog, name)
			if err != nil {
				t.Fatal(err)
			}
			index := -1
			for i, c := range catalog {
				if c.Name == name {
					index = i
				}
			}
			p := tg.StartLab(t, blocks, tlsgateBin, "--only", name)
			vars := lab.Vars{Port: p.Base + index, Origin: lab.OriginPort(p.Base), CA: p.CAFile}
			try := lab.Expand(s.Try, vars)
			want, ok := s.ExpectExit()
			if !ok {
				t.Fatalf("%s: the Try %q promises no curl exit status", name, s.Try)
			}
			if out, code := runShell(t, try); code != want {
				t.Fatalf("%s\nexit status %d, want %d:\n%s", try, code, want, out)
			}
			cmds := runnable(checksOf(t, p, name, 1))
			if len(cmds) == 0 {
				t.Fatal("the explanation prints no command to run")
			}
			var switches []printed
			for _, c := range cmds {
				if strings.HasPrefix(c.cmd, "tlsgate fault disable") || strings.HasPrefix(c.cmd, "tlsgate fault rm") {
					switches = append(switches, c)
					continue
				}
				out, code := runShell(t, c.cmd)
				switch {
				case strings.HasPrefix(c.cmd, "tlsgate fault"):
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
					}
					if strings.Contains(c.cmd, "x509 -noout -dates") && !strings.Contains(out, "notAfter=") {
						t.Errorf("%s\nprints no dates:\n%s", c.cmd, out)
					}
				default: // curl, or a loop of curls
					if strings.Contains(c.cmd, "grep -i '^date:'") {
						if code != 0 || !strings.Contains(strings.ToLower(out), "date:") {
							t.Errorf("%s\nexit status %d, want the server's Date:\n%s", c.cmd, code, out)
						}
						continue
					}
					if code != want || !s.MatchClient(out) {
						t.Errorf("%s\nexit status %d, want the Try's %d and %q (the scenario's fault):\n%s", c.cmd, code, want, s.ExpectClient, out)
					}
				}
			}
			if len(switches) == 0 {
				t.Fatal("the explanation says nothing of switching the fault off")
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
				wantOff, _ = strconv.Atoi(m[1])
				wantText = m[2]
			}
			if out, code := runShell(t, try); code != wantOff || !strings.Contains(out, wantText) {
				t.Errorf("%s\nafter %s: exit status %d, want %d %q (%s):\n%s", try, off.cmd, code, wantOff, wantText, off.check, out)
			}
			p.Stop(t)
		})
	}
}
