/* The TLS transport.
 *
 * OpenSSL never touches the socket for writing: a custom BIO appends TLS
 * records to the connection's output buffer, and the buffer is written with
 * one write(2) after each step (a handshake flight, or a batch of
 * SSL_write calls). Reads go straight to the socket, with read-ahead, so a
 * flight costs a few system calls instead of one per record. Once the
 * handshake is done, a record written while the output buffer is empty goes
 * straight to the socket, and only what the socket refuses is buffered.
 *
 * The handshake state machine (the state is which callback the connection
 * runs: ssl_sock_hs_step while in the handshake, the owner's after):
 *   HANDSHAKE --SSL_do_handshake()==1--> ESTABLISHED (owner's done callback)
 *       |  WANT_READ: wait for readable; WANT_WRITE (buffer full and socket
 *       |  full): wait for writable
 *       +--error, EOF or timeout--> FAILED (done callback with the reason)
 * ESTABLISHED --shutw--> close_notify queued, then FIN once flushed.
 * ESTABLISHED --peer's close_notify, or its FIN alone--> recv returns 0
 *     (EOF) and sending goes on: a client may half-close after its
 *     request and still read the response (RFC 9112 9.6).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "pool.h"
#include "ssl_cert.h"
#include "ssl_ctx.h"
#include "ssl_sock.h"

/* The transport's per-connection state. */
struct ssl_conn {
	SSL *ssl;
	struct conn *conn;
	int direct;             /* write records straight to the socket */
	int shut_sent;          /* close_notify queued */
	int rd_eof;             /* the socket read 0: the peer's FIN */
	struct pool *bufs;      /* where <out> comes from: the creator's,
	                           outlives the connection */
	char *out;              /* pending records, from <bufs> */
	struct ssl_client_cert *cert; /* the client's, when it sent one */
	size_t out_head, out_len;
	/* During the handshake only: */
	struct event *timer;
	ssl_hs_done_cb done;
	void *done_arg;
};

static BIO_METHOD *ssl_bio_method;      /* built once, read-only after */

static int
ssl_sock_flush(struct conn *c)
{
	struct ssl_conn *sc = c->xprt_ctx;
	ssize_t n;

	while (sc->out_len > 0) {
		n = send(c->fd, sc->out + sc->out_head, sc->out_len,
		    MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			c->ep.flags |= CO_F_OUT_PENDING;
			if (errno == EAGAIN)
				c->ep.flags &= ~CO_F_RDY_W;
			return -errno;
		}
		sc->out_head += (size_t)n;
		sc->out_len -= (size_t)n;
	}
	c->ep.flags &= ~CO_F_OUT_PENDING;
	if (sc->out != NULL) {
		pool_put(sc->bufs, sc->out);
		sc->out = NULL;
		sc->out_head = 0;
	}
	return 0;
}

/* Appends what fits of <buf> to the output buffer; writes straight to the
 * socket first when allowed and nothing waits before it. */
static int
ssl_bio_write(BIO *b, const char *buf, int len)
{
	struct conn *c = BIO_get_data(b);
	struct ssl_conn *sc = c->xprt_ctx;
	size_t room, n = (size_t)len, done = 0;
	ssize_t w;

	BIO_clear_retry_flags(b);
	if (sc->direct && sc->out_len == 0) {
		while ((w = send(c->fd, buf, n, MSG_NOSIGNAL)) == -1 &&
		    errno == EINTR)
			;
		if (w == -1 && errno != EAGAIN)
			return -1;
		if (w > 0)
			done = (size_t)w;
		if (done == n)
			return len;
	}
	if (sc->out == NULL) {
		if ((sc->out = pool_get(sc->bufs)) == NULL)
			return -1;
		sc->out_head = sc->out_len = 0;
	}
	if (sc->out_head + sc->out_len + (n - done) > sc->bufs->size &&
	    sc->out_head > 0) {
		memmove(sc->out, sc->out + sc->out_head, sc->out_len);
		sc->out_head = 0;
	}
	room = sc->bufs->size - sc->out_head - sc->out_len;
	if (room == 0 && done == 0) {
		BIO_set_retry_write(b);
		return -1;
	}
	if (room > n - done)
		room = n - done;
	memcpy(sc->out + sc->out_head + sc->out_len, buf + done, room);
	sc->out_len += room;
	return (int)(done + room);
}

