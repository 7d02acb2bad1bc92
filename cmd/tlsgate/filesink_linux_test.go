//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Concurrent writers, as the event loops are: every line arrives whole.
func TestFileSinkLinesStayWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ltm")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fs, ok := newFileSink(f)
	if !ok {
		t.Fatal("a regular file was not given the raw sink")
	}
	const writers, lines = 4, 500
	pad := strings.Repeat("x", 300)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				line := fmt.Sprintf("w%d line %d %s\n", w, i, pad)
				if n, err := fs.Write([]byte(line)); err != nil || n != len(line) {
					t.Errorf("write: n=%d err=%v", n, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	r, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var w, i int
		var rest string
		if _, err := fmt.Sscanf(sc.Text(), "w%d line %d %s", &w, &i, &rest); err != nil || rest != pad {
			t.Fatalf("torn line %q", sc.Text())
		}
		seen[fmt.Sprint(w, i)] = true
	}
	if len(seen) != writers*lines {
		t.Fatalf("got %d distinct lines, want %d", len(seen), writers*lines)
	}
}

// A pipe can block for as long as its reader stalls, so it keeps Go's
// write, which lets the scheduler run other work meanwhile.
func TestFileSinkRefusesPipes(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, ok := newFileSink(w); ok {
		t.Fatal("a pipe got the raw sink")
	}
}

func TestFileSinkWriteErrorNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path) // read-only: write fails with EBADF
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fs, ok := newFileSink(f)
	if !ok {
		t.Fatal("regular file refused")
	}
	if _, err := fs.Write([]byte("x\n")); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want one naming %s", err, path)
	}
}
