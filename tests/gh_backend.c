/* gh_backend: the test backend (and the demo backend), plus a small client.
 *
 * Server:  gh_backend [-a ADDR] [-p PORT] [-r FILE] MODE [ARG]
 *   echo        sends back what it receives; on EOF, finishes and shuts
 *               its write side (a well-behaved half-close peer)
 *   sink        reads everything; on EOF answers "<bytes> <sha256>\n"
 *   source N    sends N bytes of the pattern of "gen N", then closes
 *   http        a minimal HTTP/1.1 server: 200 and a short text
 *   silent      accepts and never reads nor writes
 *   greet       sends "hello\n" and shuts its write side at once, then
 *               reads to EOF and appends "got <bytes>" to the -r FILE
 *   Prints "ready PORT" once listening (port 0: any free port). With -r,
 *   appends one line to FILE per accepted connection. Ends on SIGTERM.
 * Client:  gh_backend -c HOST:PORT [-t] [-s BYTES_PER_S] put
 *   sends its standard input, then half-closes (TLS: close_notify), and
 *   copies all it receives to standard output until EOF; -t speaks TLS
 *   (no verification), -s reads no faster than the given rate.
 * Pattern: gh_backend gen N   writes the N bytes "source N" sends. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#define HIGH_WATER (64 * 1024)

enum mode { M_ECHO, M_SINK, M_SOURCE, M_HTTP, M_SILENT, M_GREET };

struct peer {
	struct bufferevent *bev;
	EVP_MD_CTX *md;         /* sink */
	unsigned long long count;
	unsigned long long left; /* source: bytes still to send */
	int eof;
};

static enum mode mode;
static unsigned long long source_len;
static const char *record_file;

static unsigned char
pattern(unsigned long long i)
{
	return (unsigned char)((i * 2654435761ULL) >> 13);
}

/* Appends a line to the -r file, if any. */
static void
record(const char *fmt, unsigned long long v)
{
	FILE *f;

	if (record_file == NULL || (f = fopen(record_file, "a")) == NULL)
		return;
	fprintf(f, fmt, v);
	fclose(f);
}

static void
peer_free(struct peer *p)
{
	if (p->md != NULL)
		EVP_MD_CTX_free(p->md);
	bufferevent_free(p->bev);
	free(p);
}

static void
source_fill(struct peer *p)
{
	struct evbuffer *out = bufferevent_get_output(p->bev);
	unsigned char chunk[16384];
	unsigned long long off;
	size_t i, n;

	while (p->left > 0 && evbuffer_get_length(out) < HIGH_WATER) {
		n = p->left < sizeof(chunk) ? (size_t)p->left : sizeof(chunk);
		off = source_len - p->left;
		for (i = 0; i < n; i++)
			chunk[i] = pattern(off + i);
		evbuffer_add(out, chunk, n);
		p->left -= n;
	}
}

static void
http_answer(struct peer *p)
{
	static const char body[] = "hello from the gatehouse demo backend\n";
	struct evbuffer *in = bufferevent_get_input(p->bev);
	struct evbuffer_ptr end;
	char head[8192];
	size_t len;
	int close_after;

	for (;;) {
		end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
		if (end.pos < 0)
			return;
		len = (size_t)end.pos + 4;
		if (len >= sizeof(head)) {
			p->eof = 1;
			return;
		}
		evbuffer_remove(in, head, len);
		head[len] = '\0';
		close_after = strstr(head, "HTTP/1.0") != NULL ||
		    strcasestr(head, "\nconnection: close") != NULL;
		evbuffer_add_printf(bufferevent_get_output(p->bev),
		    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
		    "Content-Length: %zu\r\n%s\r\n%s", sizeof(body) - 1,
		    close_after ? "Connection: close\r\n" : "", body);
		if (close_after) {
			p->eof = 1;
			return;
		}
	}
}

static void
peer_write(struct bufferevent *bev, void *arg)
{
	struct peer *p = arg;

	if (mode == M_SOURCE) {
		source_fill(p);
		if (p->left == 0 && evbuffer_get_length(
		    bufferevent_get_output(bev)) == 0)
			peer_free(p);
		return;
	}
	if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		return;
	if (p->eof) {
		/* Everything answered: shut our side, then close. */
		shutdown(bufferevent_getfd(bev), SHUT_WR);
		peer_free(p);
		return;
	}
	bufferevent_enable(bev, EV_READ);
}

static void
peer_read(struct bufferevent *bev, void *arg)
{
	struct peer *p = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	unsigned char buf[16384];
	size_t n;

	switch (mode) {
	case M_ECHO:
		bufferevent_write_buffer(bev, in);
		/* Backpressure: stop reading while the peer is slow. */
		if (evbuffer_get_length(bufferevent_get_output(bev)) >
		    HIGH_WATER)
			bufferevent_disable(bev, EV_READ);
		break;
	case M_GREET:
	case M_SINK:
		while ((n = (size_t)evbuffer_remove(in, buf, sizeof(buf))) > 0) {
			EVP_DigestUpdate(p->md, buf, n);
			p->count += n;
		}
		break;
	case M_HTTP:
		http_answer(p);
		if (p->eof)
			peer_write(bev, p);
		break;
	default:
		evbuffer_drain(in, evbuffer_get_length(in));
		break;
	}
}