static int
ssl_bio_read(BIO *b, char *buf, int len)
{
	struct conn *c = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	while ((n = read(c->fd, buf, (size_t)len)) == -1 && errno == EINTR)
		;
	if (n == -1 && errno == EAGAIN)
		BIO_set_retry_read(b);
	if (n == 0)
		((struct ssl_conn *)c->xprt_ctx)->rd_eof = 1;
	return (int)n;
}

static long
ssl_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct conn *c = BIO_get_data(b);
	const struct ssl_conn *sc = c->xprt_ctx;

	(void)num; (void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		/* Flushes are ours to do, once per step: report success. */
		return 1;
	case BIO_CTRL_EOF:
		/* A FIN without close_notify: with SSL_OP_IGNORE_UNEXPECTED_EOF
		 * OpenSSL reads it as the end of the peer's data
		 * (SSL_ERROR_ZERO_RETURN) and the write side stays usable, as
		 * a half-closed TCP connection's does; without this answer
		 * it would be a failed read (SSL_ERROR_SYSCALL) and the
		 * response to a request sent before the FIN would be lost. */
		return sc != NULL && sc->rd_eof;
	default:
		return 0;
	}
}

int
ssl_sock_init(void)
{
	BIO_METHOD *m;

	if ((m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
	    "gatehouse")) == NULL)
		return -ENOMEM;
	BIO_meth_set_write(m, ssl_bio_write);
	BIO_meth_set_read(m, ssl_bio_read);
	BIO_meth_set_ctrl(m, ssl_bio_ctrl);
	ssl_bio_method = m;
	return 0;
}

/* Maps an SSL result to the transport contract: EAGAIN, 0 for EOF, or an
 * errno. */
static ssize_t
ssl_sock_result(struct conn *c, int ret)
{
	struct ssl_conn *sc = c->xprt_ctx;

	switch (SSL_get_error(sc->ssl, ret)) {
	case SSL_ERROR_WANT_WRITE:
		c->ep.flags |= CO_F_RECV_WANTS_W;
		/* fall through */
	case SSL_ERROR_WANT_READ:
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (errno == 0)
			errno = ECONNRESET;
		break;
	default:
		errno = EPROTO;
		break;
	}
	ERR_clear_error();
	c->ep.flags |= CO_F_ERROR;
	return -1;
}

static ssize_t
ssl_sock_recv(struct conn *c, void *buf, size_t len)
{
	struct ssl_conn *sc = c->xprt_ctx;
	size_t n;
	int ret;

	errno = 0;
	ret = SSL_read_ex(sc->ssl, buf, len, &n);
	/* A KeyUpdate answered while reading is queued: send it now. */
	if (sc->out_len > 0)
		ssl_sock_flush(c);
	if (ret == 1)
		return (ssize_t)n;
	return ssl_sock_result(c, ret);
}

static ssize_t
ssl_sock_send(struct conn *c, const void *buf, size_t len)
{
	struct ssl_conn *sc = c->xprt_ctx;
	size_t n;
	int ret;

	errno = 0;
	if ((ret = SSL_write_ex(sc->ssl, buf, len, &n)) == 1)
		return (ssize_t)n;
	return ssl_sock_result(c, ret);
}

static int
ssl_sock_xflush(struct conn *c)
{
	struct ssl_conn *sc = c->xprt_ctx;
	int rc = ssl_sock_flush(c);

	if (rc == 0 && sc->shut_sent && !(c->ep.flags & CO_F_SHUTW)) {
		shutdown(c->fd, SHUT_WR);
		c->ep.flags |= CO_F_SHUTW;
	}
	return rc;
}

