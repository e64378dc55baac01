#!/bin/bash
# Covers: what a forwarded request and response carry (hop-by-hop fields
# gone, X-Forwarded-For appended, X-Forwarded-Proto set, Forwarded, header
# rules, HSTS on TLS, on gatehouse's own responses too), bodies by every framing (Content-Length, chunked
# with trailers, until close, none for HEAD/204/304), interim 1xx and
# Expect: 100-continue, and a 50 MiB upload and a 200 MiB download
# through TLS with gatehouse's memory bounded by its buffers.
. "${top_srcdir:-.}/tests/lib.sh"
start_http_backend web
free_port P
free_port PT
cat >"$TMP/gh.conf" <<CONF
defaults
    mode http
frontend f
    bind 127.0.0.1:$P
    bind 127.0.0.1:$PT cert $CERTS/server.pem
    option forwarded
    hsts 600 include-subdomains
    http-request set-header X-Set new
    http-request del-header X-Gone
    http-request add-header X-Tls yes if tls
    http-response set-header Server gatehouse-test
    http-response del-header X-Powered-By
    default-backend web
backend web
    server s 127.0.0.1:$web_PORT
CONF
start_gh "$P" -f "$TMP/gh.conf"
CRLF=$'\r\n'

# The request as the server receives it.
printf 'GET /r1 HTTP/1.1\r\nHost: a.example\r\nX-Forwarded-For: 192.0.2.1\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\nProxy-Connection: x\r\nUpgrade: h2c\r\nX-Forwarded-Proto: evil\r\nX-Set: old\r\nX-Set: older\r\nX-Gone: 1\r\nX-Keep: k\r\n\r\n' |
    raw --tls --wait 2 "127.0.0.1:$PT" >"$TMP/r1" || true
awk '/GET \/r1/,/^\r$/' "$TMP/web.rec" | tr -d '\r' >"$TMP/fwd"
cat >"$TMP/want" <<WANT
GET /r1 HTTP/1.1
Host: a.example
X-Keep: k
X-Forwarded-For: 192.0.2.1, 127.0.0.1
X-Forwarded-Proto: https
Forwarded: for=127.0.0.1;proto=https;host="a.example"
X-Set: new
X-Tls: yes

WANT
diff "$TMP/want" "$TMP/fwd" >&2 || fail "forwarded request differs"
echo "ok: request fields rewritten exactly"

# An absolute-form target goes on in origin-form, its authority as Host;
# empty lines before a request are skipped.
printf '\r\n\r\nGET http://abs.example:81/r2?q=1 HTTP/1.1\r\nHost: wrong\r\n\r\n' |
    raw "127.0.0.1:$P" | status | grep -q 200 || fail "absolute-form request"
awk '/GET \/r2/,/^\r$/' "$TMP/web.rec" | tr -d '\r' | head -n 2 >"$TMP/fwd"
printf 'GET /r2?q=1 HTTP/1.1\nHost: abs.example:81\n' | diff - "$TMP/fwd" >&2 ||
    fail "absolute-form target not normalised"
grep -q 'Host: wrong' "$TMP/web.rec" && fail "the conflicting Host went on"
echo "ok: absolute-form normalised, leading empty lines skipped"

# Repeated equal Content-Lengths go on as one, with one value.
printf 'POST /r3 HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc' |
    raw "127.0.0.1:$P" | status | grep -q 200 || fail "repeated Content-Length"
[ "$(awk '/POST \/r3/,/^\r$/' "$TMP/web.rec" | tr -d '\r' | grep -i '^content-length')" = "Content-Length: 3" ] ||
    fail "Content-Length not normalised: $(awk '/POST \/r3/,/^\r$/' "$TMP/web.rec")"
echo "ok: repeated Content-Length normalised"

# The response as the client receives it.
out=$(printf 'GET /hop HTTP/1.1\r\nHost: a\r\n\r\n' | raw --tls --wait 2 "127.0.0.1:$PT" | tr -d '\r')
for f in "Keep-Alive" "X-Secret" "X-Powered-By" "Connection: X-Secret" "max-age=1" "Server: py"; do
	printf '%s' "$out" | grep -qi "^$f" && fail "response kept '$f': $out"
done
printf '%s' "$out" | grep -q '^Strict-Transport-Security: max-age=600; includeSubDomains$' ||
    fail "no HSTS on TLS: $out"
printf '%s' "$out" | grep -q '^Server: gatehouse-test$' || fail "no Server rule: $out"
out=$(printf 'GET /hop HTTP/1.1\r\nHost: a\r\n\r\n' | raw "127.0.0.1:$P" | tr -d '\r')
printf '%s' "$out" | grep -q 'max-age=600' && fail "HSTS added on plain HTTP"
echo "ok: response fields rewritten, HSTS on TLS only"

