package labe2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
	"github.com/tlsgate/tlsgate/lab"
)

// ltmWithID picks the BIG-IP lines that carry a message ID; the ID-less
// session-log lines tlsgate adds for good handshakes are not part of a
// scenario's failure group.
var ltmWithID = regexp.MustCompile(`^[0-9a-f]{8}:[0-7]: `)

// clientTool is the external program a command starts with.
func clientTool(cmd string) string {
	f := strings.Fields(cmd)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// TestScenarios runs every catalog scenario alone and checks the whole
// story: the client's symptom (and curl's exit status), tlsgate's
// diagnosis code, the fault rules that fired, the BIG-IP lines, and that
// the Compare command works on the same port.
func TestScenarios(t *testing.T) {
	blocks := tg.NewPortBlocks()
	for i, s := range lab.Catalog() {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			for _, cmd := range []string{s.Try, s.Compare} {
				if tool := clientTool(cmd); tool != "" && tool != "tlsgate" {
					needTool(t, tool)
				}
			}
			args := []string{"--only", s.Name}
			if s.ExpectDown {
				args = append(args, "--admin", "127.0.0.1:0") // to remove the rule
			}
			p := tg.StartLab(t, blocks, tlsgateBin, args...)
			vars := lab.Vars{Port: p.Base + i, Origin: lab.OriginPort(p.Base), CA: p.CAFile}
			if !strings.Contains(p.Stdout.String(), lab.Expand(s.Try, vars)) {
				t.Errorf("the table does not show the command to try:\n%s", p.Stdout.String())
			}

			try := lab.Expand(s.Try, vars)
			out, code := runShell(t, try)
			if want, ok := s.ExpectExit(); ok && code != want {
				t.Errorf("%s\nexit status %d, want %d:\n%s", try, code, want, out)
			}
			if !s.MatchClient(out) {
				t.Errorf("%s\nclient output does not show %q:\n%s", try, s.ExpectClient, out)
			}

			if s.ExpectDown {
				checkDown(t, p, s, vars)
				p.Stop(t)
				return
			}
			e := waitEvent(t, p, s.Name, 1)
			if e.Conn.Diagnosis != s.ExpectCode {
				t.Errorf("diagnosis %q, want %q (%s)", e.Conn.Diagnosis, s.ExpectCode, e.Conn.Summary)
			}
			fired := e.faultNames()
			for _, name := range s.FaultNames() {
				if !slices.Contains(fired, name) {
					t.Errorf("fault %q did not fire (fired: %q)", name, fired)
				}
			}
			// The catalog's lines are what the virtual server logs. In the
			// inspect scenarios tlsgate is the middlebox in front of it,
			// so its lines describe the interceptor, not the server.
			if s.Listener.Mode != "inspect" {
				var lines []string
				for _, l := range e.Conn.BigIP {
					if ltmWithID.MatchString(l) {
						lines = append(lines, l)
					}
				}
				if want := s.BigIPLines(e.Conn.Client, e.Conn.Virtual); !slices.Equal(lines, want) {
					t.Errorf("BIG-IP lines:\n got %q\nwant %q", lines, want)
				}
			}

			if s.Compare != "" {
				cmp := lab.Expand(s.Compare, vars)
				out, code := runShell(t, cmp)
				if code != 0 || !strings.Contains(out, s.CompareExpect) {
					t.Errorf("%s\nexit status %d, want 0 with %q:\n%s", cmp, code, s.CompareExpect, out)
				}
			}
			p.Stop(t)
		})
	}
}

// TestLabAll starts the whole catalog at once, as a class would, and checks
// the table lists every scenario on its port with its command.
func TestLabAll(t *testing.T) {
	needTool(t, "curl")
	p := tg.StartLab(t, tg.NewPortBlocks(), tlsgateBin)
	table := p.Stdout.String()
	for i, s := range lab.Catalog() {
		vars := lab.Vars{Port: p.Base + i, Origin: lab.OriginPort(p.Base), CA: p.CAFile}
		row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(s.Name) + `\s+` + string(s.Family) + `\s+` +
			regexp.QuoteMeta(strconv.Itoa(p.Base+i)) + `\s+` + regexp.QuoteMeta(lab.Expand(s.Try, vars)) + `$`)
		if !row.MatchString(table) {
			t.Errorf("no table row for %s on port %d:\n%s", s.Name, p.Base+i, table)
		}
	}
	// One healthy request through the demo backend proves the shared
	// helpers run beside every scenario.
	s, err := lab.Find(lab.Catalog(), "sni-required")
	if err != nil {
		t.Fatal(err)
	}
	cmp := lab.Expand(s.Compare, lab.Vars{Port: p.Base + index(t, s.Name), CA: p.CAFile})
	if out, code := runShell(t, cmp); code != 0 || !strings.Contains(out, s.CompareExpect) {
		t.Errorf("%s: exit %d:\n%s", cmp, code, out)
	}
	p.Stop(t)
}

