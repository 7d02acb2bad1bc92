// Package config reads tlsgate's TOML file into the option types of the packages
// that run it. Decoding is strict: an unknown key, a wrong type or a value that cannot
// work is an error naming the key and its line:column, and all such errors are reported at
// once. It is the only package that imports a TOML library.
package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/listener"
	"github.com/tlsgate/tlsgate/pki"
)

// defaultTOML is the documented example config. A string, not []byte, so that the
// embedded copy cannot be modified through a returned slice.
//
//go:embed default.toml
var defaultTOML string

// Default returns the built-in config, which runs as is on a fresh machine: a demo
// HTTP backend and one listener per common situation, all on 127.0.0.1. The same text
// is config.toml at the repository root.
func Default() []byte { return []byte(defaultTOML) }

// Default values for the settings outside [[listener]]; the listener defaults are the
// listener.Default* constants.
const (
	DefaultLogFormat     = "bigip"
	DefaultLogLevel      = "info"
	DefaultLogLang       = "en"
	DefaultLogFlush      = 20 * time.Millisecond
	MaxLogFlush          = 10 * time.Second
	DefaultCADir         = "./tlsgate-ca"
	DefaultShutdownGrace = 10 * time.Second
)

// Config is a whole tlsgate config file, decoded, defaulted and validated.
type Config struct {
	Log       Log
	CA        CA
	Demo      Demo
	Shutdown  Shutdown
	Admin     Admin
	Listeners []listener.Options // in file order; each has a unique Name and Listen
	Faults    []faults.Rule      // [[fault]] rules, validated, in file order
	// Notes are settings that are valid but will probably not do what
	// their author meant (an RSA-only cipher list with minted ECDSA
	// leaves). `config check` prints them and run logs them as warnings.
	Notes []string

	// Where the keys were, for KeyError.
	file string
	at   map[string]pos
}

// KeyError locates err, a problem only found when tlsgate runs (a syslog host
// that does not resolve, a corrupt lab CA), at key in the file the Config was
// parsed from, so the message names the key and its line:column as Parse's would. key is
// the dotted path with array indices, as in the file's structure: "log.syslog",
// "listener[1].keylog", or "listener[1]" for a listener as a whole. The *Error's
// Key drops the indices. A key that is not in the file (a default) gets the line
// of its table, or none.
func (c *Config) KeyError(key string, err error) *Error {
	name := dropIndices(key)
	var at pos
	for k := key; k != "" && at.Line == 0; k = parentPath(k) {
		at = c.at[k]
	}
	return &Error{File: c.file, Line: at.Line, Col: at.Col, Key: name, Err: fmt.Errorf("%s: %w", name, err)}
}

