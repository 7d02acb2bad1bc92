//go:build linux

package fastpath

import (
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// The io_uring ring layer: setup with a feature probe, the shared
// mappings, SQEs and CQEs. Raw system calls, no cgo, no library: the ABI
// is small and stable, and the loops need to control exactly which calls
// may block a thread (see URING.md). Only the io_uring engine's loop uses
// it; one goroutine owns each ring.

// ErrUringUnavailable wraps every reason newRing refuses: the caller
// falls back to epoll unless io_uring was asked for by name.
var ErrUringUnavailable = errors.New("fastpath: io_uring unavailable")

const (
	sysIoUringSetup    = 425
	sysIoUringEnter    = 426
	sysIoUringRegister = 427

	offSQRing = 0
	offCQRing = 0x8000000
	offSQEs   = 0x10000000

	setupCQSize       = 1 << 3
	setupClamp        = 1 << 4
	setupRDisabled    = 1 << 6
	setupSingleIssuer = 1 << 12
	setupDeferTaskrun = 1 << 13

	enterGetEvents = 1 << 0
	enterExtArg    = 1 << 3

	registerEnableRings = 12

	registerProbe   = 8
	probeSupported  = 1 << 0
	probeOpsMax     = 64
	featSingleMmap  = 1 << 0
	featNoDrop      = 1 << 1
	featSubmitStab  = 1 << 2
	featFastPoll    = 1 << 5
	featCQESkip     = 1 << 11
	featNeeded      = featNoDrop | featSubmitStab | featFastPoll | featCQESkip
	sqFlagOverflow  = 1 << 1 // IORING_SQ_CQ_OVERFLOW: completions wait in the kernel
	cqeFMore        = 1 << 1 // a multishot request stays armed
	sqeCQESkipSucc  = 1 << 6
	acceptMultishot = 1 << 0 // in ioprio
	cancelAll       = 1 << 0
	cancelFD        = 1 << 1
)

// Opcodes the engine uses (enum io_uring_op).
const (
	opAccept      = 13
	opAsyncCancel = 14
	opConnect     = 16
	opClose       = 19
	opSend        = 26
	opRead        = 22
	opRecv        = 27
	// opSocket is probed only as a marker: it came in Linux 5.19 with
	// multishot accept and IORING_ASYNC_CANCEL_FD, which have no feature
	// bit of their own.
	opSocket = 45
)

// ringOps must all be supported for the engine to run.
var ringOps = []struct {
	op   uint8
	name string
}{{opAccept, "ACCEPT"}, {opAsyncCancel, "ASYNC_CANCEL"}, {opConnect, "CONNECT"}, {opClose, "CLOSE"}, {opRead, "READ"},
	{opSend, "SEND"}, {opRecv, "RECV"}, {opSocket, "SOCKET (Linux 5.19: multishot accept, cancel by fd)"}}

type sqOffsets struct {
	head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
	userAddr                                                        uint64
}

type cqOffsets struct {
	head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
	userAddr                                                        uint64
}

type ringParams struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFd uint32
	resv                                                                   [3]uint32
	sqOff                                                                  sqOffsets
	cqOff                                                                  cqOffsets
}

// sqe is struct io_uring_sqe (64 bytes).
type sqe struct {
	opcode      uint8
	flags       uint8
	ioprio      uint16
	fd          int32
	off         uint64
	addr        uint64
	len         uint32
	opFlags     uint32
	userData    uint64
	bufIndex    uint16
	personality uint16
	spliceFdIn  int32
	addr3       uint64
	pad         uint64
}

// cqe is struct io_uring_cqe (16 bytes; no CQE32).
type cqe struct {
	userData uint64
	res      int32
	flags    uint32
}

