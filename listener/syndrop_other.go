//go:build !linux

package listener

import (
	"net"
	"os"
	"syscall"
)

// dropper does not exist off Linux: stopListening fails first there.
type dropper struct{}

func startDropping(syscall.RawConn, syscall.Sockaddr) (*dropper, error) { return nil, errNoDown }

func (*dropper) drain(func(*os.File) (net.Conn, error)) []queuedConn { return nil }

func (*dropper) port() uint16 { return 0 }
