#!/usr/bin/env bash
# bench/run.sh: what does tlsgate cost, next to talking to the backend
# directly and next to the proxies people use for the same jobs?
#
# One run builds tlsgate and tlsgate-load, starts tlsgate-load backends,
# tlsgate (bench/tlsgate-bench.toml), HAProxy (bench/haproxy-bench.cfg),
# nginx (bench/nginx-bench.conf) and mitmproxy, all on 127.0.0.1, and
# measures three sections (and the Go benchmarks), each repeated --reps
# times with the targets taken in turn inside every repetition (so drift
# of the machine hits all of them alike):
#
# Core gateway (issue 2)
#   bulk TLS throughput         direct | tlsgate passthrough | haproxy sniff
#   new connections/s, plain    direct | tlsgate plaintext   | haproxy plain | bare Go relay
#   new connections/s, TLS      direct | tlsgate passthrough | haproxy sniff | bare Go relay
#   request latency, plain/TLS  direct | tlsgate             | haproxy
#   TLS handshakes/s            direct TLS backend | tlsgate terminate (same
#                               cert; and minted leaf) | haproxy terminate
#   memory per idle connection  tlsgate | haproxy (VmRSS growth)
# Inspect mode (issue 3), each against direct TLS to the backend
#   new TLS connections/s       tlsgate inspect | haproxy, nginx re-encrypting |
#   (handshake + one request)   mitmproxy reverse; with a warm leaf cache (one
#                               SNI) and a cold one (a new SNI per connection)
#   bulk TLS throughput         the same targets
#   go test -bench 'MintCold|LeafWarm' ./pki
# Fault engine (issue 4), against the same passthrough listener with no rules
#   new TLS connections/s and the time of one connection, with 0, 10 and 1000
#   rules that select nothing (swapped through the admin API, PUT /faults)
#   go test -bench BenchmarkPlan ./faults
# Go benchmarks: the other per-operation costs (sniff, upstream, httpflow,
#   explain), go test -bench
#
# It prints a markdown report (one heading per section; median, min – max,
# ratio to direct or to no rules, targets, the exact commands) on stdout,
# also written to bench/results-<date>.md (raw JSON lines beside it in
# results-<date>.jsonl). Progress goes to stderr.
#
# The load generator, the proxies and the backends share this machine's
# cores, so every number includes that contention, the same way for each
# target. Nothing leaves loopback; every client is bounded by count and
# time; every process started here is stopped on exit.
set -euo pipefail

usage() {
	cat <<'EOF_USAGE'
Usage: bench/run.sh [options]
  --only LIST       run only these sections, comma-separated: core, inspect,
                    faults, go (default: all four)
  --reps N          repetitions of every measurement (default 5)
  --duration D      length of each conn-rate and handshake run, e.g. 4s (default 4s)
  --concurrency N   workers for conn-rate and handshake runs (default 8)
  --bulk SIZE       bytes per bulk run, e.g. 256MiB (default 256MiB)
  --requests N      timed requests per latency run (default 5000)
  --idle-conns N    idle connections added per step (default 500; see below)
  --go-count N      -count of the go test -bench runs (default 5)
  --quick           a smoke run: --reps 1 --duration 1s --bulk 32MiB --requests 500
                    --idle-conns 200 --go-count 1, and go benchmarks of 20 iterations
  --out FILE        markdown output (default bench/results-<date>.md)
  --keep            keep the work directory (logs, configs, raw results)
  --wait-quiet SEC  first wait up to SEC seconds for the 1-minute load average
                    to drop below 1 (other work on the machine skews every number)
  --without-tlsgate measure direct and the other proxies only (to check the bench
                    itself; skips the fault section)
  --tlsgate PATH    use this tlsgate binary instead of building ./cmd/tlsgate
                    (e.g. one built from a commit while the work tree is mid-edit)
  --cpuprofile FILE write tlsgate's CPU profile of the whole run to FILE (tlsgate
                    run --cpuprofile; read it with go tool pprof BINARY FILE, the
                    binary is kept beside it as FILE.bin); best with --only
  -h, --help        this text
The default run takes about 11 minutes on 2 cores; --quick about a minute.
HAProxy, nginx (with libnginx-mod-stream) and mitmproxy are installed with
apt-get when missing.

Idle memory keeps every step's connections open: REPS x idle-conns at the end.
A relayed connection costs tlsgate 6 file descriptors (two sockets, and a
splice pipe pair per direction) and HAProxy 2, so the run lowers idle-conns
when the open-files limit (ulimit -Hn) would not hold them.
EOF_USAGE
}

REPS=5
DURATION=4s
CONCURRENCY=8
BULK=256MiB
REQUESTS=5000
IDLE_CONNS=500
GO_COUNT=5
QUICK=0
ONLY="core,inspect,faults,go"
WAIT_QUIET=0
OUT=""
KEEP=0
WITH_TLSGATE=1
TLSGATE_BIN=""
CPUPROFILE=""
ORIG_ARGS="$*"
while [[ $# -gt 0 ]]; do
	case "$1" in
	--only) ONLY="$2"; shift 2 ;;
	--reps) REPS="$2"; shift 2 ;;
	--duration) DURATION="$2"; shift 2 ;;
	--concurrency) CONCURRENCY="$2"; shift 2 ;;
	--bulk) BULK="$2"; shift 2 ;;
	--requests) REQUESTS="$2"; shift 2 ;;
	--idle-conns) IDLE_CONNS="$2"; shift 2 ;;
	--go-count) GO_COUNT="$2"; shift 2 ;;
	--quick) QUICK=1; REPS=1; DURATION=1s; BULK=32MiB; REQUESTS=500; IDLE_CONNS=200; GO_COUNT=1; shift ;;
	--out) OUT="$2"; shift 2 ;;
	--keep) KEEP=1; shift ;;
	--wait-quiet) WAIT_QUIET="$2"; shift 2 ;;
	--without-tlsgate) WITH_TLSGATE=0; shift ;;
	--tlsgate) TLSGATE_BIN="$2"; shift 2 ;;
	--cpuprofile) CPUPROFILE="$2"; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
	esac
