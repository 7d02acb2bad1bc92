//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
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
	writeLines(t, fs, 4, 500)
	checkLines(t, path, 4, 500)
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
