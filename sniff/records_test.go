package sniff

import (
	"bytes"
	"slices"
	"testing"
)

// TestRecordScanSplits: the scanner finds the same records and body runs
// however the stream is cut into writes.
func TestRecordScanSplits(t *testing.T) {
	stream := slices.Concat(
		[]byte{22, 3, 3, 0, 3, 'a', 'b', 'c'},
		[]byte{20, 3, 3, 0, 1, 1},
		[]byte{23, 3, 3, 0, 0},
		[]byte{23, 3, 3, 0, 6, 1, 2, 3, 4, 5, 6},
	)
	type rec struct {
		typ  uint8
		n    int
		body []byte
	}
	scan := func(cuts []int) []rec {
		var s RecordScan
		var out []rec
		prev := 0
		for _, c := range append(cuts, len(stream)) {
			p := stream[prev:c]
			s.Feed(p, func(typ uint8, n int) { out = append(out, rec{typ: typ, n: n}) }, func(at, off, n int) {
				last := &out[len(out)-1]
				if off != len(last.body) {
					t.Fatalf("body run at offset %d, want %d", off, len(last.body))
				}
				last.body = append(last.body, p[at:at+n]...)
			})
			prev = c
		}
		if s.Lost() {
			t.Fatal("lost a valid stream")
		}
		return out
	}
	whole := scan(nil)
	if len(whole) != 4 || whole[3].typ != 23 || string(whole[3].body) != "\x01\x02\x03\x04\x05\x06" {
		t.Fatalf("whole stream: %+v", whole)
	}
	for i := 1; i < len(stream); i++ {
		for j := i; j < len(stream); j++ {
			got := scan([]int{i, j})
			if len(got) != len(whole) {
				t.Fatalf("cut at %d,%d: %+v", i, j, got)
			}
			for k := range got {
				if got[k].typ != whole[k].typ || got[k].n != whole[k].n || !bytes.Equal(got[k].body, whole[k].body) {
					t.Fatalf("cut at %d,%d: record %d %+v, want %+v", i, j, k, got[k], whole[k])
				}
			}
		}
	}
	var s RecordScan
	s.Feed([]byte("GET / HTTP/1.1\r\n"), func(uint8, int) { t.Fatal("a record in plain HTTP") }, func(int, int, int) {})
	if !s.Lost() {
		t.Error("plain HTTP not recognised as not TLS")
	}
}

// TestSealed13Sizes: the sealed sizes of a TLS 1.3 Finished and alert
// under each suite, the ones ClientFlight.Request tells records apart by.
func TestSealed13Sizes(t *testing.T) {
	for _, tt := range []struct {
		suite           uint16
		finished, alert int
		ok              bool
	}{
		{0x1301, 53, 19, true},
		{0x1302, 69, 19, true},
		{0x1303, 53, 19, true},
		{0x1304, 53, 19, true},
		{0x1305, 45, 11, true},
		{0xc02f, 0, 0, false},
	} {
		f, a, ok := Sealed13(tt.suite)
		if f != tt.finished || a != tt.alert || ok != tt.ok {
			t.Errorf("Sealed13(%#04x) = %d, %d, %v; want %d, %d, %v", tt.suite, f, a, ok, tt.finished, tt.alert, tt.ok)
		}
	}
}

// TestClientFlightRequest: which of a client's type 23 records are
// requests, record by record, under each version and suite.
func TestClientFlightRequest(t *testing.T) {
	for _, tt := range []struct {
		name  string
		v, cs uint16
		sizes []int
		want  []bool
	}{
		{"tls12 any non-empty", 0x0303, 0xc02f, []int{40, 0, 26}, []bool{true, false, true}},
		{"tls13 finished then request then close_notify", 0x0304, 0x1301, []int{53, 120, 19}, []bool{false, true, false}},
		{"tls13 sha384 finished", 0x0304, 0x1302, []int{69, 80}, []bool{false, true}},
		{"tls13 client cert flight", 0x0304, 0x1301, []int{900, 280, 53, 90}, []bool{false, false, false, true}},
		{"tls13 padded flight ends at three", 0x0304, 0x1301, []int{64, 64, 64, 64}, []bool{false, false, false, true}},
		{"tls13 unknown suite: first record is the flight", 0x0304, 0x1399, []int{53, 19}, []bool{false, true}},
		{"tls13 empty record", 0x0304, 0x1301, []int{53, 0}, []bool{false, false}},
	} {
		var q ClientFlight
		for i, n := range tt.sizes {
			if got := q.Request(n, tt.v, tt.cs); got != tt.want[i] {
				t.Errorf("%s: record %d (%d B) request %v, want %v", tt.name, i, n, got, tt.want[i])
			}
		}
	}
}
