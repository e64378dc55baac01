/* The PROXY protocol, versions 1 and 2 (haproxy.org's proxy-protocol.txt):
 * the header a proxy sends first on a connection to pass on the client's
 * addresses. A pure codec: bytes in, bytes out; no sockets. */
#ifndef GH_PROXY_PROTO_H
#define GH_PROXY_PROTO_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#define PP_V1_MAX       107     /* the longest v1 line, CRLF included */
#define PP_HDR_MAX      536     /* what gatehouse reads at most, and
                                   sends without client certificates */
#define PP_SEND_MAX     4096    /* what it sends at most */

/* v2 TLV types and the subtypes of PP2_TYPE_SSL. */
#define PP2_TYPE_ALPN           0x01
#define PP2_TYPE_AUTHORITY      0x02
#define PP2_TYPE_CRC32C         0x03    /* checked when present */
#define PP2_TYPE_SSL            0x20
#define PP2_SUBTYPE_SSL_VERSION 0x21
#define PP2_SUBTYPE_SSL_CN      0x22
#define PP2_SUBTYPE_SSL_CIPHER  0x23
#define PP2_CLIENT_SSL          0x01
#define PP2_CLIENT_CERT_CONN    0x02
#define PP2_CLIENT_CERT_SESS    0x04
/* gatehouse's own (the custom range 0xE0-0xEF), client certificates:
 * text, as in the mode http headers */
#define PP2_TYPE_GH_SUBJECT     0xE0    /* RFC 2253 subject DN */
#define PP2_TYPE_GH_ISSUER      0xE1    /* RFC 2253 issuer DN */
#define PP2_TYPE_GH_SERIAL      0xE2    /* hex */
#define PP2_TYPE_GH_SHA256      0xE3    /* fingerprint, hex */

/* What a v2 header may carry beyond the addresses; NULL/0: absent. */
struct pp_tlvs {
	const char *alpn;
	size_t alpn_len;
	const char *authority;          /* the SNI name */
	size_t authority_len;
	int ssl;                        /* the client spoke TLS */
	const char *ssl_version;        /* "TLSv1.3" */
	const char *ssl_cipher;
	int cert;                       /* a client certificate was given */
	unsigned long verify;           /* its X509_V_* result */
	const char *cert_cn, *cert_subject, *cert_issuer, *cert_serial,
	    *cert_sha256;
};

/* A decoded header. Pointers point into the decoded buffer. */
struct pp_header {
	int version;                    /* 1 or 2 */
	int local;                      /* LOCAL, UNKNOWN or an address family
	                                   not carried: no addresses */
	struct sockaddr_storage src, dst;
	socklen_t addrlen;              /* of src and of dst; 0 when local */
	const char *alpn;               /* v2 TLVs, when present */
	size_t alpn_len;
	const char *authority;
	size_t authority_len;
	const char *why;                /* after -1: what was wrong */
};

/* Writes the v1 line for <src> to <dst> into <buf>: "PROXY TCP4 ...",
 * "TCP6", or "UNKNOWN" when the families differ or are not IP (an IPv4-
 * mapped IPv6 address counts as IPv4). Returns its length, or -1 when
 * <len> is too small. */
ssize_t pp_encode_v1(char *buf, size_t len, const struct sockaddr *src,
    const struct sockaddr *dst);

/* Writes a v2 header with the TLVs of <t> (may be NULL; empty values are
 * left out): command PROXY over TCP, or LOCAL with no address when the
 * addresses cannot be carried (what v1 says with UNKNOWN: the receiver
 * keeps the connection's own). Returns its length, or -1 when <len> is
 * too small. */
ssize_t pp_encode_v2(char *buf, size_t len, const struct sockaddr *src,
    const struct sockaddr *dst, const struct pp_tlvs *t);

/* Reads a v1 or v2 header at the start of <buf>: returns its length once
 * it is whole and valid, 0 while <buf> may still become one (so a header
 * that arrives in pieces gives 0 at every cut), -1 when it cannot (h->why,
 * a static string, says why). Bytes after the header are not looked at.
 * Never reads past <len>; fills <h> in any case. */
ssize_t pp_decode(const char *buf, size_t len, struct pp_header *h);

#endif
