#!/bin/bash
# Covers: a client that shuts its write side still gets the whole answer,
# through TLS (close_notify) and plain TCP; the sink backend answers only
# after it has seen EOF, so the EOF must be passed on and the answer back.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend sink sink
free_port P
free_port P2
cat >"$TMP/gh.conf" <<CONF
frontend tls
    bind 127.0.0.1:$P cert $CERTS/server.pem
    default-backend sink
frontend plain
    bind 127.0.0.1:$P2
    default-backend sink
backend sink
    server s 127.0.0.1:$sink_PORT
CONF
start_gh "$P" -f "$TMP/gh.conf"
head -c 1048576 /dev/urandom >"$TMP/in"
want="1048576 $(sha256sum <"$TMP/in" | cut -d' ' -f1)"
got=$(client "127.0.0.1:$P" -t <"$TMP/in")
[ "$got" = "$want" ] || fail "TLS half-close: got '$got', want '$want'"
echo "ok: TLS client half-closed and got the answer"
got=$(client "127.0.0.1:$P2" <"$TMP/in")
[ "$got" = "$want" ] || fail "plain half-close: got '$got', want '$want'"
echo "ok: plain client half-closed and got the answer"
pass