// TestLabCLI covers the subcommand's other modes through the binary.
func TestLabCLI(t *testing.T) {
	md, err := os.ReadFile(filepath.Join("..", "..", "docs", "scenarios.md"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     string
		wantCode int
		want     []string
	}{
		{"list", "--list", 0, []string{"SCENARIO", "clock-ahead", "client", "rewriting-proxy", "network"}},
		{"list ja", "--list --lang ja", 0, []string{"クライアントの時計が進んでいる"}},
		{"markdown is the committed page", "--markdown", 0, []string{string(md)}},
		{"unknown scenario", "--only nope", 2, []string{`no scenario "nope"`, "clock-ahead"}},
		{"bad language", "--lang fr", 2, []string{"want en or ja"}},
		{"client without URL", "client", 2, []string{"want one https:// URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := runShell(t, "tlsgate lab "+tt.args)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d:\n%s", code, tt.wantCode, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func index(t *testing.T, name string) int {
	t.Helper()
	for i, s := range lab.Catalog() {
		if s.Name == name {
			return i
		}
	}
	t.Fatalf("no scenario %q", name)
	return -1
}

// checkDown is the rest of an ExpectDown scenario's story, after its Try
// was refused: the listener's down line names the rule and no connection
// was logged; once the rule is removed through the admin API, the up line
// follows and the same port serves the Try command.
func checkDown(t *testing.T, p *tg.Lab, s lab.Scenario, vars lab.Vars) {
	t.Helper()
	rule := s.FaultNames()[0]
	// The down line is the listener's once it serves, after the lab's
	// table is out, and the log is written in batches: wait for it.
	downs := listenerLines(t, p, "listener down", s.Name, rule)
	for deadline := time.Now().Add(eventWait); len(downs) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		downs = listenerLines(t, p, "listener down", s.Name, rule)
	}
	if n := len(downs); n != 1 {
		t.Errorf("%d listener down lines for %s naming rule %s, want 1", n, s.Name, rule)
	}
	if evs := events(t, p, s.Name); len(evs) != 0 {
		t.Errorf("a refused client was logged as a connection: %s", evs[0].Conn.Diagnosis)
	}
	// The command run is the one the down line advises: it names the
	// lab's admin API, on the port the kernel chose.
	rm := "tlsgate fault rm --admin http://" + p.AdminAddr(t) + " " + rule
	if len(downs) > 0 && !strings.Contains(downs[0], "("+rm+")") {
		t.Errorf("the down line does not advise %q:\n%s", rm, downs[0])
	}
	if out, code := runShell(t, rm); code != 0 {
		t.Fatalf("%s: exit %d:\n%s", rm, code, out)
	}
	for deadline := time.Now().Add(eventWait); len(listenerLines(t, p, "listener up", s.Name, rule)) == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(p.LogPath)
			t.Fatalf("no listener up line for %s after the rule was removed:\n%s", s.Name, b)
		}
	}
	try := lab.Expand(s.Try, vars)
	if out, code := runShell(t, try); code != 0 || !strings.Contains(out, "hello from the tlsgate demo backend") {
		t.Errorf("%s once the rule was removed: exit %d:\n%s", try, code, out)
	}
	if e := waitEvent(t, p, s.Name, 1); e.Conn.Diagnosis != "ok" {
		t.Errorf("the request once the port listens again: diagnosis %q (%s)", e.Conn.Diagnosis, e.Conn.Summary)
	}
}

// listenerLines are the log lines whose message starts with msg, for
// listener and rule.
func listenerLines(t *testing.T, p *tg.Lab, msg, listener, rule string) []string {
	t.Helper()
	b, err := os.ReadFile(p.LogPath)
	if err != nil {
		t.Fatalf("read the lab log: %v", err)
	}
	var out []string
	for _, line := range tg.CompleteLines(string(b)) {
		var l struct {
			Msg      string `json:"msg"`
			Listener string `json:"listener"`
			Rule     string `json:"rule"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && strings.HasPrefix(l.Msg, msg) && l.Listener == listener && l.Rule == rule {
			out = append(out, line)
		}
	}
	return out
}
