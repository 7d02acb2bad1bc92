// Package capture records a proxied connection as a pcap file that
// Wireshark opens: both legs (client <-> tlsgate and tlsgate <-> backend)
// in one file, as TCP/IP packets synthesised from the real bytes and their
// timings. tlsgate sees streams, not packets, so the TCP handshake, the
// sequence and acknowledgement numbers, the ACKs and the checksums are made
// up here, consistently enough that Wireshark's TCP analysis finds nothing
// to flag and its TLS dissector (with the NSS key log tlsgate writes)
// decrypts the records.
//
// The file is classic libpcap with nanosecond timestamps and LINKTYPE_RAW,
// whose packets start at the IP header, so IPv4 and IPv6 legs share a file.
package capture

import (
	"bufio"
	"errors"
	"fmt"
	"hash/fnv"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Leg names one of the two TCP connections of a proxied connection.
type Leg int

const (
	// ClientLeg is the connection between the client and tlsgate; tlsgate
	// is its server.
	ClientLeg Leg = iota
	// ServerLeg is the connection between tlsgate and the backend; tlsgate
	// is its client.
	ServerLeg
)

// String names the leg the way the docs do.
func (l Leg) String() string {
	switch l {
	case ClientLeg:
		return "client-leg"
	case ServerLeg:
		return "server-leg"
	}
	return fmt.Sprintf("leg(%d)", int(l))
}

// DefaultLimit is the size at which a capture file stops growing. A lab
// capture is for looking at a handshake and the first exchanges; a
// long-lived bulk transfer must not fill the disk.
const DefaultLimit = 64 << 20

// DefaultMSS is the largest TCP payload per synthesised segment: a 65535
// byte IPv4 packet less 20 bytes of IP and 20 of TCP header.
const DefaultMSS = 65535 - 40

// Option changes how Create sets up a Writer.
type Option func(*Writer)

// WithLimit sets the file size (bytes, headers included) after which
// packets are dropped and counted instead of written. Values below the
// size of the pcap global header mean DefaultLimit.
func WithLimit(bytes int64) Option {
	return func(w *Writer) {
		if bytes >= globalHeaderLen {
			w.limit = bytes
		}
	}
}

// WithMSS sets the largest payload of one synthesised segment, so a
// capture can show segments the size a real path would have had. Values
// outside 1..DefaultMSS mean DefaultMSS.
func WithMSS(n int) Option {
	return func(w *Writer) {
		if n >= 1 && n <= DefaultMSS {
			w.mss = n
		}
	}
}

// Writer is one pcap file for one proxied connection, both legs. It is safe
// for concurrent use: the two pump goroutines of each leg record their
// directions at the same time, and a single lock keeps every packet's
// numbers consistent with the packets written before it. A Conn's write
// still on its way to the socket is recorded before anything else on its
// leg, since that may be the answer to it.
type Writer struct {
	now   func() time.Time
	path  string
	seed  uint64
	limit int64
	mss   int

	mu        sync.Mutex
	f         *os.File
	bw        *bufio.Writer
	written   int64
	truncated bool
	dropped   uint64
	closed    bool
	err       error
	legs      [2]legState
	scratch   []byte
}

// Create makes the file <timestamp>-conn<ID>.pcap (mode 0640) in dir and
// writes its pcap global header. The timestamp is now() in UTC, with no
// colons, so names sort by time on every filesystem.
func Create(dir string, connID uint64, now func() time.Time, opts ...Option) (*Writer, error) {
	if now == nil {
		return nil, errors.New("capture: nil clock")
	}
	w := &Writer{now: now, seed: connID, limit: DefaultLimit, mss: DefaultMSS}
	for _, o := range opts {
		o(w)
	}
	name := fmt.Sprintf("%s-conn%d.pcap", now().UTC().Format("20060102T150405.000000000Z"), connID)
	w.path = filepath.Join(dir, name)
	f, err := os.OpenFile(w.path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, fmt.Errorf("capture: create file for conn %d: %w", connID, err)
	}
	// The umask may have narrowed the mode; the documented mode is 0640 so
	// a lab group can read captures without root.
	if err := f.Chmod(0o640); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("capture: chmod %s: %w", w.path, err)
	}
	w.f = f
	w.bw = bufio.NewWriterSize(f, 64<<10)
	hdr := appendGlobalHeader(nil)
	if _, err := w.bw.Write(hdr); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("capture: write header to %s: %w", w.path, err)
	}
	w.written = int64(len(hdr))
	return w, nil
}

