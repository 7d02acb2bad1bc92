package listener

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestConnectHeadRefused: a CONNECT whose head tlsgate cannot read gets a
// 400 that says why, and a diagnosis, never a hang: a target that is no
// host:port, a head larger than the peek cap, one that never ends within
// the peek timeout. A client that leaves mid-head gets no answer and is
// logged as gone. No backend is dialled (nothing listens there).
func TestConnectHeadRefused(t *testing.T) {
	long := "CONNECT lab.test:443 HTTP/1.1\r\nX-Pad: " + strings.Repeat("a", 600) + "\r\n"
	cases := []struct {
		name    string
		send    string
		opts    func(*Options)
		halfClo bool
		status  int // 0: no answer expected
		route   string
		err     string
		code    string
	}{
		{name: "no port", send: "CONNECT lab.test HTTP/1.1\r\nHost: lab.test\r\n\r\n", status: 400, route: "connect_bad_request",
			err: `CONNECT target "lab.test" is not host:port`, code: explain.CodeConnectBadRequest},
		{name: "port out of range", send: "CONNECT lab.test:70000 HTTP/1.1\r\n\r\n", status: 400, route: "connect_bad_request",
			err: `has port "70000", want 1 to 65535`, code: explain.CodeConnectBadRequest},
		{name: "over the peek cap", send: long, opts: func(o *Options) { o.PeekMax = 256 }, status: 400, route: "connect_bad_request",
			err: "did not end within the peek cap of 256 bytes", code: explain.CodeConnectBadRequest},
		{name: "never ends", send: "CONNECT lab.test:443 HTTP/1.1\r\nHost: lab.test\r\n", opts: func(o *Options) { o.PeekTimeout = 200 * time.Millisecond },
			status: 400, route: "connect_bad_request", err: "did not end within the peek timeout of 200ms", code: explain.CodeConnectBadRequest},
		{name: "client leaves", send: "CONNECT lab.test:443 HTTP/1.1\r\n", halfClo: true, route: "connect_incomplete",
			err: "the client left before the CONNECT's head ended", code: explain.CodeConnectBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Mode: Plaintext, Backend: "127.0.0.1:1", Connect: ConnectTunnel}
			if tc.opts != nil {
				tc.opts(&opts)
			}
			h := startListener(t, opts, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
			if _, err := io.WriteString(c, tc.send); err != nil {
				t.Fatal(err)
			}
			if tc.halfClo {
				_ = c.(*net.TCPConn).CloseWrite()
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			switch {
			case tc.status == 0 && err == nil:
				t.Errorf("an answer to a client that left: %s", resp.Status)
			case tc.status != 0 && err != nil:
				t.Fatalf("no answer: %v", err)
			case tc.status != 0:
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.err) {
					t.Errorf("answer %s %q, want %d naming %q", resp.Status, body, tc.status, tc.err)
				}
			}
			c.Close() // the listener drains until the client closes
			r := h.next()
			if r.o.Route != tc.route || !strings.Contains(r.o.Connect.Err, tc.err) || r.o.Backend.Attempted || r.d.Code != tc.code {
				t.Errorf("route %q connect %+v backend tried %v code %s; want %s naming %q", r.o.Route, r.o.Connect, r.o.Backend.Attempted, r.d.Code, tc.route, tc.err)
			}
			if !strings.Contains(r.d.Summary, tc.err) {
				t.Errorf("summary %q does not say why", r.d.Summary)
			}
		})
	}
}

