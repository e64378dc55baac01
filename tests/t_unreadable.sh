#!/bin/bash
# Covers: an ocsp-response file that exists but cannot be read (mode 000)
# stops the start, and -c, naming the file. Root reads a mode 000 file all
# the same: as root gatehouse runs as nobody (setpriv); skipped (exit 77)
# when that cannot be done here.
. "${top_srcdir:-.}/tests/lib.sh"
AS=""
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null ||
		skip "run as root, who can read a mode 000 file, and no setpriv to drop that"
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
free_port PA
O=$CERTS/ocsp
cp "$O/server.pem" "$TMP/explicit.pem"
cp "$O/server.pem.ocsp" "$TMP/noread.der"
chmod 000 "$TMP/noread.der"
if [ -n "$AS" ]; then
	# The test certificate's key (mode 600 from mkcerts.sh) for nobody.
	chmod a+r "$TMP/explicit.pem"
	$AS test -r "$TMP/explicit.pem" -a -x "$GH" ||
		skip "run as root, and nobody cannot reach $TMP or $GH"
	! $AS test -r "$TMP/noread.der" || skip "nobody can read a mode 000 file here"
fi
cat >"$TMP/noread.conf" <<CONF
frontend f
    bind 127.0.0.1:$PA cert $TMP/explicit.pem ocsp-response $TMP/noread.der
    default-backend b
backend b
    server s 127.0.0.1:1
CONF
want="cannot read ocsp-response '$TMP/noread.der': Permission denied"
timeout 10 $AS "$GH" -f "$TMP/noread.conf" >"$TMP/run.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "exit status $rc, want 1: $(cat "$TMP/run.out")"
grep -qF "$want" "$TMP/run.out" || fail "said '$(cat "$TMP/run.out")', want '$want'"
timeout 10 $AS "$GH" -c -f "$TMP/noread.conf" >"$TMP/c.out" 2>&1 && fail "-c accepted it"
grep -qF "$want" "$TMP/c.out" || fail "-c said '$(cat "$TMP/c.out")', want '$want'"
echo "ok: an unreadable ocsp-response is refused: $want"
pass
