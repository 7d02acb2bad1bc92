#!/usr/bin/env bash
# Session 17's io_uring experiment (BENCHMARKS.md, "Session 17"): throw-away
# relays, a module of their own so the product's ./... never builds them.
#
#   bench/uring17/measure.sh SET REPS NAME...
#
# Builds tlsgate, tlsgate-load and the two relays, starts the HTTP backend,
# HAProxy (2 threads and 1), tlsgate's plain listener and the relays on
# loopback ports 29xxx from this one session, runs REPS interleaved rounds
# of 3 s at 8 in flight over the NAMEs in the order given (tlsgate tguring epoll
# uring1 p1none hap1 haproxy), and prints one line per target per round:
# set round name rate conns cpu_us_per_conn load1. Summarise with
#   awk -f bench/uring17/summarize.awk OUT...
#   awk -v pairs="uring1/tlsgate" -f bench/uring17/pair.awk OUT...
# Bounded: REPS x NAMEs x 3 s, at most 200000 connections a run.
set -u
D=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
W=${WORK:-/tmp/uring17-bench}
mkdir -p "$W/bin" "$W/log"
(cd "$D" && go build -o "$W/bin/" ./epollrelay ./uringrelay) || exit 1
(cd "$D/../.." && go build -o "$W/bin/" ./cmd/tlsgate ./cmd/tlsgate-load) || exit 1
cat >"$W/tg.toml" <<EOT
[log]
format = "bigip"
file = "$W/log/tlsgate.log"
[ca]
dir = "$W/ca"
[demo]
listen = ""
[[listener]]
name = "http-plaintext"
listen = "127.0.0.1:29701"
backend = "127.0.0.1:29102"
mode = "plaintext"
[[listener]]
name = "http-plaintext-uring"
listen = "127.0.0.1:29702"
backend = "127.0.0.1:29102"
mode = "plaintext"
engine = "uring"
EOT
set_=$1 reps=$2; shift 2
B=$W/bin
declare -A PORT=([tlsgate]=29701 [tguring]=29702 [epoll]=29501 [uring1]=29511 [p1none]=29521 [hap1]=29303 [haproxy]=29302)
declare -A PID
$B/tlsgate-load backend --listen 127.0.0.1:29102 --mode http --lifetime 60m >"$W/log/be.log" 2>&1 & BE=$!
haproxy -db -f "$D/haproxy.cfg" >"$W/log/haproxy.log" 2>&1 & PID[haproxy]=$!
haproxy -db -f "$D/haproxy1.cfg" >"$W/log/haproxy1.log" 2>&1 & PID[hap1]=$!
$B/tlsgate run -c "$W/tg.toml" >"$W/log/tlsgate.out" 2>&1 & PID[tlsgate]=$!; PID[tguring]=${PID[tlsgate]}
$B/epollrelay --listen 127.0.0.1:29501 --target 127.0.0.1:29102 --threads 2 & PID[epoll]=$!
$B/uringrelay --listen 127.0.0.1:29511 --target 127.0.0.1:29102 --threads 1 --setup defer & PID[uring1]=$!
$B/uringrelay --listen 127.0.0.1:29521 --target 127.0.0.1:29102 --threads 1 --setup none --park & PID[p1none]=$!
trap 'kill $BE "${PID[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
sleep 1
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
for t in "$@"; do $B/tlsgate-load connrate --target 127.0.0.1:${PORT[$t]} --duration 1s --concurrency 8 --max 200000 --json >/dev/null; done
for r in $(seq "$reps"); do
	for t in "$@"; do
		l1=$(cut -d' ' -f1 /proc/loadavg)
		c0=$(ticks ${PID[$t]})
		out=$($B/tlsgate-load connrate --target 127.0.0.1:${PORT[$t]} --duration 3s --concurrency 8 --max 200000 --json | tail -1)
		c1=$(ticks ${PID[$t]})
		v=$(sed -n 's/.*"value":\([0-9.]*\).*/\1/p' <<<"$out"); n=$(sed -n 's/.*"ops":\([0-9]*\).*/\1/p' <<<"$out")
		echo "$set_ $r $t $v $n $(awk -v a=$c0 -v b=$c1 -v n=$n 'BEGIN{printf "%.1f", (b-a)*1e6/100/n}') $l1"
	done
done
