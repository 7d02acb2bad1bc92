//go:build linux

package fastpath

import (
	"syscall"
	"unsafe"
)

// The uring loop's requests that belong to no connection: the accepts
// armed on its listening socket, which start each connection (accepted),
// and the read of its inbox eventfd, which wakes it (ring: Engine.
// Stop, Abort and Listening). Their completions carry tagNone (completeNone).

// acceptsArmed is how many accepts each loop keeps armed: a burst of
// connections is taken in one turn, as the epoll loop's accept4 loop does.
const acceptsArmed = 4

// ring wakes the loop (Engine.Listening).
func (l *uloop) ring() {
	l.in.mu.Lock()
	if !l.in.closed && !l.in.rung && l.in.efd >= 0 {
		l.in.rung = true
		one := uint64(1)
		_, _, _ = syscall.RawSyscall(syscall.SYS_WRITE, uintptr(l.in.efd), uintptr(unsafe.Pointer(&one)), 8)
	}
	l.in.mu.Unlock()
}

// acceptsOn says whether any accept is armed.
func (l *uloop) acceptsOn() bool {
	for _, on := range l.accOn {
		if on {
			return true
		}
	}
	return false
}

// armAccepts arms every accept that is not.
func (l *uloop) armAccepts() {
	for i, on := range l.accOn {
		if !on {
			l.armAccept(i)
		}
	}
}

// armAccept arms accept i. Single-shot, with its own address buffer: a
// multishot accept cannot return addresses (one buffer, overwritten by
// each connection before its CQE is read), and getpeername after the
// fact fails for a client that already reset, whose address the log
// needs most.
func (l *uloop) armAccept(i int) {
	s := l.sqe()
	prepAccept(s, l.lfd, false, &l.accs[i])
	s.userData = tagNone(kAccept) | uint64(i)<<8
	l.accOn[i] = true
	// A Listening after this moves listens past it: an accept that then
	// finds the socket not listening knows to try again.
	l.listensArmed[i] = l.e.listens.Load()
}

func (l *uloop) armWake() {
	s := l.sqe()
	s.opcode = opRead
	s.fd = int32(l.in.efd)
	s.addr = uint64(uintptr(unsafe.Pointer(&l.wakeBuf[0])))
	s.len = 8
	s.userData = tagNone(kWake)
	l.wakeOn = true
}

// completeNone handles completions of requests that belong to no
// connection.
func (l *uloop) completeNone(kind uint8, res int32, ud uint64) {
	switch kind {
	case kWake:
		l.wakeOn = false
		l.in.mu.Lock()
		l.in.rung = false
		l.in.mu.Unlock()
		if l.notListening && l.lfd >= 0 && !l.stopping && l.e.listens.Load() != l.listensSeen {
			l.notListening = false
			l.armAccepts()
		}
		if res >= 0 || res == -int32(syscall.EAGAIN) {
			l.armWake()
		}
	case kAccept:
		i := int(uint8(ud >> 8))
		l.accOn[i] = false
		if res >= 0 {
			l.accepted(int(res), rawToSockaddr(&l.accs[i].rsa))
		}
		switch {
		case l.stopping:
			if l.lfd >= 0 && !l.acceptsOn() {
				_ = syscall.Close(l.lfd)
				l.lfd = -1
			}
		case res == -int32(syscall.EINVAL):
			// Not listening (a refuse rule): wait for Engine.Listening.
			l.notListening, l.listensSeen = true, l.listensArmed[i]
			if l.e.listens.Load() != l.listensSeen {
				l.notListening = false
				l.armAccept(i)
			}
		case res == -int32(syscall.EMFILE) || res == -int32(syscall.ENFILE) || res == -int32(syscall.ENOBUFS) || res == -int32(syscall.ENOMEM):
			l.paused = l.now.Add(tick) // sweep re-arms
		default:
			l.armAccept(i)
		}
	}
}

// accepted takes a new client socket.
func (l *uloop) accepted(fd int, sa syscall.Sockaddr) {
	now := l.now
	u := l.newUconn()
	v := l.e.open(&u.Conn, fd, sa, now)
	if v == Refuse {
		l.keep(u) // no request was armed
		return
	}
	l.load.Add(1)
	u.slot = l.slots.add(u)
	l.live[u] = struct{}{}
	if v == Handoff {
		l.handoff(u, nil)
		return
	}
	u.deadline = u.Accepted.Add(l.e.cfg.PeekTimeout)
	u.buf[0] = l.getBuf()
	l.recv(u, 0, u.buf[0][:l.e.cfg.PeekMax])
}
