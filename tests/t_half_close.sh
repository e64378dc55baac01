#!/bin/bash
# Covers: a client that shuts its write side still gets the whole answer,
# through TLS (close_notify) and plain TCP; the sink backend answers only
# after it has seen EOF, so the EOF must be passed on and the answer back.
# And the other way: a server that greets and shuts its write side first
# still receives all that the client sends after.
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
stop_gh
start_backend greet greet
free_port P3
start_gh "$P3" --bind "127.0.0.1:$P3" --cert "$CERTS/server.pem" \
    --backend "127.0.0.1:$greet_PORT"
got=$(client "127.0.0.1:$P3" -t <"$TMP/in")
[ "$got" = "hello" ] || fail "greeting through TLS: got '$got'"
wait_for grep -q "^got" "$TMP/greet.conns" || fail "server saw no EOF"
grep -q "^got 1048576$" "$TMP/greet.conns" ||
    fail "server half-closed first and got $(grep ^got "$TMP/greet.conns")"
echo "ok: server half-closed first and still got the client's 1 MiB"
stop_gh
pass