// dropIndices turns "listener[1].client_ssl" into "listener.client_ssl".
func dropIndices(path string) string {
	var b strings.Builder
	skip := false
	for _, r := range path {
		switch {
		case r == '[':
			skip = true
		case r == ']':
			skip = false
		case !skip:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parentPath strips the last key or index: "listener[1].keylog" → "listener[1]" →
// "listener" → "".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// Log is [log]: how each connection's one log event is written.
type Log struct {
	Format string // "bigip" (BIG-IP /var/log/ltm lines), "json" or "console"
	File   string // path to append to; "" means stderr
	Host   string // host name written in BIG-IP lines; "" means the caller uses os.Hostname()
	Level  string // "info" logs every connection; "warning" only the ones that went wrong
	Lang   string // language of the plain explanations: "en" or "ja"
	// FlushInterval is how long lines may wait to be appended to File
	// together; 0 writes each line at once. Standard error is never held.
	FlushInterval time.Duration

	// SyslogNetwork and SyslogAddr say where to forward lines as RFC 3164 syslog, as
	// net.Dial takes them ("udp", "127.0.0.1:514"); both are "" when forwarding is off.
	SyslogNetwork string
	SyslogAddr    string
}

// CA is [ca]: where the lab certificate authority lives.
type CA struct {
	Dir string // created on first run if absent; relative to the config file's directory
}

// Demo is [demo]: the optional built-in plain-HTTP backend, so a newcomer has
// something to proxy to before pointing tlsgate at a real server.
type Demo struct {
	Listen string // host:port; "" means no demo backend
}

// Shutdown is [shutdown]: how a stop signal is handled.
type Shutdown struct {
	Grace time.Duration // how long open connections may finish before they are closed; 0 closes at once
}

// Load reads and parses the config file at path. Relative paths inside the file are
// resolved against the file's directory, so the config works from any working
// directory (including systemd's /).
func Load(path string) (*Config, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("config: %s is a directory, not a config file", path)
	}
	data, err := ReadFileMax(path, maxConfigFile)
	var pe *fs.PathError
	switch {
	case tooLarge(err):
		return nil, fmt.Errorf("config: read %s: larger than %d MiB, which no tlsgate config is", path, maxConfigFile>>20)
	case errors.As(err, &pe):
		return nil, fmt.Errorf("config: %w", err) // "open PATH: …" names it already
	case err != nil:
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	return Parse(data, path)
}

// maxConfigFile bounds what Load reads: a config is a few KiB, and -c naming a
// log, a device or a FIFO by mistake must end in an error, not in reading
// until memory runs out.
const maxConfigFile = 16 << 20

// Parse decodes config text. name labels error messages ("config: <name>:<line>:<col>: …")
// and its directory is the base for relative paths in the file. Certificate, key and CA
// files named in the file are loaded as the listeners will load them, and the places
// tlsgate writes to (log file, key logs, capture and CA directories) must be
// creatable, so that what Parse accepts can start. On error the *Config is nil and
// the error joins one *Error per problem, sorted by line.
func Parse(data []byte, name string) (*Config, error) {
	return parse(data, name, &decoder{stat: osStat, writable: osWritable, resolve: systemResolve, now: time.Now})
}

// parse is Parse with the machine's answers (file checks, name resolution) taken
// from d, so that tests can give their own.
func parse(data []byte, name string, d *decoder) (*Config, error) {
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			at := syntaxPos(data, pe.Position)
			return nil, &Error{File: name, Line: at.Line, Col: at.Col, Err: syntaxError{pe: pe, first: firstDefinition(data, pe, at)}}
		}
		return nil, &Error{File: name, Err: fmt.Errorf("toml: %w", err)}
	}
	d.probs, d.at, d.base = problems{file: name}, locate(data), filepath.Dir(name)
	root := &table{d: d, m: raw}
	cfg := &Config{
		Log:      decodeLog(root),
		CA:       decodeCA(root),
		Demo:     decodeDemo(root),
		Shutdown: decodeShutdown(root),
		Admin:    decodeAdmin(root),
	}
	// Read once: each read reports a malformed list again.
	faultTables := arrayTables(root, "fault")
	var faultAt []int
	cfg.Faults, faultAt = decodeFaults(faultTables)
	tables := listenerTables(root)
	for i, t := range tables {
		cfg.Listeners = append(cfg.Listeners, decodeListener(t, i+1))
	}
	if len(tables) == 0 {
		switch v := raw["listener"].(type) {
		case nil:
			d.probs.addf(pos{}, "listener", "no [[listener]] table; tlsgate needs at least one address to listen on")
		case []any:
			if len(v) == 0 {
				root.fail("listener", "empty list; tlsgate needs at least one address to listen on")
			}
		}
	}
	checkClashes(root, tables, cfg)
	checkFaultListeners(faultTables, cfg, faultAt)
	root.unknown()
	if err := d.probs.err(); err != nil {
		return nil, err
	}
	cfg.file, cfg.at, cfg.Notes = name, d.at, d.notes
	return cfg, nil
}

func decodeLog(root *table) Log {
	t, _ := root.sub("log")
	l := Log{
		Format: t.oneOf("format", DefaultLogFormat, "bigip", "json", "console"),
		File:   t.filePath("file"),
		Level:  t.oneOf("level", DefaultLogLevel, "info", "warning", "warn"),
		Lang:   t.oneOf("lang", DefaultLogLang, "en", "ja"),

		FlushInterval: t.duration("flush_interval", DefaultLogFlush, true),
	}
	t.checkNewFile("file", l.File)
	if l.FlushInterval > MaxLogFlush {
		t.fail("flush_interval", "%s is over the %s limit: every line could reach the file that much later", l.FlushInterval, MaxLogFlush)
		l.FlushInterval = DefaultLogFlush
	}
	if l.Level == "warn" {
		l.Level = "warning" // zap's and most loggers' spelling of the same level
	}
	if h, ok := t.str("host"); ok {
		if strings.ContainsFunc(h, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			// BIG-IP lines are space-separated; the host is one field.
			t.fail("host", "%q contains spaces or control characters", h)
		} else {
			l.Host = h
		}
	}
	if s, ok := t.str("syslog"); ok && s != "" {
		network, addr, err := parseSyslog(s)
		if err != nil {
			t.failWrap("syslog", err, "bad syslog target %q (want \"udp://host:port\" or \"tcp://host:port\")", s)
		} else {
			l.SyslogNetwork, l.SyslogAddr = network, addr
		}
	}
	t.unknown()
	return l
}

func parseSyslog(s string) (network, addr string, err error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", "", err
	}
	if u.Scheme != "udp" && u.Scheme != "tcp" {
		return "", "", fmt.Errorf("scheme %q is not udp or tcp", u.Scheme)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", "", errors.New("only scheme, host and port are allowed")
	}
	if err := checkAddr(u.Host, false); err != nil {
		return "", "", err
	}
	return u.Scheme, u.Host, nil
}

