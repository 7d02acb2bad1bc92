package capture

import (
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// parkedConn is a socket whose Write, once the kernel has the bytes, runs
// meanwhile before returning: what the rest of the proxy does while a
// loaded scheduler leaves the writing goroutine parked. With limit > 0 a
// write sends at most limit bytes and then fails.
type parkedConn struct {
	net.Conn
	limit     int
	meanwhile func()
}

var errShortWrite = errors.New("test: write cut short")

func (c *parkedConn) Write(b []byte) (int, error) {
	var err error
	if c.limit > 0 && len(b) > c.limit {
		b, err = b[:c.limit], errShortWrite
	}
	n, werr := c.Conn.Write(b)
	if werr != nil {
		err = werr
	}
	c.meanwhile()
	return n, err
}

func (c *parkedConn) CloseWrite() error { return c.Conn.(*net.TCPConn).CloseWrite() }

// TestConnRecordsWriteBeforeWhatFollows writes "hello" from tlsgate, the
// client of the leg, and while the write has not returned lets the peer
// answer, reset or tlsgate close. The capture must keep the order of the
// wire: the bytes first, then what came after them.
func TestConnRecordsWriteBeforeWhatFollows(t *testing.T) {
	handshake := []string{"c SYN", "s SYN,ACK", "c ACK"}
	tests := []struct {
		name      string
		limit     int
		meanwhile func(t *testing.T, w *Writer, wrapped net.Conn, peer *net.TCPConn)
		wantErr   error
		want      []string // after the handshake
	}{
		{
			name: "the peer answers and the answer is read",
			meanwhile: func(t *testing.T, w *Writer, wrapped net.Conn, peer *net.TCPConn) {
				mustRead(t, peer, "hello")
				mustWrite(t, peer, "hi")
				mustRead(t, wrapped, "hi")
			},
			want: []string{"c PSH,ACK 5", "s ACK", "s PSH,ACK 2", "c ACK"},
		},
		{
			name: "the peer resets after reading",
			meanwhile: func(t *testing.T, w *Writer, wrapped net.Conn, peer *net.TCPConn) {
				mustRead(t, peer, "hello")
				_ = peer.SetLinger(0)
				_ = peer.Close()
				if _, err := readAll(t, wrapped); !errors.Is(err, syscall.ECONNRESET) {
					t.Fatalf("read after the peer's RST: %v", err)
				}
			},
			want: []string{"c PSH,ACK 5", "s ACK", "s RST,ACK"},
		},
		{
			name: "tlsgate half-closes",
			meanwhile: func(t *testing.T, w *Writer, wrapped net.Conn, peer *net.TCPConn) {
				if err := wrapped.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"c PSH,ACK 5", "s ACK", "c FIN,ACK", "s ACK"},
		},
		{
			name: "the capture is closed",
			meanwhile: func(t *testing.T, w *Writer, wrapped net.Conn, peer *net.TCPConn) {
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"c PSH,ACK 5", "s ACK"},
		},
		{
			name:      "nothing happens: a short write records what was sent",
			limit:     3,
			meanwhile: func(t *testing.T, w *Writer, wrapped net.Conn, peer *net.TCPConn) {},
			wantErr:   errShortWrite,
			want:      []string{"c PSH,ACK 3", "s ACK"},
		},
		{
			// The answer may answer the whole write, so the write is
			// recorded in full the moment the answer is; see settle.
			name:  "the peer answers a short write",
			limit: 3,
			meanwhile: func(t *testing.T, w *Writer, wrapped net.Conn, peer *net.TCPConn) {
				mustRead(t, peer, "hel")
				mustWrite(t, peer, "hi")
				mustRead(t, wrapped, "hi")
			},
			wantErr: errShortWrite,
			want:    []string{"c PSH,ACK 5", "s ACK", "s PSH,ACK 2", "c ACK"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			local, remote := loopbackPair(t)
			w, err := Create(t.TempDir(), 7, time.Now)
			if err != nil {
				t.Fatal(err)
			}
			client, server := addrPort(local.LocalAddr()), addrPort(local.RemoteAddr())
			w.Open(ServerLeg, client, server)
			parked := &parkedConn{Conn: local, limit: tt.limit}
			wrapped := Conn(parked, w, ServerLeg, false)
			parked.meanwhile = func() { tt.meanwhile(t, w, wrapped, remote) }
			if _, err := wrapped.Write([]byte("hello")); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Write: %v, want %v", err, tt.wantErr)
			}
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
			want := strings.Join(append(handshake, tt.want...), " | ")
			if got := strings.Join(flows[0].events, " | "); got != want {
				t.Errorf("packets:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestWriterTwoWritersOnOneDirection: a second write announced while the
// first is in flight puts the first one's bytes in the capture first, and
// the first write's end then records nothing more.
func TestWriterTwoWritersOnOneDirection(t *testing.T) {
	first, second := []byte("first"), []byte("second!")
	w, err := Create(t.TempDir(), 8, newStepClock().now)
	if err != nil {
		t.Fatal(err)
	}
	w.Open(ClientLeg, v4Client, v4Server)
	w.writing(ClientLeg, false, first)
	w.writing(ClientLeg, false, second)
	w.wrote(ClientLeg, false, first, len(first))
	w.wrote(ClientLeg, false, second, len(second))
	w.wrote(ClientLeg, false, second, len(second)) // no second record
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pf, err := readPcap(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	flows, err := followFlows(pf.packets)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(flows[0].data[1]); got != "firstsecond!" {
		t.Errorf("server sent %q, want %q", got, "firstsecond!")
	}
}