done
for v in REPS IDLE_CONNS CONCURRENCY REQUESTS GO_COUNT; do
	[[ "${!v}" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: ${v,,} must be a positive integer, got '${!v}'" >&2; exit 2; }
done
[[ "$WAIT_QUIET" =~ ^[0-9]+$ ]] || { echo "run.sh: --wait-quiet takes whole seconds" >&2; exit 2; }
declare -A WANT=()
IFS=, read -r -a _only <<<"$ONLY"
for s in "${_only[@]}"; do
	case "$s" in
	core | inspect | faults | go) WANT[$s]=1 ;;
	*) echo "run.sh: --only: unknown section '$s' (want core, inspect, faults or go)" >&2; exit 2 ;;
	esac
done
want() { [[ -n "${WANT[$1]:-}" ]]; }
if want faults && [[ $WITH_TLSGATE -eq 0 ]]; then
	echo "run.sh: the fault section measures tlsgate itself; it is skipped with --without-tlsgate" >&2
	unset 'WANT[faults]'
fi
(( ${#WANT[@]} > 0 )) || { echo "run.sh: no section left to run" >&2; exit 2; }
NEED_TLSGATE=0
if [[ $WITH_TLSGATE -eq 1 ]] && { want core || want inspect || want faults; }; then
	NEED_TLSGATE=1
fi
NEED_HAPROXY=0
if want core || want inspect; then
	NEED_HAPROXY=1
fi

# Go benchmark lengths: long enough for steady numbers, short enough for
# the whole run to stay near its budget.
if [[ $QUICK -eq 1 ]]; then
	GO_TIME_MINT=20x GO_TIME_PLAN=20x GO_TIME_OTHER=20x
else
	GO_TIME_MINT=0.5s GO_TIME_PLAN=0.3s GO_TIME_OTHER=0.2s
fi

# Section headings: the report groups results under them.
S_CORE="Core gateway (issue 2)"
S_INSPECT="Inspect mode (issue 3)"
S_FAULTS="Fault engine (issue 4)"
S_GO="Go benchmarks (per-operation costs)"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATE="$(date +%Y-%m-%d)"
OUT="${OUT:-$ROOT/bench/results-$DATE.md}"
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
if [[ -n "$CPUPROFILE" ]]; then
	case "$CPUPROFILE" in /*) ;; *) CPUPROFILE="$PWD/$CPUPROFILE" ;; esac
fi
WORK="$(mktemp -d /tmp/tlsgate-bench.XXXXXX)"
BIN="$WORK/bin"
RESULTS="$WORK/results.jsonl"
FAILURES="$WORK/failures.txt"
: >"$RESULTS"
: >"$FAILURES"
START_SECONDS=$SECONDS

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Every child's pid, so the trap stops exactly what this script started.
PIDS=()
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [[ $KEEP -eq 1 || $rc -ne 0 ]]; then
		log "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# wait_port HOST:PORT: up to 20 s for something to accept there.
wait_port() {
	local host=${1%:*} port=${1##*:}
	for _ in $(seq 200); do
		if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "run.sh: nothing is listening on $1 after 20s" >&2
	return 1
}

port_free() {
	local host=${1%:*} port=${1##*:}
	! (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# need COMMAND PACKAGE...: install the Debian packages when COMMAND is missing.
need() {
	local cmd=$1
	shift
	command -v "$cmd" >/dev/null 2>&1 && return 0
	log "installing $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$WORK/apt.log" 2>&1 || {
		apt-get update >>"$WORK/apt.log" 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$WORK/apt.log" 2>&1
	} || { echo "run.sh: could not install $* (see $WORK/apt.log)" >&2; exit 1; }
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# --- build and prerequisites -------------------------------------------------
# 6 fds per relayed connection in tlsgate (see --help), plus some slack.
FD_LIMIT="$(ulimit -Hn)"
if want core && [[ "$FD_LIMIT" != unlimited ]] && (( REPS * IDLE_CONNS * 6 + 200 > FD_LIMIT )); then
	IDLE_CONNS=$(( (FD_LIMIT - 200) / 6 / REPS ))
	(( IDLE_CONNS >= 1 )) || IDLE_CONNS=1
	log "open-files limit is $FD_LIMIT: idle memory uses $IDLE_CONNS connections per step"
fi
cd "$ROOT"
log "building tlsgate and tlsgate-load into $BIN"
mkdir -p "$BIN"
if [[ $NEED_TLSGATE -eq 1 || ( $WITH_TLSGATE -eq 1 && -n "$TLSGATE_BIN" ) ]]; then
	if [[ -n "$TLSGATE_BIN" ]]; then
		[[ -x "$TLSGATE_BIN" ]] || { echo "run.sh: --tlsgate $TLSGATE_BIN is not an executable" >&2; exit 2; }
		cp "$TLSGATE_BIN" "$BIN/tlsgate"
	else
		go build -o "$BIN/tlsgate" ./cmd/tlsgate
	fi
fi
go build -o "$BIN/tlsgate-load" ./cmd/tlsgate-load
LOAD="$BIN/tlsgate-load"

if [[ $NEED_HAPROXY -eq 1 ]]; then
	need haproxy haproxy
fi
if want inspect; then
	need nginx nginx libnginx-mod-stream
	[[ -f /usr/lib/nginx/modules/ngx_stream_module.so ]] || need /usr/lib/nginx/modules/ngx_stream_module.so libnginx-mod-stream
	need mitmdump mitmproxy
fi
if want faults; then
	need curl curl
fi
command -v openssl >/dev/null 2>&1 || { echo "run.sh: openssl is needed to make the bench certificate" >&2; exit 1; }

PORTS=()
if want core || want inspect; then
	PORTS+=(127.0.0.1:27101)
fi
if want core; then
	PORTS+=(127.0.0.1:27102 127.0.0.1:27301 127.0.0.1:27302 127.0.0.1:27303 127.0.0.1:27304 127.0.0.1:27108 127.0.0.1:27109)
fi
if want core || want faults; then
	PORTS+=(127.0.0.1:27103)
fi
if want inspect; then
	PORTS+=(127.0.0.1:27110 127.0.0.1:27111 127.0.0.1:27112 127.0.0.1:27113 127.0.0.1:27114
		127.0.0.1:27311 127.0.0.1:27312 127.0.0.1:27511 127.0.0.1:27512 127.0.0.1:27611 127.0.0.1:27612)
fi
if [[ $NEED_TLSGATE -eq 1 ]]; then
	# tlsgate binds every listener of its config, whatever the sections.
	PORTS+=(127.0.0.1:27201 127.0.0.1:27202 127.0.0.1:27203 127.0.0.1:27204 127.0.0.1:27205
		127.0.0.1:27211 127.0.0.1:27212 127.0.0.1:27400)
fi
if [[ $NEED_HAPROXY -eq 1 ]] && ! want core; then
	PORTS+=(127.0.0.1:27301 127.0.0.1:27302 127.0.0.1:27303 127.0.0.1:27304)
fi
if [[ $NEED_HAPROXY -eq 1 ]] && ! want inspect; then
	PORTS+=(127.0.0.1:27311 127.0.0.1:27312)
fi
for p in "${PORTS[@]}"; do
	port_free "$p" || { echo "run.sh: $p is already in use; stop what holds it first" >&2; exit 1; }
done

# One ECDSA P-256 certificate for every TLS server in the run, so the
# handshake costs the same on every row. It is self-signed and trusted
# directly by the clients (--ca) and by the re-encrypting proxies. It
# covers *.bench.local, so a client can send a new name per connection.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=bench.local -addext "subjectAltName=DNS:bench.local,DNS:*.bench.local,IP:127.0.0.1" \
	-keyout "$WORK/bench-key.pem" -out "$WORK/bench-cert.pem" 2>"$WORK/openssl.log"
cat "$WORK/bench-cert.pem" "$WORK/bench-key.pem" >"$WORK/bench.pem"
cp bench/tlsgate-bench.toml bench/haproxy-bench.cfg bench/nginx-bench.conf "$WORK/"
if [[ $NEED_TLSGATE -eq 1 ]]; then
	# ca export never creates a CA: init makes the one tlsgate will sign with.
	"$BIN/tlsgate" ca init -c "$WORK/tlsgate-bench.toml" >"$WORK/ca.log" 2>&1
	"$BIN/tlsgate" ca export -c "$WORK/tlsgate-bench.toml" >"$WORK/lab-ca.pem" 2>>"$WORK/ca.log"
fi

# --- start the servers -------------------------------------------------------
start_backend() { # NAME ADDR ARGS...
	local name=$1 addr=$2
	shift 2
	"$LOAD" backend --listen "$addr" --lifetime 30m "$@" >"$WORK/backend-$name.out" 2>"$WORK/backend-$name.err" &
	PIDS+=($!)
	BACKEND_PID[$name]=$!
}
declare -A BACKEND_PID=()
TLS_FILES=(--tls --cert "$WORK/bench-cert.pem" --key "$WORK/bench-key.pem")
log "starting backends"
if want core || want inspect; then
	start_backend echo-tls 127.0.0.1:27101 --mode echo "${TLS_FILES[@]}"
fi
if want core; then
	start_backend http 127.0.0.1:27102 --mode http
fi
if want core || want faults; then
	start_backend http-tls 127.0.0.1:27103 --mode http "${TLS_FILES[@]}"
fi
# The bare Go relay (tlsgate-load relay): accept, read, dial, io.Copy both
# ways, nothing else. Its rows show what Go's runtime alone costs per
# connection, next to tlsgate (which adds sniffing, routing, a diagnosis
# and a log line) and HAProxy (C, one event loop per thread).
RELAY_PLAIN_PID=none RELAY_TLS_PID=none
if want core; then
	"$LOAD" relay --listen 127.0.0.1:27109 --target 127.0.0.1:27102 >"$WORK/relay-plain.out" 2>"$WORK/relay-plain.err" &
	RELAY_PLAIN_PID=$!
	PIDS+=("$RELAY_PLAIN_PID")
	"$LOAD" relay --listen 127.0.0.1:27108 --target 127.0.0.1:27103 >"$WORK/relay-tls.out" 2>"$WORK/relay-tls.err" &
	RELAY_TLS_PID=$!
	PIDS+=("$RELAY_TLS_PID")
fi
# One backend per inspect-mode row: its tally at the end says whether
# that proxy resumed TLS sessions to it.
INSPECT_ROWS=(direct:27110 tlsgate:27111 haproxy:27112 nginx:27113 mitmproxy:27114)
if want inspect; then
	for r in "${INSPECT_ROWS[@]}"; do
		start_backend "inspect-${r%%:*}" "127.0.0.1:${r##*:}" --mode http "${TLS_FILES[@]}"
	done
fi

TLSGATE_PID=none
if [[ $NEED_TLSGATE -eq 1 ]]; then
	log "starting tlsgate"
	PROFILE=()
	if [[ -n "$CPUPROFILE" ]]; then
		PROFILE=(--cpuprofile "$CPUPROFILE")
		cp "$BIN/tlsgate" "$CPUPROFILE.bin"
	fi
	(cd "$WORK" && exec "$BIN/tlsgate" run -c tlsgate-bench.toml "${PROFILE[@]}" >"$WORK/tlsgate.stdout" 2>"$WORK/tlsgate.stderr") &
	TLSGATE_PID=$!
	PIDS+=("$TLSGATE_PID")
fi

HAPROXY_PID=none
if [[ $NEED_HAPROXY -eq 1 ]]; then
	log "starting haproxy"
	(cd "$WORK" && haproxy -c -f haproxy-bench.cfg) >"$WORK/haproxy-check.log" 2>&1 || {
		cat "$WORK/haproxy-check.log" >&2
		exit 1
	}
	(cd "$WORK" && exec haproxy -db -f haproxy-bench.cfg >"$WORK/haproxy.log" 2>&1) &
	HAPROXY_PID=$!
	PIDS+=("$HAPROXY_PID")
fi

NGINX_PIDS=none MITM_PID=none MITM_BULK_PID=none
if want inspect; then
	log "starting nginx"
	nginx -t -p "$WORK/" -c nginx-bench.conf >"$WORK/nginx-check.log" 2>&1 || {
		cat "$WORK/nginx-check.log" >&2
		exit 1
	}
	nginx -p "$WORK/" -c nginx-bench.conf >"$WORK/nginx.stdout" 2>&1 &
	NGINX_PID=$!
	PIDS+=("$NGINX_PID")
	# mitmproxy in reverse mode, one process per upstream (its reverse
	# target is fixed per process). tcp_hosts makes it relay the decrypted
	# bytes as TCP, as the other proxies here do, instead of parsing HTTP.
	# The first process makes the CA in confdir; the second must find it.
	start_mitm() { # NAME PORT UPSTREAM
		mitmdump --mode "reverse:https://$3" --listen-host 127.0.0.1 --listen-port "$2" \
			--set confdir="$WORK/mitm" --set ssl_verify_upstream_trusted_ca="$WORK/bench-cert.pem" \
			--set tcp_hosts='.*' -q >"$WORK/mitmproxy-$1.log" 2>&1 &
		PIDS+=($!)
	}
	log "starting mitmproxy"
	start_mitm conns 27611 127.0.0.1:27114
	MITM_PID=$!
	wait_port 127.0.0.1:27611
	start_mitm bulk 27612 127.0.0.1:27101
	MITM_BULK_PID=$!
fi

for p in "${PORTS[@]}"; do
	wait_port "$p"
done
if want inspect; then
	# nginx's CPU is its master's and its workers'.
	NGINX_PIDS="$NGINX_PID$(pgrep -P "$NGINX_PID" | sed 's/^/,/' | tr -d '\n')"
fi
log "all servers up (tlsgate $TLSGATE_PID, haproxy $HAPROXY_PID, nginx $NGINX_PIDS, mitmproxy $MITM_PID $MITM_BULK_PID)"
if (( WAIT_QUIET > 0 )); then
	log "waiting up to ${WAIT_QUIET}s for the load average to drop below 1"
	for _ in $(seq "$WAIT_QUIET"); do
		awk '{exit !($1 < 1.0)}' /proc/loadavg && break
		sleep 1
	done
fi
LOAD_BEFORE="$(loadavg)"
if awk '{exit !($1 > 1.0)}' /proc/loadavg; then
	log "warning: load average is $LOAD_BEFORE before the bench; other work on this machine will show in the numbers"
fi

# --- measuring helpers -------------------------------------------------------
SECTION=""
# measure GROUP NAME PIDS SUBCOMMAND ARGS...: one run, its JSON line
# appended to the results under the current section. PIDS are the
# proxy's processes whose CPU time is metered (comma-separated), or -.
# The client runs in the work directory, so the command the report shows
# names files as they lie there. A failed run is noted and the bench goes on.
measure() {
	local group=$1 name=$2 pids=$3
	shift 3
	if [[ $WITH_TLSGATE -eq 0 && $name == tlsgate* ]]; then
		return 0
	fi
	# The proxy's CPU time per unit of work moves far less than rates do
	# when the machine is shared, so it is metered on every proxied run.
	local cpu=()
	if [[ $pids != - ]]; then
		cpu=(--cpu-pid "$pids")
	fi
	local line
	# --rep: the report compares targets run by run within a repetition
	# (every section's loop counts its repetitions in rep).
	if line=$(cd "$WORK" && "$LOAD" "$@" "${cpu[@]}" --json --section "$SECTION" --group "$group" --name "$name" --rep "${rep:-0}" 2>"$WORK/last.err"); then
		printf '%s\n' "$line" >>"$RESULTS"
	else
		printf -- '- %s / %s / %s: %s\n' "$SECTION" "$group" "$name" "$(tr '\n' ' ' <"$WORK/last.err")" >>"$FAILURES"
		log "FAILED $group / $name: $(head -c 300 "$WORK/last.err")"
	fi
}

# note TEXT: a line under the current section of the report.
note() { "$LOAD" note --section "$SECTION" --text "$1" >>"$RESULTS"; }

# gobench GROUP PACKAGE PATTERN BENCHTIME [COUNT]: go test -bench into the
# results, under the current section.
gobench() {
	local group=$1 pkg=$2 pattern=$3 benchtime=$4 count=${5:-$GO_COUNT}
	local out
	out="$WORK/gobench-$(tr -c 'a-zA-Z0-9' _ <<<"$pkg-$pattern").txt"
	local cmd="go test -run '^\$' -bench '$pattern' -benchtime $benchtime -count $count $pkg"
	log "go benchmarks: $cmd"
	if (cd "$ROOT" && go test -run '^$' -bench "$pattern" -benchtime "$benchtime" -count "$count" "$pkg") >"$out" 2>&1 &&
		"$LOAD" gobench --in "$out" --section "$SECTION" ${group:+--group "$group"} --command "$cmd" >>"$RESULTS" 2>"$WORK/last.err"; then
		return 0
	fi
	printf -- '- %s / %s: %s\n' "$SECTION" "$cmd" "$(tail -n 5 "$out" "$WORK/last.err" | tr '\n' ' ')" >>"$FAILURES"
	log "FAILED $cmd"
}

# The bench makes its own load (8 client workers, a proxy, a backend), so
# the load average during a section says little about other work. What
# does: the machine's busy CPU time (/proc/stat user, nice, system and
# steal; interrupts left out, as the bench's loopback traffic makes most of
# them) minus the CPU time of everything this script started, the live
# servers' from /proc/PID/stat and the finished children's from this
# shell's cutime and cstime (which collect every waited-for descendant), in
# USER_HZ ticks. Kernel threads working for the bench's own traffic land
# in the remainder too, a few percent.
machine_busy() { awk '/^cpu /{print $2 + $3 + $4 + $9; exit}' /proc/stat; }
our_ticks() {
	local t pid
	t=$(awk '{sub(/^.*\) /, ""); print $14 + $15}' "/proc/$$/stat")
	local all=("${PIDS[@]}") workers
	if [[ $NGINX_PIDS != none ]]; then
		# The master is in PIDS already; its workers are not.
		IFS=, read -r -a workers <<<"$NGINX_PIDS"
		all+=("${workers[@]:1}")
	fi
	for pid in "${all[@]}"; do
		if [[ -r /proc/$pid/stat ]]; then
			t=$((t + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
		fi
	done
	echo "$t"
}
section_start() {
	SECTION=$1
	log "== $SECTION (load average $(loadavg))"
	SECTION_LOAD="$(loadavg)"
	SECTION_T0=$SECONDS
	SECTION_BUSY0=$(machine_busy)
	SECTION_OURS0=$(our_ticks)
}
section_end() {
	local secs=$((SECONDS - SECTION_T0)) busy ours other
	busy=$(($(machine_busy) - SECTION_BUSY0))
	ours=$(($(our_ticks) - SECTION_OURS0))
	other=$((busy - ours))
	((other > 0)) || other=0
	note "Noise: during this section ($secs s) processes this bench did not start used $(awk -v o="$other" -v n="$(nproc)" -v s="$((secs > 0 ? secs : 1))" 'BEGIN {printf("%.1f CPU-seconds, %.0f%% of the machine", o / 100, o / (n * s))}') (busy CPU time from /proc/stat, hypervisor steal included, minus this bench's own; a few percent are the kernel working for the bench's traffic). Load average (1, 5, 15 min) at the start: $SECTION_LOAD; at the end: $(loadavg); the bench's own workers count in it."
}

RATE=(--duration "$DURATION" --concurrency "$CONCURRENCY" --max 2000000)

# --- core gateway ------------------------------------------------------------
core() {
	section_start "$S_CORE"
	# Idle memory first, while the proxies are fresh: pools and heap that the
	# load runs below grow would otherwise absorb the new connections and hide
	# their cost. One client per proxy adds IDLE_CONNS relayed connections REPS
	# times, keeping the earlier ones open, and prints one result per step.
	idle() { # NAME PORT PID
		[[ $WITH_TLSGATE -eq 0 && $1 == tlsgate* ]] && return 0
		log "idle memory: $1 ($IDLE_CONNS conns x $REPS steps)"
		if ! (cd "$WORK" && "$LOAD" idle --target "127.0.0.1:$2" --pid "$3" --conns "$IDLE_CONNS" --steps "$REPS" \
			--json --section "$SECTION" --group "memory per idle conn (plain HTTP, relayed)" --name "$1") >>"$WORK/idle.jsonl" 2>"$WORK/last.err"; then
			printf -- '- idle / %s: %s\n' "$1" "$(tr '\n' ' ' <"$WORK/last.err")" >>"$FAILURES"
			log "FAILED idle $1: $(head -c 300 "$WORK/last.err")"
		fi
	}
	idle tlsgate 27202 "$TLSGATE_PID"
	idle haproxy 27302 "$HAPROXY_PID"

	local tls_bench=(--tls --ca bench-cert.pem --sni bench.local)
	local tls_minted=(--tls --ca lab-ca.pem --sni bench.local)
	# Each target is NAME:PORT:PID. Direct goes first (it is every ratio's
	# denominator); tlsgate and HAProxy swap places every other repetition,
	# so neither always runs right after the same neighbour (the TIME_WAIT
	# sockets and the warm caches it leaves behind).
	order() { # REP DIRECT TLSGATE HAPROXY [MORE...]
		local rep=$1 d=$2 t=$3 h=$4
		shift 4
		if ((rep % 2)); then
			echo "$d" "$t" "$h" "$@"
		else
			echo "$d" "$h" "$t" "$@"
		fi
	}
	local t name port pid
	for rep in $(seq "$REPS"); do
		log "core, repetition $rep of $REPS: bulk"
		for t in $(order "$rep" direct:27101:- "tlsgate:27201:$TLSGATE_PID" "haproxy:27301:$HAPROXY_PID"); do
			IFS=: read -r name port pid <<<"$t"
			measure "bulk TLS $BULK, 1 conn" "$name" "$pid" bulk --target "127.0.0.1:$port" --bytes "$BULK" --conns 1 --duration 60s "${tls_bench[@]}"
		done
		log "core, repetition $rep of $REPS: connection rate"
		for t in $(order "$rep" direct:27102:- "tlsgate:27202:$TLSGATE_PID" "haproxy:27302:$HAPROXY_PID" "go-relay:27109:$RELAY_PLAIN_PID"); do
			IFS=: read -r name port pid <<<"$t"
			measure "new conns/s, plain HTTP" "$name" "$pid" connrate --target "127.0.0.1:$port" "${RATE[@]}"
		done
		for t in $(order "$rep" direct:27103:- "tlsgate:27203:$TLSGATE_PID" "haproxy:27303:$HAPROXY_PID" "go-relay:27108:$RELAY_TLS_PID"); do
			IFS=: read -r name port pid <<<"$t"
			measure "new conns/s, TLS (passthrough)" "$name" "$pid" connrate --target "127.0.0.1:$port" "${RATE[@]}" "${tls_bench[@]}"
		done
		log "core, repetition $rep of $REPS: latency"
		for t in $(order "$rep" direct:27102:- "tlsgate:27202:$TLSGATE_PID" "haproxy:27302:$HAPROXY_PID"); do
			IFS=: read -r name port pid <<<"$t"
			measure "latency, plain HTTP" "$name" "$pid" latency --target "127.0.0.1:$port" --requests "$REQUESTS" --concurrency 1 --duration 60s
		done
		for t in $(order "$rep" direct:27103:- "tlsgate:27203:$TLSGATE_PID" "haproxy:27303:$HAPROXY_PID"); do
			IFS=: read -r name port pid <<<"$t"
			measure "latency, TLS (passthrough)" "$name" "$pid" latency --target "127.0.0.1:$port" --requests "$REQUESTS" --concurrency 1 --duration 60s "${tls_bench[@]}"
		done
		log "core, repetition $rep of $REPS: handshakes"
		measure "TLS handshakes/s (terminate)" direct - handshakes --target 127.0.0.1:27103 "${RATE[@]}" "${tls_bench[@]}"
		# tlsgate's two rows and HAProxy's swap places every other
		# repetition, as order() does for the other tests.
		local hap=(measure "TLS handshakes/s (terminate)" haproxy "$HAPROXY_PID" handshakes --target 127.0.0.1:27304 "${RATE[@]}" "${tls_bench[@]}")
		if ((rep % 2 == 0)); then "${hap[@]}"; fi
		measure "TLS handshakes/s (terminate)" tlsgate "$TLSGATE_PID" handshakes --target 127.0.0.1:27204 "${RATE[@]}" "${tls_bench[@]}"
		measure "TLS handshakes/s (terminate)" "tlsgate, minted leaf" "$TLSGATE_PID" handshakes --target 127.0.0.1:27205 "${RATE[@]}" "${tls_minted[@]}"
		if ((rep % 2)); then "${hap[@]}"; fi
	done
	# Memory rows go last in the section, though they were measured first.
	if [[ -f "$WORK/idle.jsonl" ]]; then
		cat "$WORK/idle.jsonl" >>"$RESULTS"
	fi
	note "For memory, each run adds $IDLE_CONNS connections while keeping the earlier ones."
	section_end
}

# --- inspect mode ------------------------------------------------------------
inspect() {
	section_start "$S_INSPECT"
	# name:port:CA-the-client-trusts:pids, for the connection tests (one
	# backend per row) and for bulk (all to the TLS echo backend).
	local conns=("direct:27110:bench-cert.pem:-"
		"tlsgate inspect:27211:lab-ca.pem:$TLSGATE_PID"
		"haproxy re-encrypt:27311:bench-cert.pem:$HAPROXY_PID"
		"nginx re-encrypt:27511:bench-cert.pem:$NGINX_PIDS"
		"mitmproxy reverse:27611:mitm/mitmproxy-ca-cert.pem:$MITM_PID")
	local bulk=("direct:27101:bench-cert.pem:-"
		"tlsgate inspect:27212:lab-ca.pem:$TLSGATE_PID"
		"haproxy re-encrypt:27312:bench-cert.pem:$HAPROXY_PID"
		"nginx re-encrypt:27512:bench-cert.pem:$NGINX_PIDS"
		"mitmproxy reverse:27612:mitm/mitmproxy-ca-cert.pem:$MITM_BULK_PID")
	local warm="TLS conns/s, warm leaf cache (one SNI; handshake + 1 request)"
	local cold="TLS conns/s, cold leaf cache (new SNI per conn; handshake + 1 request)"
	local bulkg="bulk TLS $BULK through the interceptor, 1 conn"
	# A first, unrecorded round: Python's lazy imports, the first mint of
	# the warm name, and nginx's first upstream session happen here.
	log "inspect: warm-up"
	for t in "${conns[@]}"; do
		IFS=: read -r name port ca _ <<<"$t"
		[[ $WITH_TLSGATE -eq 0 && $name == tlsgate* ]] && continue
		(cd "$WORK" && "$LOAD" connrate --target "127.0.0.1:$port" --tls --ca "$ca" --sni bench.local --max 50 --duration 10s --concurrency 2) >/dev/null 2>>"$WORK/warmup.err" ||
			log "warm-up of $name failed: $(tail -n 1 "$WORK/warmup.err")"
	done
	for rep in $(seq "$REPS"); do
		log "inspect, repetition $rep of $REPS: warm cache"
		for t in "${conns[@]}"; do
			IFS=: read -r name port ca pids <<<"$t"
			measure "$warm" "$name" "$pids" connrate --target "127.0.0.1:$port" "${RATE[@]}" --tls --ca "$ca" --sni bench.local
		done
		log "inspect, repetition $rep of $REPS: cold cache"
		for t in "${conns[@]}"; do
			IFS=: read -r name port ca pids <<<"$t"
			# Names unique across repetitions, so no run finds an earlier one's leaves.
			measure "$cold" "$name" "$pids" connrate --target "127.0.0.1:$port" "${RATE[@]}" --tls --ca "$ca" --sni-each "r$rep-n{n}.bench.local"
		done
		log "inspect, repetition $rep of $REPS: bulk"
		for t in "${bulk[@]}"; do
			IFS=: read -r name port ca pids <<<"$t"
			# 20 s bounds a relay that stalls (mitmproxy's sometimes does under
			# full-duplex load); the run then counts as cut, at the rate it had.
			measure "$bulkg" "$name" "$pids" bulk --target "127.0.0.1:$port" --bytes "$BULK" --conns 1 --duration 20s --tls --ca "$ca" --sni bench.local
		done
	done
	gobench "" ./pki 'MintCold|LeafWarm' "$GO_TIME_MINT"

	local issue="issue 3; nginx ≈0.31×, HAProxy ≈0.28×, mitmproxy ≈0.09× there"
	for g in "$warm" "$cold"; do
		"$LOAD" target --section "$SECTION" --group "$g" --name "tlsgate inspect" --min-ratio 0.35 \
			--text "inspect ≥ 0.35× direct TLS ($issue)" >>"$RESULTS"
	done
	"$LOAD" target --section "$SECTION" --group pki --name MintCold --max-value 2000000 \
		--text "a cold mint under 2 ms (issue 3)" >>"$RESULTS"

	note "Each connection: TCP connect, a full TLS 1.3 handshake (no resumption on the client), one small HTTP request and its response, close. The request makes every proxy finish its server leg too: a proxy that dials the server only after the client's handshake would otherwise be timed without it. The client verifies every handshake: against bench-cert.pem (the backend's own certificate) for direct, HAProxy and nginx, the lab CA (lab-ca.pem) for tlsgate, mitmproxy's CA for mitmproxy. Every proxy verifies the backend against bench-cert.pem for the client's SNI."
	note "Warm: every connection sends SNI bench.local, so tlsgate and mitmproxy serve a cached leaf. Cold: every connection sends a new name r<rep>-n<i>.bench.local, so they mint one per connection (HAProxy and nginx serve one static certificate either way)."
	section_end
	# The backends' tallies: did the proxy resume its TLS sessions to them?
	for r in "${INSPECT_ROWS[@]}"; do
		local b="inspect-${r%%:*}" pid
		pid=${BACKEND_PID[$b]}
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		local tally
		tally="$(grep -m1 'TLS handshakes' "$WORK/backend-$b.err" 2>/dev/null || echo 'no tally')"
		note "Backend of the ${r%%:*} row of the connection tests, whole section including warm-up: ${tally#backend }."
	done
}

# --- fault engine ------------------------------------------------------------
# rules_json N: N rules that select nothing the load sends, so no fault
# fires but every rule is evaluated for every connection: SNI globs
# (nomatch-<i>.test), client CIDRs from TEST-NET-2 and -3, some both, some
# at the accept stage (planned before the hello is read).
rules_json() {
	local n=$1 i sep=""
	printf '['
	for ((i = 0; i < n; i++)); do
		local action=reset
		((i % 2)) && action=close
		case $((i % 4)) in
		0) printf '%s{"name":"cidr-%d","client":"198.51.100.%d/32","stage":"accept","action":"%s"}' "$sep" "$i" $((i % 250 + 1)) "$action" ;;
		1) printf '%s{"name":"both-%d","sni":"nomatch-%d.test","client":"203.0.113.0/24","action":"%s"}' "$sep" "$i" "$i" "$action" ;;
		*) printf '%s{"name":"sni-%d","sni":"nomatch-%d.test","action":"%s"}' "$sep" "$i" "$i" "$action" ;;
		esac
		sep=","
	done
	printf ']\n'
}

ADMIN=http://127.0.0.1:27400
put_rules() { # N: swap the rule set, check that N rules are in place
	local got
	curl -sf -X PUT -H 'Content-Type: application/json' --data-binary "@$WORK/rules-$1.json" "$ADMIN/faults" >"$WORK/put.out" ||
		{ echo "run.sh: PUT /faults with $1 rules failed: $(head -c 300 "$WORK/put.out")" >&2; return 1; }
	got=$(curl -sf "$ADMIN/faults" | { grep -o '"effective_seed"' || true; } | wc -l)
	[[ $got -eq $1 ]] || { echo "run.sh: tlsgate holds $got rules after PUT of $1" >&2; return 1; }
}
fires() { curl -sf "$ADMIN/faults" | { grep -o '"fires":[0-9]*' || true; } | awk -F: '{s += $2} END {print s + 0}'; }

faults() {
	section_start "$S_FAULTS"
	local n
	for n in 0 10 1000; do
		rules_json "$n" >"$WORK/rules-$n.json"
	done
	local tls_bench=(--tls --ca bench-cert.pem --sni bench.local)
	local rate_g="new TLS conns/s through passthrough, by rule count"
	local one_g="time of one new TLS conn (one at a time) through passthrough, by rule count"
	local base=(--baseline "0 rules")
	local fired=0 order
	for rep in $(seq "$REPS"); do
		log "faults, repetition $rep of $REPS"
		measure "$rate_g" direct - connrate --target 127.0.0.1:27103 "${RATE[@]}" "${tls_bench[@]}" "${base[@]}"
		measure "$one_g" direct - connrate --target 127.0.0.1:27103 --duration "$DURATION" --concurrency 1 --max 1000 --headline p50 "${tls_bench[@]}" "${base[@]}"
		# Alternate the order, so drift during a repetition does not always
		# favour the same rule count.
		order=(0 10 1000)
		((rep % 2)) || order=(1000 10 0)
		for n in "${order[@]}"; do
			put_rules "$n"
			measure "$rate_g" "$n rules" "$TLSGATE_PID" connrate --target 127.0.0.1:27203 "${RATE[@]}" "${tls_bench[@]}" "${base[@]}"
			measure "$one_g" "$n rules" "$TLSGATE_PID" connrate --target 127.0.0.1:27203 --duration "$DURATION" --concurrency 1 --max 1000 --headline p50 "${tls_bench[@]}" "${base[@]}"
			fired=$((fired + $(fires)))
		done
	done
	put_rules 0
	gobench "" ./faults 'BenchmarkPlan' "$GO_TIME_PLAN"

	note "The same tlsgate and the same passthrough listener (https-passthrough, 127.0.0.1:27203) for every rule count; the rule set is swapped through the admin API (PUT /faults, 127.0.0.1:27400) just before each row is measured. Rules: a quarter select a client /32 from 198.51.100.0/24 at the accept stage, a quarter an SNI nomatch-<i>.test and the client 203.0.113.0/24, the rest an SNI nomatch-<i>.test; actions reset and close. None selects the load (SNI bench.local from 127.0.0.1), so every rule is evaluated and none fires: the sum of fire counters after the rows was $fired. The rule files are rules-10.json and rules-1000.json as rules_json in bench/run.sh writes them."
	note "\"time of one new TLS conn\" runs one connection at a time (connect, TLS handshake with the backend through the listener, one request, close): its p50 and p99 are what the rules add to each connection without queueing; the conns/s rows run $CONCURRENCY at a time. \"direct\" is the backend without tlsgate, for scale."
	section_end
}

# --- Go benchmarks -----------------------------------------------------------
gobenches() {
	section_start "$S_GO"
	# Three runs each: these are context, not targets.
	local n=$((GO_COUNT < 3 ? GO_COUNT : 3))
	gobench "" ./sniff . "$GO_TIME_OTHER" "$n"
	gobench "" ./upstream . "$GO_TIME_OTHER" "$n"
	gobench "" ./httpflow . "$GO_TIME_OTHER" "$n"
	gobench "" ./explain . "$GO_TIME_OTHER" "$n"
	# One whole relayed plain connection, client and backend in-process:
	# its allocations per connection are the figure to watch.
	gobench "" ./listener PlainConn "$GO_TIME_OTHER" "$n"
	note "Single-goroutine costs on this machine (the -2 of GOMAXPROCS dropped from the names); the pki and faults benchmarks are in their sections above."
	section_end
}

if want core; then core; fi
if want inspect; then inspect; fi
if want faults; then faults; fi
if want go; then gobenches; fi

# --- report ------------------------------------------------------------------
LOAD_AFTER="$(loadavg)"
TABLE="$("$LOAD" report --in "$RESULTS")"
if [[ $WITH_TLSGATE -eq 0 ]]; then
	TLSGATE_DESC="not measured"
elif [[ $NEED_TLSGATE -eq 0 ]]; then
	TLSGATE_DESC="not run (Go benchmarks only) at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
elif [[ -n "$TLSGATE_BIN" ]]; then
	TLSGATE_DESC="$("$BIN/tlsgate" version | cut -d' ' -f2) (binary given with --tlsgate)"
else
	TLSGATE_DESC="$("$BIN/tlsgate" version | cut -d' ' -f2) (built from the work tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- . 2>/dev/null || echo ', with uncommitted changes'))"
fi
CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
VERSIONS="$(go version | cut -d' ' -f3)"
if [[ $NEED_HAPROXY -eq 1 ]]; then
	# sed, not head: head would leave haproxy a closed pipe, and pipefail would end the script.
	VERSIONS+="; $(haproxy -v | sed -n '1s/^\(\S* \S* \S*\).*/\1/p')"
fi
if want inspect; then
	VERSIONS+="; $(nginx -v 2>&1 | sed 's/^nginx version: //'); mitmproxy $(mitmdump --version 2>/dev/null | sed -n 's/^Mitmproxy: //p'); $(openssl version | cut -d' ' -f1-2)"
fi
{
	echo "# tlsgate benchmark, $DATE"
	echo
	echo "Command: \`bench/run.sh${ORIG_ARGS:+ $ORIG_ARGS}\` (sections ${ONLY}; repetitions $REPS; rate runs $DURATION at concurrency $CONCURRENCY; bulk $BULK; latency $REQUESTS requests; idle $IDLE_CONNS conns per step; go test -count $GO_COUNT), $(( (SECONDS - START_SECONDS) / 60 )) min $(( (SECONDS - START_SECONDS) % 60 )) s."
	echo
	echo "Machine: $(nproc) cores ($CPU), kernel $(uname -r); $VERSIONS; tlsgate $TLSGATE_DESC."
	echo "Load average (1, 5, 15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER. The machine is shared: each section ends with a"
	echo "noise note, the CPU time that processes outside the bench used meanwhile; the more, the lower every rate in that section."
	echo
	echo "Load generator, proxies and backends share these cores. Medians of $REPS runs; \"vs direct\" divides by the direct"
	echo "median (\"vs 0 rules\" by the no-rules median); \"added\" latencies subtract it. The CPU tables are the proxy"
	echo "processes' own CPU time (utime+stime; nginx's master and workers) during each run, divided by the work done:"
	echo "steadier than the rates on a shared machine. Commands run in the work directory, where the certificates lie."
	echo
	echo "$TABLE"
	if [[ -s "$FAILURES" ]]; then
		echo
		echo "## Failed runs"
		echo
		cat "$FAILURES"
	fi
} >"$OUT"
# The raw results too, one JSON line per run, for anyone who wants other
# statistics than the table's: tlsgate-load report --in FILE reprints it.
cp "$RESULTS" "${OUT%.md}.jsonl"
cat "$OUT"
log "written to $OUT and ${OUT%.md}.jsonl"
