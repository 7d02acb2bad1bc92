package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFileMax(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, n int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Repeat("x", n)), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty, atMax, overMax := write("empty", 0), write("at", 10), write("over", 11)
	missing := filepath.Join(dir, "missing")
	tests := []struct {
		name    string
		path    string
		wantLen int
		errText string // "" wants no error
		tooBig  bool
		notFind bool
	}{
		{name: "empty", path: empty},
		{name: "at the cap", path: atMax, wantLen: 10},
		{name: "one past the cap", path: overMax, errText: overMax + " is larger than 10 bytes", tooBig: true},
		{name: "missing", path: missing, errText: missing, notFind: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ReadFileMax(tt.path, 10)
			if tt.errText == "" {
				if err != nil || len(b) != tt.wantLen {
					t.Fatalf("ReadFileMax = %d bytes, %v; want %d bytes", len(b), err, tt.wantLen)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errText) {
				t.Fatalf("ReadFileMax error = %v, want one containing %q", err, tt.errText)
			}
			if got := tooLarge(err); got != tt.tooBig {
				t.Errorf("tooLarge(%v) = %v, want %v", err, got, tt.tooBig)
			}
			if got := errors.Is(err, fs.ErrNotExist); got != tt.notFind {
				t.Errorf("errors.Is(%v, fs.ErrNotExist) = %v, want %v", err, got, tt.notFind)
			}
		})
	}
}
