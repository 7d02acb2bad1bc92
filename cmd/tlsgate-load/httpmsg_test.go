package main

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		wantStatus int
		wantClose  bool
		wantRest   string // what must be left for the next response
		wantErr    string
	}{
		{"bench response", benchResponse + "NEXT", 200, false, "NEXT", ""},
		{"two in a row leave the second", benchResponse + benchResponse, 200, false, benchResponse, ""},
		{"header names are case-insensitive", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhiNEXT", 200, false, "NEXT", ""},
		{"bare LF line ends", "HTTP/1.1 200 OK\ncontent-length: 1\n\nxNEXT", 200, false, "NEXT", ""},
		{"connection close is seen", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 200, true, "", ""},
		{"no length reads to EOF, as a proxy's error page does", "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nThe plain HTTP request was sent to HTTPS port", 400, true, "", ""},
		{"204 has no body", "HTTP/1.1 204 No Content\r\n\r\nNEXT", 204, false, "NEXT", ""},
		{"status without reason", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", 200, false, "", ""},
		{"body cut short", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, false, "", "body cut after 3 of 10 bytes"},
		{"header cut short", "HTTP/1.1 200 OK\r\nContent-Le", 0, false, "", "closed inside the header"},
		{"clean EOF before anything", "", 0, false, "", "EOF"},
		{"not http", "SSH-2.0-OpenSSH_9.6\r\n\r\n", 0, false, "", "not a status line"},
		{"tls alert bytes", "\x15\x03\x03\x00\x02\x02\x28\n\n", 0, false, "", "not a status line"},
		{"bad code", "HTTP/1.1 2x0 OK\r\n\r\n", 0, false, "", "bad status code"},
		{"negative length", "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", 0, false, "", "bad Content-Length"},
		{"huge length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n", 0, false, "", "over the"},
		{"header without colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", 0, false, "", "without a colon"},
		{"empty first line", "\r\n\r\n", 0, false, "", "empty first line"},
		{"endless header", "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("a", 100)+"\r\n", 200), 0, false, "", "header longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tt.in), 1024)
			h, err := readResponse(br)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.status != tt.wantStatus || h.close != tt.wantClose {
				t.Errorf("status %d close %v; want %d %v", h.status, h.close, tt.wantStatus, tt.wantClose)
			}
			rest, _ := io.ReadAll(br)
			if string(rest) != tt.wantRest {
				t.Errorf("left %q; want %q", rest, tt.wantRest)
			}
		})
	}
}

func TestReadRequest(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantFirst string
		wantClose bool
		wantRest  string
		wantErr   error
	}{
		{"bench request", benchRequest + "NEXT", "GET /bench HTTP/1.1", false, "NEXT", nil},
		{"curl-like close", "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "GET / HTTP/1.1", true, "", nil},
		{"body is skipped", "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nbodyNEXT", "POST / HTTP/1.1", false, "NEXT", nil},
		{"peer went away", "", "", false, "", io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReader(strings.NewReader(tt.in))
			h, err := readRequest(br)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v; want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.first != tt.wantFirst || h.close != tt.wantClose {
				t.Errorf("got %q close %v; want %q %v", h.first, h.close, tt.wantFirst, tt.wantClose)
			}
			rest, _ := io.ReadAll(br)
			if string(rest) != tt.wantRest {
				t.Errorf("left %q; want %q", rest, tt.wantRest)
			}
		})
	}
}

// FuzzReadResponse feeds arbitrary bytes, as a misbehaving proxy might
// send: the reader must return a response or an error, never panic, and
// never claim a status outside 100..999.
func FuzzReadResponse(f *testing.F) {
	f.Add([]byte(benchResponse))
	f.Add([]byte("HTTP/1.1 400 Bad Request\r\n\r\nbody"))
	f.Add([]byte("HTTP/1.0 204\n\n"))
	f.Add([]byte("\x16\x03\x01\x00\x05hello"))
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReaderSize(strings.NewReader(string(data)), 256)
		for range 4 {
			h, err := readResponse(br)
			if err != nil {
				return
			}
			if h.status < 100 || h.status > 999 {
				t.Fatalf("status %d accepted from %q", h.status, data)
			}
		}
	})
}