// TestConnectListenerKeepsPlainRequests: a request other than CONNECT on a
// connect = "tunnel" listener is relayed to the backend as on any
// plaintext listener, and TLS sent without a CONNECT is still reset.
func TestConnectListenerKeepsPlainRequests(t *testing.T) {
	h := startListener(t, Options{Mode: Plaintext, Backend: echoBackend(t), Connect: ConnectTunnel}, nil)
	for _, msg := range []string{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "COPY /a HTTP/1.1\r\n\r\n"} {
		c, err := net.Dial("tcp", h.addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
		_, _ = io.WriteString(c, msg)
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil || string(got) != msg {
			t.Errorf("echo of %q: %q, %v", msg, got, err)
		}
		c.Close()
		// Tunnel marks the listener, on every connection: no CONNECT.
		if r := h.next(); r.o.Route != "plain" || r.o.Connect != (explain.Connect{Tunnel: true}) {
			t.Errorf("route %q connect %+v, want plain and no CONNECT on a tunnel listener", r.o.Route, r.o.Connect)
		}
	}
	c, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = c.Write(captureHello(t))
	if r := h.next(); r.o.Route != "tls_on_plain_reset" || r.d.Code != explain.CodeTLSOnPlaintext || !strings.Contains(r.d.Summary, "on explicit proxy port") {
		t.Errorf("TLS without a CONNECT: route %q code %s summary %q, want tls_on_plain_reset naming the proxy port", r.o.Route, r.d.Code, r.d.Summary)
	}
}

// TestConnectPrefixNotSettled: the peek of a connect = "tunnel" listener
// must not settle on any prefix of "CONNECT " (the whole of it included:
// sniff calls those 8 bytes no HTTP yet), or a CONNECT whose first read
// ended there was relayed to the backend as plaintext, with no 200 and
// no connect_policy check. A request line past it, or other bytes,
// settle as before; a listener without the option settles at once.
func TestConnectPrefixNotSettled(t *testing.T) {
	tunnel := &Server{opts: Options{Mode: Plaintext, Connect: ConnectTunnel}}
	plain := &Server{opts: Options{Mode: Plaintext}}
	for n := 1; n <= len(connectPrefix); n++ {
		b := []byte(connectPrefix[:n])
		if tunnel.settled(b) {
			t.Errorf("connect = tunnel: settled(%q) = true, want more bytes first", b)
		}
		if tunnel.mayBeConnect(b) != true {
			t.Errorf("mayBeConnect(%q) = false, want true", b)
		}
	}
	for _, b := range []string{"CONNECT lab.test:443 HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\n\r\n", "SSH-2.0-x\r\n"} {
		if !tunnel.settled([]byte(b)) {
			t.Errorf("connect = tunnel: settled(%q) = false, want true", b)
		}
	}
	if tunnel.mayBeConnect([]byte("CONNECT l")) {
		t.Error(`mayBeConnect("CONNECT l") = true: past the prefix, sniff decides`)
	}
	if plain.mayBeConnect([]byte("CONNECT")) {
		t.Error("a listener without connect = tunnel waits for CONNECT")
	}
}

// TestProxyAuthScheme: the scheme of a CONNECT's Proxy-Authorization, read
// from its head in any case and spacing; never the credentials.
func TestProxyAuthScheme(t *testing.T) {
	for _, tc := range []struct{ head, want string }{
		{"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", ""},
		{"CONNECT a:443 HTTP/1.1\r\nProxy-Authorization: Basic dTpw\r\n\r\n", "Basic"},
		{"CONNECT a:443 HTTP/1.1\nproxy-authorization:   Negotiate YIIG\n\n", "Negotiate"},
		{"CONNECT a:443 HTTP/1.1\r\nProxy-Authorization:\r\n\r\n", "(empty)"},
		{"CONNECT a:443 HTTP/1.1\r\nX-Proxy-Authorization: Basic x\r\n\r\n", ""},
		{"CONNECT a:443 HTTP/1.1\r\nProxy-Authorization: B\x00sic x\r\n\r\n", "B?sic"},
		{"CONNECT a:443 HTTP/1.1\r\nProxy-Authorization: " + strings.Repeat("A", 40) + " x\r\n\r\n", strings.Repeat("A", 32) + "…"},
	} {
		if got := proxyAuthScheme([]byte(tc.head)); got != tc.want {
			t.Errorf("proxyAuthScheme(%q) = %q, want %q", tc.head, got, tc.want)
		}
	}
}
