package config

// The locator's string scanners: TOML's four string forms, read only far
// enough to find where they end and what a quoted key spells.

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// basicString reads "..." and returns the raw text between the quotes.
func (l *locator) basicString() string {
	l.advance()
	s := l.i
	for !l.eof() {
		switch l.src[l.i] {
		case '\\':
			l.advance()
			l.advance()
		case '"':
			raw := string(l.src[s:l.i])
			l.advance()
			return raw
		case '\n':
			return string(l.src[s:l.i]) // unterminated in invalid input
		default:
			l.advance()
		}
	}
	return string(l.src[s:])
}

func (l *locator) literalString() string {
	l.advance()
	s := l.i
	for !l.eof() {
		switch l.src[l.i] {
		case '\'':
			raw := string(l.src[s:l.i])
			l.advance()
			return raw
		case '\n':
			return string(l.src[s:l.i])
		default:
			l.advance()
		}
	}
	return string(l.src[s:])
}

// multiline skips a multi-line string, opened and closed by three q characters. Up to
// two more q may precede the closing three
// (`""""` ends a string whose last character is a quote).
func (l *locator) multiline(q byte) {
	l.advance()
	l.advance()
	l.advance()
	for !l.eof() {
		c := l.src[l.i]
		if c == '\\' && q == '"' {
			l.advance()
			l.advance()
			continue
		}
		if c == q && l.peek(1) == q && l.peek(2) == q {
			for n := 0; n < 5 && l.peek(0) == q; n++ {
				l.advance()
			}
			return
		}
		l.advance()
	}
}

// unescapeBasic resolves the escapes of a TOML basic string, so that a quoted key
// matches the name toml.Decode gives it. Invalid escapes are kept as written.
func unescapeBasic(raw string) string {
	if !strings.Contains(raw, `\`) {
		return raw
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			b.WriteByte(c)
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'e':
			b.WriteByte(0x1b)
		case '"', '\\':
			b.WriteByte(raw[i])
		case 'x', 'u', 'U':
			width := 8
			switch raw[i] {
			case 'x':
				width = 2
			case 'u':
				width = 4
			}
			if i+width >= len(raw) {
				b.WriteByte('\\')
				b.WriteByte(raw[i])
				continue
			}
			n, err := strconv.ParseUint(raw[i+1:i+1+width], 16, 32)
			if err != nil || !utf8.ValidRune(rune(n)) {
				b.WriteByte('\\')
				b.WriteByte(raw[i])
				continue
			}
			b.WriteRune(rune(n))
			i += width
		default:
			b.WriteByte('\\')
			b.WriteByte(raw[i])
		}
	}
	return b.String()
}
