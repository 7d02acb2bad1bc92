package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
)

// writeLines has writers goroutines write lines lines each through w at
// once, as the event loops log. Lines vary in length, so batches and pages
// end mid-line.
func writeLines(t *testing.T, w io.Writer, writers, lines int) {
	t.Helper()
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range lines {
				line := fmt.Sprintf("writer %d line %d %s\n", g, i, strings.Repeat("x", 1+i%300))
				if n, err := w.Write([]byte(line)); err != nil || n != len(line) {
					t.Errorf("write: n=%d err=%v", n, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// checkLines reads what writeLines wrote to the file at path: every line
// whole and once, and each writer's lines in the order it wrote them.
func checkLines(t *testing.T, path string, writers, lines int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	next := make([]int, writers)
	got := 0
	for _, l := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		var g, i int
		var pad string
		if _, err := fmt.Sscanf(string(l), "writer %d line %d %s", &g, &i, &pad); err != nil ||
			g < 0 || g >= writers || len(pad) != 1+i%300 {
			t.Fatalf("torn line %q", l)
		}
		if i != next[g] {
			t.Fatalf("writer %d: line %d arrived where line %d was due (lost, repeated or reordered)", g, i, next[g])
		}
		next[g]++
		got++
	}
	if got != writers*lines {
		t.Fatalf("%d lines in the file, want %d", got, writers*lines)
	}
}
