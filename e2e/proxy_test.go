package e2e

import (
	"crypto/tls"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// rawRequest writes first on a fresh connection to addr, then reads until
// the server ends the connection. It returns what came back, the client's
// local address, and the error that ended the read (io.EOF for a FIN).
func rawRequest(t *testing.T, addr, first string) (string, string, error) {
	t.Helper()
	c, local := dialTCP(t, addr)
	defer c.Close()
	_ = c.SetWriteDeadline(time.Now().Add(clientTimeout))
	if _, err := io.WriteString(c, first); err != nil {
		t.Fatalf("write to %s: %v", addr, err)
	}
	var got strings.Builder
	_ = c.SetReadDeadline(time.Now().Add(clientTimeout))
	_, err := io.Copy(&got, c)
	if err == nil {
		err = io.EOF
	}
	return got.String(), local, err
}

// Case 9: PROXY protocol in front of tlsgate (v1, v2, missing, unexpected,
// malformed) and behind it (v2 to a backend that parses it).
func TestProxyProtocol(t *testing.T) {
	t.Parallel()
	be := startHTTPBackend(t, "plain", nil, nil)
	pbe := startProxyBackend(t, "proxied")
	term := fmt.Sprintf("mode = \"terminate\"\nbackend = %q\n", be.addr)
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "v1", TOML: term + "proxy_protocol = \"v1\"\n"},
		{Name: "v2", TOML: term + "proxy_protocol = \"v2\"\n"},
		{Name: "none", TOML: term},
		{Name: "v1-to-v2", TOML: fmt.Sprintf("mode = \"plaintext\"\nbackend = %q\nproxy_protocol = \"v1\"\nbackend_proxy_protocol = \"v2\"\n", pbe.addr)},
		{Name: "to-v2", TOML: fmt.Sprintf("mode = \"plaintext\"\nbackend = %q\nbackend_proxy_protocol = \"v2\"\n", pbe.addr)},
	}})
	spoofed := "1.2.3.4:1111"
	header := func(name string) string {
		return fmt.Sprintf("PROXY TCP4 1.2.3.4 127.0.0.1 1111 %d\r\n", g.Port(name))
	}

	t.Run("v1_curl_haproxy_protocol", func(t *testing.T) {
		r := runCurl(t, "--haproxy-protocol", "--cacert", g.CAPEM(), "https://"+g.Addr("v1")+"/pp")
		r.wantExit(t, 0)
		if !strings.HasPrefix(r.body, "backend=plain path=/pp") {
			t.Errorf("body %q", r.body)
		}
		// curl's header carries its own address as the source.
		e := g.eventFrom(t, "v1", r.client(t))
		wantCode(t, e, "ok")
		if e.Virtual != g.Addr("v1") {
			t.Errorf("virtual %q, want the header's destination %s", e.Virtual, g.Addr("v1"))
		}
	})

	t.Run("v1_spoofed_source_then_tls", func(t *testing.T) {
		c, _ := dialTCP(t, g.Addr("v1"))
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(clientTimeout))
		if _, err := io.WriteString(c, header("v1")); err != nil {
			t.Fatal(err)
		}
		tc := tls.Client(c, &tls.Config{ServerName: "127.0.0.1", RootCAs: tg.PoolFromFile(t, g.CAPEM())})
		if _, err := io.WriteString(tc, "GET /spoofed HTTP/1.0\r\nHost: lab\r\n\r\n"); err != nil {
			t.Fatalf("TLS after PROXY header: %v", err)
		}
		resp, _ := io.ReadAll(tc)
		if !strings.Contains(string(resp), "backend=plain path=/spoofed") {
			t.Errorf("response %q", resp)
		}
		tc.Close()
		e := g.eventFrom(t, "v1", spoofed)
		wantCode(t, e, "ok")
		wantSessionLines(t, e, "TLSv1.3")
	})

	t.Run("v2_plain_curl_missing", func(t *testing.T) {
		r := runCurl(t, "--cacert", g.CAPEM(), "https://"+g.Addr("v2")+"/")
		r.wantExit(t, 35)
		e := g.eventFrom(t, "v2", r.client(t))
		wantCode(t, e, "proxy_missing")
		if e.Route != "proxy_missing" || e.Kind != "tls" {
			t.Errorf("route %q kind %q, want proxy_missing tls", e.Route, e.Kind)
		}
	})

	t.Run("unexpected_v1_header", func(t *testing.T) {
		_, local, err := rawRequest(t, g.Addr("none"), "PROXY TCP4 1.2.3.4 127.0.0.1 1111 2222\r\n")
		closedByServer(t, err)
		e := g.eventFrom(t, "none", local)
		wantCode(t, e, "proxy_unexpected")
		if e.Kind != "proxy_v1" {
			t.Errorf("kind %q, want proxy_v1", e.Kind)
		}
	})

	t.Run("malformed_v1_header", func(t *testing.T) {
		_, local, err := rawRequest(t, g.Addr("v1"), "PROXY GARBAGE\r\n")
		closedByServer(t, err)
		e := g.eventFrom(t, "v1", local)
		wantCode(t, e, "proxy_malformed")
		if !strings.Contains(e.Summary, "GARBAGE") {
			t.Errorf("summary %q does not quote the bad header", e.Summary)
		}
	})

	t.Run("unexpected_header_from_curl", func(t *testing.T) {
		// A real client configured for a PROXY hop that is not there: the
		// listener resets, which curl reports as a failed TLS connect.
		r := runCurl(t, "--haproxy-protocol", "--cacert", g.CAPEM(), "https://"+g.Addr("none")+"/")
		if r.exit != 35 && r.exit != 56 {
			t.Errorf("curl exit %d, want 35 or 56 (reset); stderr %q", r.exit, r.stderr)
		}
		e := g.eventFrom(t, "none", r.client(t))
		wantCode(t, e, "proxy_unexpected")
		if e.Kind != "proxy_v1" {
			t.Errorf("kind %q, want proxy_v1", e.Kind)
		}
	})

	t.Run("v2_header_over_library_limit", func(t *testing.T) {
		// A v2 header may announce up to 64 KiB of TLVs; go-proxyproto
		// takes 4 KiB (MaxV2HeaderSize), and tlsgate must say that is why,
		// with the length the header declared, not that the client
		// stopped or a bare "invalid length".
		const tlvs = 20000
		hdr := "\r\n\r\n\x00\r\nQUIT\n" + "\x21\x11" + string([]byte{byte((12 + tlvs) >> 8), byte((12 + tlvs) & 0xff)}) +
			"\x01\x02\x03\x04" + "\x7f\x00\x00\x01" + "\x04\x57" + "\x01\xbb" + strings.Repeat("\x00", tlvs)
		_, local, err := rawRequest(t, g.Addr("v2"), hdr)
		closedByServer(t, err)
		e := g.eventFrom(t, "v2", local)
		wantCode(t, e, "proxy_malformed")
		if !strings.Contains(e.Summary, "declares 20012 bytes") || !strings.Contains(e.Summary, "limit of 4096") {
			t.Errorf("summary %q does not name the declared length and the library's limit", e.Summary)
		}
	})

	t.Run("v1_in_v2_out_backend_sees_client", func(t *testing.T) {
		resp, _, _ := rawRequest(t, g.Addr("v1-to-v2"), header("v1-to-v2")+"GET /chain HTTP/1.0\r\nHost: lab\r\n\r\n")
		if !strings.Contains(resp, "backend=proxied path=/chain") || !strings.Contains(resp, "remote="+spoofed+"\n") {
			t.Errorf("backend answer %q, want it to see remote=%s", resp, spoofed)
		}
		wantCode(t, g.eventFrom(t, "v1-to-v2", spoofed), "ok")
	})

	t.Run("v2_out_backend_sees_curl", func(t *testing.T) {
		r := runCurl(t, "http://"+g.Addr("to-v2")+"/direct")
		r.wantExit(t, 0)
		client := r.client(t)
		if !strings.Contains(r.body, "remote="+client+"\n") {
			t.Errorf("backend answer %q, want it to see curl at %s", r.body, client)
		}
		e := g.eventFrom(t, "to-v2", client)
		wantCode(t, e, "ok")
		if e.Backend.Local == client || !pbe.sawPeer(e.Backend.Local) {
			t.Errorf("backend TCP peer %q: tlsgate should dial from its own address", e.Backend.Local)
		}
	})
	g.stop(t)
}
