package faults

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
)

// aead13 is one way a TLS 1.3 record may be protected: the suite's AEAD
// keyed from a traffic secret (RFC 8446 §7.3).
type aead13 struct {
	hash   func() hash.Hash
	keyLen int
	new    func(key []byte) (cipher.AEAD, error)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// aeads13 are the TLS 1.3 suites crypto/tls speaks whose hash matches a
// secret of n bytes: SHA-256 for AES-128-GCM and ChaCha20-Poly1305,
// SHA-384 for AES-256-GCM.
func aeads13(n int) []aead13 {
	switch n {
	case sha256.Size:
		return []aead13{{sha256.New, 16, newGCM}, {sha256.New, chacha20poly1305.KeySize, chacha20poly1305.New}}
	case sha512.Size384:
		return []aead13{{sha512.New384, 32, newGCM}}
	}
	return nil
}

// expandLabel is HKDF-Expand-Label with an empty context (RFC 8446 §7.1).
func expandLabel(h func() hash.Hash, secret []byte, label string, n int) ([]byte, error) {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full))
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(info, byte(len(full)))
	info = append(info, full...)
	info = append(info, 0) // empty context
	return hkdf.Expand(h, secret, string(info), n)
}

// maxSeq13 is how many records sealed under the secret reseal13Alert looks
// past: crypto/tls sends the refusal of a client certificate as the first
// record under the server's application secret, so 0 is the one it finds.
const maxSeq13 = 4

// reseal13Alert reads rec as one TLS 1.3 record sealed under secret that
// carries the fatal alert from, and returns it sealed again, the same
// length and sequence number, carrying alert to instead. ok is false when
// rec is anything else (another record, another alert, a key that does not
// open it), and rec is then left as it is.
func reseal13Alert(rec, secret []byte, from, to uint8) ([]byte, bool) {
	if len(rec) < 5 || rec[0] != 23 || rec[1] != 3 || rec[2] != 3 || int(binary.BigEndian.Uint16(rec[3:5])) != len(rec)-5 {
		return nil, false
	}
	hdr, body := rec[:5], rec[5:]
	for _, a := range aeads13(len(secret)) {
		key, err := expandLabel(a.hash, secret, "key", a.keyLen)
		if err != nil {
			continue
		}
		iv, err := expandLabel(a.hash, secret, "iv", 12)
		if err != nil {
			continue
		}
		aead, err := a.new(key)
		if err != nil || len(body) < aead.Overhead() {
			continue
		}
		for seq := uint64(0); seq < maxSeq13; seq++ {
			nonce := bytes.Clone(iv)
			var s [8]byte
			binary.BigEndian.PutUint64(s[:], seq)
			for i := range s {
				nonce[4+i] ^= s[i]
			}
			inner, err := aead.Open(nil, nonce, body, hdr)
			if err != nil {
				continue
			}
			// TLSInnerPlaintext: the alert, its content type, zero padding.
			content := bytes.TrimRight(inner, "\x00")
			if len(content) != 3 || content[2] != 21 || content[0] != 2 || content[1] != from {
				return nil, false
			}
			inner[1] = to
			out := append(bytes.Clone(hdr), aead.Seal(nil, nonce, inner, hdr)...)
			return out, true
		}
	}
	return nil, false
}
