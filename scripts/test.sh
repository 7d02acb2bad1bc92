#!/usr/bin/env bash
# The project's one test command: installs what the tests need when it is
# missing, then runs formatting, vet, staticcheck, the race-enabled test
# suite and a short fuzz pass over every parser.
set -euo pipefail
cd "$(dirname "$0")/.."

# tool -> Debian package that provides it. The end-to-end tests drive real
# clients (curl, openssl), build network namespaces (ip, iptables) and read
# captures (tshark).
declare -A pkg_of=(
	[curl]=curl [openssl]=openssl [ip]=iproute2 [iptables]=iptables
	[update-ca-certificates]=ca-certificates [docker-compose]=docker-compose
	[tshark]=tshark [chromium]=chromium [python3]=python3
)
need_apt=()
for tool in "${!pkg_of[@]}"; do
	command -v "$tool" >/dev/null 2>&1 || need_apt+=("${pkg_of[$tool]}")
done
if [ ${#need_apt[@]} -gt 0 ]; then
	echo "== installing ${need_apt[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

STATICCHECK_VERSION=v0.8.2
export PATH="$(go env GOPATH)/bin:$PATH"
if ! command -v staticcheck >/dev/null 2>&1; then
	echo "== installing staticcheck $STATICCHECK_VERSION"
	go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" || echo "staticcheck did not install; skipping it"
fi

echo "== build (the same step the Dockerfile runs)"
./scripts/build.sh "$(mktemp -d)"

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...
# tlsgate builds everywhere though it intercepts only on Linux; vetting the
# tests for macOS and Windows keeps Linux-only socket calls behind build tags.
for goos in darwin windows; do
	echo "== go vet (GOOS=$goos)"
	GOOS=$goos go vet ./...
done

if command -v staticcheck >/dev/null 2>&1; then
	echo "== staticcheck"
	staticcheck ./...
fi

echo "== go test -race"
go test -race -count=1 -timeout 15m ./...

# The race detector changes what allocates, so the allocation bounds skip
# themselves under -race: run them once without it.
echo "== allocation bounds (without -race)"
go test -count=1 -run 'Alloc' ./cmd/tlsgate ./faults

echo "== fuzz shutdown-race classifier (scripts/fuzzrace.sh)"
# race*.log are the race alone; every other log is a real failure whose
# text mentions a deadline, and must never be run again as the race.
for log in scripts/testdata/fuzzrace/*.log; do
	want=1
	case $(basename "$log") in race*) want=0 ;; esac
	got=0
	./scripts/fuzzrace.sh "$log" FuzzDiagnose || got=$?
	if [ "$got" != "$want" ]; then
		echo "scripts/fuzzrace.sh $log: exit $got, want $want"; exit 1
	fi
done

FUZZTIME=${FUZZTIME:-10s}
echo "== fuzz ($FUZZTIME per target)"
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "-- $pkg $target"
		# Go's fuzzer can end a timed run with a bare "context deadline
		# exceeded" and nothing found (go.dev/issue/75804, a coordinator
		# shutdown race; see scripts/fuzzrace.sh): run that target again, up
		# to twice (a loaded CI once met the race twice in a row). Any other
		# failure, a crasher above all, fails at once.
		tries=0
		until go test -run='^$' -fuzz="^${target}\$" -fuzztime="$FUZZTIME" "$pkg" >/tmp/fuzz.$$.log 2>&1; do
			if ./scripts/fuzzrace.sh /tmp/fuzz.$$.log "$target" && [ "$tries" -lt 2 ]; then
				tries=$((tries + 1))
				echo "   (fuzzer shutdown race, running $target again)"
			else
				cat /tmp/fuzz.$$.log; exit 1
			fi
		done
		tail -1 /tmp/fuzz.$$.log
	done
done
echo "all checks passed"