// Path is the file the Writer writes.
func (w *Writer) Path() string { return w.path }

// Truncated reports whether packets were dropped because the file reached
// its size limit.
func (w *Writer) Truncated() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.truncated
}

// Dropped counts the packets not written because of the size limit.
func (w *Writer) Dropped() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dropped
}

// Open records the TCP three-way handshake of leg between client and
// server. Packets for a leg that was never opened are ignored: without the
// handshake Wireshark could not make sense of them. A second Open of the
// same leg is ignored too.
func (w *Writer) Open(leg Leg, client, server netip.AddrPort) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ls := w.leg(leg)
	if ls == nil || ls.opened || w.closed {
		return
	}
	ls.opened = true
	ls.addr[fromClientDir], ls.addr[fromServerDir] = normalise(client, server)
	ls.dir[fromClientDir].seq = w.isn(leg, fromClientDir)
	ls.dir[fromServerDir].seq = w.isn(leg, fromServerDir)
	ts := w.now()
	w.emit(ts, ls, fromClientDir, flagSYN, nil)
	ls.dir[fromClientDir].seq++
	w.emit(ts, ls, fromServerDir, flagSYN|flagACK, nil)
	ls.dir[fromServerDir].seq++
	w.emit(ts, ls, fromClientDir, flagACK, nil)
	ls.established = true
}

// Data records b as sent on leg, by the client of the leg when fromClient,
// else by its server. Each segment of at most the MSS is followed by the
// receiver's ACK, as the proxy read it, so the bytes in flight never reach
// the advertised window.
func (w *Writer) Data(leg Leg, fromClient bool, b []byte) {
	if len(b) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	ls, d := w.sender(leg, fromClient)
	if ls == nil || ls.dir[d].fin {
		return
	}
	ts := w.now()
	w.settle(ts, ls)
	w.send(ts, ls, d, b)
}

// send emits b from direction d of ls in segments of at most the MSS,
// each followed by the receiver's ACK.
func (w *Writer) send(ts time.Time, ls *legState, d int, b []byte) {
	for len(b) > 0 {
		n := min(len(b), w.mss)
		flags := uint8(flagACK)
		if n == len(b) {
			flags |= flagPSH
		}
		w.emit(ts, ls, d, flags, b[:n])
		ls.dir[d].seq += uint32(n)
		w.emit(ts, ls, 1-d, flagACK, nil)
		b = b[n:]
	}
}

// Fin records a FIN from one side of leg and the other side's ACK of it. A
// second FIN from the same side is ignored.
func (w *Writer) Fin(leg Leg, fromClient bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ls, d := w.sender(leg, fromClient)
	if ls == nil || ls.dir[d].fin {
		return
	}
	ts := w.now()
	w.settle(ts, ls)
	w.emit(ts, ls, d, flagFIN|flagACK, nil)
	ls.dir[d].seq++
	ls.dir[d].fin = true
	w.emit(ts, ls, 1-d, flagACK, nil)
}

// Reset records an RST from one side of leg. Nothing more is recorded on
// that leg afterwards: after a reset there is no connection left.
func (w *Writer) Reset(leg Leg, fromClient bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ls, d := w.sender(leg, fromClient)
	if ls == nil {
		return
	}
	ts := w.now()
	w.settle(ts, ls)
	w.emit(ts, ls, d, flagRST|flagACK, nil)
	ls.reset = true
}

// Flush writes buffered packets to the file, so a capture can be opened
// while its connection still runs.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.err
	}
	if err := w.bw.Flush(); err != nil && w.err == nil {
		w.err = fmt.Errorf("capture: flush %s: %w", w.path, err)
	}
	return w.err
}

// Close flushes and closes the file. It returns the first write error the
// Writer met, so a capture that silently lost packets does not look whole.
// Later calls to any method are ignored; Close is safe to call twice.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.err
	}
	// A write still in flight was sent as far as anyone can tell.
	for i := range w.legs {
		ls := &w.legs[i]
		if ls.established && !ls.reset && (ls.dir[0].inflight != nil || ls.dir[1].inflight != nil) {
			w.settle(w.now(), ls)
		}
	}
	w.closed = true
	if err := w.bw.Flush(); err != nil && w.err == nil {
		w.err = fmt.Errorf("capture: flush %s: %w", w.path, err)
	}
	if err := w.f.Close(); err != nil && w.err == nil {
		w.err = fmt.Errorf("capture: close %s: %w", w.path, err)
	}
	return w.err
}

