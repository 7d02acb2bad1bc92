package main

// Raw io_uring: setup, mmap, SQE/CQE handling. No cgo, no library.

import (
	"fmt"
	"sync/atomic"
	"syscall"
	"unsafe"
)

const (
	sysIoUringSetup = 425
	sysIoUringEnter = 426

	offSQRing = 0
	offCQRing = 0x8000000
	offSQEs   = 0x10000000

	enterGetEvents = 1 << 0

	setupCoopTaskrun  = 1 << 8
	setupTaskrunFlag  = 1 << 9
	setupSingleIssuer = 1 << 12
	setupDeferTaskrun = 1 << 13

	opRecv     = 27
	opSend     = 26
	opAccept   = 13
	opConnect  = 16
	opClose    = 19
	opShutdown = 34

	acceptMultishot   = 1 << 0 // in ioprio
	recvsendPollFirst = 1 << 0 // in ioprio
	cqeFMore          = 1 << 1
	sqeCQESkipSuccess = 1 << 6
	sqeIOLink         = 1 << 2
)

type sqOffsets struct {
	head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
	userAddr                                                        uint64
}

type cqOffsets struct {
	head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
	userAddr                                                        uint64
}

type params struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFd uint32
	resv                                                                   [3]uint32
	sqOff                                                                  sqOffsets
	cqOff                                                                  cqOffsets
}

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

type cqe struct {
	userData uint64
	res      int32
	flags    uint32
}

type ring struct {
	fd int
	// SQ
	sqHead, sqTail *uint32
	sqMask         uint32
	sqEntries      uint32
	sqArray        []uint32
	sqes           []sqe
	localTail      uint32 // our next tail, published at submit
	toSubmit       uint32
	// CQ
	cqHead, cqTail *uint32
	cqMask         uint32
	cqes           []cqe
	features       uint32
}

func newRing(entries uint32, flags uint32) (*ring, error) {
	var p params
	p.flags = flags
	fd, _, e := syscall.RawSyscall(sysIoUringSetup, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
	if e != 0 {
		return nil, fmt.Errorf("io_uring_setup(%d, flags %#x): %w", entries, flags, e)
	}
	r := &ring{fd: int(fd), features: p.features}
	sqSize := int(p.sqOff.array + p.sqEntries*4)
	cqSize := int(p.cqOff.cqes + p.cqEntries*uint32(unsafe.Sizeof(cqe{})))
	sq, err := syscall.Mmap(r.fd, offSQRing, sqSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		return nil, fmt.Errorf("mmap sq ring: %w", err)
	}
	cq, err := syscall.Mmap(r.fd, offCQRing, cqSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		return nil, fmt.Errorf("mmap cq ring: %w", err)
	}
	sqesMem, err := syscall.Mmap(r.fd, offSQEs, int(p.sqEntries)*64, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		return nil, fmt.Errorf("mmap sqes: %w", err)
	}
	r.sqHead = (*uint32)(unsafe.Pointer(&sq[p.sqOff.head]))
	r.sqTail = (*uint32)(unsafe.Pointer(&sq[p.sqOff.tail]))
	r.sqMask = *(*uint32)(unsafe.Pointer(&sq[p.sqOff.ringMask]))
	r.sqEntries = p.sqEntries
	r.sqArray = unsafe.Slice((*uint32)(unsafe.Pointer(&sq[p.sqOff.array])), p.sqEntries)
	r.sqes = unsafe.Slice((*sqe)(unsafe.Pointer(&sqesMem[0])), p.sqEntries)
	r.localTail = atomic.LoadUint32(r.sqTail)
	r.cqHead = (*uint32)(unsafe.Pointer(&cq[p.cqOff.head]))
	r.cqTail = (*uint32)(unsafe.Pointer(&cq[p.cqOff.tail]))
	r.cqMask = *(*uint32)(unsafe.Pointer(&cq[p.cqOff.ringMask]))
	r.cqes = unsafe.Slice((*cqe)(unsafe.Pointer(&cq[p.cqOff.cqes])), p.cqEntries)
	return r, nil
}

// get returns a zeroed SQE to fill; it is submitted at the next enter.
func (r *ring) get() *sqe {
	if r.localTail-atomic.LoadUint32(r.sqHead) >= r.sqEntries {
		r.enter(0) // full: submit what is queued first
	}
	i := r.localTail & r.sqMask
	s := &r.sqes[i]
	*s = sqe{}
	r.sqArray[i] = i
	r.localTail++
	r.toSubmit++
	return s
}

// enter publishes the queued SQEs and submits them, waiting for at least
// minComplete completions; one system call per loop turn.
func (r *ring) enter(minComplete uint32) {
	atomic.StoreUint32(r.sqTail, r.localTail)
	flags := uintptr(0)
	if minComplete > 0 {
		flags = enterGetEvents
	}
	for {
		n, _, e := syscall.Syscall6(sysIoUringEnter, uintptr(r.fd), uintptr(r.toSubmit), uintptr(minComplete), flags, 0, 0)
		if e == syscall.EINTR || e == syscall.EAGAIN || e == syscall.EBUSY {
			if minComplete == 0 {
				continue
			}
			return // nothing submitted; the next turn retries
		}
		if e != 0 {
			panic(fmt.Sprintf("io_uring_enter: %v", e))
		}
		r.toSubmit -= uint32(n)
		return
	}
}

// reap calls f for every CQE ready, marks them seen, and says how many.
func (r *ring) reap(f func(*cqe)) int {
	head := *r.cqHead
	tail := atomic.LoadUint32(r.cqTail)
	n := int(tail - head)
	for ; head != tail; head++ {
		f(&r.cqes[head&r.cqMask])
	}
	atomic.StoreUint32(r.cqHead, head)
	return n
}

// ready says whether CQEs wait to be reaped.
func (r *ring) ready() bool { return atomic.LoadUint32(r.cqTail) != *r.cqHead }

// flush submits what is queued and runs deferred task work without waiting.
func (r *ring) flush() {
	atomic.StoreUint32(r.sqTail, r.localTail)
	n, _, e := syscall.RawSyscall6(sysIoUringEnter, uintptr(r.fd), uintptr(r.toSubmit), 0, enterGetEvents, 0, 0)
	if e == 0 {
		r.toSubmit -= uint32(n)
	}
}
