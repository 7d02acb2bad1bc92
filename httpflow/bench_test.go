package httpflow

import (
	"fmt"
	"testing"
)

// BenchmarkTracker measures the cost the tracker adds per body byte on the
// data path: one exchange with a 1 MiB body fed in 32 KiB reads.
func BenchmarkTracker(b *testing.B) {
	const size, chunk = 1 << 20, 32 << 10
	body := make([]byte, chunk)
	for i := range body {
		body[i] = byte(i) // CRs and LFs included: a body must be skipped, not scanned
	}
	chunkLine := fmt.Appendf(nil, "%x\r\n", chunk)
	cases := []struct {
		name string
		head string
		pre  []byte // framing before each read's data
		post []byte
		end  []byte
	}{
		{name: "content-length", head: fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", size)},
		{name: "chunked", head: okChunk, pre: chunkLine, post: []byte("\r\n"), end: []byte("0\r\n\r\n")},
	}
	req := []byte(getA)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			tr := NewTracker(1)
			head := []byte(c.head)
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				tr.Client(req)
				tr.Server(head)
				for range size / chunk {
					if c.pre != nil {
						tr.Server(c.pre)
					}
					tr.Server(body)
					if c.post != nil {
						tr.Server(c.post)
					}
				}
				if c.end != nil {
					tr.Server(c.end)
				}
			}
			b.StopTimer()
			if err := tr.Err(); err != nil {
				b.Fatal(err)
			}
			if ex := tr.Exchanges(); len(ex) != 1 || ex[0].RespBodyBytes != size {
				b.Fatalf("exchanges %+v", ex)
			}
		})
	}
}
