# Shared by the bench scripts: settings, tool check, a work directory with
# an ECDSA P-256 certificate and a 1 KiB file, process start and cleanup,
# medians. Source it after setting NEEDS (the tools the script runs).
set -eu
ROUNDS=${1:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
GH=${GATEHOUSE:-$HERE/../gatehouse}
DUR=${DUR:-5}
HS_N=${HS_N:-2000}
HZ=$(getconf CLK_TCK)

for p in $NEEDS; do
	command -v "$p" >/dev/null || {
		echo "bench: needs $p (apt-get install nginx-light haproxy hitch wrk apache2-utils python3 util-linux)" >&2
		exit 1
	}
done
[ -x "$GH" ] || { echo "bench: no gatehouse binary at $GH" >&2; exit 1; }

W=$(mktemp -d)
chmod 755 "$W"   # nginx workers and hitch run as nobody
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$W/key.pem" -out "$W/crt.pem" -days 7 -subj /CN=localhost \
    2>/dev/null
cat "$W/crt.pem" "$W/key.pem" >"$W/site.pem"
mkdir -p "$W/www"
head -c 1024 /dev/zero | tr '\0' a >"$W/www/index.html"

# nginx_conf NAME PORT: $W/NAME.conf, one nginx worker serving $W/www
# on PORT: the backend every proxy is measured in front of.
nginx_conf() {
	cat >"$W/$1.conf" <<CONF
worker_processes 1;
daemon off;
pid $W/$1.pid;
error_log $W/$1.err;
events { worker_connections 8192; }
http {
    access_log off;
    keepalive_requests 1000000;
    server { listen 127.0.0.1:$2; root $W/www; }
}
CONF
}

start() { # start NAME CMD...: in the background, logging to $W/NAME.log
	"${@:2}" >"$W/$1.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "PID_$1=$!"
}
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
