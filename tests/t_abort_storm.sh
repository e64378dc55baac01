#!/bin/bash
# Covers: 1000 aborted handshakes (a partial ClientHello, then a close or a
# reset; or a reset in the middle of a real handshake) leave no descriptor
# behind, and a normal request is served after.
. "${top_srcdir:-.}/tests/lib.sh"
start_backend echo echo
free_port P
start_gh "$P" --bind "127.0.0.1:$P" --cert "$CERTS/server.pem" \
    --backend "127.0.0.1:$echo_PORT" --workers 2
[ "$(echo warm | client "127.0.0.1:$P" -t)" = "warm" ] || fail "warm-up failed"
before=$(nfds "$GH_PID")
timeout 120 python3 - "$P" <<'PY' || fail "storm client failed"
import socket, ssl, struct, sys
port = int(sys.argv[1])
hello = bytes.fromhex("160301020001000001fc0303") + bytes(32)
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
for i in range(1000):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    if i % 3 == 2:
        # A real handshake, reset as soon as the server's flight is in.
        out = ssl.MemoryBIO()
        obj = ctx.wrap_bio(ssl.MemoryBIO(), out)
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        s.sendall(out.read())
        s.recv(4096)
    else:
        s.sendall(hello)
    if i % 3 != 0:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
    s.close()
PY
echo "ok: 1000 aborted handshakes sent"
[ "$(echo after | client "127.0.0.1:$P" -t)" = "after" ] ||
    fail "no service after the storm"
echo "ok: normal request served after the storm"
# fds_back: gatehouse holds no more descriptors than before (counted
# anew at each try).
fds_back() {
	[ "$(nfds "$GH_PID")" -le "$before" ]
}
wait_for fds_back ||
    fail "descriptors: $before before, $(nfds "$GH_PID") after"
echo "ok: descriptors back to $before"
n=$(grep -c "TLS handshake failed" "$TMP/gh.log")
[ "$n" -ge 900 ] || fail "only $n failed handshakes logged"
echo "ok: $n failed handshakes logged"
gh_alive
stop_gh
pass
