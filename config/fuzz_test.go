package config

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// FuzzParse feeds arbitrary bytes to Parse. It must not panic, must return either a
// config or an error, and every error must be a located *Error inside the file.
// Seeds are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add(Default())
	f.Add([]byte(web + "[listener.client_ssl]\nciphers = [\"TLS_AES_128_GCM_SHA256\", 1]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data, "fuzz.toml")
		if (cfg == nil) == (err == nil) {
			t.Fatalf("Parse returned cfg=%v err=%v; want exactly one", cfg != nil, err)
		}
		if err == nil {
			if len(cfg.Listeners) == 0 {
				t.Fatal("a config without listeners was accepted")
			}
			for _, o := range cfg.Listeners {
				if o.Name == "" || o.Listen == "" || o.Backend == "" || o.Mode == "" {
					t.Fatalf("accepted listener lacks a required field: %+v", o)
				}
			}
			return
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		var walk func(error)
		walk = func(e error) {
			if j, ok := e.(interface{ Unwrap() []error }); ok {
				for _, x := range j.Unwrap() {
					walk(x)
				}
				return
			}
			var ce *Error
			if !errors.As(e, &ce) {
				t.Fatalf("error %q is not a *config.Error", e)
			}
			if ce.Line < 0 || ce.Line > lines {
				t.Fatalf("error blames line %d of a %d-line input: %v", ce.Line, lines, ce)
			}
			if ce.Line > 0 && (ce.Col < 0 || ce.Col > len(bytes.Split(data, []byte("\n"))[ce.Line-1])+1) {
				t.Fatalf("error blames column %d of line %d, which is not on it: %v", ce.Col, ce.Line, ce)
			}
		}
		walk(err)
	})
}

// FuzzLocate checks the position scanner on arbitrary bytes: no panic, no line beyond
// the input, and, whenever toml.Decode accepts the input, a position for every key and
// array element it decoded. Seeds are in testdata/fuzz/FuzzLocate.
func FuzzLocate(f *testing.F) {
	f.Add([]byte("[a]\nb.c = [1, {d = 2}]\n[[e]]\nf = '''x'''\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		at := locate(data)
		lines := bytes.Count(data, []byte("\n")) + 1
		for path, p := range at {
			if p.Line < 1 || p.Line > lines || p.Col < 1 {
				t.Fatalf("%s at %+v in a %d-line input", path, p, lines)
			}
		}
		var m map[string]any
		if _, err := toml.Decode(string(data), &m); err != nil {
			return
		}
		if emptyKeyPart(at) {
			// BurntSushi/toml v1.6.0 decodes a.'' = [0, {b = 0}] as
			// [{b = 0}], dropping the 0 (seed 4029675702335cbf): under an
			// empty key part its element indices are not the source's, so
			// they cannot be compared with the scanner's.
			return
		}
		if missing := unlocated(m, at); len(missing) > 0 {
			t.Fatalf("decoded keys with no position: %q", missing)
		}
	})
}

// emptyKeyPart says some located key has an empty part below the top
// level, as the dotted key a."" has.
func emptyKeyPart(at map[string]pos) bool {
	for path := range at {
		if strings.Contains(path, `.""`) {
			return true
		}
	}
	return false
}
