package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestProcDirsRefused: /proc admits no new directory, even for root, whom
// faccessat lets write anywhere: `config check` accepted [ca] dir =
// "/proc/x" and capture = "/proc/cap", which run then refused with mkdir's
// error. The real check tries a directory there and leaves nothing behind.
func TestProcDirsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ name, src, want string }{
		{"ca dir", "[ca]\ndir = \"/proc/x\"\n" + web, `t.toml:2:1: ca.dir: "/proc/x" cannot be created: directory "/proc" is not writable by this process`},
		{"capture", "[ca]\ndir = \"" + dir + "/ca\"\n" + web + "capture = \"/proc/cap\"\n", `t.toml:8:1: listener.capture: "/proc/cap" cannot be created: directory "/proc" is not writable`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), filepath.Join(dir, "t.toml"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v\nwant it to contain %s", err, tt.want)
			}
		})
	}
	// The probe leaves the directory it tried as it was.
	ok := filepath.Join(dir, "cap")
	if _, err := Parse([]byte("[ca]\ndir = \""+dir+"/ca\"\n"+web+"capture = \""+ok+"\"\n"), filepath.Join(dir, "t.toml")); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) != 0 {
		t.Errorf("the checks left %v in %s (%v)", ents, dir, err)
	}
}

// TestWritableLeavesMtime: checking that a directory is writable changes
// nothing in it, its modification time included (a probe file or
// directory created and removed again moved it, which backup tools and
// file watchers see as a change).
func TestWritableLeavesMtime(t *testing.T) {
	dir := t.TempDir()
	old := time.Date(2000, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(dir, old, old); err != nil {
		t.Fatal(err)
	}
	if err := osWritable(dir); err != nil {
		t.Fatalf("a fresh temporary directory is not writable: %v", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.ModTime().Equal(old) {
		t.Errorf("the check moved %s's mtime from %v to %v", dir, old, fi.ModTime())
	}
}
