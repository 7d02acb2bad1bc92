package sniff

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// JA3 returns the JA3 string and its MD5 (hex). The string is
// "LegacyVersion,Ciphers,Extensions,Groups,PointFormats" in decimal, values
// joined by '-', GREASE removed, wire order kept. JA3 uses the legacy
// version, not supported_versions, and it changes with extension order, so
// it is unstable for clients that permute extensions (Chrome ≥ 110).
func JA3(h *ClientHello) (raw string, hash string) {
	if h == nil {
		return "", ""
	}
	var sb strings.Builder
	sb.WriteString(strconv.Itoa(int(h.LegacyVersion)))
	for _, list := range [][]uint16{h.CipherSuites, h.Extensions, h.SupportedGroups} {
		sb.WriteByte(',')
		sep := false
		for _, v := range list {
			if IsGREASE(v) {
				continue
			}
			if sep {
				sb.WriteByte('-')
			}
			sb.WriteString(strconv.Itoa(int(v)))
			sep = true
		}
	}
	sb.WriteByte(',')
	for i, v := range h.ECPointFormats {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(strconv.Itoa(int(v)))
	}
	raw = sb.String()
	sum := md5.Sum([]byte(raw))
	return raw, hex.EncodeToString(sum[:])
}

// JA4 returns the JA4 fingerprint (FoxIO JA4 technical details) for a hello
// received over TCP, e.g. "t13d1516h2_8daaf6152771_e5627efa2ab1":
//
//   - a: 't', the highest offered version ("13", "12", … "s3", "00" when
//     unknown), 'd' if the SNI extension is present else 'i', the cipher and
//     extension counts (two digits, at most 99), and the first and last
//     character of the first ALPN value ("00" without ALPN);
//   - b: the first 12 hex digits of SHA-256 over the sorted cipher list;
//   - c: the same over the sorted extension list without SNI and ALPN, then
//     '_' and the signature algorithms in wire order (no '_' when there are
//     none).
//
// GREASE values are ignored everywhere; an empty list hashes to twelve zeros.
func JA4(h *ClientHello) string {
	if h == nil {
		return ""
	}
	ciphers := withoutGREASE(h.CipherSuites)
	exts := withoutGREASE(h.Extensions)
	var sb strings.Builder
	sb.WriteByte('t')
	sb.WriteString(ja4Version(h.MaxVersion()))
	if slices.Contains(exts, extServerName) {
		sb.WriteByte('d')
	} else {
		sb.WriteByte('i')
	}
	sb.WriteString(twoDigits(len(ciphers)))
	sb.WriteString(twoDigits(len(exts)))
	sb.WriteString(ja4ALPN(h.ALPN))
	sb.WriteByte('_')

	slices.Sort(ciphers)
	sb.WriteString(hash12(hexList(ciphers)))
	sb.WriteByte('_')

	exts = slices.DeleteFunc(exts, func(v uint16) bool { return v == extServerName || v == extALPN })
	slices.Sort(exts)
	if len(exts) == 0 {
		sb.WriteString(hash12(""))
		return sb.String()
	}
	c := hexList(exts)
	if sigs := withoutGREASE(h.SignatureAlgorithms); len(sigs) > 0 {
		c += "_" + hexList(sigs)
	}
	sb.WriteString(hash12(c))
	return sb.String()
}

// withoutGREASE returns a fresh copy of list without GREASE values, so the
// caller may sort it without touching the hello.
func withoutGREASE(list []uint16) []uint16 {
	out := make([]uint16, 0, len(list))
	for _, v := range list {
		if !IsGREASE(v) {
			out = append(out, v)
		}
	}
	return out
}

func ja4Version(v uint16) string {
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0002:
		return "s2"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

func twoDigits(n int) string {
	n = min(n, 99)
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

// ja4ALPN takes the first and last character of the first ALPN value, or of
// its hex form when either end byte is not alphanumeric.
func ja4ALPN(alpn []string) string {
	if len(alpn) == 0 || alpn[0] == "" {
		return "00"
	}
	v := alpn[0]
	first, last := v[0], v[len(v)-1]
	if isAlnum(first) && isAlnum(last) {
		return string([]byte{first, last})
	}
	x := hex.EncodeToString([]byte(v))
	return string([]byte{x[0], x[len(x)-1]})
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// hexList renders values as four lower-case hex digits joined by commas.
func hexList(list []uint16) string {
	const digits = "0123456789abcdef"
	buf := make([]byte, 0, len(list)*5)
	for i, v := range list {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf])
	}
	return string(buf)
}

// hash12 is the truncated SHA-256 JA4 uses; "" marks an empty list, which
// JA4 renders as twelve zeros rather than the hash of nothing.
func hash12(s string) string {
	if s == "" {
		return "000000000000"
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}
