package sniff

import (
	"strconv"
	"strings"
)

// HexDump renders at most max bytes of b on one line as hex and ASCII, the
// form evidence takes in log lines: "47 45 54 20 2f |GET /|". When b is
// longer, the count of bytes left out follows: "16 03 01 |...| +509 bytes".
// max <= 0 renders all of b.
func HexDump(b []byte, max int) string {
	shown := b
	if max > 0 && len(b) > max {
		shown = b[:max]
	}
	const digits = "0123456789abcdef"
	var sb strings.Builder
	sb.Grow(len(shown)*4 + 16)
	for i, c := range shown {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&0xf])
	}
	sb.WriteString(" |")
	sb.WriteString(ASCII(shown))
	sb.WriteByte('|')
	if rest := len(b) - len(shown); rest > 0 {
		sb.WriteString(" +")
		sb.WriteString(strconv.Itoa(rest))
		sb.WriteString(" bytes")
	}
	return sb.String()
}

// ASCII returns b with every byte outside printable ASCII (0x20–0x7e)
// replaced by '.', so binary evidence stays on one readable line.
func ASCII(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}
