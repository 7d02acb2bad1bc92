package capture

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loopbackPair returns both ends of a real TCP connection on 127.0.0.1.
func loopbackPair(t *testing.T) (client, server *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		t.Fatal("accept failed")
	}
	// A safety net against a hung test, not a timing assertion.
	deadline := time.Now().Add(time.Minute)
	_ = c.SetDeadline(deadline)
	_ = s.SetDeadline(deadline)
	t.Cleanup(func() { c.Close(); s.Close() })
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

func addrPort(a net.Addr) netip.AddrPort { return a.(*net.TCPAddr).AddrPort() }

func readAll(t *testing.T, c net.Conn) (string, error) {
	t.Helper()
	b, err := io.ReadAll(c)
	return string(b), err
}

func TestConnRecordsBothDirections(t *testing.T) {
	tests := []struct {
		name string
		leg  Leg
		// facingClient: the wrapped conn is the one tlsgate accepted (its
		// peer is the leg's client); else tlsgate dialled it.
		facingClient bool
		script       func(t *testing.T, wrapped net.Conn, peer *net.TCPConn)
		want         []string // events, from the leg's client's view
	}{
		{
			name: "accepted conn: request, response, half-closes", leg: ClientLeg, facingClient: true,
			script: func(t *testing.T, wrapped net.Conn, peer *net.TCPConn) {
				mustWrite(t, peer, "ping")
				mustRead(t, wrapped, "ping")
				mustWrite(t, wrapped, "pong!")
				mustRead(t, peer, "pong!")
				if err := peer.CloseWrite(); err != nil {
					t.Fatal(err)
				}
				if got, err := readAll(t, wrapped); got != "" || err != nil {
					t.Fatalf("after the peer's FIN: %q, %v", got, err)
				}
				if err := wrapped.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
					t.Fatal(err)
				}
				if got, err := readAll(t, peer); got != "" || err != nil {
					t.Fatalf("after tlsgate's FIN: %q, %v", got, err)
				}
				_ = wrapped.Close() // FIN already sent: nothing more to record
			},
			want: []string{"c SYN", "s SYN,ACK", "c ACK", "c PSH,ACK 4", "s ACK", "s PSH,ACK 5", "c ACK", "c FIN,ACK", "s ACK", "s FIN,ACK", "c ACK"},
		},
		{
			name: "dialled conn: tlsgate is the leg's client", leg: ServerLeg, facingClient: false,
			script: func(t *testing.T, wrapped net.Conn, peer *net.TCPConn) {
				mustWrite(t, wrapped, "hello backend")
				mustRead(t, peer, "hello backend")
				mustWrite(t, peer, "hi")
				mustRead(t, wrapped, "hi")
				if err := wrapped.Close(); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"c SYN", "s SYN,ACK", "c ACK", "c PSH,ACK 13", "s ACK", "s PSH,ACK 2", "c ACK", "c FIN,ACK", "s ACK"},
		},
		{
			name: "tlsgate resets", leg: ClientLeg, facingClient: true,
			script: func(t *testing.T, wrapped net.Conn, peer *net.TCPConn) {
				mustWrite(t, peer, "x")
				mustRead(t, wrapped, "x")
				if err := wrapped.(interface{ Reset() error }).Reset(); err != nil {
					t.Fatal(err)
				}
				if _, err := readAll(t, peer); !errors.Is(err, syscall.ECONNRESET) {
					t.Fatalf("peer read after Reset: %v, want a connection reset", err)
				}
				_ = wrapped.Close()
			},
			want: []string{"c SYN", "s SYN,ACK", "c ACK", "c PSH,ACK 1", "s ACK", "s RST,ACK"},
		},
		{
			// A fault holding the socket open closes tlsgate's descriptor
			// beneath the recorder; the Close that follows sent nothing.
			name: "socket closed beneath the recorder", leg: ClientLeg, facingClient: true,
			script: func(t *testing.T, wrapped net.Conn, peer *net.TCPConn) {
				mustWrite(t, peer, "x")
				mustRead(t, wrapped, "x")
				_ = wrapped.(interface{ NetConn() net.Conn }).NetConn().Close()
				if err := wrapped.Close(); err == nil {
					t.Error("closing a closed socket reported no error")
				}
			},
			want: []string{"c SYN", "s SYN,ACK", "c ACK", "c PSH,ACK 1", "s ACK"},
		},
		{
			name: "peer resets", leg: ServerLeg, facingClient: false,
			script: func(t *testing.T, wrapped net.Conn, peer *net.TCPConn) {
				mustWrite(t, peer, "bye")
				mustRead(t, wrapped, "bye")
				_ = peer.SetLinger(0)
				_ = peer.Close()
				if _, err := readAll(t, wrapped); !errors.Is(err, syscall.ECONNRESET) {
					t.Fatalf("read after the peer's RST: %v", err)
				}
				_ = wrapped.Close()
			},
			want: []string{"c SYN", "s SYN,ACK", "c ACK", "s PSH,ACK 3", "c ACK", "s RST,ACK"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			local, remote := loopbackPair(t)
			w, err := Create(t.TempDir(), 5, time.Now)
			if err != nil {
				t.Fatal(err)
			}
			var client, server netip.AddrPort
			if tt.facingClient {
				client, server = addrPort(local.RemoteAddr()), addrPort(local.LocalAddr())
			} else {
				client, server = addrPort(local.LocalAddr()), addrPort(local.RemoteAddr())
			}
			w.Open(tt.leg, client, server)
			wrapped := Conn(local, w, tt.leg, tt.facingClient)
			tt.script(t, wrapped, remote)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			f, err := readPcap(w.Path())
			if err != nil {
				t.Fatal(err)
			}
			flows, err := followFlows(f.packets)
			if err != nil {
				t.Fatal(err)
			}
			if len(flows) != 1 || flows[0].client != client || flows[0].server != server {
				t.Fatalf("connections %+v, want one %v -> %v", flows, client, server)
			}
			if got, want := strings.Join(flows[0].events, " | "), strings.Join(tt.want, " | "); got != want {
				t.Errorf("packets:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestConnNetConnReachesSocket(t *testing.T) {
	local, _ := loopbackPair(t)
	w, err := Create(t.TempDir(), 1, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	wrapped := Conn(local, w, ClientLeg, true)
	nc, ok := wrapped.(interface{ NetConn() net.Conn })
	if !ok || nc.NetConn() != local {
		t.Errorf("NetConn does not return the wrapped socket")
	}
	if tcpSocket(Conn(wrapped, w, ClientLeg, true)) != local {
		t.Errorf("the socket under two wrappers is not found")
	}
	if _, ok := wrapped.(interface{ Unwrap() net.Conn }); ok {
		t.Errorf("the wrapper has Unwrap: half-closes would bypass the recorder")
	}
}

// halfless is a conn that cannot half-close, like many wrappers.
type halfless struct{ net.Conn }

func TestConnCloseWriteUnsupported(t *testing.T) {
	local, _ := loopbackPair(t)
	w, err := Create(t.TempDir(), 1, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	w.Open(ClientLeg, addrPort(local.RemoteAddr()), addrPort(local.LocalAddr()))
	wrapped := Conn(halfless{local}, w, ClientLeg, true)
	err = wrapped.(interface{ CloseWrite() error }).CloseWrite()
	if err == nil || !strings.HasPrefix(err.Error(), "capture: ") || !strings.Contains(err.Error(), local.LocalAddr().String()) {
		t.Errorf("CloseWrite = %v, want a capture: error naming the addresses", err)
	}
	// Reset without a reachable socket closes, and the peer sees a FIN.
	if err := wrapped.(interface{ Reset() error }).Reset(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := readPcap(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.packets); n != 5 || f.packets[3].flags != flagFIN|flagACK {
		t.Errorf("%d packets, want the handshake then one FIN and its ACK", n)
	}
}

func mustWrite(t *testing.T, c net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, c net.Conn, want string) {
	t.Helper()
	b := make([]byte, len(want))
	if _, err := io.ReadFull(c, b); err != nil || string(b) != want {
		t.Fatalf("read %q, %v; want %q", b, err, want)
	}
}
