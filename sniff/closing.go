package sniff

// A relay that passes TLS through sees a peer's closing alert only as a
// record's shape: its header is in the clear, its body is not once the
// handshake keys are in use. ClosingRecord reads that shape from the first
// bytes of one read, which is all a relay keeps of it.

// ClosingRecord reports whether one read of n bytes, whose first bytes are
// head, was exactly one TLS alert record that ends its sender's side:
//
//   - an alert record in the clear (content type 21, length 2) that is
//     close_notify (level 1, description 0) or fatal (level 2): after
//     either TLS lets the sender send nothing more (RFC 8446 §6, RFC 5246
//     §7.2). A warning other than close_notify (user_canceled) ends nothing
//     by itself;
//   - an encrypted alert record under TLS 1.2 and earlier (content type 21,
//     longer than 2 bytes: its MAC or AEAD tag). Its level and description
//     are hidden; after the handshake it is close_notify or a fatal alert,
//     which both end the sender's side;
//   - under TLS 1.3 one application_data record of EncryptedAlertLen bytes,
//     the size of an encrypted alert (2 alert bytes, the inner content type
//     and a 16-byte tag). Application data of 2 bytes has that size too,
//     so the caller decides when that is plausible.
//
// A read that held more than one record, or part of one, says nothing:
// head needs the record's header whole, and a plaintext alert's two bytes.
func ClosingRecord(head []byte, n int) bool {
	if len(head) < 5 || len(head) > n || head[1] != 3 || head[2] > 4 {
		return false
	}
	l := int(head[3])<<8 | int(head[4])
	if n != 5+l {
		return false
	}
	switch {
	case head[0] == 21 && l == 2:
		return len(head) >= AlertRecordLen && (head[5] == 1 && head[6] == 0 || head[5] == 2)
	case head[0] == 21:
		return l > 2
	case head[0] == 23:
		return l == EncryptedAlertLen
	}
	return false
}