// ring is one io_uring instance and its mappings.
type ring struct {
	fd        int
	features  uint32
	sqHead    *uint32
	sqTail    *uint32
	sqFlags   *uint32
	sqMask    uint32
	sqEntries uint32
	sqArray   []uint32
	sqes      []sqe
	tail      uint32 // our next SQ tail, published by submit
	queued    uint32 // SQEs filled and not yet taken by the kernel
	cqHead    *uint32
	cqTail    *uint32
	cqMask    uint32
	cqes      []cqe
	maps      [][]byte // munmapped by close
	// deferred: SINGLE_ISSUER|DEFER_TASKRUN, set up disabled until the
	// loop's locked thread enables it (the kernel makes the enabling
	// thread the only one that may submit). Completions are then posted
	// only while that thread is in io_uring_enter with GETEVENTS.
	deferred bool
	// The argument of a timed wait, on the heap: the kernel reads it
	// through a pointer the garbage collector does not see.
	waitArg getEventsArg
	waitTS  timespec
}

// getEventsArg is struct io_uring_getevents_arg.
type getEventsArg struct {
	sigmask   uint64
	sigmaskSz uint32
	minWaitUs uint32
	ts        uint64
}

// timespec is struct __kernel_timespec.
type timespec struct{ sec, nsec int64 }

// uringErr names what refused io_uring and where to look.
func uringErr(call string, e syscall.Errno) error {
	hint := ""
	switch e {
	case syscall.ENOSYS:
		hint = " (a kernel without io_uring, or a seccomp filter that hides it)"
	case syscall.EPERM:
		hint = " (sysctl kernel.io_uring_disabled, or a seccomp filter)"
	case syscall.ENOMEM:
		hint = " (RLIMIT_MEMLOCK or memory cgroup too small for the rings)"
	}
	return fmt.Errorf("%w: %s: %w%s", ErrUringUnavailable, call, e, hint)
}

