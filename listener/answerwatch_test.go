package listener

import (
	"bytes"
	"slices"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
)

// wireRecord frames a body of n zero bytes as one record of type typ,
// as a relay sees a sealed one: only the header means anything.
func wireRecord(typ byte, n int) []byte {
	return append([]byte{typ, 3, 3, byte(n >> 8), byte(n)}, make([]byte, n)...)
}

// wireServerHello is a ServerHello record choosing suite, under TLS 1.3
// (supported_versions) when tls13 is set, else TLS 1.2.
func wireServerHello(suite uint16, tls13 bool) []byte {
	body := []byte{3, 3}
	body = append(body, make([]byte, 32)...)
	body = append(body, 0, byte(suite>>8), byte(suite), 0)
	if tls13 {
		body = append(body, 0, 6, 0, 0x2b, 0, 2, 3, 4)
	}
	msg := append([]byte{2, 0, byte(len(body) >> 8), byte(len(body))}, body...)
	return append([]byte{22, 3, 3, byte(len(msg) >> 8), byte(len(msg))}, msg...)
}

// TestAnswerWatch: what the watch reads from record headers alone of a
// passed-through exchange after the handshake, read by read.
func TestAnswerWatch(t *testing.T) {
	type read struct {
		down bool
		p    []byte
		end  bool // the relay read this direction's FIN (End)
	}
	up := func(p ...[]byte) read { return read{down: false, p: slices.Concat(p...)} }
	down := func(p ...[]byte) read { return read{down: true, p: slices.Concat(p...)} }
	hello := up(wireRecord(22, 500))
	// TLS 1.2: the server's flight, the client's, the server's CCS and
	// Finished; then the request.
	hs12 := []read{hello, down(wireServerHello(0xc02f, false), wireRecord(22, 900)),
		up(wireRecord(22, 37), wireRecord(20, 1), wireRecord(22, 40)), down(wireRecord(20, 1), wireRecord(22, 40))}
	// TLS 1.3 from crypto/tls: the server's flight ends with two session
	// tickets (sealed, type 23); then the client's CCS and Finished.
	hs13 := []read{hello, down(wireServerHello(0x1301, true), wireRecord(20, 1), wireRecord(23, 40), wireRecord(23, 900), wireRecord(23, 100), wireRecord(23, 53),
		wireRecord(23, 250), wireRecord(23, 250)), up(wireRecord(20, 1), wireRecord(23, 53))}
	request := up(wireRecord(23, 120))
	unanswered := explain.Exchange{Followed: true, Asked: true, Requests: 1, RequestBytes: 125}
	closed := unanswered
	closed.Closes = 1
	answered := explain.Exchange{Followed: true, Asked: true, Answered: true}
	backendFIN := read{down: true, end: true}
	clientClosed := unanswered
	clientClosed.ClientClosed = true
	for _, tt := range []struct {
		name  string
		reads []read
		down  int64 // the relay's count when not what the reads hold
		want  explain.Exchange
	}{
		{"tls12 request then FIN", append(slices.Clone(hs12), request), 0, unanswered},
		{"tls12 request then close_notify", append(slices.Clone(hs12), request, down(wireRecord(21, 26))), 0, closed},
		{"tls12 answered", append(slices.Clone(hs12), request, down(wireRecord(23, 300)), down(wireRecord(21, 26))), 0, answered},
		{"tls12 no request", append(slices.Clone(hs12), down(wireRecord(21, 26))), 0, explain.Exchange{Followed: true}},
		{"tls13 tickets before the request, then close_notify", append(slices.Clone(hs13), request, down(wireRecord(23, 19))), 0, closed},
		{"tls13 answered after tickets", append(slices.Clone(hs13), request, down(wireRecord(23, 90)), down(wireRecord(23, 19))), 0, answered},
		// The limit: 2 bytes of answer in a record of their own are a
		// sealed alert's size, and taken for one.
		{"tls13 tiny answer reads as close_notify", append(slices.Clone(hs13), request, down(wireRecord(23, 19))), 0, closed},
		{"tls13 client close_notify is no request", append(slices.Clone(hs13), up(wireRecord(23, 19))), 0, explain.Exchange{Followed: true}},
		{"tls13 request and answer in one read each", append(slices.Clone(hs13), up(wireRecord(23, 120), wireRecord(23, 19)), down(wireRecord(23, 90))), 0, answered},
		// The client's closing alert after its request, before the
		// backend's FIN: it ended the session first. After that FIN it
		// only answered the backend's close.
		{"tls12 client close_notify, then the backend's FIN", append(slices.Clone(hs12), request, up(wireRecord(21, 26)), backendFIN), 0, clientClosed},
		{"tls12 backend's FIN, then the client's close_notify", append(slices.Clone(hs12), request, backendFIN, up(wireRecord(21, 26))), 0, unanswered},
		{"tls13 client close_notify, then the backend's FIN", append(slices.Clone(hs13), request, up(wireRecord(23, 19)), backendFIN), 0, clientClosed},
		{"tls13 backend's FIN, then the client's close_notify", append(slices.Clone(hs13), request, backendFIN, up(wireRecord(23, 19))), 0, unanswered},
		{"backend bytes spliced unseen", append(slices.Clone(hs13), request), 1 << 20, explain.Exchange{}},
		{"backend answers no TLS", []read{hello, down([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))}, 0, explain.Exchange{}},
		{"client data before the server's hello", []read{hello, up(wireRecord(23, 100))}, 0, explain.Exchange{}},
		{"client bytes out of step", append(slices.Clone(hs12), up([]byte("GET / HTTP/1.1\r\n"))), 0, explain.Exchange{}},
	} {
		// Whole reads, then the same bytes one at a time: records cross
		// reads at any point.
		for _, split := range []bool{false, true} {
			var w answerWatch
			var n int64
			for i, r := range tt.reads {
				if r.down {
					n += int64(len(r.p))
				}
				switch {
				case r.end:
					w.End(r.down)
				case i == 0:
					w.start(r.p)
				case split:
					for j := range r.p {
						w.Read(r.down, r.p[j:j+1])
					}
				default:
					w.Read(r.down, bytes.Clone(r.p))
				}
			}
			if tt.down != 0 {
				n = tt.down
			}
			if got := w.result(n); got != tt.want {
				t.Errorf("%s (split %v): %+v, want %+v", tt.name, split, got, tt.want)
			}
		}
	}
}

// FuzzAnswerWatch: any bytes either way, in any reads, never panic, and
// cutting each read in two changes nothing the watch concludes: records
// cross reads at any point.
func FuzzAnswerWatch(f *testing.F) {
	f.Fuzz(func(t *testing.T, up, down []byte, c1, c2 uint16) {
		i, j := int(c1)%(len(up)+1), int(c2)%(len(down)+1)
		reads := []struct {
			down bool
			p    []byte
		}{{false, up[:i]}, {true, down[:j]}, {false, up[i:]}, {true, down[j:]}}
		var whole, cut answerWatch
		for _, r := range reads {
			whole.Read(r.down, r.p)
			h := len(r.p) / 2
			cut.Read(r.down, r.p[:h])
			cut.Read(r.down, r.p[h:])
		}
		n := int64(len(down))
		if a, b := whole.result(n), cut.result(n); a != b {
			t.Fatalf("whole reads %+v, cut reads %+v", a, b)
		}
		if e := whole.result(n); !e.Followed && (e.Asked || e.Answered) {
			t.Fatalf("facts without a followed stream: %+v", e)
		}
	})
}