static void
peer_event(struct bufferevent *bev, short what, void *arg)
{
	struct peer *p = arg;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen, i;

	if (what & BEV_EVENT_ERROR) {
		peer_free(p);
		return;
	}
	if (!(what & BEV_EVENT_EOF))
		return;
	p->eof = 1;
	if (mode == M_SINK) {
		EVP_DigestFinal_ex(p->md, md, &mdlen);
		evbuffer_add_printf(bufferevent_get_output(bev), "%llu ",
		    p->count);
		for (i = 0; i < mdlen; i++)
			evbuffer_add_printf(bufferevent_get_output(bev), "%02x",
			    md[i]);
		evbuffer_add(bufferevent_get_output(bev), "\n", 1);
	}
	if (mode == M_SOURCE)
		return;         /* a half-close: keep sending */
	if (mode == M_GREET) {
		record("got %llu\n", p->count);
		peer_free(p);
		return;
	}
	if (mode == M_SILENT) {
		peer_free(p);
		return;
	}
	peer_write(bev, p);
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct event_base *base = arg;
	struct peer *p;

	(void)l; (void)sa; (void)salen;
	record("conn\n", 0);
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		close(fd);
		return;
	}
	p->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(p->bev, peer_read, peer_write, peer_event, p);
	if (mode == M_SILENT)
		return;
	if (mode == M_SINK || mode == M_GREET) {
		p->md = EVP_MD_CTX_new();
		EVP_DigestInit_ex(p->md, EVP_sha256(), NULL);
	}
	if (mode == M_GREET) {
		if (write(fd, "hello\n", 6) != 6) {
			peer_free(p);
			return;
		}
		shutdown(fd, SHUT_WR);
	}
	bufferevent_enable(p->bev, EV_READ | EV_WRITE);
	if (mode == M_SOURCE) {
		p->left = source_len;
		source_fill(p);
	}
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig; (void)what;
	event_base_loopbreak(arg);
}

static int
serve(const char *addr, int port)
{
	struct event_base *base = event_base_new();
	struct evconnlistener *l;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct event *sig;
	int slen = sizeof(ss);
	char spec[128];

	snprintf(spec, sizeof(spec), "%s port %d", addr, port);
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &((struct sockaddr_in *)&ss)->sin_addr)
	    == 1) {
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		slen = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, addr,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		slen = sizeof(struct sockaddr_in6);
	} else {
		fprintf(stderr, "gh_backend: bad address %s\n", addr);
		return 1;
	}
	l = evconnlistener_new_bind(base, on_accept, base,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 128,
	    (struct sockaddr *)&ss, slen);
	if (l == NULL) {
		fprintf(stderr, "gh_backend: cannot listen on %s: %s\n", spec,
		    strerror(errno));
		return 1;
	}
	getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&ss, &len);
	printf("ready %u\n", ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port));
	fflush(stdout);
	sig = evsignal_new(base, SIGTERM, on_signal, base);
	event_add(sig, NULL);
	event_base_dispatch(base);
	event_free(sig);
	evconnlistener_free(l);
	event_base_free(base);
	return 0;
}

