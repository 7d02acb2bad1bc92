package upstream

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// TestPumpUpLast: the client's last read is kept (its first LastSize bytes
// and its length) on every copy path that sees the bytes: read/write on
// sockets, a TLS client leg, windows under an idle timeout. Once the
// direction splices, the last read is unknown (-1), and so it is when the
// caller did not ask for it (Options.KeepLast): then no read is copied.
func TestPumpUpLast(t *testing.T) {
	closeNotify13 := "\x17\x03\x03\x00\x13" + string(make([]byte, 19))
	tests := []struct {
		name    string
		useTLS  bool
		idle    time.Duration
		notKept bool // Options.KeepLast unset
		writes  []string
		want    string // the last read's first bytes
		wantLen int
	}{
		{"sockets", false, 0, false, []string{"GET / HTTP/1.1\r\n\r\n", closeNotify13}, closeNotify13[:LastSize], len(closeNotify13)},
		{"TLS leg", true, 0, false, []string{"GET / HTTP/1.1\r\n\r\n", "last"}, "last", 4},
		{"idle armed", false, 30 * time.Second, false, []string{"first write", closeNotify13}, closeNotify13[:LastSize], len(closeNotify13)},
		{"nothing after the replay", false, 0, false, nil, "", 0},
		{"spliced", false, 0, false, []string{string(bytes.Repeat([]byte("x"), spliceAfter+1000)), closeNotify13}, "", -1},
		{"not asked, sockets", false, 0, true, []string{"GET / HTTP/1.1\r\n\r\n", closeNotify13}, "", -1},
		{"not asked, TLS leg", true, 0, true, []string{"GET / HTTP/1.1\r\n\r\n", "last"}, "", -1},
		{"not asked, idle armed", false, 30 * time.Second, true, []string{"first write", closeNotify13}, "", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.useTLS)
			done := r.startWith([]byte("hello"), Options{Idle: tt.idle, KeepLast: !tt.notKept})
			if _, err := io.ReadFull(r.backendApp, make([]byte, 5)); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.writes {
				// Each write reaches the backend before the next is sent,
				// so the last one is a read of its own.
				go func() { _, _ = io.WriteString(r.clientApp, w) }()
				if _, err := io.ReadFull(r.backendApp, make([]byte, len(w))); err != nil {
					t.Fatal(err)
				}
			}
			_ = r.clientApp.CloseWrite()
			_ = r.backendApp.CloseWrite()
			if _, err := io.ReadAll(r.backendApp); err != nil {
				t.Fatal(err)
			}
			pr := <-done
			if pr.err != nil {
				t.Fatal(pr.err)
			}
			got := pr.res.UpLast[:max(0, min(LastSize, pr.res.UpLastLen))]
			if tt.notKept && pr.res.UpLast != [LastSize]byte{} {
				t.Errorf("last read % x kept, though not asked for", pr.res.UpLast)
			}
			if string(got) != tt.want || pr.res.UpLastLen != tt.wantLen {
				t.Errorf("last read % x (%d B), want % x (%d B)", got, pr.res.UpLastLen, tt.want, tt.wantLen)
			}
		})
	}
}
