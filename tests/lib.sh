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
# Every gatehouse started in the background (gh_spawn, start_gh), as
# "pid:log", and the pids of those the test has waited for.
GH_PROCS=""
GH_DONE=" "
GH_LOG=$TMP/gh.log

# A sanitizer's report (ASan, LeakSanitizer, UBSan): a process built
# with --enable-sanitizers writes it to its stderr.
SAN_SEEN=" "
SAN_REPORT='ERROR: [A-Za-z]*Sanitizer|^SUMMARY: [A-Za-z]*Sanitizer|runtime error: '

# san_check FILE: fails when FILE holds a sanitizer report.
san_check() {
	[ -f "$1" ] || return 0
	grep -qaE "$SAN_REPORT" "$1" || return 0
	SAN_SEEN="$SAN_SEEN$1 "
	echo "---- sanitizer report in $1" >&2
	grep -aE -A 30 "$SAN_REPORT" "$1" | head -n 60 >&2
	GH_LOG=/dev/null fail "sanitizer report in $1"
}

# gh_log PID: the log file gatehouse PID writes its stderr to.
gh_log() {
	local r
	for r in $GH_PROCS; do
		[ "${r%%:*}" = "$1" ] && { echo "${r#*:}"; return; }
	done
	echo /dev/null
}

# At exit every gatehouse still recorded as running is checked: one
# already gone was not stopped by the test (it crashed or exited by
# itself) and fails the test; the others are stopped with SIGTERM and
# must exit 0. Then no file of the test may hold a sanitizer report.
# Whatever is wrong turns a PASS (0) or SKIP (77) into a FAIL.
cleanup() {
	local rc=$? p r log bad=""
	trap - EXIT
	for r in $GH_PROCS; do
		p=${r%%:*}
		log=${r#*:}
		case $GH_DONE in *" $p "*) continue ;; esac
		if ! kill -0 "$p" 2>/dev/null; then
			wait "$p" 2>/dev/null
			bad="$bad; gatehouse $p died during the test (status $?, log $log)"
			continue
		fi
		kill -TERM "$p" 2>/dev/null
		wait_for gh_gone "$p" || kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		r=$?
		[ "$r" -eq 0 ] ||
		    bad="$bad; gatehouse $p: exit status $r after SIGTERM at the end (log $log)"
	done
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	if [ -d "$TMP" ]; then
		for log in $(find "$TMP" -type f -size -4M 2>/dev/null); do
			case $SAN_SEEN in *" $log "*) continue ;; esac
			grep -qaE "$SAN_REPORT" "$log" 2>/dev/null || continue
			echo "---- sanitizer report in $log" >&2
			grep -aE -A 30 "$SAN_REPORT" "$log" | head -n 60 >&2
			bad="$bad; sanitizer report in $log"
		done
	fi
	[ -z "$bad" ] && exit "$rc"
	echo "FAIL: $T: at exit${bad}" >&2
	for r in $GH_PROCS; do
		log=${r#*:}
		[ -s "$log" ] || continue
		echo "---- $log (last lines)" >&2
		tail -n 20 "$log" >&2
	done
	exit 1
}
trap cleanup EXIT

gh_gone() {
	! kill -0 "$1" 2>/dev/null
}

fail() {
	echo "FAIL: $T: $*" >&2
	if [ -f "$GH_LOG" ]; then
		echo "---- gatehouse log $GH_LOG (last lines)" >&2
		tail -n 20 "$GH_LOG" >&2
	fi
	exit 1
}

# skip REASON: this test cannot run here; the test driver counts it as
# skipped (exit 77), never as passed.
skip() {
	echo "SKIP: $T: $*"
	exit 77
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

# have_ipv6: a socket can be bound to ::1 here.
have_ipv6() {
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null
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

# gh_spawn LOG ARGS...: starts gatehouse in the background with its
# stderr in LOG (environment assignments before gh_spawn reach it); sets
# GH_PID and GH_LOG. The process is recorded: the test must stop it with
# stop_gh (or wait_gh for one that exits by itself); one that dies
# unasked, or exits non-zero at the end, fails the test.
gh_spawn() {
	local log=$1
	shift
	# Appended to (emptied first): two processes that share a log, or a
	# test that adds to it, do not write over each other.
	: >"$log"
	"$GH" "$@" 2>>"$log" &
	GH_PID=$!
	GH_LOG=$log
	GH_PROCS="$GH_PROCS $GH_PID:$log"
}

# start_gh PORT ARGS...: gh_spawn with the log $TMP/gh.log, then waits
# until PORT listens.
start_gh() {
	local port=$1
	shift
	gh_spawn "$TMP/gh.log" "$@"
	gh_listening "$port" || fail "gatehouse did not start"
}

# gh_listening PORT [PID]: waits (bounded) until PORT listens, giving up
# early when gatehouse PID (default GH_PID) is gone.
gh_listening() {
	local i pid=${2:-$GH_PID}
	for i in $(seq 1 100); do
		listening "$1" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# gh_alive [WHAT]: fails unless every gatehouse the test started and has
# not stopped still runs; for the checks that would also pass against a
# dead process (no answer, connection closed, nothing logged).
gh_alive() {
	local r p
	for r in $GH_PROCS; do
		p=${r%%:*}
		case $GH_DONE in *" $p "*) continue ;; esac
		kill -0 "$p" 2>/dev/null ||
		    GH_LOG=${r#*:} fail "gatehouse $p died${1:+: $1}"
	done
}

# wait_gh [PID]: waits (bounded) for gatehouse PID (default GH_PID) to
# exit; sets GH_RC to its status; fails on a sanitizer report in its log.
wait_gh() {
	local pid=${1:-$GH_PID}
	wait_for gh_gone "$pid" || fail "gatehouse $pid did not exit"
	wait "$pid"
	GH_RC=$?
	GH_DONE="$GH_DONE$pid "
	san_check "$(gh_log "$pid")"
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

# stop_gh [PID...]: SIGTERM to each gatehouse PID (default GH_PID), then
# wait_gh; fails unless each exits 0. A test that expects another
# status sends the signal itself and calls wait_gh.
stop_gh() {
	local p
	[ $# -gt 0 ] || set -- "$GH_PID"
	for p in "$@"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "$@"; do
		wait_gh "$p"
		[ "$GH_RC" -eq 0 ] ||
		    GH_LOG=$(gh_log "$p") fail "gatehouse $p: exit status $GH_RC after SIGTERM"
	done
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
