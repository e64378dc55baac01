#!/usr/bin/env python3
"""A load client for the balancing tests: N requests, each on its own
connection, C at a time; prints how many answers came from each server
("hello from NAME" bodies), other statuses as "status NNN", and failures
as "error".

  lb_client.py [-n N] [-c C] [--path FMT] [--header FMT] [--sources K]
               [--show-keys] PORT
FMT may hold %d, the request's number modulo --keys (default N). With
--sources K, request i connects from 127.0.0.(2 + i % K). --show-keys
prints "KEY SERVER" per request instead of the tally.
"""
import argparse, collections, http.client, sys, threading

ap = argparse.ArgumentParser()
ap.add_argument("-n", type=int, default=1000)
ap.add_argument("-c", type=int, default=1)
ap.add_argument("--path", default="/")
ap.add_argument("--header")
ap.add_argument("--keys", type=int)
ap.add_argument("--sources", type=int)
ap.add_argument("--show-keys", action="store_true")
ap.add_argument("--timeout", type=float, default=20)
ap.add_argument("port", type=int)
a = ap.parse_args()
keys = a.keys or a.n

lock = threading.Lock()
tally = collections.Counter()
bykey = []
next_i = [0]


def one(i):
    k = i % keys
    src = ("127.0.0.%d" % (2 + i % a.sources), 0) if a.sources else None
    path = a.path % k if "%d" in a.path else a.path
    hdrs = {}
    if a.header:
        n, v = (a.header % k if "%d" in a.header else a.header).split(":", 1)
        hdrs[n.strip()] = v.strip()
    try:
        c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=a.timeout,
                                       source_address=src)
        c.request("GET", path, headers=hdrs)
        r = c.getresponse()
        body = r.read().decode(errors="replace")
        c.close()
        if r.status == 200 and body.startswith("hello from "):
            res = body.split()[2]
        else:
            res = "status %d" % r.status
    except Exception:
        res = "error"
    key = src[0] if src else (path if "%d" in a.path else hdrs.get("X-User", path))
    with lock:
        tally[res] += 1
        bykey.append((key, res))


def worker():
    while True:
        with lock:
            i = next_i[0]
            if i >= a.n:
                return
            next_i[0] += 1
        one(i)


ts = [threading.Thread(target=worker) for _ in range(a.c)]
for t in ts:
    t.start()
for t in ts:
    t.join()
if a.show_keys:
    for k, r in bykey:
        print(k, r)
else:
    for r, n in sorted(tally.items()):
        print(r, n)
