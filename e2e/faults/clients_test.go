package faultse2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// clientTimeout bounds every client run that is not meant to time out, so
// a hang fails the test instead of the whole suite.
const clientTimeout = 20 * time.Second

// holdTimeout is the client timeout for faults that hold the connection
// silently: the client must give up on its own, and the case only asserts
// that it did.
const holdTimeout = 2 * time.Second

// labHost is the SNI the clients send unless a case says otherwise.
const labHost = "lab.test"

// curlResult is what one curl run showed.
type curlResult struct {
	exit      int
	stderr    string
	body      []byte
	headers   string
	status    int
	localPort int
}

// runCurl runs curl with a --max-time of maxTime and args, writing body and
// headers to files and the local port and status to stdout.
func runCurl(t *testing.T, maxTime time.Duration, args ...string) curlResult {
	t.Helper()
	curl := needTool(t, "curl")
	dir := t.TempDir()
	bodyPath, hdrPath := filepath.Join(dir, "body"), filepath.Join(dir, "headers")
	full := append([]string{"-sS", "--max-time", strconv.FormatFloat(maxTime.Seconds(), 'f', -1, 64),
		"-o", bodyPath, "-D", hdrPath, "-w", "%{local_port} %{http_code}"}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), maxTime+clientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, curl, full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := curlResult{stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ctx.Err() == nil:
		r.exit = ee.ExitCode()
	default:
		t.Fatalf("curl %v: %v (stderr %s)", args, err, stderr.String())
	}
	if f := strings.Fields(stdout.String()); len(f) == 2 {
		r.localPort, _ = strconv.Atoi(f[0])
		r.status, _ = strconv.Atoi(f[1])
	}
	r.body, _ = os.ReadFile(bodyPath)
	h, _ := os.ReadFile(hdrPath)
	r.headers = string(h)
	return r
}

// want checks curl's exit code and that its error names the class: one
// of the substrings must be in stderr (none given: any text).
func (r curlResult) want(t *testing.T, exit int, anyOf ...string) {
	t.Helper()
	r.wantOneOf(t, []int{exit}, anyOf...)
}

// wantOneOf is want for a class that curl reports under several codes.
func (r curlResult) wantOneOf(t *testing.T, exits []int, anyOf ...string) {
	t.Helper()
	t.Logf("curl: exit %d %s", r.exit, firstLine(r.stderr))
	if !slices.Contains(exits, r.exit) {
		t.Errorf("curl exit %d, want one of %v; stderr: %s", r.exit, exits, r.stderr)
		return
	}
	if len(anyOf) > 0 && !containsAny(r.stderr, anyOf...) {
		t.Errorf("curl stderr %q names none of %q", r.stderr, anyOf)
	}
}

// client is curl's address as tlsgate logs it, "" when curl reported none.
func (r curlResult) client() string {
	if r.localPort == 0 {
		return ""
	}
	return "127.0.0.1:" + strconv.Itoa(r.localPort)
}

// opensslResult is what one s_client run showed.
type opensslResult struct {
	exit   int
	out    string
	killed bool // still running at the deadline: it hung
}

// runOpenSSL runs `openssl s_client` against addr with an empty stdin, so
// it handshakes and closes, and kills it after limit.
func runOpenSSL(t *testing.T, limit time.Duration, addr string, args ...string) opensslResult {
	t.Helper()
	return runOpenSSLInput(t, limit, addr, "", args...)
}

// runOpenSSLInput is runOpenSSL with input on s_client's stdin, sent once
// the handshake is done.
func runOpenSSLInput(t *testing.T, limit time.Duration, addr, input string, args ...string) opensslResult {
	t.Helper()
	bin := needTool(t, "openssl")
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"s_client", "-connect", addr}, args...)...)
	cmd.Stdin = strings.NewReader(input)
	out, err := cmd.CombinedOutput()
	r := opensslResult{out: string(out)}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.killed = true
	case err == nil:
	case errors.As(err, &ee):
		r.exit = ee.ExitCode()
	default:
		t.Fatalf("openssl %v: %v", args, err)
	}
	return r
}

// wantFail checks that s_client failed and printed one of the texts.
func (r opensslResult) wantFail(t *testing.T, anyOf ...string) {
	t.Helper()
	t.Logf("openssl s_client: exit %d %s", r.exit, errorLine(r.out, anyOf))
	if r.killed {
		t.Errorf("openssl s_client hung, want it to fail with one of %q:\n%s", anyOf, r.out)
		return
	}
	if r.exit == 0 || !containsAny(r.out, anyOf...) {
		t.Errorf("openssl s_client exit %d, want a failure naming one of %q:\n%s", r.exit, anyOf, r.out)
	}
}

// wantHang checks that s_client waited until killed. (Its CONNECTED line
// sits in a stdout buffer that the kill discards; the event shows the
// connection.)
func (r opensslResult) wantHang(t *testing.T) {
	t.Helper()
	t.Logf("openssl s_client: killed=%v (hung)", r.killed)
	if !r.killed {
		t.Errorf("openssl s_client exit %d, want it to connect and hang:\n%s", r.exit, r.out)
	}
}