// newRing sets up a ring of entries SQEs (clamped by the kernel) with
// four times as many CQEs: the SQ bounds what one turn queues, not what
// is in flight (each connection keeps a request out per side, for as
// long as its peers take), and a CQ that overflows makes the kernel hold
// completions in its own memory until the next GETEVENTS. It checks that the kernel has every feature and opcode the engine
// needs, so that a missing one fails here, at start-up, not mid-relay.
//
// It asks for DEFER_TASKRUN (Linux 6.1): the kernel then finishes
// requests only when the loop's thread waits for them, not by
// interrupting it, which measured a fifth less CPU per connection than
// the default (BENCHMARKS.md, "Session 17"). An older kernel refuses the
// flags with EINVAL and gets a ring without them.
func newRing(entries uint32) (*ring, error) {
	p := ringParams{flags: setupCQSize | setupClamp | setupRDisabled | setupSingleIssuer | setupDeferTaskrun, cqEntries: 4 * entries}
	fd, _, e := syscall.RawSyscall(sysIoUringSetup, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	deferred := e == 0
	if e == syscall.EINVAL {
		p = ringParams{flags: setupCQSize | setupClamp, cqEntries: 4 * entries}
		fd, _, e = syscall.RawSyscall(sysIoUringSetup, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	}
	if e != 0 {
		return nil, uringErr("io_uring_setup", e)
	}
	r := &ring{fd: int(fd), features: p.features, deferred: deferred}
	if err := r.probe(); err != nil {
		r.close()
		return nil, err
	}
	if err := r.mapRings(&p); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// probe asks the kernel which opcodes it supports and checks them and
// the ring's features.
func (r *ring) probe() error {
	// struct io_uring_probe: a 16-byte header, then 8 bytes per op.
	var buf [16 + 8*probeOpsMax]byte
	_, _, e := syscall.RawSyscall6(sysIoUringRegister, uintptr(r.fd), registerProbe, uintptr(unsafe.Pointer(&buf[0])), probeOpsMax, 0, 0)
	if e != 0 {
		return uringErr("io_uring_register(PROBE)", e)
	}
	return checkProbe(r.features, buf[:])
}

// checkProbe says what the engine needs and the kernel lacks, from the
// features io_uring_setup reported and a struct io_uring_probe.
func checkProbe(features uint32, probe []byte) error {
	if missing := featNeeded &^ features; missing != 0 {
		return fmt.Errorf("%w: kernel lacks io_uring features %#x of %#x (NODROP, SUBMIT_STABLE, FAST_POLL, CQE_SKIP: Linux 5.17+)",
			ErrUringUnavailable, missing, featNeeded)
	}
	if len(probe) < 16 {
		return fmt.Errorf("%w: io_uring probe of %d bytes", ErrUringUnavailable, len(probe))
	}
	opsLen := min(int(probe[1]), (len(probe)-16)/8)
	for _, o := range ringOps {
		at := 16 + 8*int(o.op)
		if int(o.op) >= opsLen || probe[at+2]&probeSupported == 0 {
			return fmt.Errorf("%w: kernel lacks IORING_OP_%s (its last op is %d)", ErrUringUnavailable, o.name, probe[0])
		}
	}
	return nil
}

func (r *ring) mapRings(p *ringParams) error {
	sqSize := int(p.sqOff.array + p.sqEntries*4)
	cqSize := int(p.cqOff.cqes + p.cqEntries*uint32(unsafe.Sizeof(cqe{})))
	single := r.features&featSingleMmap != 0
	if single {
		sqSize = max(sqSize, cqSize)
	}
	mmap := func(off int64, size int, what string) ([]byte, error) {
		b, err := syscall.Mmap(r.fd, off, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_POPULATE)
		if err != nil {
			return nil, fmt.Errorf("%w: mmap %s (%d bytes): %w", ErrUringUnavailable, what, size, err)
		}
		r.maps = append(r.maps, b)
		return b, nil
	}
	sq, err := mmap(offSQRing, sqSize, "SQ ring")
	if err != nil {
		return err
	}
	cq := sq
	if !single {
		if cq, err = mmap(offCQRing, cqSize, "CQ ring"); err != nil {
			return err
		}
	}
	sqes, err := mmap(offSQEs, int(p.sqEntries)*int(unsafe.Sizeof(sqe{})), "SQEs")
	if err != nil {
		return err
	}
	u32 := func(b []byte, off uint32) *uint32 { return (*uint32)(unsafe.Pointer(&b[off])) }
	r.sqHead, r.sqTail, r.sqFlags = u32(sq, p.sqOff.head), u32(sq, p.sqOff.tail), u32(sq, p.sqOff.flags)
	r.sqMask, r.sqEntries = *u32(sq, p.sqOff.ringMask), p.sqEntries
	r.sqArray = unsafe.Slice(u32(sq, p.sqOff.array), p.sqEntries)
	r.sqes = unsafe.Slice((*sqe)(unsafe.Pointer(&sqes[0])), p.sqEntries)
	r.tail = atomic.LoadUint32(r.sqTail)
	r.cqHead, r.cqTail = u32(cq, p.cqOff.head), u32(cq, p.cqOff.tail)
	r.cqMask = *u32(cq, p.cqOff.ringMask)
	r.cqes = unsafe.Slice((*cqe)(unsafe.Pointer(&cq[p.cqOff.cqes])), p.cqEntries)
	return nil
}

// close unmaps the rings and closes the ring fd. Requests still in flight
// are cancelled by the kernel; the memory they point at must stay
// reachable until then, which the owner of their slots sees to.
func (r *ring) close() {
	for _, b := range r.maps {
		_ = syscall.Munmap(b)
	}
	r.maps = nil
	r.sqes, r.cqes, r.sqArray = nil, nil, nil
	if r.fd >= 0 {
		_ = syscall.Close(r.fd)
		r.fd = -1
	}
}

// get returns a zeroed SQE, queued for the next submit; nil when the SQ
// is full (the caller submits to make room). Whatever its addr fields
// point at must be Go heap memory kept reachable until the request's
// completion: the kernel reads and writes it then, and a goroutine stack
// may move under it.
func (r *ring) get() *sqe {
	if r.full() {
		return nil
	}
	i := r.tail & r.sqMask
	s := &r.sqes[i]
	*s = sqe{}
	r.sqArray[i] = i
	r.tail++
	r.queued++
	return s
}

// full says whether every SQE waits for the kernel to take it.
func (r *ring) full() bool { return r.tail-atomic.LoadUint32(r.sqHead) >= r.sqEntries }

// submit publishes the queued SQEs and enters the kernel without waiting
// (wait does that), as a raw system call (see sys_linux.go): the loop's
// thread keeps its P. It returns how many SQEs the kernel took. EAGAIN
// and EBUSY (short of kernel memory) come back for the caller to retry;
// EINTR is retried here.
func (r *ring) submit() (int, error) {
	atomic.StoreUint32(r.sqTail, r.tail)
	flags := uintptr(0)
	if r.deferred || atomic.LoadUint32(r.sqFlags)&sqFlagOverflow != 0 {
		flags = enterGetEvents // also flushes completions held in the kernel
	}
	for {
		n, _, e := syscall.RawSyscall6(sysIoUringEnter, uintptr(r.fd), uintptr(r.queued), 0, flags, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, fmt.Errorf("io_uring_enter(%d queued): %w", r.queued, e)
		}
		r.queued -= uint32(n)
		return int(n), nil
	}
}

// enable makes the calling thread the ring's submitter (a deferred ring
// is set up disabled): call it from the locked thread that will submit.
func (r *ring) enable() error {
	if !r.deferred {
		return nil
	}
	_, _, e := syscall.RawSyscall6(sysIoUringRegister, uintptr(r.fd), registerEnableRings, 0, 0, 0, 0)
	if e != 0 {
		return fmt.Errorf("io_uring_register(ENABLE_RINGS): %w", e)
	}
	return nil
}

// wait submits what is queued and blocks the thread until a completion
// is posted or timeout passes. A timeout or a signal is not an error.
//
// raw keeps the thread's P through the wait (a raw system call). With
// the P released (a plain one), the runtime's monitor took it away
// whenever another goroutine was busy, about 20 µs into the wait, and
// every wake-up then cost the loop two thread switches to get a P back:
// measured, the monitor's sleeps alone came to 14 µs of CPU per
// connection. A raw wait still lets the garbage collector stop the
// world: its preemption signal ends the wait with EINTR. But while it
// waits the thread's P runs nothing else, so the caller asks for it only
// where other Ps remain (Config.UringHoldP, and more than one P).
func (r *ring) wait(timeout time.Duration, raw bool) (int, error) {
	atomic.StoreUint32(r.sqTail, r.tail)
	r.waitTS = timespec{sec: int64(timeout / time.Second), nsec: int64(timeout % time.Second)}
	r.waitArg = getEventsArg{ts: uint64(uintptr(unsafe.Pointer(&r.waitTS)))}
	call := syscall.Syscall6
	if raw {
		call = syscall.RawSyscall6
	}
	n, _, e := call(sysIoUringEnter, uintptr(r.fd), uintptr(r.queued), 1, enterGetEvents|enterExtArg,
		uintptr(unsafe.Pointer(&r.waitArg)), unsafe.Sizeof(r.waitArg))
	switch e {
	case 0:
		r.queued -= uint32(n)
		return int(n), nil
	case syscall.ETIME, syscall.EINTR:
		return 0, nil
	}
	return 0, fmt.Errorf("io_uring_enter(wait, %d queued): %w", r.queued, e)
}

// ready says whether completions wait to be reaped.
func (r *ring) ready() bool { return atomic.LoadUint32(r.cqTail) != *r.cqHead }

// reap calls f with each completion ready, in order, and returns how
// many. f gets a copy, and the CQ slot is released before the call, so f
// may queue SQEs and even reap again without a completion being handled
// twice (the loop's handlers do not: see uloop.sqe). At most one CQ's worth
// per call, so a stream of completions cannot keep the loop from its
// sweep.
func (r *ring) reap(f func(*cqe)) int {
	n := 0
	for n < len(r.cqes) {
		head := atomic.LoadUint32(r.cqHead)
		if head == atomic.LoadUint32(r.cqTail) {
			break
		}
		c := r.cqes[head&r.cqMask]
		atomic.StoreUint32(r.cqHead, head+1)
		n++
		f(&c)
	}
	return n
}
