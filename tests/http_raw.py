#!/usr/bin/env python3
"""Sends raw bytes to HOST:PORT and prints what comes back until the peer
closes (or the time limit passes, exit status 3).

usage: http_raw.py [--tls] [--wait S] [--keep] [--split N] HOST:PORT
The bytes to send are read from stdin; "\\r\\n" is not added. --split
sends them N bytes at a time with a 0.05 s pause (a slow client, which
stops when an answer comes); --keep
leaves the write side open instead of half-closing after sending.
"""
import select, socket, ssl, sys, time

args = sys.argv[1:]
tls = "--tls" in args
keep = "--keep" in args
wait = 10.0
split = 0
if "--wait" in args:
    wait = float(args[args.index("--wait") + 1])
if "--split" in args:
    split = int(args[args.index("--split") + 1])
host, port = args[-1].rsplit(":", 1)
data = sys.stdin.buffer.read()
s = socket.create_connection((host.strip("[]"), int(port)), timeout=wait)
if tls:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s = ctx.wrap_socket(s)
if split:
    # A slow client that stops sending once an answer comes.
    for i in range(0, len(data), split):
        if select.select([s], [], [], 0)[0]:
            break
        s.sendall(data[i:i + split])
        time.sleep(0.05)
else:
    s.sendall(data)
if not keep and not tls:
    s.shutdown(socket.SHUT_WR)
end = time.time() + wait
rc = 0
try:
    while True:
        s.settimeout(max(0.01, end - time.time()))
        d = s.recv(65536)
        if not d:
            break
        # As it comes, so that a test can watch a connection kept open.
        sys.stdout.buffer.write(d)
        sys.stdout.buffer.flush()
except (socket.timeout, TimeoutError):
    rc = 3
except (ConnectionResetError, ssl.SSLError):
    rc = 4
sys.exit(rc)
