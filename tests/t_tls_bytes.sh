#!/bin/bash
# Covers: exact bytes both ways through a TLS bind, for 0 B, 1 KiB, 1 MiB
# and 200 MiB (checksums compared), to an echo backend and from a source.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo
start_backend src source 209715200
free_port P
free_port P2
cat >"$TMP/gh.conf" <<CONF
frontend echo
    bind 127.0.0.1:$P cert $CERTS/server.pem
    default-backend echo
frontend source
    bind 127.0.0.1:$P2 cert $CERTS/server.pem
    default-backend src
backend echo
    server e 127.0.0.1:$echo_PORT
backend src
    server s 127.0.0.1:$src_PORT
CONF
start_gh "$P" -f "$TMP/gh.conf"
for size in 0 1024 1048576; do
	head -c "$size" /dev/urandom >"$TMP/in"
	want=$(sha256sum <"$TMP/in")
	got=$(client "127.0.0.1:$P" -t <"$TMP/in" | sha256sum)
	[ "$got" = "$want" ] || fail "$size bytes through TLS echo differ"
	echo "ok: $size bytes echoed exactly"
done
want=$("$GHB" gen 209715200 | sha256sum)
got=$(client "127.0.0.1:$P2" -t </dev/null | sha256sum)
[ "$got" = "$want" ] || fail "200 MiB download through TLS differs"
echo "ok: 200 MiB downloaded exactly"
stop_gh
pass
