package config

import (
	"strconv"
	"strings"
)

// pos is where a key or value starts in the source: 1-based line and column (in bytes).
type pos struct {
	Line, Col int
}

// String renders "line:col" as errors and notes name a place, or just the line when
// the column is not known. The zero pos (no place) renders as "".
func (p pos) String() string {
	switch {
	case p.Line <= 0:
		return ""
	case p.Col <= 0:
		return strconv.Itoa(p.Line)
	}
	return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// locate maps every key, table header and array element in TOML source to where it
// starts. BurntSushi/toml keeps key positions private and indexes them without the
// array-of-tables index, so "listener.backend" of the third listener would report the
// line of the last one. This scanner walks the source itself and names each place by
// its full path with indices, e.g. `listener[2].client_ssl.ciphers[1]` (see pathKey and
// pathIndex).
//
// It is meant to run on input that toml.Decode accepted, but it never panics and always
// terminates on any input: every loop step consumes at least one byte. On malformed
// input the map is merely incomplete.
func locate(src []byte) map[string]pos {
	l := &locator{src: src, line: 1, at: map[string]pos{}, arrays: map[string]int{}}
	l.document()
	return l.at
}

type locator struct {
	src       []byte
	i         int
	line      int
	lineStart int
	at        map[string]pos
	arrays    map[string]int // resolved path of an array of tables → elements seen so far
}

// pathKey appends one key to a path, quoting keys that are not bare so that a quoted
// key containing dots or brackets never collides with a nested path.
func pathKey(path, key string) string {
	if !isBareKey(key) {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// pathIndex appends an array index to a path.
func pathIndex(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

func isBareKey(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isBareChar(s[i]) {
			return false
		}
	}
	return true
}

func isBareChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func (l *locator) eof() bool { return l.i >= len(l.src) }

func (l *locator) peek(off int) byte {
	if l.i+off < len(l.src) {
		return l.src[l.i+off]
	}
	return 0
}

func (l *locator) advance() {
	if l.eof() {
		return
	}
	if l.src[l.i] == '\n' {
		l.line++
		l.lineStart = l.i + 1
	}
	l.i++
}

func (l *locator) here() pos { return pos{Line: l.line, Col: l.i - l.lineStart + 1} }

func (l *locator) mark(path string, p pos) {
	if _, ok := l.at[path]; !ok {
		l.at[path] = p
	}
}

func (l *locator) hasPrefix(s string) bool {
	return strings.HasPrefix(string(l.src[min(l.i, len(l.src)):]), s)
}

// skipBlank skips spaces and tabs (and carriage returns, which only precede newlines in
// valid input).
func (l *locator) skipBlank() {
	for !l.eof() {
		switch l.src[l.i] {
		case ' ', '\t', '\r':
			l.advance()
		default:
			return
		}
	}
}

// skipSpace skips blanks, newlines and comments, as allowed inside arrays and, since
// TOML 1.1, inline tables.
func (l *locator) skipSpace() {
	for !l.eof() {
		switch l.src[l.i] {
		case ' ', '\t', '\r', '\n':
			l.advance()
		case '#':
			l.skipLine()
		default:
			return
		}
	}
}

// skipLine moves to the start of the next line.
func (l *locator) skipLine() {
	for !l.eof() && l.src[l.i] != '\n' {
		l.advance()
	}
	l.advance()
}

func (l *locator) document() {
	table := ""
	for !l.eof() {
		l.skipSpace()
		if l.eof() {
			return
		}
		if l.src[l.i] == '[' {
			table = l.header()
		} else {
			l.keyValue(table)
		}
		// What is left on the line is "]]", a comment, or garbage in invalid input.
		l.skipLine()
	}
}

// header reads `[a.b]` or `[[a.b]]` and returns the resolved path of the table it opens.
func (l *locator) header() string {
	p := l.here()
	l.advance()
	array := l.peek(0) == '['
	if array {
		l.advance()
	}
	keys := l.key()
	path := ""
	for n, k := range keys {
		path = pathKey(path, k)
		last := n == len(keys)-1
		if last && array {
			idx := l.arrays[path]
			l.arrays[path] = idx + 1
			l.mark(path, p)
			path = pathIndex(path, idx)
		} else if c := l.arrays[path]; c > 0 {
			path = pathIndex(path, c-1)
		}
		l.mark(path, p)
	}
	return path
}

// keyValue reads `key = value` inside table.
func (l *locator) keyValue(table string) {
	p := l.here()
	keys := l.key()
	if len(keys) == 0 {
		return
	}
	path := table
	for _, k := range keys {
		path = pathKey(path, k)
		l.mark(path, p)
	}
	l.skipBlank()
	if l.peek(0) != '=' {
		return
	}
	l.advance()
	l.skipBlank()
	l.value(path)
}

// key reads a possibly dotted key and returns its parts, unescaped.
func (l *locator) key() []string {
	var parts []string
	for {
		l.skipBlank()
		if l.eof() {
			return parts
		}
		switch c := l.src[l.i]; {
		case c == '"':
			parts = append(parts, unescapeBasic(l.basicString()))
		case c == '\'':
			parts = append(parts, l.literalString())
		case isBareChar(c):
			s := l.i
			for !l.eof() && isBareChar(l.src[l.i]) {
				l.advance()
			}
			parts = append(parts, string(l.src[s:l.i]))
		default:
			return parts
		}
		l.skipBlank()
		if l.peek(0) != '.' {
			return parts
		}
		l.advance()
	}
}

// value skips one value, recording the positions of what it contains.
func (l *locator) value(path string) {
	l.mark(path, l.here())
	switch {
	case l.hasPrefix(`"""`):
		l.multiline('"')
	case l.hasPrefix(`'''`):
		l.multiline('\'')
	case l.peek(0) == '"':
		l.basicString()
	case l.peek(0) == '\'':
		l.literalString()
	case l.peek(0) == '[':
		l.array(path)
	case l.peek(0) == '{':
		l.inlineTable(path)
	default:
		// Numbers, booleans and dates; a date may hold a space ("1979-05-27 07:32:00").
		for !l.eof() && !strings.ContainsRune(",]}#\n", rune(l.src[l.i])) {
			l.advance()
		}
	}
}

func (l *locator) array(path string) {
	l.advance() // [
	for n := 0; !l.eof(); {
		l.skipSpace()
		switch l.peek(0) {
		case ']':
			l.advance()
			return
		case ',', '}', 0:
			l.advance() // a separator, or junk in invalid input: step over it
		default:
			start := l.i
			l.value(pathIndex(path, n))
			n++
			if l.i == start {
				l.advance()
			}
		}
	}
}

func (l *locator) inlineTable(path string) {
	l.advance() // {
	for !l.eof() {
		l.skipSpace()
		switch l.peek(0) {
		case '}':
			l.advance()
			return
		case ',', ']', 0:
			l.advance()
		default:
			start := l.i
			l.keyValue(path)
			if l.i == start {
				l.advance()
			}
		}
	}
}
