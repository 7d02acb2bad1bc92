package faults

import (
	"sync"
	"time"
)

// fragment splits a direction into small pieces, two ways that combine:
//
//   - record: plaintext handshake records are re-framed into records of at
//     most record bytes of payload, which is legal TLS (RFC 8446 §5.1) and
//     breaks DPI and parsers that expect a message in one record. Re-framing
//     stops at the first record that is not a handshake record (change
//     cipher spec, alert, application data): encrypted records cannot be cut.
//   - segment: every piece is written in chunks of at most segment bytes,
//     delay apart. Without a delay the kernel may still coalesce them.
type fragment struct {
	next    sink
	k       *ctl
	segment int
	record  int
	delay   time.Duration

	mu      sync.Mutex
	buf     []byte // an incomplete record waiting for the rest
	through bool   // past the plaintext handshake: no more re-framing
	wrote   bool
}

func (f *fragment) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.record == 0 || f.through {
		if err := f.emit(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	f.buf = append(f.buf, p...)
	for len(f.buf) >= 5 && !f.through {
		typ := f.buf[0]
		if typ < recordCCS || typ > 23 || f.buf[1] != 3 {
			f.through = true // not TLS records: pass as they are
			break
		}
		n := int(f.buf[3])<<8 | int(f.buf[4])
		if len(f.buf) < 5+n {
			return len(p), nil // wait for the rest of the record
		}
		rec := f.buf[:5+n]
		if typ != recordHandshake {
			f.through = true
			break
		}
		if n == 0 { // illegal, but not ours to drop
			if err := f.emit(rec); err != nil {
				return 0, err
			}
		}
		for body := rec[5:]; len(body) > 0; {
			m := min(len(body), f.record)
			out := append([]byte{typ, rec[1], rec[2], byte(m >> 8), byte(m)}, body[:m]...)
			if err := f.emit(out); err != nil {
				return 0, err
			}
			body = body[m:]
		}
		f.buf = f.buf[5+n:]
	}
	if f.through && len(f.buf) > 0 {
		rest := f.buf
		f.buf = nil
		if err := f.emit(rest); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// emit writes b in segments, delay apart.
func (f *fragment) emit(b []byte) error {
	size := f.segment
	if size <= 0 {
		size = len(b)
	}
	for len(b) > 0 {
		if f.wrote && f.delay > 0 {
			if err := f.k.wait(f.delay); err != nil {
				return err
			}
		}
		n := min(len(b), size)
		if _, err := f.next.Write(b[:n]); err != nil {
			return err
		}
		f.wrote = true
		b = b[n:]
	}
	return nil
}

// End flushes an incomplete record as it is.
func (f *fragment) End(fin bool) error {
	f.mu.Lock()
	rest := f.buf
	f.buf = nil
	var err error
	if len(rest) > 0 {
		err = f.emit(rest)
	}
	f.mu.Unlock()
	if err != nil {
		return err
	}
	return f.next.End(fin)
}
