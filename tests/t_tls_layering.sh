#!/bin/bash
# Covers: the layering of ssl/ (DESIGN.md section 2): its files include
# OpenSSL, libevent, the C library, each other, and of src/ only what is
# below them: conn.h (connections), pool.h (buffers), log.h and util.h;
# never worker.h, session.h, cfg.h or any module above.
. "${top_srcdir:-.}/tests/lib.sh"
allowed=" conn.h pool.h log.h util.h "
n=0
for f in "$top_srcdir"/ssl/*.[ch]; do
	for h in $(sed -n 's/^#include "\(.*\)"/\1/p' "$f"); do
		[ -e "$top_srcdir/ssl/$h" ] && continue
		case $allowed in
		*" $h "*) ;;
		*) echo "$(basename "$f") includes $h" >&2; n=$((n + 1)) ;;
		esac
	done
done
[ "$n" -eq 0 ] || fail "$n include(s) from above ssl/"
# Nor through another header: the TLS transport is given its pool.
grep -q "worker" "$top_srcdir/ssl/ssl_sock.c" &&
	fail "ssl_sock.c still reaches into the worker"
pass
