#!/bin/bash
# Covers: every request gatehouse must refuse (RFC 9112 framing and
# smuggling rules, limits, CONNECT, versions, deny, no route, body size)
# gets its precise status with Connection: close, and nothing of it
# reaches the server; a bad chunk inside a body is cut before it does.
. "${top_srcdir:-.}/tests/lib.sh"
start_http_backend web
free_port P
cat >"$TMP/gh.conf" <<CONF
global
    http-max-line 200
    http-max-headers 10
defaults
    mode http
frontend f
    bind 127.0.0.1:$P
    max-body-size 1k
    http-request deny if path-prefix /private
    use-backend web if host-suffix .example
backend web
    server s 127.0.0.1:$web_PORT
CONF
start_gh "$P" -f "$TMP/gh.conf"

CRLF=$'\r\n'
H="Host: a.example$CRLF"
long=$(head -c 300 /dev/zero | tr '\0' a)
many=""
for i in $(seq 1 12); do many="${many}X-$i: v$CRLF"; done

# expect STATUS NAME REQUEST: REQUEST (printf format) gets STATUS.
expect() {
	local want=$1 name=$2 got out
	out=$(printf "$3" | raw "127.0.0.1:$P")
	got=$(printf '%s' "$out" | status)
	[ "$got" = "$want" ] || fail "$name: got '$got', want $want: $out"
	printf '%s' "$out" | grep -qi '^connection: close' ||
	    fail "$name: no Connection: close"
	echo "ok: $name -> $want"
}

expect 400 "CL and TE" "POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
expect 400 "two CLs" "POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"
expect 400 "CL list differs" "POST / HTTP/1.1\r\n${H}Content-Length: 3, 4\r\n\r\nabcd"
expect 400 "CL not digits" "POST / HTTP/1.1\r\n${H}Content-Length: +3\r\n\r\nabc"
expect 400 "TE not chunked last" "POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"
expect 400 "TE in HTTP/1.0" "POST / HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
expect 400 "obs-fold" "GET / HTTP/1.1\r\n${H}X-A: 1\r\n  2\r\n\r\n"
expect 400 "space before colon" "GET / HTTP/1.1\r\n${H}X-A : 1\r\n\r\n"
expect 400 "bare CR" "GET / HTTP/1.1\r\n${H}X-A: 1\r2\r\n\r\n"
expect 400 "bare LF" "GET / HTTP/1.1\n${H}\r\n"
expect 400 "NUL in field" "GET / HTTP/1.1\r\n${H}X-A: 1\0002\r\n\r\n"
expect 400 "control byte" "GET / HTTP/1.1\r\n${H}X-A: 1\0012\r\n\r\n"
expect 400 "no Host" "GET / HTTP/1.1\r\n\r\n"
expect 400 "two Hosts" "GET / HTTP/1.1\r\n${H}${H}\r\n"
expect 400 "bad request line" "GET  / HTTP/1.1\r\n${H}\r\n"
expect 505 "HTTP/2.0" "GET / HTTP/2.0\r\n${H}\r\n"
expect 501 "CONNECT" "CONNECT a.example:443 HTTP/1.1\r\n${H}\r\n"
expect 414 "long request line" "GET /$long HTTP/1.1\r\n${H}\r\n"
expect 431 "too many fields" "GET / HTTP/1.1\r\n${H}$many\r\n"
expect 431 "header block too large" "GET / HTTP/1.1\r\n${H}X-Big: $(head -c 16000 /dev/zero | tr '\0' b)\r\n\r\n"
expect 413 "body too large" "POST / HTTP/1.1\r\n${H}Content-Length: 2000\r\n\r\n"
expect 403 "denied" "GET /private/x HTTP/1.1\r\n${H}\r\n"
expect 404 "no route" "GET / HTTP/1.1\r\nHost: other\r\n\r\n"
[ "$(conns web)" = 0 ] || fail "a refused request reached the server: $(cat "$TMP/web.rec")"
echo "ok: none of them reached the server"

# A bad chunk size after a good header: whatever went on before it (the
# header, the good chunk: here nothing, as all came in one read before the
# server connection was up), the bad line never does, and the client
# gets 400.
expect 400 "bad chunk size" "POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\nhello\r\n0\r\n\r\n"
expect 400 "chunk line too long" "POST /echo HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1$(head -c 5000 /dev/zero | tr '\0' 0)\r\n"
grep -q zz "$TMP/web.rec" && fail "the bad chunk line reached the server"
echo "ok: a bad chunk is cut before the server"

# The log says why, one line per request.
grep -q '"-" 400 .*end=bad-request: both Content-Length and Transfer-Encoding' "$TMP/gh.log" ||
    fail "no log line for CL and TE"
grep -q '"GET /private/x" 403 .*denied by rule' "$TMP/gh.log" ||
    fail "no log line for the deny"
# Still serving.
[ "$(printf "GET / HTTP/1.1\r\n${H}\r\n" | raw "127.0.0.1:$P" | status)" = 200 ] ||
    fail "a good request after all that failed"
stop_gh
pass
