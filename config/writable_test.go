package config

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckNewFileWritable: a log or key log file this process may not
// write (or not create in its directory) is refused when the config is
// read, so `config check` no longer passes a file that run then refuses
// ("open …: permission denied" at start-up). Permissions are injected:
// the tests run as root, who may write anything.
func TestCheckNewFileWritable(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "ltm.log")
	if err := os.WriteFile(existing, nil, 0o444); err != nil {
		t.Fatal(err)
	}
	denyAll := func(string) error { return fs.ErrPermission }
	denyDir := func(p string) error {
		if p == dir {
			return fs.ErrPermission
		}
		return nil
	}
	allow := func(string) error { return nil }
	tests := []struct {
		name     string
		path     string
		writable func(string) error
		want     string // "" = accepted
	}{
		{"existing file not writable", existing, denyAll, `log.file: "` + existing + `" is not writable by this process: permission denied`},
		{"existing file writable", existing, allow, ""},
		{"new file in a directory not writable", filepath.Join(dir, "new.log"), denyDir,
			`log.file: "` + filepath.Join(dir, "new.log") + `" cannot be created: directory "` + dir + `" is not writable by this process`},
		{"new file in a writable directory", filepath.Join(dir, "new.log"), allow, ""},
		{"a device is not checked", os.DevNull, denyAll, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &decoder{probs: problems{file: "t.toml"}, at: locate([]byte("[log]\nfile = \"x\"\n")), stat: osStat, writable: tt.writable}
			tb := &table{d: d, path: "log", name: "log", m: map[string]any{"file": tt.path}}
			tb.checkNewFile("file", tt.path)
			switch {
			case tt.want == "" && len(d.probs.list) > 0:
				t.Fatalf("refused: %v", d.probs.list[0])
			case tt.want != "" && len(d.probs.list) != 1:
				t.Fatalf("%d problems, want 1: %v", len(d.probs.list), d.probs.list)
			case tt.want != "":
				e := d.probs.list[0]
				if !strings.Contains(e.Error(), tt.want) {
					t.Errorf("got %v\nwant it to contain %s", e, tt.want)
				}
				if e.Line != 2 {
					t.Errorf("blamed line %d, want 2 (file =)", e.Line)
				}
			}
		})
	}
}

// TestCheckDirWritable: a capture or CA directory this process could not
// create (or, for captures, write into) is refused when the config is
// read, naming the key, so `config check` no longer passes what run then
// refuses with "mkdir …". A CA directory that already holds a CA is only
// read. Permissions are injected: the tests run as root.
func TestCheckDirWritable(t *testing.T) {
	dir := t.TempDir()
	withCA := filepath.Join(dir, "ca")
	if err := os.Mkdir(withCA, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(withCA, "ca.pem"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	caDir := "[ca]\ndir = \"" + withCA + "\"\n" // only read, so the capture cases get no ca.dir problem
	deny := func(string) error { return fs.ErrPermission }
	allow := func(string) error { return nil }
	tests := []struct {
		name, src string
		writable  func(string) error
		want      string // "" = accepted
	}{
		{"capture to create under a closed directory", caDir + web + "capture = \"" + dir + "/cap/a\" #<-\n", deny,
			`listener.capture: "` + dir + `/cap/a" cannot be created: directory "` + dir + `" is not writable by this process`},
		{"capture into a closed directory", caDir + web + "capture = \"" + dir + "\" #<-\n", deny,
			`listener.capture: "` + dir + `" is not writable by this process`},
		{"capture allowed", caDir + web + "capture = \"" + dir + "/cap\"\n", allow, ""},
		{"ca dir to create under a closed directory", "[ca]\ndir = \"" + dir + "/newca\" #<-\n" + web, deny,
			`ca.dir: "` + dir + `/newca" cannot be created: directory "` + dir + `" is not writable by this process`},
		{"ca dir without a CA, closed", "[ca]\ndir = \"" + dir + "\" #<-\n" + web, deny,
			`ca.dir: "` + dir + `" is not writable by this process`},
		{"ca dir holding a CA is only read", "[ca]\ndir = \"" + withCA + "\"\n" + web, deny, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse([]byte(tt.src), filepath.Join(dir, "t.toml"), &decoder{stat: osStat, writable: tt.writable, resolve: systemResolve})
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want == "":
			case err == nil:
				t.Fatalf("accepted, want %s", tt.want)
			case strings.Count(err.Error(), "\n") > 0:
				t.Errorf("more than one problem: %v", err)
			case !strings.Contains(err.Error(), tt.want):
				t.Errorf("got %v\nwant it to contain %s", err, tt.want)
			default:
				line := strings.Count(tt.src[:strings.Index(tt.src, "#<-")], "\n") + 1
				if !strings.Contains(err.Error(), fmt.Sprintf("t.toml:%d:", line)) {
					t.Errorf("got %v, want it at line %d", err, line)
				}
			}
		})
	}
}
