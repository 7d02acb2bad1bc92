package sniff

// An HTTP/2 relay's byte counts cannot tell whether a request got an
// answer: both sides send SETTINGS and WINDOW_UPDATE before any request.
// The frames' 9-byte headers can (RFC 9113 §4.1): their type, flags and
// stream say who opened a stream and who answered on it, with no HPACK
// decoding. What follows reads those headers from a relay's reads.

// HTTP/2 frame types (RFC 9113 §6).
const (
	H2Data         uint8 = 0x0
	H2Headers      uint8 = 0x1
	H2Priority     uint8 = 0x2
	H2RSTStream    uint8 = 0x3
	H2Settings     uint8 = 0x4
	H2PushPromise  uint8 = 0x5
	H2Ping         uint8 = 0x6
	H2GoAway       uint8 = 0x7
	H2WindowUpdate uint8 = 0x8
	H2Continuation uint8 = 0x9
)

// H2FrameHeader is one HTTP/2 frame's header: its payload length, type,
// flags and stream (the reserved bit cleared).
type H2FrameHeader struct {
	Length int
	Type   uint8
	Flags  uint8
	Stream uint32
}

// h2HeaderLen is the size of a frame header (RFC 9113 §4.1).
const h2HeaderLen = 9

// H2Scan follows one direction of an HTTP/2 connection across reads of
// any size, frame header by frame header, skipping the payloads. It keeps
// a fixed state (the header bytes held, the payload bytes still to come),
// whatever the stream's size. NewH2Scan makes one for either side.
//
// It stops (Lost) where the bytes cannot be the HTTP/2 it follows: a
// client's preface that differs, a first frame that is no SETTINGS (each
// side's preface ends in one, §3.4: an HTTP/1-only server that answers the
// preface with "HTTP/1.1 400" fails here), or a frame header that breaks
// the rules a frame of its type always keeps (§6: the stream it must or
// must not name, the fixed lengths of PRIORITY, RST_STREAM, PING and
// WINDOW_UPDATE, a SETTINGS length that is a multiple of 6, a GOAWAY of at
// least 8 bytes). Those rules catch a scan out of step within a frame or
// two; the caller then has no verdict. Frame types it does not know are
// followed by their length, as §5.5 asks of a receiver.
type H2Scan struct {
	preface int // client: bytes of the connection preface still to match
	hdr     [h2HeaderLen]byte
	nh      int // header bytes held
	left    int // payload bytes of the current frame still to come
	frames  int // headers read
	lost    bool
}

// NewH2Scan returns a scan of the client's stream (client, which begins
// with the 24-byte connection preface) or of the server's.
func NewH2Scan(client bool) H2Scan {
	if client {
		return H2Scan{preface: len(h2Preface)}
	}
	return H2Scan{}
}

// Feed walks p, calling frame with each frame header it completes. It
// reads nothing once Lost.
func (s *H2Scan) Feed(p []byte, frame func(H2FrameHeader)) {
	for i := 0; i < len(p) && !s.lost; {
		if s.preface > 0 {
			off := len(h2Preface) - s.preface
			n := min(s.preface, len(p)-i)
			if string(p[i:i+n]) != h2Preface[off:off+n] {
				s.lost = true
				return
			}
			s.preface -= n
			i += n
			continue
		}
		if s.left > 0 {
			n := min(s.left, len(p)-i)
			s.left -= n
			i += n
			continue
		}
		take := min(h2HeaderLen-s.nh, len(p)-i)
		copy(s.hdr[s.nh:], p[i:i+take])
		s.nh += take
		i += take
		if s.nh < h2HeaderLen {
			return
		}
		s.nh = 0
		h := H2FrameHeader{
			Length: int(s.hdr[0])<<16 | int(s.hdr[1])<<8 | int(s.hdr[2]),
			Type:   s.hdr[3],
			Flags:  s.hdr[4],
			Stream: (uint32(s.hdr[5])<<24 | uint32(s.hdr[6])<<16 | uint32(s.hdr[7])<<8 | uint32(s.hdr[8])) & 0x7fffffff,
		}
		if !h2Sound(h, s.frames == 0) {
			s.lost = true
			return
		}
		s.frames++
		s.left = h.Length
		frame(h)
	}
}

// Lost reports whether the scan met bytes that are not the HTTP/2 it
// follows (see H2Scan); it reads nothing after them.
func (s *H2Scan) Lost() bool { return s.lost }

// h2Sound says whether h keeps the rules every frame of its type keeps
// (RFC 9113 §6), first being the side's first frame, which must be its
// SETTINGS (§3.4).
func h2Sound(h H2FrameHeader, first bool) bool {
	if first && h.Type != H2Settings {
		return false
	}
	switch h.Type {
	case H2Settings:
		return h.Stream == 0 && h.Length%6 == 0
	case H2Ping:
		return h.Stream == 0 && h.Length == 8
	case H2GoAway:
		return h.Stream == 0 && h.Length >= 8
	case H2WindowUpdate:
		return h.Length == 4 // on stream 0 or a stream
	case H2Priority:
		return h.Stream != 0 && h.Length == 5
	case H2RSTStream:
		return h.Stream != 0 && h.Length == 4
	case H2Data, H2Headers, H2PushPromise, H2Continuation:
		return h.Stream != 0
	}
	return true // an extension's type (§5.5)
}
