package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// clientTimeout bounds every external client run so a hang fails the test
// instead of the whole suite.
const clientTimeout = 30 * time.Second

// curlResult is what one curl run showed.
type curlResult struct {
	exit      int    // curl's exit status (0 ok, 35 TLS connect error, 56 recv failure, …)
	stderr    string // curl's error line(s)
	body      string
	headers   string
	status    int // HTTP status, 0 when none
	localPort int // curl's ephemeral port, 0 when it never connected
}

// runCurl runs curl with args plus output plumbing: body and headers to
// files, the local port and status on stdout.
func runCurl(t *testing.T, args ...string) curlResult {
	t.Helper()
	return startCurl(t, args...)()
}

// startCurl starts curl in the background; the returned func waits for it
// (bounded by clientTimeout) and parses its result on the test goroutine.
func startCurl(t *testing.T, args ...string) func() curlResult {
	t.Helper()
	curl := needTool(t, "curl")
	dir := t.TempDir()
	bodyPath, hdrPath := filepath.Join(dir, "body"), filepath.Join(dir, "headers")
	full := append([]string{"-sS", "--max-time", "20", "-o", bodyPath, "-D", hdrPath,
		"-w", "%{local_port} %{http_code}"}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	cmd := exec.CommandContext(ctx, curl, full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start curl: %v", err)
	}
	return func() curlResult {
		t.Helper()
		defer cancel()
		err := cmd.Wait()
		r := curlResult{stderr: stderr.String()}
		var ee *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee):
			r.exit = ee.ExitCode()
		default:
			t.Fatalf("curl %v: %v", args, err)
		}
		if f := strings.Fields(stdout.String()); len(f) == 2 {
			r.localPort, _ = strconv.Atoi(f[0])
			r.status, _ = strconv.Atoi(f[1])
		}
		b, _ := os.ReadFile(bodyPath)
		r.body = string(b)
		h, _ := os.ReadFile(hdrPath)
		r.headers = string(h)
		return r
	}
}

// client is curl's address as tlsgate logs it.
func (r curlResult) client(t *testing.T) string {
	t.Helper()
	if r.localPort == 0 {
		t.Fatalf("curl reported no local port (exit %d: %s)", r.exit, r.stderr)
	}
	return loopback(r.localPort)
}

// resetAfterHandshake are curl's exits when tlsgate resets a connection
// after the TLS handshake: a receive failure (56), an empty reply (52), or
// a send failure (55) when the reset arrives before the request is out.
var resetAfterHandshake = []int{52, 55, 56}

// curlEvent finds the event of a curl run on listener name: by curl's port
// when curl reported it, else the listener's only connection (curl may not
// know its port when the connection died before it asked).
func (g *gate) curlEvent(t *testing.T, name string, r curlResult) *connEvent {
	t.Helper()
	if r.localPort != 0 {
		return g.eventFrom(t, name, r.client(t))
	}
	return g.onlyEvent(t, name)
}

// wantExit checks curl's exit status is one of the allowed ones: the error
// class is pinned, not the exact wording of one curl version.
func (r curlResult) wantExit(t *testing.T, allowed ...int) {
	t.Helper()
	if !slices.Contains(allowed, r.exit) {
		t.Errorf("curl exit %d, want one of %v; stderr: %s", r.exit, allowed, r.stderr)
	}
}

// runOpenSSL runs `openssl s_client` against addr with extra args and an
// empty stdin, so it handshakes, then closes. It returns the exit status
// and the combined output.
func runOpenSSL(t *testing.T, addr string, args ...string) (int, string) {
	t.Helper()
	bin := needTool(t, "openssl")
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	full := append([]string{"s_client", "-connect", addr}, args...)
	cmd := exec.CommandContext(ctx, bin, full...)
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &ee):
		return ee.ExitCode(), string(out)
	}
	t.Fatalf("openssl %v: %v", args, err)
	return -1, ""
}

// dialTCP connects to addr and returns the conn and its local address.
func dialTCP(t *testing.T, addr string) (net.Conn, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	return c, c.LocalAddr().String()
}

// goTLS dials addr and runs a TLS handshake with cfg. It returns the conn
// (nil on error), the client's local address and the handshake error.
func goTLS(t *testing.T, addr string, cfg *tls.Config) (*tls.Conn, string, error) {
	t.Helper()
	c, local := dialTCP(t, addr)
	_ = c.SetDeadline(time.Now().Add(clientTimeout))
	tc := tls.Client(c, cfg)
	if err := tc.Handshake(); err != nil {
		_ = c.Close()
		return nil, local, err
	}
	_ = c.SetDeadline(time.Time{})
	return tc, local, nil
}

// goGet runs one HTTP GET with Go's net/http through a fresh transport
// (no keep-alive, so tlsgate sees the connection end) and returns the body
// and the client's local address.
func goGet(t *testing.T, url string, roots *x509.CertPool) (string, string, error) {
	t.Helper()
	resp, b, local, err := tg.Get("", url, &tls.Config{RootCAs: roots}, clientTimeout)
	if resp != nil && resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: status %s", url, resp.Status)
	}
	return string(b), local, err
}

// readEnd reads until the peer ends the connection and returns the error
// that ended it (io.EOF, a reset, …); the wait is bounded.
func readEnd(c net.Conn) error {
	_ = c.SetReadDeadline(time.Now().Add(clientTimeout))
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			return err
		}
	}
}
