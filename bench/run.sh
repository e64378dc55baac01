#!/usr/bin/env bash
# bench/run.sh: gatehouse against hitch and HAProxy as TLS-terminating TCP
# proxies, in the same run, in front of the same nginx.
#
# Each proxy runs one worker pinned to CPU 0; nginx and the load generators
# run on CPU 1. For each proxy it measures, interleaved, ROUNDS times, and
# prints the medians:
#   hs/s      full TLS 1.3 handshakes + one request per connection (ab
#             without keep-alive: ab never resumes sessions), ECDSA P-256
#   cpu/hs    the proxy's CPU time per handshake (utime+stime / count)
#   ka req/s  keep-alive requests through the TLS tunnel (wrk, 50 conns,
#             1 KiB answers) and cpu/req
#   MB/s      1 MiB answers (wrk, 50 conns) and CPU per MB
#   idle KiB  RSS growth per idle established TLS connection (python3)
# then gatehouse's ratio to each peer. On two shared cores the load
# generator is often the bottleneck: the CPU-per-operation figures are the
# ones to compare.
# Usage: bench/run.sh [ROUNDS]   (GATEHOUSE=path/to/gatehouse)
NEEDS="nginx haproxy hitch wrk ab python3 taskset"
. "$(dirname "$0")/lib.sh"
IDLE_N=${IDLE_N:-1000}
head -c 1048576 /dev/urandom >"$W/www/1m"

NGINX_PORT=18080 GH_PORT=18443 HAP_PORT=18444 HITCH_PORT=18445
nginx_conf nginx $NGINX_PORT
cat >"$W/haproxy.cfg" <<CONF
global
    nbthread 1
    maxconn 5000
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend f
    bind 127.0.0.1:$HAP_PORT ssl crt $W/site.pem
    default_backend b
backend b
    server s 127.0.0.1:$NGINX_PORT
CONF

start nginx taskset -c 1 nginx -c "$W/nginx.conf"
start gatehouse taskset -c 0 "$GH" --bind 127.0.0.1:$GH_PORT \
    --cert "$W/site.pem" --backend 127.0.0.1:$NGINX_PORT --workers 1
start haproxy taskset -c 0 haproxy -f "$W/haproxy.cfg" -db
start hitch taskset -c 0 hitch --frontend="[127.0.0.1]:$HITCH_PORT" \
    --backend="[127.0.0.1]:$NGINX_PORT" --workers=1 --daemon=off \
    --user=nobody "$W/site.pem"