# gatehouse's own responses get the response rules and HSTS too.
out=$(printf 'GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n' | raw --tls --wait 2 "127.0.0.1:$PT" | tr -d '\r')
printf '%s' "$out" | grep -q '^HTTP/1.1 400 ' || fail "no 400 for a bad length: $out"
printf '%s' "$out" | grep -q '^Strict-Transport-Security: max-age=600; includeSubDomains$' ||
    fail "no HSTS on gatehouse's own response: $out"
printf '%s' "$out" | grep -q '^Server: gatehouse-test$' || fail "no Server rule on gatehouse's own response: $out"
echo "ok: gatehouse's own responses get http-response rules and HSTS"

# Framings, pipelined on one connection: chunked with a trailer (exact),
# HEAD (no body though a length), 204, 304, then a normal answer.
out=$(printf 'GET /chunked HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /status/204 HTTP/1.1\r\nHost: a\r\n\r\nGET /status/304 HTTP/1.1\r\nHost: a\r\n\r\nGET /last HTTP/1.1\r\nHost: a\r\n\r\n' |
    raw "127.0.0.1:$P")
S="Server: gatehouse-test$CRLF$CRLF"
want="HTTP/1.1 200 OK${CRLF}Transfer-Encoding: chunked${CRLF}${S}6${CRLF}chunk1${CRLF}6;x=y${CRLF}chunk2${CRLF}0${CRLF}X-Sum: 12${CRLF}${CRLF}HTTP/1.1 200 X${CRLF}Content-Length: 15${CRLF}${S}HTTP/1.1 204 X${CRLF}${S}HTTP/1.1 304 X${CRLF}${S}HTTP/1.1 200 X${CRLF}Content-Length: 15${CRLF}${S}hello from web"
[ "$out" = "$want" ] || fail "framings differ: $(printf '%s' "$out" | od -c | head -30)"
echo "ok: chunked+trailer, HEAD, 204, 304 pipelined, exact bytes"

# A body until close: the client gets it whole, then the close.
out=$(printf 'GET /close HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n' | raw --keep --wait 5 "127.0.0.1:$P") ||
    fail "connection not closed after a close-delimited body"
[ "$(printf "%s" "$out" | tail -n 1)" = "until close" ] || fail "close-delimited body: $out"
printf '%s' "$out" | tr -d '\r' | grep -q '^Connection: close$' || fail "no Connection: close"
echo "ok: body until close, then the client is closed"

# 103 goes ahead of the final answer (not to an HTTP/1.0 client).
out=$(printf 'GET /hints HTTP/1.1\r\nHost: a\r\n\r\n' | raw "127.0.0.1:$P" | tr -d '\r')
[ "$(printf '%s' "$out" | head -n 1)" = "HTTP/1.1 103 Early Hints" ] || fail "no 103: $out"
printf '%s' "$out" | grep -q '^HTTP/1.1 200' || fail "no 200 after 103: $out"
out=$(printf 'GET /hints HTTP/1.0\r\n\r\n' | raw "127.0.0.1:$P" | tr -d '\r')
[ "$(printf '%s' "$out" | head -n 1)" = "HTTP/1.1 200 X" ] || fail "1xx to HTTP/1.0: $out"
echo "ok: 103 forwarded, not to HTTP/1.0"

# Expect: 100-continue, by hand: the 100 comes before the body is sent.
python3 - "$P" <<'PY' || fail "100-continue"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"POST /continue HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
got = s.recv(100)
assert got == b"HTTP/1.1 100 Continue\r\n\r\n", got
s.sendall(b"hello")
got = b""
while not got.endswith(b"hello"):
    got += s.recv(1000)
assert got.startswith(b"HTTP/1.1 200"), got
PY
echo "ok: 100-continue"

# 50 MiB up and 200 MiB down through TLS, exact, memory bounded: the
# peak grows by far less than a body (the margin covers ASan's quarantine).
base=$(awk '/VmRSS/ {print $2}' "/proc/$GH_PID/status")
head -c 52428800 /dev/urandom >"$TMP/up"
want=$(sha256sum <"$TMP/up")
got=$(curl -sk --data-binary @"$TMP/up" -H 'Content-Type: application/octet-stream' \
    "https://127.0.0.1:$PT/echo" | sha256sum)
[ "$got" = "$want" ] || fail "50 MiB upload differs"
rm -f "$TMP/up"
echo "ok: 50 MiB upload exact"
want=$(python3 -c '
import hashlib, sys
h = hashlib.sha256(); b = b"0123456789abcdef" * 4096
for i in range(209715200 // len(b)): h.update(b)
print(h.hexdigest() + "  -")')
got=$(curl -sk "https://127.0.0.1:$PT/big/209715200" | sha256sum)
[ "$got" = "$want" ] || fail "200 MiB download differs"
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$GH_PID/status")
echo "ok: 200 MiB download exact; gatehouse RSS ${base} KiB before, peak ${hwm} KiB"
[ $((hwm - base)) -lt 40960 ] || fail "peak RSS ${hwm} KiB from ${base}: bodies are being buffered"
stop_gh
pass
