# Shared helpers for the integration tests; each test sources this file.
# Every wait is bounded; only processes started here are stopped, by pid.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
GH=$top_builddir/gatehouse
GHB=$top_builddir/tests/gh_backend
T=$(basename "$0" .sh)
TMP=$top_builddir/tests/tmp/$T
CERTS=$top_builddir/tests/tmp/certs
rm -rf "$TMP"
mkdir -p "$TMP"
sh "$top_srcdir/certs/mkcerts.sh" "$CERTS"
PIDS=""

cleanup() {
	local p
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
}
trap cleanup EXIT

fail() {
	echo "FAIL: $T: $*" >&2
	if [ -f "$TMP/gh.log" ]; then
		echo "---- gatehouse log (last lines)" >&2
		tail -n 20 "$TMP/gh.log" >&2
	fi
	exit 1
}

pass() {
	echo "PASS: $T${1:+: $1}"
	exit 0
}

# wait_for CMD...: retries CMD for up to 10 s.
wait_for() {
	local i
	for i in $(seq 1 100); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

port_open() {
	(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# free_port VAR: sets VAR to a port below the kernel's ephemeral range
# (which the backends on port 0 and every client draw from), that no
# socket uses now, and that this test has not handed out yet. Tests run in
# parallel: each draws from its own block of 50, chosen by its pid.
GIVEN=" "
free_port() {
	local p low
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
	while :; do
		p=$((10000 + ($$ % 400) * 50 + RANDOM % 50))
		[ "$p" -lt "$low" ] || p=$((p % 20000 + 10000))
		case $GIVEN in *" $p "*) continue ;; esac
		ss -Htan "sport = :$p" | grep -q . && continue
		GIVEN="$GIVEN$p "
		eval "$1=$p"
		return
	done
}

# start_backend NAME MODE [ARG]: sets NAME_PORT and NAME_PID; the backend
# records each accepted connection in $TMP/NAME.conns.
start_backend() {
	local name=$1 port
	shift
	: >"$TMP/$name.conns"
	"$GHB" -p 0 -r "$TMP/$name.conns" "$@" >"$TMP/$name.out" 2>&1 &
	eval "${name}_PID=$!"
	PIDS="$PIDS $!"
	wait_for grep -q '^ready' "$TMP/$name.out" || fail "backend $name did not start"
	port=$(awk '/^ready/ {print $2}' "$TMP/$name.out")
	eval "${name}_PORT=$port"
}

# listening PORT: something listens on PORT (asked of the kernel, so that
# no connection is made).
listening() {
	ss -Hltn "sport = :$1" | grep -q .
}

# start_gh PORT ARGS...: starts gatehouse, logging to $TMP/gh.log, and
# waits until PORT listens. Sets GH_PID.
start_gh() {
	local port=$1
	shift
	"$GH" "$@" 2>"$TMP/gh.log" &
	GH_PID=$!
	PIDS="$PIDS $GH_PID"
	wait_for listening "$port" || fail "gatehouse did not start"
}

# wait_gh: waits (bounded) for gatehouse to exit; sets GH_RC to its status.
wait_gh() {
	wait_for sh -c "! kill -0 $GH_PID" || fail "gatehouse did not exit"
	wait "$GH_PID"
	GH_RC=$?
}

# start_gh_tls PORT BACKEND_PORT HANDSHAKE_TIMEOUT: a TLS frontend with
# the test certificate and the given handshake timeout, in front of one
# server, from a configuration file.
start_gh_tls() {
	cat >"$TMP/gh.conf" <<CONF
defaults
    timeout handshake $3
frontend f
    bind 127.0.0.1:$1 cert $CERTS/server.pem
    default-backend b
backend b
    server s 127.0.0.1:$2
CONF
	start_gh "$1" -f "$TMP/gh.conf"
}

# stop_gh: SIGTERM, then wait_gh.
stop_gh() {
	kill -TERM "$GH_PID" 2>/dev/null
	wait_gh
}

nfds() {
	ls "/proc/$1/fd" | wc -l
}

# client ADDR:PORT [-t] [-s RATE]: sends stdin, half-closes, prints the answer.
client() {
	local to=$1
	shift
	timeout 60 "$GHB" -c "$to" "$@" put
}

# start_http_backend NAME [DELAY]: the HTTP test server
# (tests/http_backend.py), answering its default path after DELAY
# seconds, on port $GH_PORT if set; sets NAME_PORT and NAME_PID; every
# byte it receives goes to $TMP/NAME.rec, each connection's after a
# "=== conn N" line.
start_http_backend() {
	local name=$1 port
	python3 "$top_srcdir/tests/http_backend.py" "$name" "$TMP/$name.rec" \
	    ${2:-} >"$TMP/$name.out" 2>&1 &
	eval "${name}_PID=$!"
	PIDS="$PIDS $!"
	wait_for grep -q '^ready' "$TMP/$name.out" || fail "backend $name did not start"
	port=$(awk '/^ready/ {print $2}' "$TMP/$name.out")
	eval "${name}_PORT=$port"
}

# start_https_backend NAME CERT [CA]: the same over TLS with CERT (cert
# and key in one PEM); with CA, a client certificate is required.
start_https_backend() {
	GH_TLS_CERT=$2 GH_TLS_CA=${3:-} start_http_backend "$1"
}

# raw [--tls] [--keep] [--wait S] [--split N] ADDR:PORT: sends stdin as
# is, prints the answer (tests/http_raw.py).
raw() {
	python3 "$top_srcdir/tests/http_raw.py" "$@"
}

# conns NAME: how many connections the HTTP test server NAME accepted.
conns() {
	grep -c '^=== conn' "$TMP/$1.rec"
}

# status: the status code of the first response on stdin.
status() {
	head -n 1 | cut -d' ' -f2
}
