package sniff

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"
)

// h2f builds one frame: its header and a payload of n bytes of fill (a
// payload that itself looks like frame headers tests the skipping).
func h2f(typ, flags uint8, stream uint32, n int, fill byte) []byte {
	b := []byte{byte(n >> 16), byte(n >> 8), byte(n), typ, flags, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[5:], stream)
	return append(b, bytes.Repeat([]byte{fill}, n)...)
}

func h2cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// scanH2 feeds the reads in turn and returns the frame headers read.
func scanH2(client bool, reads ...[]byte) ([]H2FrameHeader, bool) {
	s := NewH2Scan(client)
	var got []H2FrameHeader
	for _, r := range reads {
		s.Feed(r, func(h H2FrameHeader) { got = append(got, h) })
	}
	return got, s.Lost()
}

// splitEvery cuts b into reads of n bytes.
func splitEvery(b []byte, n int) [][]byte {
	var out [][]byte
	for len(b) > n {
		out = append(out, b[:n])
		b = b[n:]
	}
	return append(out, b)
}

func TestH2Scan(t *testing.T) {
	settings := h2f(H2Settings, 0, 0, 18, 0)
	ack := h2f(H2Settings, 1, 0, 0, 0)
	wu := h2f(H2WindowUpdate, 0, 0, 4, 0x7f)
	// A HEADERS frame, END_HEADERS|END_STREAM, whose HPACK block holds
	// bytes that would read as a frame header.
	headers := h2f(H2Headers, 0x5, 1, 30, 0x04)
	// PADDED (0x8): the pad length and the padding are in the length.
	padded := h2f(H2Headers, 0x8|0x4, 3, 40, 0x00)
	noEnd := h2f(H2Headers, 0x1, 5, 12, 0x09) // END_STREAM, no END_HEADERS
	cont := h2f(H2Continuation, 0x4, 5, 7, 0x01)
	rst := h2f(H2RSTStream, 0, 1, 4, 0)
	goaway := h2f(H2GoAway, 0, 0, 8, 0)
	push := h2f(H2PushPromise, 0x4, 1, 20, 0x02)
	pushed := h2f(H2Headers, 0x4, 2, 10, 0x03)
	ping := h2f(H2Ping, 0, 0, 8, 0)
	unknown := h2f(0xa, 0, 0, 3, 0xff) // an extension (ALTSVC is 0xa)
	preface := []byte(h2Preface)

	hd := func(typ, flags uint8, stream uint32, n int) H2FrameHeader {
		return H2FrameHeader{Length: n, Type: typ, Flags: flags, Stream: stream}
	}
	for _, tc := range []struct {
		name   string
		client bool
		stream []byte
		want   []H2FrameHeader
		lost   bool
	}{
		{"client request", true, h2cat(preface, settings, wu, headers),
			[]H2FrameHeader{hd(H2Settings, 0, 0, 18), hd(H2WindowUpdate, 0, 0, 4), hd(H2Headers, 5, 1, 30)}, false},
		{"padding and continuation", true, h2cat(preface, settings, padded, noEnd, cont),
			[]H2FrameHeader{hd(H2Settings, 0, 0, 18), hd(H2Headers, 0xc, 3, 40), hd(H2Headers, 1, 5, 12), hd(H2Continuation, 4, 5, 7)}, false},
		{"server refusals", false, h2cat(settings, ack, rst, goaway),
			[]H2FrameHeader{hd(H2Settings, 0, 0, 18), hd(H2Settings, 1, 0, 0), hd(H2RSTStream, 0, 1, 4), hd(H2GoAway, 0, 0, 8)}, false},
		{"server push", false, h2cat(settings, push, pushed, ping, unknown),
			[]H2FrameHeader{hd(H2Settings, 0, 0, 18), hd(H2PushPromise, 4, 1, 20), hd(H2Headers, 4, 2, 10), hd(H2Ping, 0, 0, 8), hd(0xa, 0, 0, 3)}, false},
		{"reserved bit cleared", false, h2cat(settings, []byte{0, 0, 0, H2Headers, 4, 0x80, 0, 0, 1}),
			[]H2FrameHeader{hd(H2Settings, 0, 0, 18), hd(H2Headers, 4, 1, 0)}, false},
		{"HTTP/1 answer to the preface", false, []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), nil, true},
		{"client without the preface", true, h2cat(settings, headers), nil, true},
		{"preface differs late", true, []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\x00"), nil, true},
		{"first frame not SETTINGS", false, h2cat(wu, settings), nil, true},
		{"HEADERS on stream 0", false, h2cat(settings, h2f(H2Headers, 4, 0, 3, 0)), []H2FrameHeader{hd(H2Settings, 0, 0, 18)}, true},
		{"SETTINGS on a stream", false, h2cat(settings, h2f(H2Settings, 0, 1, 0, 0)), []H2FrameHeader{hd(H2Settings, 0, 0, 18)}, true},
		{"SETTINGS of 5 bytes", false, h2f(H2Settings, 0, 0, 5, 0), nil, true},
		{"PING of 7 bytes", false, h2cat(settings, h2f(H2Ping, 0, 0, 7, 0)), []H2FrameHeader{hd(H2Settings, 0, 0, 18)}, true},
		{"RST_STREAM of 8 bytes", false, h2cat(settings, h2f(H2RSTStream, 0, 1, 8, 0)), []H2FrameHeader{hd(H2Settings, 0, 0, 18)}, true},
		{"short GOAWAY", false, h2cat(settings, h2f(H2GoAway, 0, 0, 4, 0)), []H2FrameHeader{hd(H2Settings, 0, 0, 18)}, true},
		{"nothing after lost", false, h2cat(settings, h2f(H2Ping, 0, 1, 8, 0), settings), []H2FrameHeader{hd(H2Settings, 0, 0, 18)}, true},
		{"header cut at the end", false, h2cat(settings, wu[:5]), []H2FrameHeader{hd(H2Settings, 0, 0, 18)}, false},
		{"empty", false, nil, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Whole, then in reads of every size from 1 byte: frames split
			// anywhere, headers included, read the same.
			for n := 0; n <= len(tc.stream); n++ {
				reads := [][]byte{tc.stream}
				if n > 0 {
					reads = splitEvery(tc.stream, n)
				}
				got, lost := scanH2(tc.client, reads...)
				if !slices.Equal(got, tc.want) || lost != tc.lost {
					t.Fatalf("reads of %d: frames %+v lost %v, want %+v lost %v", n, got, lost, tc.want, tc.lost)
				}
			}
		})
	}
}

