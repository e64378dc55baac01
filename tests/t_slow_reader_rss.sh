#!/bin/bash
# Covers: backpressure. A client reading 200 MiB through TLS slower than
# the backend sends: gatehouse's memory stays bounded (it does not buffer
# the stream), and the bytes arrive intact.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend src source 209715200
free_port P
start_gh "$P" --bind "127.0.0.1:$P" --cert "$CERTS/server.pem" \
    --backend "127.0.0.1:$src_PORT" --workers 1
rss() { awk '/^VmRSS/ {print $2}' "/proc/$GH_PID/status"; }
client "127.0.0.1:$P" -t -s 40000000 </dev/null | sha256sum >"$TMP/sum" &
reader=$!
PIDS="$PIDS $reader"
# The baseline is taken once the stream flows (about 40 MB in): pools
# and allocator caches (ASan's quarantine too) have reached their size.
sleep 1
base=$(rss)
max=$base
while kill -0 "$reader" 2>/dev/null; do
	r=$(rss)
	[ "$r" -gt "$max" ] && max=$r
	sleep 0.2
done
wait "$reader"
[ "$(cat "$TMP/sum")" = "$("$GHB" gen 209715200 | sha256sum)" ] ||
    fail "the 200 MiB stream arrived damaged"
echo "ok: 200 MiB read slowly, intact"
grow=$((max - base))
echo "ok: RSS $base KiB once flowing, $max KiB at most (+$grow KiB)"
[ "$grow" -lt 16384 ] || fail "RSS grew by $grow KiB: the stream is buffered"
stop_gh
pass
