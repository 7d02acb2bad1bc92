package e2e

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// ltmPrefix is the syslog part of every /var/log/ltm line (bigip-log.md
// §1.1): BSD timestamp with a space-padded day, host, severity word,
// process[pid]. Our own lines use the process name "tlsgate".
const ltmPrefix = `^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] lab-bigip `

var (
	// tmmLineRe: "warning tmm1[1234]: 01260013:4: text" for ID'd SSL lines,
	// "info tmm[1234]: SSL Handshake details …" for ID-less session events.
	tmmLineRe = regexp.MustCompile(ltmPrefix + `(warning|info) (tmm[0-9]?)\[([0-9]+)\]: (?:(0126[0-9a-f]{4}):([0-7]): )?(.+)$`)
	ownLineRe = regexp.MustCompile(ltmPrefix + `(info|warning) tlsgate\[([0-9]+)\]: (.+)$`)
	connTagRe = regexp.MustCompile(`^\[conn ([0-9]+) ([a-z_]+)\] `)
	tsRe      = regexp.MustCompile(ltmPrefix[1:])
	sidRe     = regexp.MustCompile(`SID: [0-9a-f]{16}`)
	addrRe    = regexp.MustCompile(`127\.0\.0\.1([:.])([0-9]+)`)
	pidRe     = regexp.MustCompile(`\[[0-9]+\]: `)
	connIDRe  = regexp.MustCompile(`\[conn [0-9]+ `)
)