static int
ssl_sock_shutw(struct conn *c)
{
	struct ssl_conn *sc = c->xprt_ctx;

	if (!sc->shut_sent) {
		/* Sends close_notify; we do not wait for the peer's. */
		SSL_shutdown(sc->ssl);
		ERR_clear_error();
		sc->shut_sent = 1;
	}
	return ssl_sock_xflush(c);
}

static void
ssl_sock_free_timer(struct ssl_conn *sc)
{
	if (sc->timer != NULL) {
		event_free(sc->timer);
		sc->timer = NULL;
	}
}

static void
ssl_sock_close(struct conn *c)
{
	struct ssl_conn *sc = c->xprt_ctx;

	if (sc == NULL)
		return;
	ssl_sock_free_timer(sc);
	pool_put(sc->bufs, sc->out);
	free(sc->cert);
	/* OpenSSL drops from the session cache (and marks not resumable)
	 * the session of a connection freed without a close_notify, which
	 * is how most end. A connection whose handshake completed and that
	 * saw no TLS error keeps its session resumable. */
	if (SSL_is_init_finished(sc->ssl) && !(c->ep.flags & CO_F_ERROR))
		SSL_set_shutdown(sc->ssl, SSL_SENT_SHUTDOWN |
		    SSL_RECEIVED_SHUTDOWN);
	SSL_free(sc->ssl);
	free(sc);
	c->xprt_ctx = NULL;
}

static int
ssl_sock_pending(const struct conn *c)
{
	const struct ssl_conn *sc = c->xprt_ctx;

	return SSL_has_pending(sc->ssl);
}

static const struct xprt_ops xprt_ssl = {
	.name = "tls",
	.recv = ssl_sock_recv,
	.send = ssl_sock_send,
	.flush = ssl_sock_xflush,
	.shutw = ssl_sock_shutw,
	.pending = ssl_sock_pending,
	.close = ssl_sock_close,
};

static void ssl_sock_take_cert(struct ssl_conn *sc);

static void
ssl_sock_hs_end(struct conn *c, const char *reason)
{
	struct ssl_conn *sc = c->xprt_ctx;

	ssl_sock_free_timer(sc);
	if (reason == NULL && SSL_is_server(sc->ssl))
		ssl_sock_take_cert(sc);
	/* A new connection often waits before it speaks (a browser's spare
	 * one): the record buffers come back with its first record, and
	 * stay while it is busy. Kept when they hold read-ahead bytes; else
	 * the first read waits for the socket to say there is something,
	 * rather than take the buffers back to find nothing. */
	if (reason == NULL && !SSL_has_pending(sc->ssl)) {
		SSL_free_buffers(sc->ssl);
		c->ep.flags &= ~CO_F_RDY_R;
	}
	/* Interest in events stays as it is: the new owner sets its own,
	 * and a read interest it keeps costs no system call. */
	sc->direct = 1;
	sc->done(c, reason, sc->done_arg);
}

/* One step of the handshake, on readiness. */
static void
ssl_sock_hs_step(struct conn *c, short what)
{
	struct ssl_conn *sc = c->xprt_ctx;
	char why[256];
	int ret, err, frc, syserr;

	(void)what;
	errno = 0;
	ret = SSL_do_handshake(sc->ssl);
	syserr = errno;
	err = ret == 1 ? SSL_ERROR_NONE : SSL_get_error(sc->ssl, ret);
	frc = ssl_sock_flush(c);
	if (frc < 0 && frc != -EAGAIN) {
		ssl_sock_hs_end(c, strerror(-frc));
		return;
	}
	switch (err) {
	case SSL_ERROR_NONE:
		if (frc == -EAGAIN) {
			/* The last flight is still queued: finish it first. */
			conn_want(c, 0, 1);
			return;
		}
		ssl_sock_hs_end(c, NULL);
		return;
	case SSL_ERROR_WANT_READ:
		conn_want(c, 1, frc == -EAGAIN);
		return;
	case SSL_ERROR_WANT_WRITE:
		conn_want(c, 0, 1);
		return;
	case SSL_ERROR_ZERO_RETURN:
		ssl_sock_hs_end(c, SSL_is_server(sc->ssl) ? "client closed" :
		    "server closed");
		return;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		ssl_sock_hs_end(c, syserr != 0 ? strerror(syserr) :
		    SSL_is_server(sc->ssl) ? "client closed" : "server closed");
		return;
	default:
		ssl_sock_hs_end(c, ssl_hs_reason(sc->ssl, why, sizeof(why)));
		return;
	}
}