sleep 1
PROXIES="gatehouse haproxy hitch"
port_of() { case $1 in gatehouse) echo $GH_PORT ;; haproxy) echo $HAP_PORT ;; hitch) echo $HITCH_PORT ;; esac; }
for p in $PROXIES; do
	# The whole file, or something else holds a port.
	[ "$(curl -sfk "https://127.0.0.1:$(port_of $p)/" | wc -c)" = 1024 ] ||
	    { echo "bench: $p does not answer"; cat "$W/$p.log" "$W"/*.err; exit 1; }
done
PID_hitch=$(pgrep -f "hitch --frontend=\[127.0.0.1\]:$HITCH_PORT" | tail -n 1)
PID_gatehouse=$(pgrep -f "gatehouse --bind 127.0.0.1:$GH_PORT")
PID_haproxy=$(pgrep -f "haproxy -f $W/haproxy.cfg" | tail -n 1)

cpu() { # all the proxy's processes' utime+stime, in ticks
	local p
	eval "p=\$PID_$1"
	if [ "$1" = hitch ]; then
		for q in $(pgrep -f "hitch --frontend=\[127.0.0.1\]:$HITCH_PORT"); do
			awk '{print $14 + $15}' "/proc/$q/stat"
		done | awk '{s += $1} END {print s}'
	else
		awk '{print $14 + $15}' "/proc/$p/stat"
	fi
}
rss() { # KiB, all the proxy's processes
	for q in $(if [ "$1" = hitch ]; then pgrep -f "hitch --frontend=\[127.0.0.1\]:$HITCH_PORT"; else eval "echo \$PID_$1"; fi); do
		awk '/^VmRSS/ {print $2}' "/proc/$q/status"
	done | awk '{s += $1} END {print s}'
}

# Each measure prints "rate cpu_us_per_op".
m_hs() {
	local c0 c1 out
	c0=$(cpu "$1")
	out=$(taskset -c 1 ab -q -n "$HS_N" -c 16 "https://127.0.0.1:$(port_of "$1")/" 2>&1)
	c1=$(cpu "$1")
	echo "$out" | awk -v c=$((c1 - c0)) -v hz="$HZ" -v n="$HS_N" '
	    /^Failed requests/ && $3 > 0 { print "bench: failures" > "/dev/stderr" }
	    /^Requests per second/ { r = $4 }
	    END { printf "%.0f %.0f\n", r, c * 1e6 / hz / n }'
}
m_wrk() {
	local c0 c1 out
	c0=$(cpu "$1")
	out=$(taskset -c 1 wrk -t1 -c50 -d"${DUR}s" "https://127.0.0.1:$(port_of "$1")$2" 2>&1)
	c1=$(cpu "$1")
	echo "$out" | awk -v c=$((c1 - c0)) -v hz="$HZ" -v d="$DUR" -v mb="$3" '
	    /^Requests\/sec/ { r = $2 }
	    END { if (mb) printf "%.0f %.0f\n", r * 1.048576, c * 1e6 / hz / (r * d * 1.048576);
	          else printf "%.0f %.1f\n", r, c * 1e6 / hz / (r * d) }'
}
# m_idle PROXY READY: holds IDLE_N established TLS connections (one
# request answered on each) and touches READY while it holds them.
m_idle() {
	python3 - "$(port_of "$1")" "$IDLE_N" "$2" <<'PY'
import socket, ssl, sys, time
port, n, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
conns = []
for i in range(n):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    got = 0
    while got < 1024:
        d = s.recv(65536)
        if not d:
            sys.exit("bench: idle connection %d closed early" % i)
        got += len(d)
    conns.append(s)
time.sleep(1)
open(ready, "w").close()
time.sleep(3)
PY
}

declare -A R
for round in $(seq 1 "$ROUNDS"); do
	for p in $PROXIES; do
		echo "round $round: $p" >&2
		read -r a b < <(m_hs "$p"); R[$p,hs]+="$a "; R[$p,cpuhs]+="$b "
		read -r a b < <(m_wrk "$p" / 0); R[$p,ka]+="$a "; R[$p,cpuka]+="$b "
		read -r a b < <(m_wrk "$p" /1m 1); R[$p,mbs]+="$a "; R[$p,cpumb]+="$b "
	done
done
for p in $PROXIES; do
	# Idle connections: RSS before, open IDLE_N, RSS while they are held.
	before=$(rss "$p")
	m_idle "$p" "$W/ready.$p" &
	ip=$!
	for i in $(seq 1 600); do [ -e "$W/ready.$p" ] && break; sleep 0.1; done
	after=$(rss "$p")
	wait "$ip" || true
	R[$p,idle]=$(awk -v a="$after" -v b="$before" -v n="$IDLE_N" 'BEGIN {printf "%.1f", (a - b) / n}')
done

med() { echo "${R[$1,$2]}" | tr ' ' '\n' | grep . | median; }
printf '\n%-10s %9s %9s %10s %9s %8s %9s %9s\n' proxy "hs/s" "cpu/hs" "ka req/s" "cpu/req" "MB/s" "cpu/MB" "idle KiB"
printf '%-10s %9s %9s %10s %9s %8s %9s %9s\n' "" "" "(us)" "" "(us)" "" "(us)" "per conn"
for p in $PROXIES; do
	printf '%-10s %9s %9s %10s %9s %8s %9s %9s\n' "$p" "$(med $p hs)" "$(med $p cpuhs)" \
	    "$(med $p ka)" "$(med $p cpuka)" "$(med $p mbs)" "$(med $p cpumb)" "${R[$p,idle]}"
done
echo
echo "gatehouse / peer (rates: above 1 is better; cpu and memory: below 1 is better)"
for p in haproxy hitch; do
	printf '%-10s' "vs $p"
	for k in hs cpuhs ka cpuka mbs cpumb; do
		printf ' %s=%s' "$k" "$(awk -v a="$(med gatehouse $k)" -v b="$(med $p $k)" 'BEGIN {printf "%.2f", b ? a / b : 0}')"
	done
	printf ' idle=%s\n' "$(awk -v a="${R[gatehouse,idle]}" -v b="${R[$p,idle]}" 'BEGIN {printf "%.2f", b ? a / b : 0}')"
done
