package explain

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sClient is a quoted openssl s_client command (with -connect: a
// command, not a flag named in passing) in a knowledge source file.
var sClient = regexp.MustCompile("`(openssl s_client -connect [^`]*)`")

// TestSClientCommandsEndInput: every openssl s_client command a text
// prints reads its input from /dev/null. Without it, pasted as written,
// s_client waits on the terminal after the handshake (and a pipe into
// openssl x509 never ends), so the command looked hung. The knowledge
// sources are read whole, so no text escapes the check.
func TestSClientCommandsEndInput(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range sClient.FindAllStringSubmatch(string(b), -1) {
			n++
			if cmd, _, _ := strings.Cut(m[1], " | "); !strings.HasSuffix(cmd, " </dev/null") {
				t.Errorf("%s: %q does not end its input with </dev/null (before any pipe)", p, m[1])
			}
		}
	}
	if n == 0 {
		t.Fatal("no openssl s_client command found: the pattern no longer matches the sources")
	}
}

// TestNoInternetCommands: the checks print no command that needs a host
// outside the lab (neverssl.com): the lab's e2e test runs what they
// print, and a trainee without internet access could not.
func TestNoInternetCommands(t *testing.T) {
	for _, tc := range diagCases() {
		d := Diagnose(tc.o)
		for _, c := range d.Checks {
			if strings.Contains(c, "`curl -v http://neverssl.com/`") {
				t.Errorf("%s: %s", tc.name, c)
			}
		}
	}
}

// verboseFragment is a curl -v quoted with no URL to run it against, and
// bareCurlMessage a curl message quoted without the `curl: (N) ` that
// curl prints before it.
var (
	verboseFragment = regexp.MustCompile("`(time )?curl -s?v( …)?`")
	bareCurlMessage = regexp.MustCompile("`(Recv failure|Send failure|Empty reply from server)")
)

// TestCurlVerboseSaidSo: a text that quotes curl says what curl prints
// without -v (`curl: (56) Recv failure: …`), or says that a line is -v
// output; a bare `curl -v` fragment, or a message quoted without its
// `curl: (N)`, read as if curl printed that by default. The knowledge
// sources are read whole, as TestSClientCommandsEndInput reads them, so
// texts no lab scenario reaches are held to it too.
func TestCurlVerboseSaidSo(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range []*regexp.Regexp{verboseFragment, bareCurlMessage} {
			for _, m := range re.FindAllString(string(b), -1) {
				t.Errorf("%s: %s: say what curl prints without -v (`curl: (N) …`), or that it is -v output", p, m)
			}
		}
	}
}
