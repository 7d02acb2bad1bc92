#!/usr/bin/env bash
# Start the plain-rate A/B servers in this one session and run bench/ab.sh
# against them: the HTTP backend on 127.0.0.1:29102, HAProxy's sniffing
# plain frontend on 127.0.0.1:29302 (bench/uring17/haproxy.cfg), and one
# tlsgate process per --tlsgate BINARY=CONFIG (each config's listeners
# forward to 127.0.0.1:29102). Everything is stopped at the end.
#
#   bench/abserve.sh [--reps N] [--concurrency C] [--rotate] --tlsgate BIN=CONFIG ... ADDR=NAME ...
#
# --concurrency and --rotate are passed to bench/ab.sh (--rotate: each
# target is measured first in its share of the rounds).
#
# Example (session 19: the epoll listener alone, and beside an idle
# io_uring listener in one process):
#   bench/abserve.sh --reps 10 --tlsgate /tmp/a/tlsgate=/tmp/alone.toml \
#     --tlsgate /tmp/a/tlsgate=/tmp/beside.toml \
#     127.0.0.1:29702=beside 127.0.0.1:29701=alone 127.0.0.1:29302=haproxy
#
# Bounded as bench/ab.sh is (N rounds x targets x 3 s); loopback only.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
reps=10
abopts=()
servers=()
targets=()
while [ $# -gt 0 ]; do
	case "$1" in
	--reps) reps="$2"; shift 2 ;;
	--tlsgate) servers+=("$2"); shift 2 ;;
	--rotate) abopts+=(--rotate); shift ;;
	--concurrency) abopts+=(--concurrency "$2"); shift 2 ;;
	-h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "abserve.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*=*) targets+=("$1"); shift ;;
	*) echo "abserve.sh: target $1 is not ADDR=NAME" >&2; exit 2 ;;
	esac
done
if [ ${#servers[@]} -eq 0 ]; then
	echo "abserve.sh: give at least one --tlsgate BINARY=CONFIG" >&2
	exit 2
fi
command -v haproxy >/dev/null || { echo "abserve.sh: haproxy is not installed" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
	kill "${pids[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
(cd "$top" && go build -o "$work/tlsgate-load" ./cmd/tlsgate-load)
"$work/tlsgate-load" backend --listen 127.0.0.1:29102 --mode http --lifetime 60m >"$work/backend.log" 2>&1 &
pids+=($!)
haproxy -db -f "$top/bench/uring17/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)
i=0
for s in "${servers[@]}"; do
	i=$((i + 1))
	"${s%%=*}" run -c "${s#*=}" >"$work/tlsgate$i.log" 2>&1 &
	pids+=($!)
done
# Wait for the backend and every target to accept, up to 10 s each, rather
# than a fixed second; one that never does stops the run here, with the
# server logs, instead of failing ab.sh's first round.
for t in 127.0.0.1:29102=backend "${targets[@]}"; do
	a=${t%%=*}
	host=${a%:*} port=${a##*:}
	host=${host#\[} host=${host%\]}
	if [[ ! $port =~ ^[0-9]+$ ]]; then
		echo "abserve.sh: target $t has no port" >&2
		exit 2
	fi
	up=
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
			up=1
			break
		fi
		sleep 0.1
	done
	if [[ -z $up ]]; then
		echo "abserve.sh: $t did not accept within 10 s; server logs:" >&2
		tail -n 5 "$work"/*.log >&2
		exit 1
	fi
done
bash "$top/bench/ab.sh" --reps "$reps" "${abopts[@]}" "${targets[@]}"
