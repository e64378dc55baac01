#!/usr/bin/env bash
# bench/http.sh: gatehouse in mode http against HAProxy (mode http) and
# nginx (reverse proxy, upstream keepalive), in the same run, all
# terminating TLS in front of the same nginx backend.
#
# Each proxy runs one worker pinned to CPU 0 and adds X-Forwarded-For;
# the backend nginx and the load generators run on CPU 1. ROUNDS times,
# interleaved, it measures and then prints the medians:
#   ka req/s  keep-alive HTTPS requests for a 1 KiB file (wrk, 50 conns),
#   p99 ms    wrk's 99th percentile latency for them,
#   cpu/req   the proxy's CPU time per request (utime+stime / count),
#   hs/s      a full TLS 1.3 handshake plus one request per connection
#             (ab, which never resumes sessions), ECDSA P-256,
#   cpu/hs    the proxy's CPU time per handshake,
# then gatehouse's ratio to each peer. On two shared cores the load
# generator is often the bottleneck: compare the CPU figures.
# Usage: bench/http.sh [ROUNDS]   (GATEHOUSE=path/to/gatehouse)
NEEDS="nginx haproxy wrk ab taskset"
. "$(dirname "$0")/lib.sh"

BE_PORT=19080 GH_PORT=19443 HAP_PORT=19444 NGX_PORT=19445
nginx_conf backend $BE_PORT
cat >"$W/proxy.conf" <<CONF
worker_processes 1;
daemon off;
pid $W/proxy.pid;
error_log $W/proxy.err;
events { worker_connections 8192; }
http {
    access_log off;
    keepalive_requests 1000000;
    upstream b { server 127.0.0.1:$BE_PORT; keepalive 32; }
    server {
        listen 127.0.0.1:$NGX_PORT ssl;
        ssl_certificate $W/crt.pem;
        ssl_certificate_key $W/key.pem;
        location / {
            proxy_pass http://b;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
CONF
cat >"$W/haproxy.cfg" <<CONF
global
    nbthread 1
    maxconn 5000
defaults
    mode http
    option http-keep-alive
    option forwardfor
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend f
    bind 127.0.0.1:$HAP_PORT ssl crt $W/site.pem
    default_backend b
backend b
    server s 127.0.0.1:$BE_PORT
CONF
cat >"$W/gh.conf" <<CONF
global
    workers 1
    log none
defaults
    mode http
frontend f
    bind 127.0.0.1:$GH_PORT cert $W/site.pem
    default-backend b
backend b
    server s 127.0.0.1:$BE_PORT
CONF

start backend taskset -c 1 nginx -c "$W/backend.conf"
start gatehouse taskset -c 0 "$GH" -f "$W/gh.conf"
start haproxy taskset -c 0 haproxy -f "$W/haproxy.cfg" -db
start nginx taskset -c 0 nginx -c "$W/proxy.conf"
sleep 1
PROXIES="gatehouse haproxy nginx"
port_of() { case $1 in gatehouse) echo $GH_PORT ;; haproxy) echo $HAP_PORT ;; nginx) echo $NGX_PORT ;; esac; }
for p in $PROXIES; do
	# The whole file, or something else holds a port.
	[ "$(curl -sfk "https://127.0.0.1:$(port_of $p)/index.html" | wc -c)" = 1024 ] ||
	    { echo "bench: $p does not answer"; cat "$W/$p.log" "$W"/*.err; exit 1; }
done
PID_gatehouse=$(pgrep -f "gatehouse -f $W/gh.conf")
PID_haproxy=$(pgrep -f "haproxy -f $W/haproxy.cfg" | tail -n 1)

cpu() { # the proxy's processes' utime+stime, in ticks
	local q list
	if [ "$1" = nginx ]; then
		list=$(pgrep -P "$(cat "$W/proxy.pid")"; cat "$W/proxy.pid")
	else
		eval "list=\$PID_$1"
	fi
	for q in $list; do awk '{print $14 + $15}' "/proc/$q/stat"; done |
	    awk '{s += $1} END {print s}'
}

# Each measure prints its figures; failures and non-2xx are warned about.
m_hs() {
	local c0 c1 out
	c0=$(cpu "$1")
	out=$(taskset -c 1 ab -q -n "$HS_N" -c 20 "https://127.0.0.1:$(port_of "$1")/index.html" 2>&1)
	c1=$(cpu "$1")
	echo "$out" | awk -v c=$((c1 - c0)) -v hz="$HZ" -v n="$HS_N" -v p="$1" '
	    /^Failed requests/ && $3 > 0 { print "bench: " p ": ab failures" > "/dev/stderr" }
	    /^Non-2xx/ { print "bench: " p ": ab non-2xx" > "/dev/stderr" }
	    /^Requests per second/ { r = $4 }
	    END { printf "%.0f %.0f\n", r, c * 1e6 / hz / n }'
}
m_ka() {
	local c0 c1 out
	c0=$(cpu "$1")
	out=$(taskset -c 1 wrk -t1 -c50 -d"${DUR}s" --latency "https://127.0.0.1:$(port_of "$1")/index.html" 2>&1)
	c1=$(cpu "$1")
	echo "$out" | awk -v c=$((c1 - c0)) -v hz="$HZ" -v d="$DUR" -v p="$1" '
	    /Non-2xx|Socket errors/ { print "bench: " p ": wrk " $0 > "/dev/stderr" }
	    $1 == "99%" { v = $2; m = 1; if (v ~ /us$/) m = 0.001; if (v ~ /[^m]s$/) m = 1000
	                  sub(/[a-z]+$/, "", v); p99 = v * m }
	    /^Requests\/sec/ { r = $2 }
	    END { printf "%.0f %.2f %.1f\n", r, p99, c * 1e6 / hz / (r * d) }'
}

declare -A R
for round in $(seq 1 "$ROUNDS"); do
	for p in $PROXIES; do
		echo "round $round: $p" >&2
		read -r a b c < <(m_ka "$p"); R[$p,ka]+="$a "; R[$p,p99]+="$b "; R[$p,cpuka]+="$c "
		read -r a b < <(m_hs "$p"); R[$p,hs]+="$a "; R[$p,cpuhs]+="$b "
	done
done

med() { echo "${R[$1,$2]}" | tr ' ' '\n' | grep . | median; }
printf '\n%-10s %10s %8s %9s %8s %9s\n' proxy "ka req/s" "p99 ms" "cpu/req" "hs/s" "cpu/hs"
printf '%-10s %10s %8s %9s %8s %9s\n' "" "" "" "(us)" "" "(us)"
for p in $PROXIES; do
	printf '%-10s %10s %8s %9s %8s %9s\n' "$p" "$(med $p ka)" "$(med $p p99)" \
	    "$(med $p cpuka)" "$(med $p hs)" "$(med $p cpuhs)"
done
echo
echo "gatehouse / peer (rates: above 1 is better; latency and cpu: below 1 is better)"
for p in haproxy nginx; do
	printf '%-10s' "vs $p"
	for k in ka p99 cpuka hs cpuhs; do
		printf ' %s=%s' "$k" "$(awk -v a="$(med gatehouse $k)" -v b="$(med $p $k)" 'BEGIN {printf "%.2f", b ? a / b : 0}')"
	done
	echo
done
