package faultse2e

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// hstsValue is the Strict-Transport-Security header /hsts sends, which the
// rewrite action strips.
const hstsValue = "max-age=63072000; includeSubDomains"

// backend is an HTTP server in the test process that tlsgate relays to.
//
//	/size/N   N bytes of a fixed pattern (payload(N)), with Content-Length
//	/hsts     a short body with a Strict-Transport-Security header
//	/…        "backend path=/…\n"
type backend struct {
	addr string

	mu   sync.Mutex
	hits map[string]int // requests per path
}

// payload is the body of /size/n: bytes that are not all alike, so a
// dropped, repeated or reordered piece shows in a comparison.
func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + (i*7+i/251)%26)
	}
	return b
}

func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	b.hits[r.URL.Path]++
	b.mu.Unlock()
	switch {
	case strings.HasPrefix(r.URL.Path, "/size/"):
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/size/"))
		if err != nil || n < 0 || n > 64<<20 {
			http.Error(w, "bad size", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(n))
		_, _ = w.Write(payload(n))
	case r.URL.Path == "/hsts":
		w.Header().Set("Strict-Transport-Security", hstsValue)
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "hsts body\n")
	default:
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "backend path=%s\n", r.URL.Path)
	}
}

// hitCount is how many requests for path reached the backend.
func (b *backend) hitCount(path string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.hits[path]
}

// startBackend serves the backend over plain HTTP, or HTTPS when cert is
// set (for passthrough listeners).
func startBackend(t *testing.T, cert *tls.Certificate) *backend {
	t.Helper()
	b := &backend{hits: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.addr = ln.Addr().String()
	// Faults make clients and tlsgate break connections on purpose;
	// ServeHTTP keeps the server's complaints about that out.
	tg.ServeHTTP(t, ln, cert, b)
	return b
}

// terminate is a terminating listener's TOML in front of be.
func terminate(be *backend) string {
	return fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n", be.addr)
}

// passthrough is a passthrough listener's TOML in front of the TLS backend be.
func passthrough(be *backend) string {
	return fmt.Sprintf("mode = \"passthrough\"\nbackend = %q\n", be.addr)
}
