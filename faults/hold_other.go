//go:build !unix

package faults

import (
	"errors"
	"net"
	"os"
)

// errNoDup is dupSocket's answer where descriptors cannot be duplicated.
var errNoDup = errors.New("faults: holding a socket open needs a Unix system")

// dupSocket cannot hold a socket here: a held conn is closed as usual.
func dupSocket(*net.TCPConn) (*os.File, error) { return nil, errNoDup }

func lingerZero(*os.File) {}
