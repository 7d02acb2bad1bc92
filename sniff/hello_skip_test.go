package sniff

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

// alertRec is one alert record of the given level and description.
func alertRec(level, desc byte) []byte { return []byte{21, 3, 3, 0, 2, level, desc} }

// TestParseClientHelloSkips checks that the parser drops exactly the
// records crypto/tls's server drops before a ClientHello (warning alerts,
// at most 16 in a row) and refuses what it refuses, and that a real
// crypto/tls server agrees on every stream: it reads a hello from the same
// streams and from no other.
func TestParseClientHelloSkips(t *testing.T) {
	msg := handshake(minimalHello().body())
	warn := alertRec(1, 90) // user_canceled, as OpenSSL sends it
	split := records(msg, 20)
	first, rest := split[:25], split[25:]
	tests := []struct {
		name    string
		wire    []byte
		skipped []int  // offsets of the skipped alerts, when the hello parses
		reason  string // the HelloError's reason, when it does not
	}{
		{"warning alert first", slices.Concat(warn, records(msg)), []int{0}, ""},
		{"warning alert between records", slices.Concat(first, warn, rest), []int{25}, ""},
		{"inside the handshake header", slices.Concat(records(msg[:2]), warn, records(msg[2:])), []int{7}, ""},
		{"16 in a row", slices.Concat(bytes.Repeat(warn, 16), records(msg)), nil, ""},
		{"a record resets the count", slices.Concat(bytes.Repeat(warn, 16), first, bytes.Repeat(warn, 16), rest), nil, ""},
		{"17 in a row", slices.Concat(bytes.Repeat(warn, 17), records(msg)), nil, "at most 16"},
		{"fatal alert", slices.Concat(alertRec(2, 40), records(msg)), nil, "fatal handshake_failure (40)"},
		{"warning close_notify", slices.Concat(alertRec(1, 0), records(msg)), nil, "close_notify"},
		{"level 3", slices.Concat(alertRec(3, 90), records(msg)), nil, "level 3"},
		{"alert of 3 bytes", slices.Concat([]byte{21, 3, 3, 0, 3, 1, 90, 0}, records(msg)), nil, "length 3, not 2"},
		{"change_cipher_spec first", slices.Concat([]byte{20, 3, 3, 0, 1, 1}, records(msg)), nil, "content type 20"},
		{"change_cipher_spec between", slices.Concat(first, []byte{20, 3, 3, 0, 1, 1}, rest), nil, "content type 20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseClientHello(tt.wire)
			if tt.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				if tt.skipped != nil {
					var at []int
					for _, s := range h.Skipped {
						at = append(at, s.Offset)
						if s.Desc != 90 {
							t.Errorf("skipped %+v, want desc 90", s)
						}
					}
					if !slices.Equal(at, tt.skipped) {
						t.Errorf("skipped at %v, want %v", at, tt.skipped)
					}
				}
				if h.ServerName != "lab.test" || h.WireLen != len(tt.wire) {
					t.Errorf("SNI %q WireLen %d, want lab.test and %d", h.ServerName, h.WireLen, len(tt.wire))
				}
				// Until the last byte, the parser asks for more.
				if _, err := ParseClientHello(tt.wire[:len(tt.wire)-1]); !errors.Is(err, ErrNeedMore) {
					t.Errorf("one byte short: %v", err)
				}
			} else {
				var he *HelloError
				if !errors.As(err, &he) || !strings.Contains(he.Reason, tt.reason) || errors.Is(err, ErrNeedMore) {
					t.Fatalf("err = %v, want a HelloError saying %q", err, tt.reason)
				}
			}
			if read := serverReadsHello(t, tt.wire); read != (err == nil) {
				t.Errorf("crypto/tls read a hello: %v; sniff: %v", read, err)
			}
		})
	}
}

// TestParseClientHelloWholeRecord: a record header that promises more
// bytes than came holds no complete hello, even when the handshake
// message inside is whole. crypto/tls waits for the whole record too.
func TestParseClientHelloWholeRecord(t *testing.T) {
	msg := handshake(minimalHello().body())
	long := func(n int) []byte { return slices.Concat([]byte{22, 3, 1, byte(n >> 8), byte(n)}, msg) }
	tests := []struct {
		name string
		wire []byte
		want string // "" parses; else the error says this
	}{
		{"record 10 bytes longer, 10 missing", long(len(msg) + 10), "declares"},
		{"record 10 bytes longer, all there", slices.Concat(long(len(msg)+10), make([]byte, 10)), ""},
		{"record of 2^14, the rest never came", long(1 << 14), "declares 16384 bytes"},
		{"record of 2^14 up to the cap", slices.Concat(long(1<<14), make([]byte, MaxHelloBytes-5-len(msg))), "not complete within 16384"},
		{"last of two records longer", slices.Concat(records(msg[:20]), []byte{22, 3, 1, 0, byte(len(msg) - 20 + 5)}, msg[20:]), "offset 25 declares"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseClientHello(tt.wire)
			switch {
			case tt.want == "" && err != nil:
				t.Fatal(err)
			case tt.want == "":
				if h.WireLen != 5+len(msg) {
					t.Errorf("WireLen %d, want %d: the hello ends where its message does", h.WireLen, 5+len(msg))
				}
			case err == nil || !strings.Contains(err.Error(), tt.want):
				t.Fatalf("err = %v, want one saying %q", err, tt.want)
			case len(tt.wire) < MaxHelloBytes && !errors.Is(err, ErrNeedMore):
				t.Fatalf("err = %v, want ErrNeedMore below the cap", err)
			case len(tt.wire) >= MaxHelloBytes && !errors.Is(err, ErrTooLarge):
				t.Fatalf("err = %v, want ErrTooLarge at the cap", err)
			}
			if read := serverReadsHello(t, tt.wire); read != (err == nil) {
				t.Errorf("crypto/tls read a hello: %v; sniff: %v", read, err)
			}
		})
	}
}

func TestHelloMayFollow(t *testing.T) {
	tests := []struct {
		b    []byte
		want bool
	}{
		{nil, false},
		{[]byte{21}, true},
		{[]byte{21, 3, 1}, true},
		{[]byte{21, 3, 1, 0, 2, 1}, true},
		{alertRec(1, 90), true},
		{slices.Concat(alertRec(1, 90), []byte{22, 3, 1}), true},
		{alertRec(2, 40), false},
		{alertRec(1, 0), false},
		{[]byte{21, 3, 1, 0, 3}, false},
		{[]byte{21, 2}, false},
		{[]byte{21, 3, 0x30}, false}, // no TLS record to Classify
		{[]byte{20, 3, 3, 0, 1, 1}, false},
		{[]byte{22, 3, 1}, false},
	}
	for _, tt := range tests {
		if got := HelloMayFollow(tt.b); got != tt.want {
			t.Errorf("HelloMayFollow(% x) = %v, want %v", tt.b, got, tt.want)
		}
	}
}

// serverReadsHello sends wire to a crypto/tls server on loopback, closes
// the sending side, and says whether the server got as far as a parsed
// ClientHello.
func serverReadsHello(t *testing.T, wire []byte) bool {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan bool, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- false
			return
		}
		defer conn.Close()
		seen := false
		cfg := &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			seen = true
			return nil, errStop
		}}
		_ = tls.Server(conn, cfg).Handshake()
		got <- seen
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A deadline only so a broken server cannot hang the test run.
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Write(wire); err != nil {
		t.Fatal(err)
	}
	_ = conn.(*net.TCPConn).CloseWrite()
	_, _ = io.Copy(io.Discard, conn)
	return <-got
}
