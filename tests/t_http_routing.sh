#!/bin/bash
# Covers: use-backend rules by path prefix, host, host suffix and header,
# in order, with the default backend for the rest; 404 without one;
# redirect to https (308, same host without port, same target) on the
# plain bind only; errorfile bodies.
. "${top_srcdir:-.}/tests/lib.sh"
start_http_backend api
start_http_backend static
start_http_backend canary
start_http_backend web
free_port P
free_port PT
free_port P2
printf 'custom not found\n' >"$TMP/404.html"
cat >"$TMP/gh.conf" <<CONF
defaults
    mode http
frontend f
    bind 127.0.0.1:$P
    bind 127.0.0.1:$PT cert $CERTS/server.pem
    redirect https code 308 if path-prefix /secure !tls
    use-backend api if path-prefix /api/
    use-backend static if host static.example
    use-backend static if host-suffix .cdn.example
    use-backend canary if header X-Canary 1
    default-backend web
frontend norest
    bind 127.0.0.1:$P2
    use-backend api if method POST
    errorfile 404 $TMP/404.html
backend api
    server s 127.0.0.1:$api_PORT
backend static
    server s 127.0.0.1:$static_PORT
backend canary
    server s 127.0.0.1:$canary_PORT
backend web
    server s 127.0.0.1:$web_PORT
CONF
# "!tls" after another condition is not one condition: refused.
"$GH" -c -f "$TMP/gh.conf" >"$TMP/check" 2>&1 && fail "two conditions accepted"
grep -q "condition 'path-prefix' takes one argument" "$TMP/check" || fail "$(cat "$TMP/check")"
sed -i 's|redirect https code 308 if path-prefix /secure !tls|redirect https code 308 if !tls|' "$TMP/gh.conf"
start_gh "$P" -f "$TMP/gh.conf"

# check PATH HOST HEADER BACKEND: BACKEND answers.
check() {
	local got
	got=$(curl -sk ${3:+-H "$3"} --resolve "$2:$PT:127.0.0.1" "https://$2:$PT$1")
	[ "$got" = "hello from $4" ] || fail "$1 on $2 ${3:-}: got '$got', want $4"
	echo "ok: $1 on $2 ${3:-} -> $4"
}
check /api/v1 www.example "" api
check /apiv1 www.example "" web
check / static.example "" static
check / STATIC.example "" static
check / img.cdn.example "" static
check / www.example "X-Canary: 1" canary
check / www.example "X-Canary: 2" web
check /api/x static.example "" api

# Plain HTTP is redirected, with the host's port dropped and the target kept.
out=$(printf 'GET /a/b?c=d HTTP/1.1\r\nHost: www.example:8080\r\n\r\n' | raw "127.0.0.1:$P" | tr -d '\r')
[ "$(printf '%s' "$out" | status)" = 308 ] || fail "no 308: $out"
printf '%s' "$out" | grep -q '^Location: https://www.example/a/b?c=d$' || fail "Location: $out"
echo "ok: plain HTTP redirected with 308 to https://www.example/a/b?c=d"
grep -q 'GET /a/b' "$TMP"/*.rec && fail "a redirected request reached a server"

# No rule and no default: 404, with the errorfile's body.
out=$(curl -s -i "http://127.0.0.1:$P2/x" | tr -d '\r')
[ "$(printf '%s' "$out" | status)" = 404 ] || fail "no route: $out"
[ "$(printf '%s' "$out" | tail -n 1)" = "custom not found" ] || fail "errorfile body: $out"
printf '%s' "$out" | grep -q '^Content-Length: 17$' || fail "errorfile length: $out"
[ "$(curl -s -d x "http://127.0.0.1:$P2/")" = "hello from api" ] || fail "POST route"
echo "ok: 404 with the errorfile when nothing routes"
stop_gh
pass
