//go:build !linux

package listener

import (
	"net"
	"os"
	"syscall"
)

func stopListening(syscall.RawConn, func(*os.File) (net.Conn, error)) (syscall.Sockaddr, []queuedConn, error) {
	return nil, nil, errNoDown
}

func listenAgain(syscall.RawConn, syscall.Sockaddr) error { return errNoDown }

func bindOnly(net.ListenConfig, string) (net.Listener, syscall.Sockaddr, error) {
	return nil, nil, errNoDown
}
