package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
)

// recSink records every write it gets, as separate writes.
type recSink struct {
	mu     sync.Mutex
	writes []string
	fail   error
	syncs  int
}

func (r *recSink) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return 0, r.fail
	}
	r.writes = append(r.writes, string(p))
	return len(p), nil
}

func (r *recSink) Sync() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.syncs++
	return nil
}

func (r *recSink) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.writes...)
}

func TestBatchSink(t *testing.T) {
	long := strings.Repeat("x", batchMax) + "\n"
	cases := []struct {
		name  string
		every time.Duration
		do    func(t *testing.T, b *batchSink, r *recSink)
		want  []string // the writes the file gets, in order
	}{
		{"held until Sync, then one write", time.Hour, func(t *testing.T, b *batchSink, r *recSink) {
			write(t, b, "a\n", "b\n")
			if w := r.got(); len(w) != 0 {
				t.Fatalf("written before the interval or a Sync: %q", w)
			}
			if err := b.Sync(); err != nil {
				t.Fatal(err)
			}
			if r.syncs != 1 {
				t.Fatalf("Sync did not reach the file (%d syncs)", r.syncs)
			}
		}, []string{"a\nb\n"}},
		{"a full batch is written at once", time.Hour, func(t *testing.T, b *batchSink, r *recSink) {
			write(t, b, "a\n", long)
			if w := r.got(); len(w) != 1 {
				t.Fatalf("a batch over %d bytes was not written by Write: %d writes", batchMax, len(w))
			}
			write(t, b, "c\n")
			if err := b.Sync(); err != nil {
				t.Fatal(err)
			}
		}, []string{"a\n" + long, "c\n"}},
		{"Stop writes what waits, then every line at once", time.Hour, func(t *testing.T, b *batchSink, r *recSink) {
			write(t, b, "a\n", "b\n")
			if err := b.Stop(); err != nil {
				t.Fatal(err)
			}
			write(t, b, "c\n")
		}, []string{"a\nb\n", "c\n"}},
		{"the timer writes", time.Millisecond, func(t *testing.T, b *batchSink, r *recSink) {
			write(t, b, "a\n")
			waitWrites(t, r, 1)
			write(t, b, "b\n")
			waitWrites(t, r, 2)
		}, []string{"a\n", "b\n"}},
		{"nothing waiting, nothing written", time.Hour, func(t *testing.T, b *batchSink, r *recSink) {
			if err := b.Sync(); err != nil {
				t.Fatal(err)
			}
			if err := b.Stop(); err != nil {
				t.Fatal(err)
			}
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &recSink{}
			b := newBatchSink(r, tc.every)
			tc.do(t, b, r)
			if got := r.got(); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("writes %q, want %q", clipAll(got), clipAll(tc.want))
			}
		})
	}
}

// TestBatchSinkTimedError: lines a timed write could not write are lost,
// and the next Write says so instead of failing silently.
func TestBatchSinkTimedError(t *testing.T) {
	r := &recSink{fail: errors.New("disk full")}
	b := newBatchSink(r, time.Millisecond)
	write(t, b, "a\n")
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.mu.Lock()
		failed := b.err != nil
		b.mu.Unlock()
		if failed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the timed write never ran")
		}
		time.Sleep(time.Millisecond)
	}
	r.mu.Lock()
	r.fail = nil
	r.mu.Unlock()
	if _, err := b.Write([]byte("b\n")); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Write after a failed timed write: err %v, want the write's error", err)
	}
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := r.got(); len(got) != 1 || got[0] != "b\n" {
		t.Fatalf("writes %q, want only the line after the failure", got)
	}
}

// TestBatchSinkWholeLines has many writers log into a real file through
// the raw-append sink, as the event loops do, and checks that every line
// arrives whole, once and in order.
func TestBatchSinkWholeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tlsgate.log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out zapcore.WriteSyncer = f
	if fs, ok := newFileSink(f); ok {
		out = fs
	}
	b := newBatchSink(out, 100*time.Microsecond)
	writeLines(t, b, 4, 3000)
	if err := b.Stop(); err != nil {
		t.Fatal(err)
	}
	checkLines(t, path, 4, 3000)
}

func write(t *testing.T, b *batchSink, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if n, err := b.Write([]byte(l)); err != nil || n != len(l) {
			t.Fatalf("Write(%q) = %d, %v", clip(l), n, err)
		}
	}
}

// waitWrites waits, without a bound on how fast, for the timer's writes.
func waitWrites(t *testing.T, r *recSink, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(r.got()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s, %d writes, want %d: the timer never wrote", len(r.got()), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func clip(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

func clipAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clip(s)
	}
	return out
}