static void
ssl_sock_hs_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	ssl_sock_hs_end(arg, "handshake timeout");
}

/* Slides TLS under <c> and takes the first handshake step. */
static int
ssl_sock_start(struct conn *c, SSL *ssl, struct pool *bufs,
    unsigned int timeout_ms, ssl_hs_done_cb done, void *arg)
{
	struct timeval tv = util_ms_tv(timeout_ms);
	struct ssl_conn *sc;
	BIO *bio;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		goto err_free_ssl;
	sc->ssl = ssl;
	sc->bufs = bufs;
	/* kTLS needs OpenSSL's own socket BIO: records are then written
	 * one write(2) each rather than batched, and the kernel encrypts
	 * once the handshake is done. */
	if (SSL_get_options(ssl) & SSL_OP_ENABLE_KTLS) {
		if (SSL_set_fd(ssl, c->fd) != 1)
			goto err_free_sc;
	} else {
		if ((bio = BIO_new(ssl_bio_method)) == NULL)
			goto err_free_sc;
		BIO_set_data(bio, c);
		BIO_set_init(bio, 1);
		SSL_set_bio(ssl, bio, bio);
	}
	/* The timer runs on the loop of the connection's events. */
	if ((sc->timer = evtimer_new(event_get_base(&c->ev_r),
	    ssl_sock_hs_timeout, c)) == NULL)
		goto err_free_sc;
	sc->conn = c;
	sc->done = done;
	sc->done_arg = arg;
	c->xprt = &xprt_ssl;
	c->xprt_ctx = sc;
	c->cb = ssl_sock_hs_step;
	evtimer_add(sc->timer, &tv);
	/* A server has the ClientHello already (the listener defers accept
	 * until it is there), a client sends its own: either way, at once
	 * rather than a turn of the loop later. */
	ssl_sock_hs_step(c, EV_READ);
	return 0;
err_free_sc:
	free(sc);
err_free_ssl:
	ERR_clear_error();
	SSL_free(ssl);
	return -ENOMEM;
}

int
ssl_sock_accept(struct conn *c, SSL_CTX *ctx, struct pool *bufs,
    unsigned int timeout_ms, ssl_hs_done_cb done, void *arg)
{
	SSL *ssl;

	if ((ssl = SSL_new(ctx)) == NULL) {
		ERR_clear_error();
		return -ENOMEM;
	}
	SSL_set_accept_state(ssl);
	return ssl_sock_start(c, ssl, bufs, timeout_ms, done, arg);
}

int
ssl_sock_connect(struct conn *c, SSL_CTX *ctx, struct pool *bufs,
    const char *sni, const char *verify_name, unsigned int timeout_ms,
    ssl_hs_done_cb done, void *arg)
{
	SSL *ssl;

	if ((ssl = SSL_new(ctx)) == NULL) {
		ERR_clear_error();
		return -ENOMEM;
	}
	if (ssl_ctx_client_prepare(ctx, ssl, sni, verify_name) < 0) {
		ERR_clear_error();
		SSL_free(ssl);
		return -EINVAL;
	}
	return ssl_sock_start(c, ssl, bufs, timeout_ms, done, arg);
}

const char *
ssl_sock_version(const struct conn *c)
{
	const struct ssl_conn *sc = c->xprt_ctx;

	return c->xprt == &xprt_ssl ? SSL_get_version(sc->ssl) : NULL;
}

const char *
ssl_sock_cipher(const struct conn *c)
{
	const struct ssl_conn *sc = c->xprt_ctx;

	return c->xprt == &xprt_ssl ? SSL_get_cipher_name(sc->ssl) : NULL;
}

const char *
ssl_sock_sni(const struct conn *c)
{
	const struct ssl_conn *sc = c->xprt_ctx;

	return c->xprt == &xprt_ssl ? SSL_get_servername(sc->ssl,
	    TLSEXT_NAMETYPE_host_name) : NULL;
}

