package capture

import (
	"encoding/binary"
	"net/netip"
	"time"
)

// pcap file format (the classic libpcap one every Wireshark version reads).
const (
	// magicNanos marks a file whose record timestamps carry nanoseconds;
	// proxied bytes on loopback are often microseconds apart or less.
	magicNanos = 0xa1b23c4d
	// linkTypeRaw (LINKTYPE_RAW) packets begin with an IP header whose
	// version nibble tells IPv4 from IPv6, so both legs fit in one file
	// whatever their families.
	linkTypeRaw = 101
	// snapLen is larger than any packet built here (an IPv6 header plus a
	// full 65535 byte payload).
	snapLen = 262144

	globalHeaderLen = 24
	recordHeaderLen = 16
)

// TCP header flags.
const (
	flagFIN = 0x01
	flagSYN = 0x02
	flagRST = 0x04
	flagPSH = 0x08
	flagACK = 0x10
)

// Values stacks commonly use; Wireshark shows them and flags nothing.
const (
	ipTTL = 64
	// synWindow is the unscaled window of SYN and SYN/ACK.
	synWindow = 65535
	// windowShift and window advertise 65536 bytes after the handshake,
	// more than one segment, so a segment never fills the window.
	windowShift = 7
	window      = 512
	protoTCP    = 6
	ipv4HdrLen  = 20
	ipv6HdrLen  = 40
	tcpHdrLen   = 20
	// synOptions: MSS, NOP, window scale, NOP, NOP, SACK permitted.
	synOptionsLen = 12
	ipv4DontFrag  = 0x4000
)

// appendGlobalHeader appends the pcap file header, little-endian as the
// magic number tells readers.
func appendGlobalHeader(b []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, magicNanos)
	b = binary.LittleEndian.AppendUint16(b, 2) // version 2.4
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = binary.LittleEndian.AppendUint32(b, 0) // thiszone: timestamps are UTC
	b = binary.LittleEndian.AppendUint32(b, 0) // sigfigs
	b = binary.LittleEndian.AppendUint32(b, snapLen)
	b = binary.LittleEndian.AppendUint32(b, linkTypeRaw)
	return b
}

// appendRecordHeader appends one packet record header; the packet is
// never cut, so captured and original lengths are equal.
func appendRecordHeader(b []byte, ts time.Time, n int) []byte {
	ns := ts.UnixNano()
	b = binary.LittleEndian.AppendUint32(b, uint32(ns/1e9))
	b = binary.LittleEndian.AppendUint32(b, uint32(ns%1e9))
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	return b
}

// segment is one TCP segment to synthesise.
type segment struct {
	src, dst netip.AddrPort // same family (see normalise)
	seq, ack uint32
	flags    uint8
	ipID     uint16
	payload  []byte
	mss      uint16 // advertised in SYN options
}

// appendPacket appends seg as an IPv4 or IPv6 packet with valid IP and TCP
// checksums: Wireshark, told to check them, flags bad ones, and a trainee
// must not chase an error the capture made up.
func appendPacket(b []byte, seg segment) []byte {
	tcpLen := tcpHdrLen + len(seg.payload)
	if seg.flags&flagSYN != 0 {
		tcpLen += synOptionsLen
	}
	if seg.src.Addr().Is4() {
		b = appendIPv4Header(b, seg, tcpLen)
	} else {
		b = appendIPv6Header(b, seg, tcpLen)
	}
	tcpStart := len(b)
	b = appendTCP(b, seg)
	sum := pseudoHeaderSum(seg.src.Addr(), seg.dst.Addr(), tcpLen)
	sum = sumBytes(sum, b[tcpStart:])
	binary.BigEndian.PutUint16(b[tcpStart+16:], fold(sum))
	return b
}

func appendIPv4Header(b []byte, seg segment, tcpLen int) []byte {
	h := len(b)
	b = append(b, 0x45, 0) // version 4, 5 words; DSCP/ECN 0
	b = binary.BigEndian.AppendUint16(b, uint16(ipv4HdrLen+tcpLen))
	b = binary.BigEndian.AppendUint16(b, seg.ipID)
	b = binary.BigEndian.AppendUint16(b, ipv4DontFrag)
	b = append(b, ipTTL, protoTCP, 0, 0) // checksum filled below
	src, dst := seg.src.Addr().As4(), seg.dst.Addr().As4()
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	binary.BigEndian.PutUint16(b[h+10:], fold(sumBytes(0, b[h:h+ipv4HdrLen])))
	return b
}

func appendIPv6Header(b []byte, seg segment, tcpLen int) []byte {
	b = append(b, 0x60, 0, 0, 0) // version 6, traffic class 0, flow label 0
	b = binary.BigEndian.AppendUint16(b, uint16(tcpLen))
	b = append(b, protoTCP, ipTTL)
	src, dst := seg.src.Addr().As16(), seg.dst.Addr().As16()
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	return b
}

// appendTCP appends the TCP header (checksum zero) and payload.
func appendTCP(b []byte, seg segment) []byte {
	hdrLen := tcpHdrLen
	win := uint16(window)
	if seg.flags&flagSYN != 0 {
		hdrLen += synOptionsLen
		win = synWindow
	}
	b = binary.BigEndian.AppendUint16(b, seg.src.Port())
	b = binary.BigEndian.AppendUint16(b, seg.dst.Port())
	b = binary.BigEndian.AppendUint32(b, seg.seq)
	b = binary.BigEndian.AppendUint32(b, seg.ack)
	b = append(b, byte(hdrLen/4)<<4, seg.flags)
	b = binary.BigEndian.AppendUint16(b, win)
	b = append(b, 0, 0, 0, 0) // checksum, urgent pointer
	if seg.flags&flagSYN != 0 {
		b = append(b, 2, 4) // MSS
		b = binary.BigEndian.AppendUint16(b, seg.mss)
		b = append(b, 1, 3, 3, windowShift) // NOP, window scale
		b = append(b, 1, 1, 4, 2)           // NOP, NOP, SACK permitted
	}
	return append(b, seg.payload...)
}

// pseudoHeaderSum starts the TCP checksum with the pseudo-header of RFC 793
// (IPv4) or RFC 8200 section 8.1 (IPv6).
func pseudoHeaderSum(src, dst netip.Addr, tcpLen int) uint32 {
	var sum uint32
	if src.Is4() {
		s, d := src.As4(), dst.As4()
		sum = sumBytes(sum, s[:])
		sum = sumBytes(sum, d[:])
	} else {
		s, d := src.As16(), dst.As16()
		sum = sumBytes(sum, s[:])
		sum = sumBytes(sum, d[:])
	}
	return sum + protoTCP + uint32(tcpLen)
}

// sumBytes adds b as big-endian 16-bit words (odd tail padded with zero)
// to the running one's-complement sum.
func sumBytes(sum uint32, b []byte) uint32 {
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
		if sum > 0xffff0000 {
			sum = sum&0xffff + sum>>16
		}
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	return sum
}

// fold finishes a one's-complement sum into the checksum field value.
func fold(sum uint32) uint16 {
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
