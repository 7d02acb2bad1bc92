package listener

import (
	"net"

	"github.com/tlsgate/tlsgate/upstream"
)

// peerSentFIN reports whether the client's FIN has already reached c's
// socket, whatever data is still unread before it: upstream's relay asks
// the kernel the same question of a peer whose reset it must place.
func peerSentFIN(c net.Conn) bool { return upstream.PeerFINPending(socketOf(c)) }