const char *
ssl_sock_alpn(const struct conn *c, size_t *len)
{
	const struct ssl_conn *sc = c->xprt_ctx;
	const unsigned char *p = NULL;
	unsigned int n = 0;

	if (c->xprt == &xprt_ssl)
		SSL_get0_alpn_selected(sc->ssl, &p, &n);
	*len = n;
	return n > 0 ? (const char *)p : NULL;
}

int
ssl_sock_resumed(const struct conn *c)
{
	const struct ssl_conn *sc = c->xprt_ctx;

	return c->xprt == &xprt_ssl && SSL_session_reused(sc->ssl);
}

/* The client's certificate fields, once, as the handshake ends: the
 * requests of the connection take them as they are. Without memory the
 * connection goes on as one without a certificate would: the fields are
 * missing, and the verify result says NONE. */
static void
ssl_sock_take_cert(struct ssl_conn *sc)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	const ASN1_INTEGER *serial;
	struct ssl_client_cert *cc;
	BIGNUM *bn;
	char *hex;
	X509 *x;

	if ((x = SSL_get0_peer_certificate(sc->ssl)) == NULL ||
	    (cc = calloc(1, sizeof(*cc))) == NULL)
		return;
	cc->verify = SSL_get_verify_result(sc->ssl);
	/* A certificate that fails verification ends the handshake, so
	 * SUCCESS is what servers see; never SUCCESS for anything else. */
	cc->verify_text = cc->verify == X509_V_OK ? "SUCCESS" : "FAILED";
	ssl_cert_dn(X509_get_subject_name(x), XN_FLAG_RFC2253, cc->subject,
	    sizeof(cc->subject));
	ssl_cert_dn(X509_get_issuer_name(x), XN_FLAG_RFC2253, cc->issuer,
	    sizeof(cc->issuer));
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cc->cn, sizeof(cc->cn)) < 0)
		cc->cn[0] = '\0';
	serial = X509_get0_serialNumber(x);
	if ((bn = ASN1_INTEGER_to_BN(serial, NULL)) != NULL &&
	    (hex = BN_bn2hex(bn)) != NULL) {
		snprintf(cc->serial, sizeof(cc->serial), "%s", hex);
		OPENSSL_free(hex);
	}
	BN_free(bn);
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1)
		for (i = 0; i < mdlen && i < 32; i++)
			snprintf(cc->sha256 + 2 * i, 3, "%02x", md[i]);
	ERR_clear_error();
	sc->cert = cc;
}

const struct ssl_client_cert *
ssl_sock_client_cert(const struct conn *c)
{
	const struct ssl_conn *sc = c->xprt_ctx;

	return c->xprt == &xprt_ssl ? sc->cert : NULL;
}

int
ssl_sock_ktls_send(const struct conn *c)
{
	const struct ssl_conn *sc = c->xprt_ctx;

	return c->xprt == &xprt_ssl && BIO_get_ktls_send(SSL_get_wbio(sc->ssl));
}

int
ssl_ktls_probe(char *why, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int l, c = -1, a = -1, ok = 0;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(l, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(l, 1) == -1 ||
	    getsockname(l, (struct sockaddr *)&sin, &sl) == -1 ||
	    (c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(c, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (a = accept(l, NULL, NULL)) == -1)
		snprintf(why, len, "cannot probe it on loopback: %s",
		    strerror(errno));
	else if (setsockopt(a, SOL_TCP, TCP_ULP, "tls", sizeof("tls")) == -1)
		snprintf(why, len, "the kernel has no TLS support (tls ULP: "
		    "%s)", strerror(errno));
	else
		ok = 1;
	if (a != -1)
		close(a);
	if (c != -1)
		close(c);
	if (l != -1)
		close(l);
	return ok;
}

void
ssl_sock_idle(struct conn *c)
{
	struct ssl_conn *sc = c->xprt_ctx;

	if (c->xprt == &xprt_ssl)
		SSL_free_buffers(sc->ssl);
}