// FuzzH2Scan: a stream cut into reads at any two points gives the same
// frame headers and the same lost verdict as the stream read whole, and
// every header keeps its type's rules.
func FuzzH2Scan(f *testing.F) {
	f.Add(h2cat([]byte(h2Preface), h2f(H2Settings, 0, 0, 6, 0), h2f(H2Headers, 5, 1, 12, 4)), uint16(3), uint16(30), true)
	f.Add(h2cat(h2f(H2Settings, 0, 0, 0, 0), h2f(H2GoAway, 0, 0, 8, 0)), uint16(9), uint16(12), false)
	f.Fuzz(func(t *testing.T, b []byte, cut1, cut2 uint16, client bool) {
		c1 := int(cut1) % (len(b) + 1)
		c2 := c1 + int(cut2)%(len(b)-c1+1)
		whole, wl := scanH2(client, b)
		parts, pl := scanH2(client, b[:c1], b[c1:c2], b[c2:])
		if !slices.Equal(whole, parts) || wl != pl {
			t.Fatalf("cut at %d and %d: %+v lost %v; whole: %+v lost %v", c1, c2, parts, pl, whole, wl)
		}
		for i, h := range whole {
			if !h2Sound(h, i == 0) || h.Length >= 1<<24 || h.Stream >= 1<<31 {
				t.Fatalf("frame %d %+v breaks its type's rules", i, h)
			}
		}
	})
}
