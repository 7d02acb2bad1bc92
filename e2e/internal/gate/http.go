package gate

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"testing"
	"time"
)

// ServeHTTP serves h on ln, over TLS with cert when cert is set, until the
// test ends. The server's own error log is discarded: the suites break
// connections and reject certificates on purpose, and its complaints about
// that are noise.
func ServeHTTP(t testing.TB, ln net.Listener, cert *tls.Certificate, h http.Handler) {
	t.Helper()
	if cert != nil {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*cert}})
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
}

// Get runs one GET with net/http over a fresh transport without
// keep-alive, so tlsgate sees the connection end. It dials addr, or the
// URL's host when addr is "". It returns the response (its body read and
// closed), the body, the client's local address (to find the connection's
// event) and the error.
func Get(addr, url string, cfg *tls.Config, timeout time.Duration) (*http.Response, []byte, string, error) {
	var local string
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DisableKeepAlives: true,
		TLSClientConfig:   cfg,
		DialContext: func(ctx context.Context, network, urlAddr string) (net.Conn, error) {
			if addr != "" {
				urlAddr = addr
			}
			c, err := d.DialContext(ctx, network, urlAddr)
			if err == nil {
				local = c.LocalAddr().String()
			}
			return c, err
		},
	}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: timeout}
	resp, err := cl.Get(url)
	if err != nil {
		return nil, nil, local, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, local, err
}
