package httpflow

import (
	"bytes"
	"fmt"
)

// maxChunkLine caps a chunk-size line with its extensions, and separately
// the trailer section. Neither is buffered, so the cap is about refusing
// garbage early, not about memory.
const maxChunkLine = 64 << 10

func (d *dir) startChunked() {
	d.state, d.size, d.digits, d.lineLen = stChunkSize, 0, 0, 0
}

// chunk parses the chunked transfer coding (RFC 9112 §7.1) byte by byte
// for the framing and skips chunk data whole. It returns how many bytes of
// b it consumed; it stops early when the message ends or on error.
func (t *Tracker) chunk(d *dir, b []byte) int {
	i := 0
	for i < len(b) && !t.done {
		c := b[i]
		switch d.state {
		case stChunkSize:
			if v := unhex(c); v >= 0 {
				if d.size >= 1<<58 {
					t.fail(d, d.off+int64(i), fmt.Errorf("%w: chunk size with more than 15 significant hex digits", ErrMalformed))
					break
				}
				if d.lineLen++; d.lineLen > maxChunkLine {
					t.fail(d, d.off+int64(i), fmt.Errorf("%w: chunk size line longer than %d bytes", ErrMalformed, maxChunkLine))
					break
				}
				d.size = d.size<<4 | int64(v)
				d.digits++
				i++
				continue
			}
			if d.digits == 0 || (c != ' ' && c != '\t' && c != ';' && c != '\r' && c != '\n') {
				t.fail(d, d.off+int64(i), fmt.Errorf("%w: byte 0x%02x in chunk size after %d hex digits", ErrMalformed, c, d.digits))
				break
			}
			d.state = stChunkExt
		case stChunkExt:
			// Whitespace, extensions and the CR before LF carry nothing
			// for framing.
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				j = len(b) - i
			}
			if d.lineLen+j > maxChunkLine {
				t.fail(d, d.off+int64(i+maxChunkLine-d.lineLen), fmt.Errorf("%w: chunk size line longer than %d bytes", ErrMalformed, maxChunkLine))
				break
			}
			d.lineLen += j
			i += j
			if i == len(b) {
				break
			}
			i++ // the LF
			if d.size == 0 {
				d.state, d.lineLen = stTrailerStart, 0
			} else {
				d.state, d.remain = stChunkData, d.size
			}
			d.size, d.digits = 0, 0
		case stChunkData:
			n := min(d.remain, int64(len(b)-i))
			t.count(d, n)
			d.remain -= n
			i += int(n)
			if d.remain == 0 {
				d.state = stChunkDataEnd
			}
		case stChunkDataEnd, stChunkDataLF:
			switch {
			case c == '\r' && d.state == stChunkDataEnd:
				d.state = stChunkDataLF
			case c == '\n':
				d.startChunked()
			default:
				t.fail(d, d.off+int64(i), fmt.Errorf("%w: byte 0x%02x instead of CRLF after chunk data", ErrMalformed, c))
			}
			i++
		case stTrailerStart:
			switch c {
			case '\r':
				d.state = stTrailerCR
				i++
			case '\n':
				i++
				d.off += int64(i)
				t.endMessage(d)
				return i
			default:
				d.state = stTrailerLine
			}
		case stTrailerLine:
			// A trailer field line, counted with its LF toward the cap.
			j, eol := bytes.IndexByte(b[i:], '\n')+1, true
			if j == 0 {
				j, eol = len(b)-i, false
			}
			if d.lineLen+j > maxChunkLine {
				t.fail(d, d.off+int64(i+maxChunkLine-d.lineLen), fmt.Errorf("%w: trailer section longer than %d bytes", ErrMalformed, maxChunkLine))
				break
			}
			d.lineLen += j
			i += j
			if eol {
				d.state = stTrailerStart
			}
		case stTrailerCR:
			if c != '\n' {
				t.fail(d, d.off+int64(i), fmt.Errorf("%w: byte 0x%02x after CR at the end of the trailer section", ErrMalformed, c))
				break
			}
			i++
			d.off += int64(i)
			t.endMessage(d)
			return i
		}
	}
	d.off += int64(i)
	return i
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