// TestBigIPFormat drives a few failures through a gateway logging in the
// "bigip" format and checks every ltm line's exact shape, then compares the
// stable parts with testdata/bigip.golden (go test -update rewrites it).
func TestBigIPFormat(t *testing.T) {
	t.Parallel()
	be := startHTTPBackend(t, "plain", nil, nil)
	rogueCA := tg.NewCA(t, "e2e untrusted CA")
	rogue := rogueCA.Leaf(t, []string{"backend.test"}, net.IPv4(127, 0, 0, 1))
	rogueBE := startHTTPBackend(t, "rogue", &rogue, nil)
	term := fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n", be.addr)
	g := startGate(t, gateConfig{format: "bigip", listeners: []spec{
		{Name: "web", TOML: term},
		{Name: "legacy", TOML: term + "[listener.client_ssl]\nmin_version = \"1.3\"\n"},
		{Name: "ldaps", TOML: term + "[listener.client_ssl]\nmax_version = \"1.2\"\nciphers = [\"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256\"]\n"},
		{Name: "reencrypt", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n[listener.server_ssl]\nverify = true\n", rogueBE.addr)},
	}})
	names := map[int]string{}
	for n, p := range g.Ports() {
		names[p] = "vip-" + n
	}
	names[mustPort(t, be.addr)] = "backend-plain"
	names[mustPort(t, rogueBE.addr)] = "backend-rogue"

	waitLog := func(what, sub string) {
		t.Helper()
		waitFor(t, what, func() bool { return strings.Contains(g.TestLog(t), sub) })
	}
	r := runCurl(t, "http://"+g.Addr("web")+"/")
	r.wantExit(t, 56, 52)
	waitLog("plaintext_on_tls", "-> "+g.Addr("web"))
	if code, _ := runOpenSSL(t, g.Addr("legacy"), "-tls1_2"); code == 0 {
		t.Error("openssl -tls1_2 succeeded against min_version 1.3")
	}
	waitLog("ssl_version_too_old", "-> "+g.Addr("legacy"))
	r = runCurl(t, "--cacert", g.CAPEM(), "--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256", "https://"+g.Addr("ldaps")+"/")
	r.wantExit(t, 35)
	waitLog("no_shared_cipher", "-> "+g.Addr("ldaps"))
	r = runCurl(t, "--cacert", g.CAPEM(), "https://"+g.Addr("reencrypt")+"/")
	r.wantExit(t, resetAfterHandshake...)
	waitLog("backend_tls_verify", "-> "+rogueBE.addr)
	r = runCurl(t, "--cacert", g.CAPEM(), "https://"+g.Addr("web")+"/ok")
	r.wantExit(t, 0)
	waitLog("ok", " ok] terminate sni=")
	g.stop(t)

	pid := strconv.Itoa(g.Proc().Pid())
	idRe := regexp.MustCompile(`^[0-9a-f]{8}:[0-7]: `)
	var golden []string
	groupProc := "" // one connection's BIG-IP lines come from one tmm instance
	for _, line := range strings.Split(strings.TrimSuffix(g.TestLog(t), "\n"), "\n") {
		if m := tmmLineRe.FindStringSubmatch(line); m != nil {
			sev, proc, gotPID, id, digit := m[1], m[2], m[3], m[4], m[5]
			if gotPID != pid {
				t.Errorf("pid %s, want tlsgate's %s: %q", gotPID, pid, line)
			}
			switch {
			case id != "" && (sev != "warning" || digit != "4"):
				t.Errorf("0126 SSL lines are warning / 4: %q", line)
			case id == "" && (sev != "info" || !strings.HasPrefix(m[6], "SSL Handshake details for TCP ")):
				t.Errorf("an ID-less tmm line must be an info session event, without an empty ID: %q", line)
			}
			if groupProc != "" && proc != groupProc {
				t.Errorf("one connection logged from %s and %s: %q", groupProc, proc, line)
			}
			groupProc = proc
			golden = append(golden, normalize(line, proc, names))
			continue
		}
		groupProc = ""
		m := ownLineRe.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("line is neither a tmm line nor a tlsgate line: %q", line)
			continue
		}
		if m[2] != pid {
			t.Errorf("pid %s, want %s: %q", m[2], pid, line)
		}
		if idRe.MatchString(m[3]) {
			t.Errorf("tlsgate's own line carries a BIG-IP message ID: %q", line)
		}
		tag := connTagRe.FindStringSubmatch(m[3])
		// Our lines carry their connection's severity, as the json
		// format's level does: warning for each failure here (one
		// without a BIG-IP line too), info for the one that worked.
		want := "warning"
		if tag != nil && tag[2] == "ok" {
			want = "info"
		}
		if tag != nil && m[1] != want {
			t.Errorf("%s line at %s, want %s: %q", tag[2], m[1], want, line)
		}
		// Failure summaries are stable; success summaries hold timings.
		if tag != nil && tag[2] != "ok" && strings.Contains(m[3], "] summary: ") {
			golden = append(golden, normalize(line, "", names))
		}
	}
	compareGolden(t, filepath.Join("testdata", "bigip.golden"), strings.Join(golden, "\n")+"\n")
}

func mustPort(t *testing.T, hostport string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(hostport)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return n
}

// normalize replaces what changes from run to run (time, pid, tmm
// instance, ports, connection ids, session ids) with stable tokens.
func normalize(line, proc string, names map[int]string) string {
	line = tsRe.ReplaceAllString(line, "TS lab-bigip ")
	line = pidRe.ReplaceAllString(line, "[PID]: ")
	if proc != "" {
		line = strings.Replace(line, " "+proc+"[PID]", " tmmN[PID]", 1)
	}
	line = connIDRe.ReplaceAllString(line, "[conn N ")
	line = sidRe.ReplaceAllString(line, "SID: <sid>")
	return addrRe.ReplaceAllStringFunc(line, func(s string) string {
		m := addrRe.FindStringSubmatch(s)
		p, _ := strconv.Atoi(m[2])
		if n, ok := names[p]; ok {
			return "127.0.0.1" + m[1] + "<" + n + ">"
		}
		return "127.0.0.1" + m[1] + "<ephemeral>"
	})
}

// compareGolden compares got with the golden file, or rewrites it with -update.
func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./e2e -run %s -update to create it)", err, t.Name())
	}
	if string(want) != got {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		for i := 0; i < max(len(wl), len(gl)); i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				t.Errorf("%s line %d:\n got %q\nwant %q", path, i+1, g, w)
			}
		}
	}
}
