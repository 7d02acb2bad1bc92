package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// The HTTP here is the least that lets one request and one response cross
// a proxy and be checked: enough to see a 200 from our backend, or a 400
// page from tlsgate, and to know where a response ends on a kept-alive
// connection. net/http would do it too, at a cost per request that would
// land in the numbers.

// Limits on what the readers accept, so a confused peer cannot make them
// buffer without end.
const (
	maxHeaderBytes = 16 << 10
	maxBodyBytes   = 1 << 20
)

// benchRequest is the request every client sends: small, kept alive.
const benchRequest = "GET /bench HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: tlsgate-load\r\n\r\n"

// benchResponse is what the http backend answers to every request.
const benchResponse = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"

// httpHead is the part of a request or response the load tool cares about.
type httpHead struct {
	first         string // request line or status line, without CRLF
	status        int    // responses only
	contentLength int64  // -1 when absent
	close         bool   // "Connection: close" was sent
}

// readHead reads a request or response head up to the empty line.
func readHead(br *bufio.Reader) (httpHead, error) {
	h := httpHead{contentLength: -1}
	total := 0
	for lineNo := 0; ; lineNo++ {
		line, err := br.ReadSlice('\n')
		total += len(line)
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) || total > maxHeaderBytes {
				return h, fmt.Errorf("http: header longer than %d bytes", maxHeaderBytes)
			}
			if errors.Is(err, io.EOF) && total > 0 {
				return h, fmt.Errorf("http: connection closed inside the header after %d bytes: %w", total, io.ErrUnexpectedEOF)
			}
			return h, err
		}
		if total > maxHeaderBytes {
			return h, fmt.Errorf("http: header longer than %d bytes", maxHeaderBytes)
		}
		line = bytes.TrimRight(line, "\r\n")
		if lineNo == 0 {
			if len(line) == 0 {
				return h, fmt.Errorf("http: empty first line")
			}
			h.first = string(line)
			continue
		}
		if len(line) == 0 {
			return h, nil
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return h, fmt.Errorf("http: header line without a colon: %q", clip(line))
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil || n < 0 {
				return h, fmt.Errorf("http: bad Content-Length %q", clip(value))
			}
			h.contentLength = n
		case bytes.EqualFold(name, []byte("Connection")):
			h.close = bytes.EqualFold(value, []byte("close"))
		}
	}
}

// parseStatusLine reads the code from "HTTP/1.1 200 OK".
func parseStatusLine(line string) (int, error) {
	if len(line) < 12 || line[:5] != "HTTP/" || line[8] != ' ' {
		return 0, fmt.Errorf("http: not a status line: %q", clip([]byte(line)))
	}
	code, err := strconv.Atoi(line[9:12])
	if err != nil || code < 100 || code > 999 || (len(line) > 12 && line[12] != ' ') {
		return 0, fmt.Errorf("http: bad status code in %q", clip([]byte(line)))
	}
	return code, nil
}

// readResponse reads one response and discards its body. A response
// without Content-Length runs to the end of the connection, which is how
// an error page from a proxy usually ends.
func readResponse(br *bufio.Reader) (httpHead, error) {
	h, err := readHead(br)
	if err != nil {
		return h, err
	}
	if h.status, err = parseStatusLine(h.first); err != nil {
		return h, err
	}
	if err := discardBody(br, h); err != nil {
		return h, err
	}
	return h, nil
}

// readRequest reads one request head and discards its body, if any.
func readRequest(br *bufio.Reader) (httpHead, error) {
	h, err := readHead(br)
	if err != nil {
		return h, err
	}
	if h.contentLength > 0 {
		if err := discardBody(br, h); err != nil {
			return h, err
		}
	}
	return h, nil
}

func discardBody(br *bufio.Reader, h httpHead) error {
	if h.contentLength > maxBodyBytes {
		return fmt.Errorf("http: body of %d bytes is over the %d limit", h.contentLength, maxBodyBytes)
	}
	if h.contentLength >= 0 {
		n, err := br.Discard(int(h.contentLength))
		if err != nil {
			return fmt.Errorf("http: body cut after %d of %d bytes: %w", n, h.contentLength, err)
		}
		return nil
	}
	if h.status == 204 || h.status == 304 || (h.status >= 100 && h.status < 200) {
		return nil
	}
	n, err := io.Copy(io.Discard, io.LimitReader(br, maxBodyBytes+1))
	if err != nil {
		return fmt.Errorf("http: reading a body to EOF: %w", err)
	}
	if n > maxBodyBytes {
		return fmt.Errorf("http: body without length is over the %d limit", maxBodyBytes)
	}
	return nil
}

// clip shortens evidence quoted in an error.
func clip(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
