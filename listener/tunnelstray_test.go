package listener

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestTLSStraightToProxyPort: TLS sent to a connect = "tunnel" listener
// with no CONNECT before it, as curl 7.88.1 sends it when pointed at the
// proxy as if it were the server, and when given the proxy with the https
// scheme (it then speaks TLS to the proxy, offering ALPN http/1.1 alone).
// The port resets it as any plaintext port does; the diagnosis says the
// port is an explicit proxy and how to give the client one, with curl's
// words.
func TestTLSStraightToProxyPort(t *testing.T) {
	curl := needTool(t, "curl", "curl")
	h := tunnelListener(t, "127.0.0.1:1")
	// A NO_PROXY in the environment would send curl around the proxy.
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	tests := []struct {
		name, proxyEnv, url string
		alpn                []string
		stderr              string
	}{
		{"the proxy as the server", "", "https://" + h.addr + "/", []string{"h2", "http/1.1"}, ""},
		{"https_proxy=https://", "https://" + h.addr, "https://lab.test/", []string{"http/1.1"},
			"* Uses proxy env variable https_proxy == 'https://" + h.addr + "'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("https_proxy", tt.proxyEnv)
			exit, _, stderr := runTool(t, curl, "-q", "-sS", "-v", "--max-time", "20", tt.url)
			const wantErr = "curl: (35) Recv failure: Connection reset by peer"
			if exit != 35 || !strings.Contains(stderr, wantErr) || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("curl exit %d, want 35 with %q and %q:\n%s", exit, wantErr, tt.stderr, stderr)
			}
			r := h.next()
			o, d := r.o, r.d
			if !o.Connect.Tunnel || o.Route != "tls_on_plain_reset" || o.Hello == nil || !slices.Equal(o.Hello.ALPN, tt.alpn) {
				t.Errorf("connect %+v route %q hello %+v; want a tunnel listener resetting a hello offering %v", o.Connect, o.Route, o.Hello, tt.alpn)
			}
			if d.Code != explain.CodeTLSOnPlaintext || !strings.Contains(d.Summary, "on explicit proxy port") ||
				!strings.Contains(d.ClientSaw, wantErr) || len(d.Checks) == 0 ||
				!strings.Contains(d.Checks[0], "`curl -x http://"+h.addr+" https://<the site>/`") ||
				!strings.Contains(d.Checks[0], "`https_proxy=http://"+h.addr+"`") {
				t.Errorf("diagnosis %s %q, checks %q, client saw %q; want the proxy port named, -x http:// and https_proxy=http://, and curl's words",
					d.Code, d.Summary, d.Checks, d.ClientSaw)
			}
		})
	}
	t.Run("Go with an https proxy", func(t *testing.T) {
		proxy := &url.URL{Scheme: "https", Host: h.addr}
		c := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
		_, err := c.Get("https://lab.test/")
		if err == nil || !strings.Contains(err.Error(), "proxyconnect tcp: read tcp ") || !strings.HasSuffix(err.Error(), ": read: connection reset by peer") {
			t.Fatalf("Go: %v, want proxyconnect tcp: read tcp …: read: connection reset by peer", err)
		}
		if r := h.next(); r.d.Code != explain.CodeTLSOnPlaintext || !strings.Contains(r.d.ClientSaw, "`proxyconnect tcp: read tcp …: read: connection reset by peer`") {
			t.Errorf("diagnosis %s, client saw %q", r.d.Code, r.d.ClientSaw)
		}
	})
}