func decodeCA(root *table) CA {
	t, _ := root.sub("ca")
	c := CA{Dir: t.filePath("dir")}
	if s, ok := t.m["dir"].(string); ok && s == "" {
		t.fail("dir", "empty; leave the key out to use %q", DefaultCADir)
	}
	if c.Dir == "" {
		c.Dir = DefaultCADir
		if b := root.d.base; b != "" && b != "." {
			c.Dir = filepath.Join(b, DefaultCADir)
		}
	}
	// Created with its parents on first run, and the CA written into it
	// when it holds none yet.
	_, err := t.d.stat(filepath.Join(c.Dir, pki.CertFile))
	t.checkDir("dir", c.Dir, err != nil)
	// A CA already there is loaded as run loads it, so that a corrupt or
	// half-present pair, a key of another certificate or an expired CA is
	// config check's error too, not only run's.
	if st, err := t.d.stat(c.Dir); err == nil && st.IsDir() && t.d.now != nil {
		if _, err := pki.Load(c.Dir, t.d.now); err != nil && !errors.Is(err, pki.ErrNoCA) {
			t.failWrap("dir", err, "the lab CA in %q cannot be used", c.Dir)
		}
	}
	t.unknown()
	return c
}

func decodeDemo(root *table) Demo {
	t, _ := root.sub("demo")
	var d Demo
	if s, ok := t.str("listen"); ok && s != "" {
		if err := checkAddr(s, true); err != nil {
			t.failWrap("listen", err, "bad address")
		} else {
			d.Listen = s
		}
	}
	t.unknown()
	return d
}

func decodeShutdown(root *table) Shutdown {
	t, _ := root.sub("shutdown")
	s := Shutdown{Grace: t.duration("grace", DefaultShutdownGrace, true)}
	t.unknown()
	return s
}

// syntaxPos is where a TOML syntax error was found. The column is counted here from
// the error's byte offset: toml v1.6.0's own Col is off when the error starts a line
// (a duplicate key: "a = 1\na = 2" reports line 2, column 7, counted on line 1). The
// line stays the parser's, and the column is left out when the offset disagrees
// with it.
func syntaxPos(src []byte, p toml.Position) pos {
	if p.Start < 0 || p.Start > len(src) {
		return pos{Line: p.Line}
	}
	before := src[:p.Start]
	if bytes.Count(before, []byte("\n"))+1 != p.Line {
		return pos{Line: p.Line}
	}
	return pos{Line: p.Line, Col: p.Start - bytes.LastIndexByte(before, '\n')}
}

// syntaxError words a TOML parse error without repeating the line, which Error
// already prints, and keeps the toml.ParseError reachable for callers that want its
// column or ErrorWithPosition rendering.
// first is where a key defined twice was first set, when known.
type syntaxError struct {
	pe    toml.ParseError
	first pos
}

func (e syntaxError) Error() string {
	if e.first.Line > 0 {
		return "toml syntax: " + strings.TrimSuffix(e.pe.Message, ".") + "; the first is at line " + e.first.String()
	}
	return "toml syntax: " + e.pe.Message
}
func (e syntaxError) Unwrap() error { return e.pe }