// leg returns the state of l, or nil for a value that names no leg.
func (w *Writer) leg(l Leg) *legState {
	if l != ClientLeg && l != ServerLeg {
		return nil
	}
	return &w.legs[l]
}

// sender returns the state of an established, not reset leg and the index
// of the direction that sends; nil when nothing may be recorded on it.
func (w *Writer) sender(l Leg, fromClient bool) (*legState, int) {
	ls := w.leg(l)
	if ls == nil || !ls.established || ls.reset || w.closed {
		return nil, 0
	}
	if fromClient {
		return ls, fromClientDir
	}
	return ls, fromServerDir
}

// isn derives an initial sequence number from the connection ID, leg and
// direction: stable for a given connection (tests and repeated lab runs
// produce the same file) and different between the four directions, as
// real stacks' would be.
func (w *Writer) isn(l Leg, d int) uint32 {
	h := fnv.New32a()
	var b [10]byte
	for i := range 8 {
		b[i] = byte(w.seed >> (8 * i))
	}
	b[8], b[9] = byte(l), byte(d)
	_, _ = h.Write(b[:])
	return h.Sum32()
}

// emit writes one packet from direction d of ls, acknowledging everything
// the other direction has sent (including its SYN and FIN), unless the
// packet is the first SYN. The limit check and the first write error stop
// all further packets, so the file never has a hole in the middle.
func (w *Writer) emit(ts time.Time, ls *legState, d int, flags uint8, payload []byte) {
	if w.err != nil {
		return
	}
	if w.truncated {
		w.dropped++
		return
	}
	from, to := &ls.dir[d], &ls.dir[1-d]
	seg := segment{
		src:     ls.addr[d],
		dst:     ls.addr[1-d],
		seq:     from.seq,
		flags:   flags,
		ipID:    from.ipID,
		payload: payload,
		mss:     uint16(w.mss),
	}
	if flags&flagACK != 0 {
		seg.ack = to.seq
	}
	from.ipID++
	// One buffer holds the record header and the packet, so each packet is
	// a single buffered write; the header is filled in once the length is
	// known.
	var hdr [recordHeaderLen]byte
	rec := appendPacket(append(w.scratch[:0], hdr[:]...), seg)
	w.scratch = rec
	pktLen := len(rec) - recordHeaderLen
	if w.written+int64(len(rec)) > w.limit {
		w.truncated = true
		w.dropped++
		return
	}
	appendRecordHeader(rec[:0], ts, pktLen)
	if _, err := w.bw.Write(rec); err != nil {
		w.err = fmt.Errorf("capture: write %s: %w", w.path, err)
		return
	}
	w.written += int64(len(rec))
}

// Direction indexes within a legState.
const (
	fromClientDir = 0
	fromServerDir = 1
)

// legState tracks one synthesised TCP connection.
type legState struct {
	opened      bool
	established bool
	reset       bool
	addr        [2]netip.AddrPort // [fromClientDir] is the client's
	dir         [2]dirState
}

// dirState is one direction's sending state.
type dirState struct {
	seq  uint32 // next sequence number this side sends
	ipID uint16 // IPv4 identification, per sender as stacks do it
	fin  bool
	// inflight is a write on its way to the socket and not yet recorded
	// (see writing), or nil.
	inflight []byte
}

// normalise makes both addresses the same IP family, since one packet
// carries both: v4-mapped IPv6 (a dual-stack listener's view of a v4
// client) becomes IPv4, a leftover mix becomes IPv6, and a missing address
// becomes the unspecified address of the other's family.
func normalise(client, server netip.AddrPort) (netip.AddrPort, netip.AddrPort) {
	c, s := client.Addr().Unmap().WithZone(""), server.Addr().Unmap().WithZone("")
	switch {
	case !c.IsValid() && !s.IsValid():
		c, s = netip.IPv4Unspecified(), netip.IPv4Unspecified()
	case !c.IsValid():
		c = unspecifiedLike(s)
	case !s.IsValid():
		s = unspecifiedLike(c)
	case c.Is4() != s.Is4():
		c, s = netip.AddrFrom16(c.As16()), netip.AddrFrom16(s.As16())
	}
	return netip.AddrPortFrom(c, client.Port()), netip.AddrPortFrom(s, server.Port())
}

func unspecifiedLike(a netip.Addr) netip.Addr {
	if a.Is4() {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}