// pyResult is what the Python ssl client printed.
type pyResult struct {
	port   int    // local port, 0 before connecting
	ok     bool   // a response arrived and the connection closed cleanly
	status int    // HTTP status
	body   []byte // the response body
	err    string // "ExceptionClass: message"
}

// runPython runs testdata/pyclient.py: a Python ssl client that connects to
// addr with SNI host, trusts ca, sends GET path and reads to the end.
func runPython(t *testing.T, addr, host, ca, path string, timeout time.Duration, extra ...string) pyResult {
	t.Helper()
	py := needTool(t, "python3")
	h, p, _ := net.SplitHostPort(addr)
	args := append([]string{filepath.Join("testdata", "pyclient.py"), h, p, host, ca, path,
		strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64)}, extra...)
	ctx, cancel := context.WithTimeout(context.Background(), timeout+clientTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, args...).Output()
	if err != nil {
		t.Fatalf("python3 %v: %v\n%s", args, err, out)
	}
	var r pyResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		switch k {
		case "PORT":
			r.port, _ = strconv.Atoi(v)
		case "OK":
			r.ok = true
			r.status, _ = strconv.Atoi(v)
		case "BODYHEX":
			r.body = make([]byte, len(v)/2)
			_, _ = fmt.Sscanf(v, "%x", &r.body)
		case "ERR":
			r.err = v
		}
	}
	return r
}

// wantErr checks the Python client failed with an exception whose class or
// message contains one of the texts.
func (r pyResult) wantErr(t *testing.T, anyOf ...string) {
	t.Helper()
	t.Logf("python ssl: %s", r.err)
	if r.ok || !containsAny(r.err, anyOf...) {
		t.Errorf("python ssl: ok=%v err %q, want an error naming one of %q", r.ok, r.err, anyOf)
	}
}

// goDial connects to addr and handshakes with cfg, with the given
// deadline on the whole handshake. It returns the conn (nil on error), the
// client's local address and the error.
func goDial(t *testing.T, addr string, cfg *tls.Config, deadline time.Duration) (*tls.Conn, string, error) {
	t.Helper()
	return goDialNoT(addr, cfg, deadline)
}

// goDialNoT is goDial for goroutines other than the test's.
func goDialNoT(addr string, cfg *tls.Config, deadline time.Duration) (*tls.Conn, string, error) {
	return goDialFrom(nil, addr, cfg, deadline)
}

// goDialFrom is goDialNoT from the local address from (nil: any).
func goDialFrom(from net.Addr, addr string, cfg *tls.Config, deadline time.Duration) (*tls.Conn, string, error) {
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: from}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		// A reset at accept can arrive before connect returns.
		return nil, "", fmt.Errorf("dial %s: %w", addr, err)
	}
	local := c.LocalAddr().String()
	_ = c.SetDeadline(time.Now().Add(deadline))
	tc := tls.Client(c, cfg)
	if err := tc.Handshake(); err != nil {
		_ = c.Close()
		return nil, local, err
	}
	_ = c.SetDeadline(time.Time{})
	return tc, local, nil
}

// goConfig is a client config trusting pool with SNI host.
func goConfig(pool *x509.CertPool, host string) *tls.Config {
	return &tls.Config{RootCAs: pool, ServerName: host}
}

// Go error classes (client-symptoms.md §3): the error value, not its text,
// where Go exposes one.

func isReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }

func isEOF(err error) bool { return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// wantGo checks a Go error against a class: "reset", "eof", "timeout", or
// any other text, which the error's text must contain (alerts, x509).
func wantGo(t *testing.T, err error, class string) {
	t.Helper()
	t.Logf("Go: %v", err)
	ok := false
	switch class {
	case "reset":
		ok = isReset(err)
	case "eof":
		ok = isEOF(err)
	case "timeout":
		ok = isTimeout(err)
	default:
		ok = err != nil && strings.Contains(err.Error(), class)
	}
	if !ok {
		t.Errorf("Go client error %v (%T), want class %q", err, err, class)
	}
}

// firstLine is the first non-empty line of s, for logs.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// errorLine is the line of out holding one of texts (else the first), for
// logs.
func errorLine(out string, texts []string) string {
	for _, l := range strings.Split(out, "\n") {
		if containsAny(l, texts...) {
			return strings.TrimSpace(l)
		}
	}
	return firstLine(out)
}

func containsAny(s string, subs ...string) bool {
	return slices.ContainsFunc(subs, func(sub string) bool { return strings.Contains(s, sub) })
}

// httpGet is a raw HTTP/1.1 request for path on host.
func httpGet(host, path string, keepAlive bool) string {
	conn := "close"
	if keepAlive {
		conn = "keep-alive"
	}
	return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: " + conn + "\r\n\r\n"
}

// readResponse reads one HTTP response for a GET from br and returns its
// body.
func readResponse(br *bufio.Reader) (*http.Response, []byte, error) {
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodGet})
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}
