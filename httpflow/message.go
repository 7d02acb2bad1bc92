package httpflow

import (
	"bytes"
	"fmt"
)

// head accumulates a head and consumes it once complete. It returns how
// many bytes of b it consumed.
func (t *Tracker) head(d *dir, b []byte) int {
	var raw []byte
	var used int
	if len(d.buf) == 0 {
		// Fast path: a head that arrives whole is parsed in place.
		end, resume := headEnd(b, 0)
		if end == 0 || end > MaxHeadBytes {
			// Judge only what the buffered path could have seen, so the
			// verdict does not depend on chunking.
			if t.early(d, b[:min(len(b), MaxHeadBytes)]) {
				return len(b)
			}
			if end > 0 || len(b) >= MaxHeadBytes {
				t.failTooLarge(d)
				return len(b)
			}
			d.buf = append(d.buf, b...)
			d.scan = resume
			d.off += int64(len(b))
			return len(b)
		}
		raw, used = b[:end], end
	} else {
		old := len(d.buf)
		take := min(len(b), MaxHeadBytes-old)
		d.buf = append(d.buf, b[:take]...)
		end, resume := headEnd(d.buf, d.scan)
		if end == 0 {
			if t.early(d, d.buf) {
				return len(b)
			}
			if len(d.buf) >= MaxHeadBytes {
				t.failTooLarge(d)
				return len(b)
			}
			d.scan = resume
			d.off += int64(take)
			return take
		}
		raw, used = d.buf[:end], end-old
	}
	d.off += int64(used)
	d.scan, d.lineScan, d.lineOK = 0, 0, false
	if d.client {
		t.onRequest(d, raw)
	} else {
		t.onResponse(d, raw)
	}
	if cap(d.buf) > 8<<10 {
		d.buf = nil // a rare huge head should not pin 64 KiB for the connection's life
	} else {
		d.buf = d.buf[:0]
	}
	return used
}

// early refuses a head whose start line is already wrong, so a stream that
// is not HTTP stops the tracker at once instead of after MaxHeadBytes.
// Every check here is one that the complete head would fail the same way,
// which keeps errors independent of chunking.
func (t *Tracker) early(d *dir, buf []byte) bool {
	if d.lineOK {
		return false
	}
	eol := bytes.IndexByte(buf[d.lineScan:], '\n')
	if eol < 0 {
		d.lineScan = len(buf)
		if err := startPrefixError(buf[:min(len(buf), 32)], d.client); err != nil {
			t.fail(d, d.headOff, err)
			return true
		}
		return false
	}
	if _, err := parseStartLine(trimCR(buf[:d.lineScan+eol]), d.client); err != nil {
		t.fail(d, d.headOff, err)
		return true
	}
	d.lineOK = true
	return false
}

func (t *Tracker) onRequest(d *dir, raw []byte) {
	h, err := parseHead(raw, true)
	if err != nil {
		t.fail(d, d.headOff, err)
		return
	}
	if h.te && (!h.chunked || h.chunkedEarly) {
		// RFC 9112 §6.3 item 4: the length cannot be determined.
		t.fail(d, d.headOff, fmt.Errorf("%w: request Transfer-Encoding does not end in a single chunked", ErrMalformed))
		return
	}
	if len(t.queue) >= maxPending {
		t.fail(d, d.headOff, fmt.Errorf("%w: more than %d requests waiting for a response", ErrMalformed, maxPending))
		return
	}
	var fl uint8
	switch string(h.method) {
	case "HEAD":
		fl |= flagHead
	case "CONNECT":
		fl |= flagConnect
	}
	if h.upgrade {
		fl |= flagUpgrade
	}
	seq := t.reqs
	t.reqs++
	t.queue = append(t.queue, fl)
	if seq < t.max {
		t.ex = append(t.ex, Exchange{
			Method:         intern(h.method),
			Target:         string(h.target),
			Host:           hostOf(h),
			Proto:          intern(h.proto),
			ReqHeaderBytes: len(raw),
		})
	} else {
		t.dropped++
	}
	d.seq, d.flags = seq, fl
	switch {
	case h.te:
		d.startChunked()
	case h.contentLength > 0:
		d.state, d.remain = stLength, h.contentLength
	default:
		// RFC 9112 §6.3 item 6: no length means no body in a request.
		t.endMessage(d)
	}
	t.release(&t.srv)
}

func (t *Tracker) onResponse(d *dir, raw []byte) {
	h, err := parseHead(raw, false)
	if err != nil {
		t.fail(d, d.headOff, err)
		return
	}
	seq, fl := t.finals, t.queue[0]
	if h.status == 101 && fl&flagUpgrade == 0 {
		// RFC 9110 §15.2.2: a server switches only to a protocol the client
		// offered. Without the offer, which bytes are HTTP is unknowable.
		t.fail(d, d.headOff, fmt.Errorf("%w: 101 Switching Protocols answers a request without Upgrade", ErrMalformed))
		return
	}
	var ex *Exchange
	if seq < t.max {
		ex = &t.ex[seq]
		ex.RespHeaderBytes += len(raw)
	}
	if h.status < 200 && h.status != 101 {
		// Interim response (100 Continue, 103 Early Hints): the final one
		// for the same request follows.
		d.state = stStart
		return
	}
	t.queue = t.queue[1:]
	t.finals++
	if ex != nil {
		// head moved d.off past this head before handing it over.
		ex.Status, ex.Reason, ex.RespHeadEnd = h.status, string(h.reason), d.off
	}
	if h.status == 101 || (fl&flagConnect != 0 && h.status/100 == 2) {
		if ex != nil {
			ex.Upgraded = true
		}
		// The client offered the switch, so it is either holding what
		// follows its request or still sending that request's body, which
		// comes before the new protocol (RFC 9113 §3.2 says so for h2c).
		t.upgraded = true
		d.state = stOpaque
		if t.cli.state == stHold {
			t.cli.state, t.cli.hold = stOpaque, nil
		}
		return
	}
	d.seq = seq
	// RFC 9112 §6.3, in its order.
	switch {
	case fl&flagHead != 0 || h.status == 204 || h.status == 304:
		t.endMessage(d)
	case h.te && h.chunked && !h.chunkedEarly:
		d.startChunked()
	case h.te:
		d.state = stUntilClose
	case h.contentLength > 0:
		d.state, d.remain = stLength, h.contentLength
	case h.contentLength == 0:
		t.endMessage(d)
	default:
		d.state = stUntilClose
	}
	t.release(&t.cli)
}

// hostOf returns the Host field, or the authority of a CONNECT or
// absolute-form target when the field is missing (RFC 9112 §3.2).
func hostOf(h head) string {
	if len(h.host) > 0 {
		return string(h.host)
	}
	if string(h.method) == "CONNECT" {
		return string(h.target)
	}
	if i := bytes.Index(h.target, []byte("://")); i > 0 {
		auth := h.target[i+3:]
		if j := bytes.IndexAny(auth, "/?#"); j >= 0 {
			auth = auth[:j]
		}
		return string(auth)
	}
	return ""
}

// intern returns common methods and versions without allocating.
func intern(b []byte) string {
	switch string(b) {
	case "GET":
		return "GET"
	case "HEAD":
		return "HEAD"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "DELETE":
		return "DELETE"
	case "OPTIONS":
		return "OPTIONS"
	case "CONNECT":
		return "CONNECT"
	case "PATCH":
		return "PATCH"
	case "HTTP/1.1":
		return "HTTP/1.1"
	case "HTTP/1.0":
		return "HTTP/1.0"
	}
	return string(b)
}
