package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"time"
)

// This file reads a capture back with an independent parser, so the tests
// check the bytes on disk against the pcap, IPv4, IPv6 and TCP formats
// rather than against the writer's own helpers.

// pcapFile is a parsed capture.
type pcapFile struct {
	magic    uint32
	major    uint16
	minor    uint16
	snapLen  uint32
	linkType uint32
	packets  []packet
}

// packet is one record with its decoded IP and TCP headers.
type packet struct {
	ts       time.Time
	ipVer    int
	src, dst netip.AddrPort
	ttl      uint8
	ipID     uint16
	df       bool
	seq, ack uint32
	flags    uint8
	window   uint16
	mss      uint16 // from SYN options, 0 if absent
	wscale   int    // from SYN options, -1 if absent
	sackOK   bool
	payload  []byte
}

// readPcap parses path, verifying every length field and checksum it meets.
func readPcap(path string) (*pcapFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 24 {
		return nil, fmt.Errorf("file of %d bytes has no global header", len(b))
	}
	le := binary.LittleEndian
	f := &pcapFile{
		magic:    le.Uint32(b[0:]),
		major:    le.Uint16(b[4:]),
		minor:    le.Uint16(b[6:]),
		snapLen:  le.Uint32(b[16:]),
		linkType: le.Uint32(b[20:]),
	}
	if zone, sig := le.Uint32(b[8:]), le.Uint32(b[12:]); zone != 0 || sig != 0 {
		return nil, fmt.Errorf("thiszone %d sigfigs %d, want 0 0", zone, sig)
	}
	rest := b[24:]
	for len(rest) > 0 {
		if len(rest) < 16 {
			return nil, fmt.Errorf("record %d: %d trailing bytes, no record header", len(f.packets), len(rest))
		}
		sec, frac := le.Uint32(rest[0:]), le.Uint32(rest[4:])
		incl, orig := le.Uint32(rest[8:]), le.Uint32(rest[12:])
		if incl != orig || incl > f.snapLen || int(incl) > len(rest)-16 {
			return nil, fmt.Errorf("record %d: incl %d orig %d snaplen %d left %d", len(f.packets), incl, orig, f.snapLen, len(rest)-16)
		}
		if frac >= 1e9 {
			return nil, fmt.Errorf("record %d: %d ns is not a fraction of a second", len(f.packets), frac)
		}
		p, err := parsePacket(rest[16 : 16+incl])
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", len(f.packets), err)
		}
		p.ts = time.Unix(int64(sec), int64(frac)).UTC()
		f.packets = append(f.packets, p)
		rest = rest[16+incl:]
	}
	return f, nil
}

// csum is the Internet checksum (RFC 1071) over words, written
// independently of the writer's.
func csum(parts ...[]byte) uint16 {
	var all []byte
	for _, p := range parts {
		all = append(all, p...)
	}
	if len(all)%2 == 1 {
		all = append(all, 0)
	}
	var s uint64
	for i := 0; i < len(all); i += 2 {
		s += uint64(binary.BigEndian.Uint16(all[i:]))
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

func parsePacket(b []byte) (packet, error) {
	var p packet
	be := binary.BigEndian
	if len(b) < 1 {
		return p, fmt.Errorf("empty packet")
	}
	var tcp, pseudo []byte
	var srcIP, dstIP netip.Addr
	switch b[0] >> 4 {
	case 4:
		p.ipVer = 4
		if len(b) < 20 || b[0]&0x0f != 5 {
			return p, fmt.Errorf("ipv4 header: % x", b[:min(len(b), 20)])
		}
		if total := int(be.Uint16(b[2:])); total != len(b) {
			return p, fmt.Errorf("ipv4 total length %d, packet %d", total, len(b))
		}
		if c := csum(b[:20]); c != 0 {
			return p, fmt.Errorf("ipv4 header checksum does not verify (residue %#04x)", c)
		}
		if b[9] != 6 {
			return p, fmt.Errorf("ipv4 protocol %d, want TCP", b[9])
		}
		p.ipID, p.df, p.ttl = be.Uint16(b[4:]), be.Uint16(b[6:]) == 0x4000, b[8]
		srcIP, dstIP = netip.AddrFrom4([4]byte(b[12:16])), netip.AddrFrom4([4]byte(b[16:20]))
		tcp = b[20:]
		pseudo = append(append(append([]byte{}, b[12:20]...), 0, 6), be.AppendUint16(nil, uint16(len(tcp)))...)
	case 6:
		p.ipVer = 6
		if len(b) < 40 {
			return p, fmt.Errorf("ipv6 header: %d bytes", len(b))
		}
		if pl := int(be.Uint16(b[4:])); pl != len(b)-40 {
			return p, fmt.Errorf("ipv6 payload length %d, packet has %d", pl, len(b)-40)
		}
		if b[6] != 6 {
			return p, fmt.Errorf("ipv6 next header %d, want TCP", b[6])
		}
		p.ttl = b[7]
		srcIP, dstIP = netip.AddrFrom16([16]byte(b[8:24])), netip.AddrFrom16([16]byte(b[24:40]))
		tcp = b[40:]
		pseudo = append(append([]byte{}, b[8:40]...), be.AppendUint32(nil, uint32(len(tcp)))...)
		pseudo = append(pseudo, 0, 0, 0, 6)
	default:
		return p, fmt.Errorf("ip version %d", b[0]>>4)
	}
	if len(tcp) < 20 {
		return p, fmt.Errorf("tcp header: %d bytes", len(tcp))
	}
	off := int(tcp[12]>>4) * 4
	if off < 20 || off > len(tcp) {
		return p, fmt.Errorf("tcp data offset %d of %d", off, len(tcp))
	}
	if c := csum(pseudo, tcp); c != 0 {
		return p, fmt.Errorf("tcp checksum does not verify (residue %#04x)", c)
	}
	p.src = netip.AddrPortFrom(srcIP, be.Uint16(tcp[0:]))
	p.dst = netip.AddrPortFrom(dstIP, be.Uint16(tcp[2:]))
	p.seq, p.ack = be.Uint32(tcp[4:]), be.Uint32(tcp[8:])
	p.flags, p.window = tcp[13], be.Uint16(tcp[14:])
	p.wscale = -1
	opts := tcp[20:off]
	for len(opts) > 0 {
		switch opts[0] {
		case 0:
			opts = nil
			continue
		case 1:
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 || int(opts[1]) < 2 || int(opts[1]) > len(opts) {
			return p, fmt.Errorf("tcp option % x", opts)
		}
		o := opts[:opts[1]]
		switch {
		case o[0] == 2 && len(o) == 4:
			p.mss = be.Uint16(o[2:])
		case o[0] == 3 && len(o) == 3:
			p.wscale = int(o[2])
		case o[0] == 4 && len(o) == 2:
			p.sackOK = true
		default:
			return p, fmt.Errorf("unexpected tcp option % x", o)
		}
		opts = opts[len(o):]
	}
	p.payload = bytes.Clone(tcp[off:])
	return p, nil
}

// flagNames spells TCP flags like Wireshark's Info column does.
func flagNames(f uint8) string {
	var s []byte
	for _, x := range []struct {
		bit  uint8
		name string
	}{{flagFIN, "FIN"}, {flagSYN, "SYN"}, {flagRST, "RST"}, {flagPSH, "PSH"}, {flagACK, "ACK"}} {
		if f&x.bit != 0 {
			if len(s) > 0 {
				s = append(s, ',')
			}
			s = append(s, x.name...)
		}
	}
	return string(s)
}
