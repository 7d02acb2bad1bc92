package upstream

import (
	"bytes"
	"io"
	"sync"
	"testing"
	"time"
)

// seen is a Watcher that keeps what it was shown of each direction.
type seen struct {
	mu       sync.Mutex
	up, down bytes.Buffer
}

func (s *seen) Read(down bool, p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if down {
		s.down.Write(p)
		return
	}
	s.up.Write(p)
}

// TestPumpWatch: Options.Watch is shown every byte the relay reads
// through its own buffers, both ways and in order, firstUp excepted (the
// caller has it), with or without an idle timeout and on a TLS client
// leg; past spliceAfter a direction splices and the rest goes unseen,
// which Result's counts then show.
func TestPumpWatch(t *testing.T) {
	big := string(bytes.Repeat([]byte("x"), spliceAfter+1000))
	for _, tt := range []struct {
		name      string
		useTLS    bool
		idle      time.Duration
		up, down  []string
		wantDown  int // bytes of down seen; -1: all of them
		spliceCut bool
	}{
		{"sockets", false, 0, []string{"request", "more"}, []string{"answer", "rest"}, -1, false},
		{"idle armed", false, 30 * time.Second, []string{"request"}, []string{"answer"}, -1, false},
		{"TLS leg", true, 0, []string{"request"}, []string{"answer"}, -1, false},
		{"down spliced", false, 0, []string{"request"}, []string{big, "tail"}, spliceAfter, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.useTLS)
			w := &seen{}
			done := r.startWith([]byte("hello"), Options{Idle: tt.idle, Watch: w})
			if _, err := io.ReadFull(r.backendApp, make([]byte, 5)); err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.up {
				go func() { _, _ = io.WriteString(r.clientApp, s) }()
				if _, err := io.ReadFull(r.backendApp, make([]byte, len(s))); err != nil {
					t.Fatal(err)
				}
			}
			for _, s := range tt.down {
				go func() { _, _ = io.WriteString(r.backendApp, s) }()
				if _, err := io.ReadFull(r.clientApp, make([]byte, len(s))); err != nil {
					t.Fatal(err)
				}
			}
			_ = r.clientApp.CloseWrite()
			_ = r.backendApp.CloseWrite()
			_, _ = io.ReadAll(r.backendApp)
			_, _ = io.ReadAll(r.clientApp)
			pr := <-done
			if pr.err != nil {
				t.Fatal(pr.err)
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			if got, want := w.up.String(), concat(tt.up); got != want {
				t.Errorf("up seen %q, want %q (firstUp is not shown)", got, want)
			}
			wantDown := concat(tt.down)
			if tt.spliceCut {
				if w.down.Len() < tt.wantDown || w.down.Len() >= len(wantDown) || int64(w.down.Len()) >= pr.res.Down {
					t.Errorf("down seen %d B of %d (relayed %d); want the first %d and no more than the warm phase", w.down.Len(), len(wantDown), pr.res.Down, tt.wantDown)
				}
				return
			}
			if got := w.down.String(); got != wantDown {
				t.Errorf("down seen %q, want %q", got, wantDown)
			}
		})
	}
}

func concat(s []string) string {
	var b bytes.Buffer
	for _, x := range s {
		b.WriteString(x)
	}
	return b.String()
}