static int
gen(unsigned long long n)
{
	unsigned char chunk[16384];
	unsigned long long off = 0;
	size_t i, k;

	while (off < n) {
		k = n - off < sizeof(chunk) ? (size_t)(n - off) : sizeof(chunk);
		for (i = 0; i < k; i++)
			chunk[i] = pattern(off + i);
		if (fwrite(chunk, 1, k, stdout) != k)
			return 1;
		off += k;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
client_connect(const char *hostport)
{
	char host[256], *colon;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	int fd;

	snprintf(host, sizeof(host), "%s", hostport);
	if ((colon = strrchr(host, ':')) == NULL)
		return -1;
	*colon = '\0';
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
		return -1;
	fd = socket(res->ai_family, SOCK_STREAM, 0);
	if (fd == -1 || connect(fd, res->ai_addr, res->ai_addrlen) == -1) {
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	return fd;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The client: full duplex with poll(2), so that an echo never deadlocks. */
static int
client(const char *hostport, int tls, double rate)
{
	char inbuf[16384], outbuf[16384];
	size_t inlen = 0, inoff = 0;
	unsigned long long got = 0;
	int fd, in_eof = 0, shut = 0, peer_eof = 0, ret;
	double t0 = now_s();
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	ssize_t n;

	if ((fd = client_connect(hostport)) == -1) {
		fprintf(stderr, "gh_backend: cannot connect to %s: %s\n",
		    hostport, strerror(errno));
		return 1;
	}
	if (tls) {
		ctx = SSL_CTX_new(TLS_client_method());
		ssl = SSL_new(ctx);
		SSL_set_fd(ssl, fd);
		SSL_set_tlsext_host_name(ssl, "localhost");
		if (SSL_connect(ssl) != 1) {
			fprintf(stderr, "gh_backend: TLS handshake failed\n");
			ERR_print_errors_fp(stderr);
			return 1;
		}
	}
	/* From here on poll(2) decides: a read must never block. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	for (;;) {
		struct pollfd pf[2] = { { fd, peer_eof ? 0 : POLLIN, 0 },
		    { 0, 0, 0 } };
		int nfd = 1;

		/* Done when both directions are: the peer may close its side
		 * first and still read what we send. */
		if (peer_eof && shut)
			break;

		if (!in_eof && inlen == inoff) {
			pf[1].fd = 0;
			pf[1].events = POLLIN;
			nfd = 2;
		}
		if (inlen > inoff)
			pf[0].events |= POLLOUT;
		if (rate > 0 && got > (now_s() - t0) * rate) {
			/* Reading too fast: wait, but keep sending. */
			pf[0].events &= ~POLLIN;
			poll(pf, (nfds_t)nfd, 10);
		} else if (!(tls && SSL_pending(ssl) > 0))
			poll(pf, (nfds_t)nfd, -1);
		if (nfd == 2 && (pf[1].revents & (POLLIN | POLLHUP))) {
			n = read(0, inbuf, sizeof(inbuf));
			if (n <= 0)
				in_eof = 1;
			else {
				inlen = (size_t)n;
				inoff = 0;
			}
		}
		if (inlen > inoff && (pf[0].revents & POLLOUT)) {
			n = tls ? SSL_write(ssl, inbuf + inoff,
			    (int)(inlen - inoff)) : write(fd, inbuf + inoff,
			    inlen - inoff);
			if (n > 0)
				inoff += (size_t)n;
			else if (!(tls ? SSL_get_error(ssl, (int)n) ==
			    SSL_ERROR_WANT_WRITE || SSL_get_error(ssl, (int)n) ==
			    SSL_ERROR_WANT_READ : errno == EAGAIN))
				return 1;
		}
		if (in_eof && inlen == inoff && !shut) {
			if (tls)
				SSL_shutdown(ssl);
			shutdown(fd, SHUT_WR);
			shut = 1;
		}
		if (!peer_eof && ((pf[0].revents & (POLLIN | POLLHUP | POLLERR)) ||
		    (tls && SSL_pending(ssl) > 0))) {
			n = tls ? SSL_read(ssl, outbuf, sizeof(outbuf)) :
			    read(fd, outbuf, sizeof(outbuf));
			if (n == 0 || (tls && n < 0 && SSL_get_error(ssl,
			    (int)n) == SSL_ERROR_ZERO_RETURN)) {
				peer_eof = 1;
				continue;
			}
			if (n < 0) {
				if (tls ? SSL_get_error(ssl, (int)n) ==
				    SSL_ERROR_WANT_READ : errno == EAGAIN)
					continue;
				fprintf(stderr, "gh_backend: read error\n");
				return 1;
			}
			got += (unsigned long long)n;
			/* Unbuffered: a test may watch the output grow. */
			if (write(STDOUT_FILENO, outbuf, (size_t)n) != n)
				return 1;
		}
	}
	ret = 0;
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return ret;
}

static void
usage(void)
{
	fprintf(stderr, "usage: gh_backend [-a ADDR] [-p PORT] [-r FILE] "
	    "echo|sink|source N|http|silent|greet\n"
	    "       gh_backend -c HOST:PORT [-t] [-s BYTES_PER_S] put\n"
	    "       gh_backend gen N\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *addr = "127.0.0.1", *connect_to = NULL;
	double rate = 0;
	int port = 0, tls = 0, ch;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "a:p:r:c:ts:")) != -1) {
		switch (ch) {
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'r': record_file = optarg; break;
		case 'c': connect_to = optarg; break;
		case 't': tls = 1; break;
		case 's': rate = atof(optarg); break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (strcmp(argv[0], "gen") == 0 && argc == 2)
		return gen(strtoull(argv[1], NULL, 10));
	if (connect_to != NULL && strcmp(argv[0], "put") == 0)
		return client(connect_to, tls, rate);
	if (strcmp(argv[0], "echo") == 0)
		mode = M_ECHO;
	else if (strcmp(argv[0], "sink") == 0)
		mode = M_SINK;
	else if (strcmp(argv[0], "source") == 0 && argc == 2) {
		mode = M_SOURCE;
		source_len = strtoull(argv[1], NULL, 10);
	} else if (strcmp(argv[0], "http") == 0)
		mode = M_HTTP;
	else if (strcmp(argv[0], "silent") == 0)
		mode = M_SILENT;
	else if (strcmp(argv[0], "greet") == 0)
		mode = M_GREET;
	else
		usage();
	return serve(addr, port);
}
