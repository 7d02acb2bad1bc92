package config

import (
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
