#!/usr/bin/env python3
"""A tiny DNS server for the resolution tests: UDP on 127.0.0.1, answers
A queries for the names in FILE ("name address" lines; a name on several
lines has several addresses, rotated by one at each query as a round-robin
server does), re-read on every query so a test can change an answer; an
empty answer to other types of a known name, NXDOMAIN otherwise. Logs
each query to stdout.

  dns_server.py FILE      prints "ready PORT"
"""
import socket, struct, sys

names_file = sys.argv[1]


def names():
    out = {}
    try:
        with open(names_file) as f:
            for line in f:
                w = line.split()
                if len(w) == 2:
                    out.setdefault(w[0].lower().rstrip("."), []).append(w[1])
    except OSError:
        pass
    return out


def qname(msg, off):
    labels = []
    while msg[off] != 0:
        n = msg[off]
        labels.append(msg[off + 1:off + 1 + n].decode())
        off += 1 + n
    return ".".join(labels), off + 1


s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("ready %d" % s.getsockname()[1], flush=True)
turns = {}  # per name: how many answers it had
while True:
    msg, peer = s.recvfrom(4096)
    if len(msg) < 12:
        continue
    try:
        qid, flags, qd = struct.unpack("!HHH", msg[:6])
        name, end = qname(msg, 12)
        qtype, qclass = struct.unpack("!HH", msg[end:end + 4])
    except (IndexError, struct.error, UnicodeDecodeError):
        continue
    question = msg[12:end + 4]
    addrs = names().get(name.lower())
    rcode = 0 if addrs is not None else 3
    answers = b""
    n = 0
    if addrs is not None and qtype == 1:
        k = turns.get(name.lower(), 0) % len(addrs)
        turns[name.lower()] = k + 1
        addrs = addrs[k:] + addrs[:k]
        for a in addrs:
            answers += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 1, 4) + socket.inet_aton(a)
            n += 1
    print("query %s type %d -> %s" % (name, qtype, " ".join(addrs) if n else "none"), flush=True)
    head = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, n, 0, 0)
    s.sendto(head + question + answers, peer)
