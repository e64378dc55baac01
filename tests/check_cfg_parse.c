/* Unit tests of cfg_parse.c: one TCase per public function. Every error
 * is asserted with its exact message, line number included. Certificate
 * files are temporary files: the parser only checks they can be read. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cfg.h"

static char cert_path[] = "/tmp/gh_cert_XXXXXX";
static char key_path[] = "/tmp/gh_key_XXXXXX";
static char err[1024];
static char text[4 * 65536];
static char msg[1024];

#define MIN_FE  "frontend f\n    bind 127.0.0.1:8443\n    default-backend b\n"
#define MIN_BE  "backend b\n    server s1 127.0.0.1:8080\n"
#define MIN     MIN_FE MIN_BE

/* Every keyword and every bind option. %1$s: the cert, %2$s: the key. */
static const char full_fmt[] =
    "# every keyword\n"                                         /*  1 */
    "global\n"
    "    workers 3\n"
    "    maxconn 500\n"
    "    bufsize 2048\n"                                        /*  5 */
    "    grace 5s\n"
    "    log syslog local3\n"
    "    user root\n"
    "\n"
    "defaults\n"                                                /* 10 */
    "    mode tcp\n"
    "    timeout connect 1s\n"
    "    timeout client 2m\n"
    "    timeout server 3m\n"
    "    timeout tunnel 1h\n"                                   /* 15 */
    "    timeout handshake 500ms\n"
    "\n"
    "frontend \"web front\"   # a quoted name\n"
    "    mode tcp\n"
    "    maxconn 100\n"                                         /* 20 */
    "    timeout client 30s\n"
    "    timeout tunnel 2h\n"
    "    timeout handshake 1500\n"
    "    bind 127.0.0.1:8443 tls cert %1$s key %2$s ciphers \"ECDHE+AESGCM\""
    " ciphersuites TLS_AES_128_GCM_SHA256 alpn h2,http/1.1 keepalive"
    " original-dst\n"
    "    bind [::]:8443 v6only cert %1$s cert %1$s key %2$s\n"  /* 25 */
    "    bind *:8080\n"
    "    bind localhost:8081\n"
    "    default-backend app\n"
    "\n"
    "backend app\n"                                             /* 30 */
    "    mode tcp\n"
    "    balance roundrobin\n"
    "    timeout connect 2s\n"
    "    timeout server 1d\n"
    "    timeout tunnel 90s\n"                                  /* 35 */
    "    server s1 127.0.0.1:9000\n"
    "    server \"s \\\"2\\\"\" [::1]:9001\n"
    "    server s3 localhost:9002\n"
    "\n"
    "backend unused\n"                                          /* 40 */
    "    server x 10.0.0.1:1\n";

static const char *
fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* Formats into the one static text buffer: tests are single threaded. */
static const char *
fmt(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(text, sizeof(text), f, ap);
	va_end(ap);
	return text;
}

static const char *
msgf(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* The same for an expected message, so that both can be built at once. */
static const char *
msgf(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(msg, sizeof(msg), f, ap);
	va_end(ap);
	return msg;
}

static struct cfg *
load(const char *t)
{
	err[0] = '\0';
	return cfg_load_buf("t.conf", t, strlen(t), err, sizeof(err));
}

static const char *
full_text(void)
{
	return fmt(full_fmt, cert_path, key_path);
}

/* Loads <t>, which must fail with exactly <msg>. */
#define ck_fails(t, msg) do {                                           \
	struct cfg *c_ = load(t);                                       \
	ck_assert_msg(c_ == NULL, "loaded:\n%s", (t));                  \
	ck_assert_str_eq(err, (msg));                                   \
} while (0)

/* Loads <t>, which must succeed. */
static struct cfg *
ck_loads(const char *t)
{
	struct cfg *c = load(t);

	ck_assert_msg(c != NULL, "%s\nin:\n%s", err, t);
	return c;
}

static unsigned int
ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > CFG_WORKERS_MAX ? CFG_WORKERS_MAX :
	    (unsigned int)n;
}

static unsigned int
port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)ss)->
		    sin6_port);
	return ntohs(((const struct sockaddr_in *)(const void *)ss)->sin_port);
}

static void
ck_str_or_null(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		ck_assert_ptr_eq(a, b);
	else
		ck_assert_str_eq(a, b);
}

static void
ck_timeouts_eq(const struct cfg_timeouts *a, const struct cfg_timeouts *b)
{
	ck_assert_uint_eq(a->connect, b->connect);
	ck_assert_uint_eq(a->client, b->client);
	ck_assert_uint_eq(a->server, b->server);
	ck_assert_uint_eq(a->tunnel, b->tunnel);
	ck_assert_uint_eq(a->handshake, b->handshake);
}

static void
ck_addr_eq(const struct sockaddr_storage *a, socklen_t alen,
    const struct sockaddr_storage *b, socklen_t blen)
{
	ck_assert_uint_eq(alen, blen);
	ck_assert_int_eq(memcmp(a, b, alen), 0);
}

/* Every field that a configuration file can express. */
static void
ck_cfg_eq(const struct cfg *a, const struct cfg *b)
{
	size_t i, j, k;

	ck_assert_uint_eq(a->workers, b->workers);
	ck_assert_uint_eq(a->maxconn, b->maxconn);
	ck_assert_uint_eq(a->bufsize, b->bufsize);
	ck_assert_uint_eq(a->grace, b->grace);
	ck_assert_int_eq(a->log, b->log);
	ck_assert_int_eq(a->log_facility, b->log_facility);
	ck_str_or_null(a->user, b->user);
	ck_timeouts_eq(&a->defaults, &b->defaults);
	ck_assert_int_eq(a->default_mode, b->default_mode);
	ck_assert_uint_eq(a->nfrontends, b->nfrontends);
	for (i = 0; i < a->nfrontends; i++) {
		const struct cfg_frontend *x = &a->frontends[i];
		const struct cfg_frontend *y = &b->frontends[i];

		ck_assert_str_eq(x->name, y->name);
		ck_assert_int_eq(x->mode, y->mode);
		ck_assert_uint_eq(x->maxconn, y->maxconn);
		ck_timeouts_eq(&x->timeouts, &y->timeouts);
		ck_str_or_null(x->default_backend_name,
		    y->default_backend_name);
		ck_assert_str_eq(x->default_backend->name,
		    y->default_backend->name);
		ck_assert_uint_eq(x->nbinds, y->nbinds);
		for (j = 0; j < x->nbinds; j++) {
			const struct cfg_bind *p = &x->binds[j];
			const struct cfg_bind *q = &y->binds[j];

			ck_assert_str_eq(p->text, q->text);
			ck_addr_eq(&p->addr, p->addrlen, &q->addr, q->addrlen);
			ck_assert_uint_eq(p->flags, q->flags);
			ck_str_or_null(p->tls.ciphers, q->tls.ciphers);
			ck_str_or_null(p->tls.ciphersuites, q->tls.ciphersuites);
			ck_str_or_null(p->tls.curves, q->tls.curves);
			ck_assert_uint_eq(p->tls.min_ver, q->tls.min_ver);
			ck_assert_uint_eq(p->tls.max_ver, q->tls.max_ver);
			ck_str_or_null(p->tls.ticket_keys, q->tls.ticket_keys);
			ck_str_or_null(p->tls.ticket_secret,
			    q->tls.ticket_secret);
			ck_assert_uint_eq(p->tls.ticket_period,
			    q->tls.ticket_period);
			ck_str_or_null(p->alpn, q->alpn);
			ck_assert_int_eq(p->verify, q->verify);
			ck_str_or_null(p->ca_file, q->ca_file);
			ck_str_or_null(p->crl_file, q->crl_file);
			ck_assert_uint_eq(p->ncerts, q->ncerts);
			for (k = 0; k < p->ncerts; k++) {
				ck_str_or_null(p->certs[k].cert,
				    q->certs[k].cert);
				ck_str_or_null(p->certs[k].key, q->certs[k].key);
				ck_str_or_null(p->certs[k].ocsp,
				    q->certs[k].ocsp);
			}
		}
		for (j = 0; j < CFG_NCERT_HDRS; j++)
			ck_str_or_null(x->cert_hdr[j], y->cert_hdr[j]);
		ck_assert_int_eq(x->client_certs, y->client_certs);
	}
	ck_assert_int_eq(a->ktls, b->ktls);
	ck_str_or_null(a->tls.ticket_keys, b->tls.ticket_keys);
	ck_str_or_null(a->tls.ticket_secret, b->tls.ticket_secret);
	ck_assert_uint_eq(a->tls.ticket_period, b->tls.ticket_period);
	ck_assert_uint_eq(a->nbackends, b->nbackends);
	for (i = 0; i < a->nbackends; i++) {
		const struct cfg_backend *x = &a->backends[i];
		const struct cfg_backend *y = &b->backends[i];

		ck_assert_str_eq(x->name, y->name);
		ck_assert_int_eq(x->mode, y->mode);
		ck_timeouts_eq(&x->timeouts, &y->timeouts);
		ck_assert_uint_eq(x->nservers, y->nservers);
		for (j = 0; j < x->nservers; j++) {
			ck_assert_str_eq(x->servers[j].name, y->servers[j].name);
			ck_assert_str_eq(x->servers[j].text, y->servers[j].text);
			ck_addr_eq(&x->servers[j].addr, x->servers[j].addrlen,
			    &y->servers[j].addr, y->servers[j].addrlen);
		}
	}
}

/* Dumps <c> and loads the dump back. */
static struct cfg *
reload(const struct cfg *c, char **dumped)
{
	struct cfg *d;
	size_t len;
	FILE *f;

	ck_assert_ptr_nonnull(f = open_memstream(dumped, &len));
	cfg_dump(c, f);
	ck_assert_int_eq(fclose(f), 0);
	d = cfg_load_buf("dump", *dumped, len, err, sizeof(err));
	ck_assert_msg(d != NULL, "%s in:\n%s", err, *dumped);
	return d;
}

/* ---- cfg_parse_uint ---- */

START_TEST(uint_good)
{
	unsigned int v = 7;

	ck_assert_int_eq(cfg_parse_uint("0", 0, 10, &v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(cfg_parse_uint("10", 0, 10, &v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(cfg_parse_uint("007", 1, 10, &v, err, sizeof(err)),
	    0);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(cfg_parse_uint("4294967295", 0, 4294967295u, &v, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(v, 4294967295u);
}
END_TEST

START_TEST(uint_bad)
{
	static const char *bad[] = {
		"", "-1", "+1", " 1", "1 ", "0x10", "12a", "1.0", "abc", "-0",
	};
	unsigned int v = 7;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(cfg_parse_uint(bad[i], 0, 100, &v, err,
		    sizeof(err)), -1);
		ck_assert_str_eq(err, fmt("bad number '%s'", bad[i]));
	}
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(uint_range)
{
	unsigned int v = 7;

	ck_assert_int_eq(cfg_parse_uint("0", 1, 1024, &v, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "'0' is out of range 1..1024");
	ck_assert_int_eq(cfg_parse_uint("1025", 1, 1024, &v, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "'1025' is out of range 1..1024");
	/* Past 32 bits, and past 64 bits (strtoull's ERANGE). */
	ck_assert_int_eq(cfg_parse_uint("4294967296", 0, 4294967295u, &v, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "'4294967296' is out of range 0..4294967295");
	ck_assert_int_eq(cfg_parse_uint("99999999999999999999999", 0,
	    4294967295u, &v, err, sizeof(err)), -1);
	ck_assert_uint_eq(v, 7);
}
END_TEST

/* ---- cfg_parse_duration ---- */

START_TEST(duration_good)
{
	static const struct {
		const char *s;
		unsigned int ms;
	} good[] = {
		{ "0", 0 }, { "0s", 0 }, { "500", 500 }, { "500ms", 500 },
		{ "10s", 10000 }, { "2m", 120000 }, { "1h", 3600000 },
		{ "1d", 86400000 }, { "49d", 49u * 86400000u },
		{ "4294967295", 4294967295u }, { "4294967295ms", 4294967295u },
		{ "4294967s", 4294967000u },
	};
	unsigned int ms;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = 12345;
		ck_assert_msg(cfg_parse_duration(good[i].s, &ms, err,
		    sizeof(err)) == 0, "%s: %s", good[i].s, err);
		ck_assert_uint_eq(ms, good[i].ms);
	}
}
END_TEST

START_TEST(duration_bad)
{
	static const char *bad[] = {
		"", "10x", "-1", "+1", " 1", "1 ", "s", "ms", "1.5s", "10 s",
		"1H", "1sec", "0x10", "1s1",
	};
	unsigned int ms = 12345;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(cfg_parse_duration(bad[i], &ms, err,
		    sizeof(err)), -1);
		ck_assert_str_eq(err, fmt("bad duration '%s' (a number and ms, "
		    "s, m, h or d; no unit: ms)", bad[i]));
	}
	ck_assert_uint_eq(ms, 12345);
}
END_TEST

START_TEST(duration_overflow)
{
	static const char *big[] = {
		"4294967296", "4294968s", "50d", "71583m", "1194h",
		"99999999999999999999999d", "99999999999999999999999",
	};
	unsigned int ms = 12345;
	size_t i;

	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		ck_assert_int_eq(cfg_parse_duration(big[i], &ms, err,
		    sizeof(err)), -1);
		ck_assert_str_eq(err, fmt("duration '%s' is too long (at most "
		    "49d)", big[i]));
	}
	ck_assert_uint_eq(ms, 12345);
}
END_TEST

/* ---- cfg_parse_addr ---- */

START_TEST(addr_good)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&ss;
	socklen_t len;

	ck_assert_int_eq(cfg_parse_addr("*:80", &ss, &len, 1, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ss.ss_family, AF_INET);
	ck_assert_uint_eq(len, sizeof(*sin));
	ck_assert_uint_eq(sin->sin_addr.s_addr, htonl(INADDR_ANY));
	ck_assert_uint_eq(port_of(&ss), 80);

	ck_assert_int_eq(cfg_parse_addr("10.1.2.3:65535", &ss, &len, 0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ss.ss_family, AF_INET);
	ck_assert_uint_eq(sin->sin_addr.s_addr, htonl(0x0a010203));
	ck_assert_uint_eq(port_of(&ss), 65535);

	ck_assert_int_eq(cfg_parse_addr("[::1]:443", &ss, &len, 0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	ck_assert_uint_eq(len, sizeof(*sin6));
	ck_assert(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	ck_assert_uint_eq(port_of(&ss), 443);

	ck_assert_int_eq(cfg_parse_addr("[::]:1", &ss, &len, 1, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	ck_assert(IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr));
	ck_assert_uint_eq(port_of(&ss), 1);

	ck_assert_msg(cfg_parse_addr("localhost:8080", &ss, &len, 0, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert(ss.ss_family == AF_INET || ss.ss_family == AF_INET6);
	ck_assert_uint_eq(port_of(&ss), 8080);
}
END_TEST

START_TEST(addr_bad)
{
	static const struct {
		const char *s;
		int passive;
		const char *why;
	} bad[] = {
		{ "1.2.3.4:0", 1, "bad port '0' (1..65535)" },
		{ "1.2.3.4:65536", 0, "bad port '65536' (1..65535)" },
		{ "1.2.3.4:abc", 0, "bad port 'abc' (1..65535)" },
		{ "1.2.3.4:-1", 0, "bad port '-1' (1..65535)" },
		{ "1.2.3.4:+80", 0, "bad port '+80' (1..65535)" },
		{ "1.2.3:x", 1, "bad port 'x' (1..65535)" },
		{ "1.2.3.4", 1, "missing port (ADDR:PORT)" },
		{ "1.2.3.4:", 1, "missing port (ADDR:PORT)" },
		{ "", 1, "missing port (ADDR:PORT)" },
		{ "::1:80", 0, "an IPv6 address needs brackets, e.g. "
		    "'[::1]:443'" },
		{ "::80", 1, "an IPv6 address needs brackets, e.g. "
		    "'[::1]:443'" },
		{ "[::1]", 0, "missing port (ADDR:PORT)" },
		{ "[::1", 0, "missing ']'" },
		{ "[::1]80", 0, "expected ':PORT' after ']'" },
		{ "[1.2.3.4]:80", 0, "bad IPv6 address '1.2.3.4'" },
		{ "[::g]:80", 0, "bad IPv6 address '::g'" },
		{ "[]:80", 0, "missing address" },
		{ ":80", 1, "missing address (use '*' for any)" },
		{ ":80", 0, "missing address" },
		{ "1.2.3:80", 0, "bad IPv4 address '1.2.3'" },
		{ "256.1.1.1:80", 0, "bad IPv4 address '256.1.1.1'" },
		{ "*:80", 0, "'*' is only valid for bind" },
	};
	struct sockaddr_storage ss;
	socklen_t len;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(cfg_parse_addr(bad[i].s, &ss, &len,
		    bad[i].passive, err, sizeof(err)), -1);
		ck_assert_str_eq(err, fmt("bad address '%s': %s", bad[i].s,
		    bad[i].why));
	}
}
END_TEST

/* ---- cfg_load_buf ---- */

START_TEST(load_minimal_defaults)
{
	struct cfg *c = ck_loads(MIN);
	const struct cfg_frontend *fe;
	const struct cfg_backend *be;

	ck_assert_str_eq(c->file, "t.conf");
	ck_assert_uint_eq(c->workers, ncpus());
	/* Not set: main() derives it from the open-file limit. */
	ck_assert_uint_eq(c->maxconn, 0);
	ck_assert_uint_eq(c->bufsize, CFG_DEF_BUFSIZE);
	ck_assert_uint_eq(c->grace, CFG_DEF_T_GRACE);
	ck_assert_int_eq(c->log, CFG_LOG_STDERR);
	ck_assert_int_eq(c->log_facility, LOG_DAEMON);
	ck_assert_ptr_null(c->user);
	ck_assert_int_eq(c->default_mode, CFG_MODE_TCP);
	ck_assert_uint_eq(c->defaults.connect, CFG_DEF_T_CONNECT);
	ck_assert_uint_eq(c->defaults.client, CFG_DEF_T_CLIENT);
	ck_assert_uint_eq(c->defaults.server, CFG_DEF_T_SERVER);
	ck_assert_uint_eq(c->defaults.handshake, CFG_DEF_T_HANDSHAKE);
	ck_assert_uint_eq(c->defaults.tunnel, 0);

	ck_assert_uint_eq(c->nfrontends, 1);
	fe = &c->frontends[0];
	ck_assert_str_eq(fe->name, "f");
	ck_assert_str_eq(fe->file, "t.conf");
	ck_assert_int_eq(fe->line, 1);
	ck_assert_int_eq(fe->mode, CFG_MODE_TCP);
	ck_assert_uint_eq(fe->maxconn, 0);
	ck_timeouts_eq(&fe->timeouts, &c->defaults);
	ck_assert_uint_eq(fe->nbinds, 1);
	ck_assert_str_eq(fe->binds[0].text, "127.0.0.1:8443");
	ck_assert_int_eq(fe->binds[0].line, 2);
	ck_assert_int_eq(fe->binds[0].addr.ss_family, AF_INET);
	ck_assert_uint_eq(port_of(&fe->binds[0].addr), 8443);
	ck_assert_uint_eq(fe->binds[0].flags, 0);
	ck_assert_uint_eq(fe->binds[0].ncerts, 0);
	ck_assert_ptr_eq(fe->default_backend, &c->backends[0]);

	ck_assert_uint_eq(c->nbackends, 1);
	be = &c->backends[0];
	ck_assert_str_eq(be->name, "b");
	ck_assert_int_eq(be->line, 4);
	ck_assert_int_eq(be->mode, CFG_MODE_TCP);
	ck_timeouts_eq(&be->timeouts, &c->defaults);
	ck_assert_uint_eq(be->nservers, 1);
	ck_assert_str_eq(be->servers[0].name, "s1");
	ck_assert_str_eq(be->servers[0].text, "127.0.0.1:8080");
	ck_assert_uint_eq(port_of(&be->servers[0].addr), 8080);
	cfg_free(c);
}
END_TEST

START_TEST(load_every_keyword)
{
	struct cfg *c = ck_loads(full_text());
	const struct cfg_frontend *fe = &c->frontends[0];
	const struct cfg_backend *be = &c->backends[0];
	const struct cfg_bind *b;

	ck_assert_uint_eq(c->workers, 3);
	ck_assert_uint_eq(c->maxconn, 500);
	ck_assert_uint_eq(c->bufsize, 2048);
	ck_assert_uint_eq(c->grace, 5000);
	ck_assert_int_eq(c->log, CFG_LOG_SYSLOG);
	ck_assert_int_eq(c->log_facility, LOG_LOCAL3);
	ck_assert_str_eq(c->user, "root");
	ck_assert_uint_eq(c->defaults.connect, 1000);
	ck_assert_uint_eq(c->defaults.client, 120000);
	ck_assert_uint_eq(c->defaults.server, 180000);
	ck_assert_uint_eq(c->defaults.tunnel, 3600000);
	ck_assert_uint_eq(c->defaults.handshake, 500);

	ck_assert_uint_eq(c->nfrontends, 1);
	ck_assert_str_eq(fe->name, "web front");
	ck_assert_int_eq(fe->line, 18);
	ck_assert_uint_eq(fe->maxconn, 100);
	ck_assert_uint_eq(fe->timeouts.client, 30000);
	ck_assert_uint_eq(fe->timeouts.tunnel, 7200000);
	ck_assert_uint_eq(fe->timeouts.handshake, 1500);
	ck_assert_uint_eq(fe->timeouts.connect, 1000);     /* inherited */
	ck_assert_uint_eq(fe->nbinds, 4);

	b = &fe->binds[0];
	ck_assert_int_eq(b->line, 24);
	ck_assert_uint_eq(b->flags, CFG_BIND_F_TLS | CFG_BIND_F_KEEPALIVE |
	    CFG_BIND_F_ORIGDST);
	ck_assert_uint_eq(b->ncerts, 1);
	ck_assert_str_eq(b->certs[0].cert, cert_path);
	ck_assert_str_eq(b->certs[0].key, key_path);
	ck_assert_str_eq(b->tls.ciphers, "ECDHE+AESGCM");
	ck_assert_str_eq(b->tls.ciphersuites, "TLS_AES_128_GCM_SHA256");
	ck_assert_str_eq(b->alpn, "h2,http/1.1");

	b = &fe->binds[1];
	ck_assert_str_eq(b->text, "[::]:8443");
	ck_assert_int_eq(b->addr.ss_family, AF_INET6);
	ck_assert_uint_eq(b->flags, CFG_BIND_F_TLS | CFG_BIND_F_V6ONLY);
	ck_assert_uint_eq(b->ncerts, 2);
	ck_assert_ptr_null(b->certs[0].key);
	ck_assert_str_eq(b->certs[1].key, key_path);
	ck_assert_ptr_null(b->tls.ciphers);
	ck_assert_ptr_null(b->alpn);

	ck_assert_str_eq(fe->binds[2].text, "*:8080");
	ck_assert_uint_eq(fe->binds[2].flags, 0);
	ck_assert_uint_eq(port_of(&fe->binds[3].addr), 8081);
	ck_assert_str_eq(fe->default_backend_name, "app");
	ck_assert_ptr_eq(fe->default_backend, be);

	ck_assert_uint_eq(c->nbackends, 2);
	ck_assert_str_eq(be->name, "app");
	ck_assert_uint_eq(be->timeouts.connect, 2000);
	ck_assert_uint_eq(be->timeouts.server, 86400000);
	ck_assert_uint_eq(be->timeouts.tunnel, 90000);
	ck_assert_uint_eq(be->timeouts.client, 120000);    /* inherited */
	ck_assert_uint_eq(be->nservers, 3);
	ck_assert_str_eq(be->servers[1].name, "s \"2\"");
	ck_assert_int_eq(be->servers[1].addr.ss_family, AF_INET6);
	ck_assert_str_eq(c->backends[1].name, "unused");
	ck_assert_uint_eq(c->backends[1].timeouts.tunnel, 3600000);
	cfg_free(c);
}
END_TEST

START_TEST(load_inherit_anywhere)
{
	/* "defaults" applies wherever it stands; sections may repeat. */
	struct cfg *c = ck_loads(MIN
	    "defaults\n    timeout client 7s\n    timeout tunnel 9s\n"
	    "global\n    workers 2\nglobal\n    maxconn 9\n"
	    "frontend g\n    timeout client 1s\n    bind *:1\n"
	    "    default-backend b\n");

	ck_assert_uint_eq(c->frontends[0].timeouts.client, 7000);
	ck_assert_uint_eq(c->frontends[0].timeouts.tunnel, 9000);
	ck_assert_uint_eq(c->frontends[1].timeouts.client, 1000);
	ck_assert_uint_eq(c->backends[0].timeouts.tunnel, 9000);
	ck_assert_uint_eq(c->workers, 2);
	ck_assert_uint_eq(c->maxconn, 9);
	cfg_free(c);
}
END_TEST

START_TEST(load_lexical)
{
	static const char t[] =
	    "\r\n"
	    "  # comment\r\n"
	    "frontend \"a # b\"#comment right after\r\n"
	    "\tbind\t\"127.0.0.1:1\"  # quoted address\r\n"
	    "    default-backend \"back\\\\slash\"\r\n"
	    "backend back\\slash\n"
	    "    server \"s \\\"1\\\"\" 127.0.0.1:2\n";
	struct cfg *c = ck_loads(t);

	ck_assert_str_eq(c->frontends[0].name, "a # b");
	ck_assert_int_eq(c->frontends[0].line, 3);
	ck_assert_str_eq(c->frontends[0].binds[0].text, "127.0.0.1:1");
	/* A backslash is literal outside quotes, an escape inside. */
	ck_assert_str_eq(c->backends[0].name, "back\\slash");
	ck_assert_ptr_eq(c->frontends[0].default_backend, &c->backends[0]);
	ck_assert_int_eq(c->backends[0].line, 6);
	ck_assert_str_eq(c->backends[0].servers[0].name, "s \"1\"");
	cfg_free(c);
	/* An empty quoted word is a word: here an empty name. */
	ck_fails("backend b\n    server \"\" 127.0.0.1:2\n",
	    "t.conf:2: server: empty name");
}
END_TEST

START_TEST(load_lexical_errors)
{
	char nul[] = "global\nworkers 1\0\n";

	ck_fails("global\nuser \"root\n", "t.conf:2: missing closing quote");
	ck_fails("global\nuser \"ro\\ot\"\n",
	    "t.conf:2: bad escape in quotes (only \\\" and \\\\)");
	ck_fails("global\nuser \"ro\\", "t.conf:2: bad escape in quotes (only "
	    "\\\" and \\\\)");
	ck_fails("global\nuser \"root\"x\n",
	    "t.conf:2: missing blank after closing quote");
	ck_fails("global\nuser ro\"ot\"\n",
	    "t.conf:2: unexpected quote inside a word (quote the whole word)");
	ck_assert_ptr_null(cfg_load_buf("t.conf", nul, sizeof(nul) - 1, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "t.conf:2: NUL byte in line");
}
END_TEST

START_TEST(load_line_length)
{
	struct cfg *c;
	size_t n;

	/* 65536 bytes: the longest line accepted; one more is refused. */
	memset(text, 'x', sizeof(text));
	memcpy(text, "\n# ", 3);
	n = 1 + 65536;
	memcpy(text + n, "\n" MIN, sizeof("\n" MIN));
	c = cfg_load_buf("t.conf", text, strlen(text), err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_eq(c->frontends[0].line, 3);
	cfg_free(c);

	memset(text, 'x', sizeof(text));
	memcpy(text, "\n# ", 3);
	n = 1 + 65537;
	memcpy(text + n, "\n" MIN, sizeof("\n" MIN));
	ck_fails(text, "t.conf:2: line too long (more than 65536 bytes)");

	/* No newline at all: the limit holds at the end of the buffer. */
	memset(text, 'x', 70000);
	text[70000] = '\0';
	ck_fails(text, "t.conf:1: line too long (more than 65536 bytes)");
}
END_TEST

START_TEST(load_too_many_words)
{
	size_t i, off;

	off = (size_t)snprintf(text, sizeof(text), "frontend f\nbind *:1");
	for (i = 0; i < 255; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    " keepalive");
	snprintf(text + off, sizeof(text) - off, "\n");
	ck_fails(text, "t.conf:2: too many words (at most 256)");
}
END_TEST

START_TEST(load_empty)
{
	ck_assert_ptr_null(cfg_load_buf("t.conf", "", 0, err, sizeof(err)));
	ck_assert_str_eq(err, "t.conf: no frontend defined");
	ck_fails("# nothing\n\n   \n", "t.conf: no frontend defined");
	ck_fails("global\n    workers 2\n" MIN_BE,
	    "t.conf: no frontend defined");
}
END_TEST

START_TEST(load_unknown_and_misplaced)
{
	ck_fails("global\nfronted f\n", "t.conf:2: unknown keyword 'fronted'");
	ck_fails("listen x\n", "t.conf:1: unknown keyword 'listen'");
	ck_fails("\nworkers 2\n", "t.conf:2: 'workers' before any section "
	    "(start one with global, defaults, frontend or backend)");
	ck_fails("bind *:80\n", "t.conf:1: 'bind' before any section "
	    "(start one with global, defaults, frontend or backend)");
	ck_fails(MIN_FE "    server s1 127.0.0.1:1\n",
	    "t.conf:4: 'server' is only valid in a backend");
	ck_fails(MIN_FE "    workers 2\n",
	    "t.conf:4: 'workers' is only valid in global");
	ck_fails("global\n    mode tcp\n",
	    "t.conf:2: 'mode' is only valid in defaults, a frontend or a "
	    "backend");
	ck_fails(MIN_BE "    maxconn 2\n",
	    "t.conf:3: 'maxconn' is only valid in global or a frontend");
	ck_fails("defaults\n    bind *:1\n",
	    "t.conf:2: 'bind' is only valid in a frontend");
	ck_fails("defaults\n    default-backend b\n",
	    "t.conf:2: 'default-backend' is only valid in a frontend");
	ck_fails(MIN_FE "    balance roundrobin\n",
	    "t.conf:4: 'balance' is only valid in a backend");
	ck_fails("global\n    timeout client 1s\n",
	    "t.conf:2: 'timeout' is only valid in defaults, a frontend or a "
	    "backend");
	ck_fails(MIN_FE "    timeout connect 1s\n",
	    "t.conf:4: timeout 'connect' is only valid in defaults or a "
	    "backend");
	ck_fails(MIN_FE "    timeout server 1s\n",
	    "t.conf:4: timeout 'server' is only valid in defaults or a "
	    "backend");
	ck_fails(MIN_BE "    timeout client 1s\n",
	    "t.conf:3: timeout 'client' is only valid in defaults or a "
	    "frontend");
	ck_fails(MIN_BE "    timeout handshake 1s\n",
	    "t.conf:3: timeout 'handshake' is only valid in defaults or a "
	    "frontend");
	ck_fails("defaults\n    timeout idle 1s\n", "t.conf:2: unknown "
	    "timeout 'idle' (connect, client, server, tunnel, handshake, "
	    "http-request, http-keep-alive, server-idle or queue)");
	/* A typo of the last one added: the list names it too. */
	ck_fails("defaults\n    timeout queu 1s\n", "t.conf:2: unknown "
	    "timeout 'queu' (connect, client, server, tunnel, handshake, "
	    "http-request, http-keep-alive, server-idle or queue)");
}
END_TEST

START_TEST(load_arg_counts)
{
	ck_fails("global 1\n", "t.conf:1: extra argument '1': usage is "
	    "'global'");
	ck_fails("defaults x\n", "t.conf:1: extra argument 'x': usage is "
	    "'defaults'");
	ck_fails("frontend\n", "t.conf:1: missing argument: usage is "
	    "'frontend NAME'");
	ck_fails("frontend a b\n", "t.conf:1: extra argument 'b': usage is "
	    "'frontend NAME'");
	ck_fails("backend\n", "t.conf:1: missing argument: usage is "
	    "'backend NAME'");
	ck_fails("global\n    workers\n", "t.conf:2: missing argument: usage "
	    "is 'workers N'");
	ck_fails("global\n    workers 1 2\n", "t.conf:2: extra argument '2': "
	    "usage is 'workers N'");
	ck_fails("global\n    log\n", "t.conf:2: missing argument: usage is "
	    "'log stderr | log syslog [FACILITY] | log none'");
	ck_fails("global\n    log syslog daemon x\n", "t.conf:2: extra "
	    "argument 'x': usage is 'log stderr | log syslog [FACILITY] | "
	    "log none'");
	ck_fails("global\n    user\n", "t.conf:2: missing argument: usage is "
	    "'user NAME'");
	ck_fails("defaults\n    timeout client\n", "t.conf:2: missing "
	    "argument: usage is 'timeout NAME DURATION'");
	ck_fails("defaults\n    timeout client 1s 2s\n", "t.conf:2: extra "
	    "argument '2s': usage is 'timeout NAME DURATION'");
	ck_fails("defaults\n    mode\n", "t.conf:2: missing argument: usage "
	    "is 'mode tcp|http'");
	ck_fails("frontend f\n    bind\n", "t.conf:2: missing argument: "
	    "usage is 'bind ADDR:PORT [OPTION]...'");
	ck_fails("frontend f\n    default-backend\n", "t.conf:2: missing "
	    "argument: usage is 'default-backend NAME'");
	ck_fails("backend b\n    balance\n", "t.conf:2: missing argument: "
	    "usage is 'balance roundrobin|leastconn|source|uri|hdr(NAME)|"
	    "random'");
	ck_fails("backend b\n    server s1\n", "t.conf:2: missing argument: "
	    "usage is 'server NAME ADDR:PORT [OPTION]...'");
	ck_fails("backend b\n    server s1 1.1.1.1:1 x\n", "t.conf:2: server: "
	    "unknown option 'x'");
}
END_TEST

START_TEST(load_bad_values)
{
	ck_fails("global\n    workers abc\n",
	    "t.conf:2: workers: bad number 'abc'");
	ck_fails("global\n    workers 0\n",
	    "t.conf:2: workers: '0' is out of range 1..1024");
	ck_fails("global\n    workers 1025\n",
	    "t.conf:2: workers: '1025' is out of range 1..1024");
	ck_fails("global\n    workers -1\n",
	    "t.conf:2: workers: bad number '-1'");
	ck_fails("global\n    maxconn 10000001\n",
	    "t.conf:2: maxconn: '10000001' is out of range 1..10000000");
	ck_fails("frontend f\n    maxconn 0\n",
	    "t.conf:2: maxconn: '0' is out of range 1..10000000");
	ck_fails("global\n    bufsize 1023\n",
	    "t.conf:2: bufsize: '1023' is out of range 1024..1048576");
	ck_fails("global\n    bufsize 1048577\n",
	    "t.conf:2: bufsize: '1048577' is out of range 1024..1048576");
	ck_fails("global\n    grace 0\n", "t.conf:2: grace: must be more "
	    "than 0");
	ck_fails("global\n    grace -1\n", "t.conf:2: grace: bad duration "
	    "'-1' (a number and ms, s, m, h or d; no unit: ms)");
	ck_fails("defaults\n    timeout client 10x\n", "t.conf:2: timeout "
	    "client: bad duration '10x' (a number and ms, s, m, h or d; no "
	    "unit: ms)");
	ck_fails("backend b\n    timeout server 0s\n", "t.conf:2: timeout "
	    "server: must be more than 0");
	ck_fails("defaults\n    timeout tunnel 50d\n", "t.conf:2: timeout "
	    "tunnel: duration '50d' is too long (at most 49d)");
	ck_fails("global\n    log file\n", "t.conf:2: log: expected stderr, "
	    "syslog or none, got 'file'");
	ck_fails("global\n    log syslog local8\n", "t.conf:2: log: unknown "
	    "facility 'local8' (daemon, user or local0..local7)");
	ck_fails("global\n    log stderr daemon\n", "t.conf:2: log: extra "
	    "argument 'daemon' (only syslog takes a facility)");
	ck_fails("global\n    user no_such_user_gh\n", "t.conf:2: user: no "
	    "such user 'no_such_user_gh'");
	ck_fails("defaults\n    mode ftp\n", "t.conf:2: mode: expected tcp "
	    "or http, got 'ftp'");
	ck_fails("backend b\n    balance fastest\n", "t.conf:2: balance: "
	    "unknown algorithm 'fastest' (roundrobin, leastconn, source, "
	    "uri, hdr(NAME), random)");
	ck_fails("frontend f\n    bind 1.2.3.4:0\n", "t.conf:2: bind: bad "
	    "address '1.2.3.4:0': bad port '0' (1..65535)");
	ck_fails("frontend f\n    bind *:65536\n", "t.conf:2: bind: bad "
	    "address '*:65536': bad port '65536' (1..65535)");
	ck_fails("frontend f\n    bind 1.2.3.4\n", "t.conf:2: bind: bad "
	    "address '1.2.3.4': missing port (ADDR:PORT)");
	ck_fails("frontend f\n    bind :::80\n", "t.conf:2: bind: bad address "
	    "':::80': an IPv6 address needs brackets, e.g. '[::1]:443'");
	ck_fails("backend b\n    server s1 *:80\n", "t.conf:2: server: bad "
	    "address '*:80': '*' is only valid for bind");
	ck_fails("backend b\n    server s1 ::1:80\n", "t.conf:2: server: bad "
	    "address '::1:80': an IPv6 address needs brackets, e.g. "
	    "'[::1]:443'");
	ck_fails("frontend \"\"\n", "t.conf:1: frontend: empty name");
	ck_fails("backend \"\"\n", "t.conf:1: backend: empty name");
}
END_TEST

START_TEST(load_bind_options)
{
	ck_fails("frontend f\n    bind *:1 tls foo\n",
	    "t.conf:2: bind: unknown option 'foo'");
	ck_fails("frontend f\n    bind *:1 cert\n",
	    "t.conf:2: bind: 'cert' needs an argument");
	ck_fails("frontend f\n    bind *:1 tls alpn\n",
	    "t.conf:2: bind: 'alpn' needs an argument");
	ck_fails("frontend f\n    bind *:1 key k.pem\n",
	    "t.conf:2: bind: 'key' must follow a 'cert'");
	ck_fails("frontend f\n    bind *:1 cert c key k key k2\n",
	    "t.conf:2: bind: second 'key' for cert 'c'");
	ck_fails("frontend f\n    bind *:1 alpn h2\n",
	    "t.conf:2: bind: 'alpn' needs a tls bind");
	ck_fails("frontend f\n    bind *:1 ciphers X\n",
	    "t.conf:2: bind: 'ciphers' needs a tls bind");
	ck_fails("frontend f\n    bind *:1 ciphersuites X\n",
	    "t.conf:2: bind: 'ciphersuites' needs a tls bind");
	ck_fails("frontend f\n    bind *:1 v6only\n",
	    "t.conf:2: bind: 'v6only' needs an IPv6 address");
}
END_TEST

START_TEST(load_duplicates)
{
	ck_fails(MIN "frontend f\n", "t.conf:6: duplicate frontend 'f' (first "
	    "declared at line 1)");
	ck_fails(MIN "backend b\n", "t.conf:6: duplicate backend 'b' (first "
	    "declared at line 4)");
	ck_fails(MIN "    server s1 127.0.0.1:2\n", "t.conf:6: duplicate "
	    "server 's1' in backend 'b'");
}
END_TEST

/* Two binds on one address, after resolution: reported at the second
 * with the position of the first. */
START_TEST(load_duplicate_addresses)
{
	struct cfg *c;

	ck_fails(MIN_FE "frontend g\n    bind 127.0.0.1:8443\n    "
	    "default-backend b\n" MIN_BE, "t.conf:5: bind 127.0.0.1:8443: "
	    "address already used by t.conf:2");
	ck_fails("frontend f\n    bind *:443\n    bind 0.0.0.0:443\n    "
	    "default-backend b\n" MIN_BE, "t.conf:3: bind 0.0.0.0:443: "
	    "address already used by t.conf:2");
	/* A wildcard takes every address of its family on its port. */
	ck_fails("frontend f\n    bind 127.0.0.1:443\n    bind *:443\n    "
	    "default-backend b\n" MIN_BE, "t.conf:3: bind *:443: address "
	    "already used by t.conf:2");
	ck_fails("frontend f\n    bind [::]:443 v6only\n    bind [::1]:443\n"
	    "    default-backend b\n" MIN_BE, "t.conf:3: bind [::1]:443: "
	    "address already used by t.conf:2");
	/* A dual-stack [::] takes the IPv4 ones too, unless v6only. */
	ck_fails("frontend f\n    bind 0.0.0.0:443\n    bind [::]:443\n    "
	    "default-backend b\n" MIN_BE, "t.conf:3: bind [::]:443: address "
	    "already used by t.conf:2");
	ck_fails("frontend f\n    bind [::]:443\n    bind 127.0.0.1:443\n    "
	    "default-backend b\n" MIN_BE, "t.conf:3: bind 127.0.0.1:443: "
	    "address already used by t.conf:2");
	ck_fails("frontend f\n    bind [::ffff:127.0.0.1]:443\n    bind "
	    "127.0.0.1:443\n    default-backend b\n" MIN_BE, "t.conf:3: bind "
	    "127.0.0.1:443: address already used by t.conf:2");
	ck_fails(MIN_FE "frontend g\n    bind localhost:8443\n    "
	    "default-backend b\n" MIN_BE, "t.conf:5: bind localhost:8443: "
	    "address already used by t.conf:2");

	c = ck_loads("frontend f\n    bind 0.0.0.0:443\n    bind [::]:443 "
	    "v6only\n    bind 127.0.0.1:444\n    bind 127.0.0.2:444\n    "
	    "bind [::1]:444\n    default-backend b\nfrontend g\n    bind "
	    "127.0.0.1:445\n    default-backend b\n" MIN_BE);
	cfg_free(c);
}
END_TEST

/* Keywords that only mode http uses: a warning each in mode tcp, in the
 * order of the file, and the file still loads. */
START_TEST(load_mode_warnings)
{
	static const char tcp[] =
	    "frontend f\n"                                     /* 1 */
	    "    bind 127.0.0.1:8443\n"
	    "    timeout http-request 5s\n"
	    "    timeout http-keep-alive 1s\n"
	    "    default-backend b\n"                          /* 5 */
	    "backend b\n"
	    "    keepalive-pool 4\n"
	    "    timeout server-idle 2s\n"
	    "    server s1 127.0.0.1:8080\n";
	struct cfg *c, *d;
	char *dumped;

	c = ck_loads(tcp);
	ck_assert_uint_eq(c->nwarnings, 4);
	ck_assert_str_eq(c->warnings[0], "t.conf:3: warning: timeout "
	    "http-request has no effect in mode tcp");
	ck_assert_str_eq(c->warnings[1], "t.conf:4: warning: timeout "
	    "http-keep-alive has no effect in mode tcp");
	ck_assert_str_eq(c->warnings[2], "t.conf:7: warning: keepalive-pool "
	    "has no effect in mode tcp");
	ck_assert_str_eq(c->warnings[3], "t.conf:8: warning: timeout "
	    "server-idle has no effect in mode tcp");
	/* Finishing again finds the same, not twice as many. */
	ck_assert_int_eq(cfg_finish(c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c->nwarnings, 4);
	cfg_free(c);

	/* The mode may come from defaults, after the sections. */
	c = ck_loads(fmt("%sdefaults\n    mode http\n", tcp));
	ck_assert_uint_eq(c->nwarnings, 0);
	cfg_free(c);
	c = ck_loads(MIN);
	ck_assert_uint_eq(c->nwarnings, 0);
	/* A dump of mode tcp sections writes none of them back (defaults
	 * keeps its timeouts, for the sections of either mode). */
	d = reload(c, &dumped);
	ck_assert_uint_eq(d->nwarnings, 0);
	ck_assert_ptr_null(strstr(dumped, "keepalive-pool"));
	ck_assert_ptr_nonnull(strstr(dumped, "\nfrontend f\n    mode tcp\n    "
	    "timeout client 1m\n    timeout handshake 10s\n    bind"));
	free(dumped);
	cfg_free(d);
	cfg_free(c);
}
END_TEST

START_TEST(load_cross_references)
{
	/* Each points at the statement that declared the culprit. */
	/* An unknown backend is reported where it is named. */
	ck_fails("frontend f\n    bind *:1\n\n    default-backend nope\n"
	    MIN_BE, "t.conf:4: frontend 'f': unknown backend 'nope'");
	ck_fails(MIN_BE "\nfrontend f\n    default-backend b\n",
	    "t.conf:4: frontend 'f' has no bind");
	ck_fails(MIN_BE "frontend f\n    bind *:1\n",
	    "t.conf:3: frontend 'f' has no default-backend");
	ck_fails(MIN "backend empty\n    balance roundrobin\n",
	    "t.conf:6: backend 'empty' has no server");
	ck_fails("frontend f\n    bind *:1\n    bind *:2 tls\n"
	    "    default-backend b\n" MIN_BE,
	    "t.conf:3: bind '*:2': tls needs at least one cert");
	ck_fails("frontend f\n    bind *:1\n    bind *:2 cert /nonexistent/c\n"
	    "    default-backend b\n" MIN_BE, "t.conf:3: bind '*:2': cannot "
	    "read cert '/nonexistent/c': No such file or directory");
	ck_fails(fmt("frontend f\n    bind *:2 cert %s key /nonexistent/k\n"
	    "    default-backend b\n" MIN_BE, cert_path), msgf("t.conf:2: bind "
	    "'*:2': cannot read key '/nonexistent/k': No such file or "
	    "directory"));
}
END_TEST

START_TEST(load_modes)
{
	struct cfg *c;

	/* An explicit tcp wins over defaults; mismatch before "http". */
	c = ck_loads("defaults\n    mode http\n" MIN_FE "    mode tcp\n"
	    MIN_BE "    mode tcp\n");
	ck_assert_int_eq(c->default_mode, CFG_MODE_HTTP);
	ck_assert_int_eq(c->frontends[0].mode, CFG_MODE_TCP);
	cfg_free(c);
	ck_fails(MIN_FE "    mode http\n" MIN_BE, "t.conf:1: frontend 'f' is "
	    "mode http but its backend 'b' is mode tcp");
	ck_fails(MIN_FE MIN_BE "    mode http\n", "t.conf:1: frontend 'f' is "
	    "mode tcp but its backend 'b' is mode http");
	cfg_free(ck_loads(MIN_FE "    mode http\n" MIN_BE "    mode http\n"));
	cfg_free(ck_loads(MIN "defaults\n    mode http\n"));
}
END_TEST

START_TEST(load_last_wins)
{
	struct cfg *c = ck_loads("global\n    log syslog local1\n    log "
	    "stderr\n    workers 4\n    workers 5\n" MIN);

	ck_assert_int_eq(c->log, CFG_LOG_STDERR);
	ck_assert_int_eq(c->log_facility, LOG_DAEMON);
	ck_assert_uint_eq(c->workers, 5);
	cfg_free(c);
	c = ck_loads("global\n    log none\n" MIN);
	ck_assert_int_eq(c->log, CFG_LOG_NONE);
	cfg_free(c);
	c = ck_loads("global\n    log syslog\n" MIN);
	ck_assert_int_eq(c->log, CFG_LOG_SYSLOG);
	ck_assert_int_eq(c->log_facility, LOG_DAEMON);
	cfg_free(c);
}
END_TEST

/* ---- cfg_load_file ---- */

START_TEST(file_good_and_bad)
{
	char path[] = "/tmp/gh_conf_XXXXXX";
	struct cfg *c;
	FILE *f;
	int fd;

	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	fputs(full_text(), f);
	ck_assert_int_eq(fclose(f), 0);
	c = cfg_load_file(path, err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->file, path);
	ck_assert_str_eq(c->frontends[0].file, path);
	ck_assert_uint_eq(c->frontends[0].nbinds, 4);
	cfg_free(c);

	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("global\n\n    wrkers 2\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_null(cfg_load_file(path, err, sizeof(err)));
	ck_assert_str_eq(err, fmt("%s:3: unknown keyword 'wrkers'", path));

	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_null(cfg_load_file(path, err, sizeof(err)));
	ck_assert_str_eq(err, fmt("%s: no frontend defined", path));
	unlink(path);
}
END_TEST

START_TEST(file_cannot_open)
{
	ck_assert_ptr_null(cfg_load_file("/nonexistent/gh.conf", err,
	    sizeof(err)));
	ck_assert_str_eq(err, "/nonexistent/gh.conf: cannot open: No such "
	    "file or directory");
	ck_assert_ptr_null(cfg_load_file("/tmp", err, sizeof(err)));
	ck_assert_str_eq(err, "/tmp: cannot read: Is a directory");
}
END_TEST

START_TEST(file_small_err)
{
	char small[8];

	/* A short buffer truncates the message, never overflows. */
	ck_assert_ptr_null(cfg_load_file("/nonexistent/gh.conf", small,
	    sizeof(small)));
	ck_assert_str_eq(small, "/nonexi");
	ck_assert_ptr_null(cfg_load_file("/nonexistent/gh.conf", small, 0));
}
END_TEST

/* ---- cfg_finish ---- */

/* A configuration built by hand, as cli.c does: line 0, no file. */
static struct cfg *
hand_built(void)
{
	struct cfg *c = calloc(1, sizeof(*c));

	ck_assert_ptr_nonnull(c);
	c->file = strdup("(hand)");
	c->frontends = calloc(1, sizeof(*c->frontends));
	c->nfrontends = 1;
	c->frontends->file = c->file;
	c->frontends->name = strdup("main");
	c->frontends->default_backend_name = strdup("main");
	c->frontends->binds = calloc(1, sizeof(*c->frontends->binds));
	c->frontends->nbinds = 1;
	c->frontends->binds->file = c->file;
	c->frontends->binds->text = strdup("*:1");
	c->backends = calloc(1, sizeof(*c->backends));
	c->nbackends = 1;
	c->backends->file = c->file;
	c->backends->name = strdup("main");
	c->backends->servers = calloc(1, sizeof(*c->backends->servers));
	c->backends->nservers = 1;
	c->backends->servers->name = strdup("s1");
	c->backends->servers->text = strdup("1.1.1.1:1");
	return c;
}

START_TEST(finish_defaults)
{
	struct cfg *c = hand_built();

	c->default_mode = CFG_MODE_TCP;
	c->frontends->timeouts.client = 5;
	ck_assert_int_eq(cfg_finish(c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c->workers, ncpus());
	ck_assert_uint_eq(c->maxconn, 0);
	ck_assert_uint_eq(c->bufsize, CFG_DEF_BUFSIZE);
	ck_assert_uint_eq(c->grace, CFG_DEF_T_GRACE);
	ck_assert_int_eq(c->log_facility, LOG_DAEMON);
	ck_assert_uint_eq(c->frontends->timeouts.client, 5);
	ck_assert_uint_eq(c->frontends->timeouts.handshake,
	    CFG_DEF_T_HANDSHAKE);
	ck_assert_uint_eq(c->backends->timeouts.connect, CFG_DEF_T_CONNECT);
	ck_assert_uint_eq(c->backends->timeouts.server, CFG_DEF_T_SERVER);
	ck_assert_uint_eq(c->backends->timeouts.tunnel, 0);
	ck_assert_ptr_eq(c->frontends->default_backend, c->backends);
	/* A second pass changes nothing. */
	ck_assert_int_eq(cfg_finish(c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c->frontends->timeouts.client, 5);
	cfg_free(c);
}
END_TEST

START_TEST(finish_keeps_set_values)
{
	struct cfg *c = hand_built();

	c->workers = 7;
	c->grace = 1;
	c->log_facility = LOG_LOCAL0;
	c->defaults.tunnel = 3;
	ck_assert_int_eq(cfg_finish(c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c->workers, 7);
	ck_assert_uint_eq(c->grace, 1);
	ck_assert_int_eq(c->log_facility, LOG_LOCAL0);
	ck_assert_uint_eq(c->frontends->timeouts.tunnel, 3);
	ck_assert_uint_eq(c->backends->timeouts.tunnel, 3);
	cfg_free(c);
}
END_TEST

START_TEST(finish_errors_without_line)
{
	struct cfg *c = hand_built();

	c->frontends->binds->flags = CFG_BIND_F_TLS;
	ck_assert_int_eq(cfg_finish(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "(hand): bind '*:1': tls needs at least one "
	    "cert");
	c->frontends->binds->flags = 0;
	c->bufsize = 2048;
	c->http_reserve = 1025;
	ck_assert_int_eq(cfg_finish(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "(hand): http-rewrite-reserve 1025 is more than "
	    "half of bufsize 2048");
	c->http_reserve = 1024;
	free(c->frontends->default_backend_name);
	c->frontends->default_backend_name = strdup("other");
	ck_assert_int_eq(cfg_finish(c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "(hand): frontend 'main': unknown backend "
	    "'other'");
	cfg_free(c);
}
END_TEST

/* ---- mode http ---- */

#define HTTP_BE "backend b\n    mode http\n    server s1 127.0.0.1:8080\n"
#define HTTP_FE "frontend f\n    mode http\n    bind 127.0.0.1:80\n"

static const char http_fmt[] =
    "global\n"
    "    http-max-line 4096\n"
    "    http-max-headers 50\n"
    "    http-rewrite-reserve 2048\n"
    "defaults\n"
    "    mode http\n"
    "    timeout http-request 5s\n"
    "    timeout http-keep-alive 2s\n"
    "    timeout server-idle 3s\n"
    "frontend f\n"
    "    bind 127.0.0.1:80\n"
    "    http-request deny if path-prefix /admin\n"
    "    redirect https code 308 if !tls\n"
    "    http-request set-header X-Who \"gate house\" unless header X-A b\n"
    "    http-request del-header Cookie2\n"
    "    http-request add-header X-B c if method POST\n"
    "    http-response set-header Server gh\n"
    "    http-response del-header X-Powered-By\n"
    "    use-backend api if host-suffix .api.example\n"
    "    use-backend api if ! path /v1\n"
    "    use-backend b if header X-Debug\n"
    "    errorfile 503 %1$s\n"
    "    hsts 31536000 include-subdomains preload\n"
    "    option forwarded\n"
    "    max-body-size 10m\n"
    "    log-format \"$client $status $request $why\"\n"
    "    access-log off\n"
    "backend b\n"
    "    keepalive-pool 0\n"
    "    server s1 127.0.0.1:8080\n"
    "backend api\n"
    "    server a1 127.0.0.1:9000\n";

START_TEST(http_every_keyword)
{
	struct cfg *c = ck_loads(fmt(http_fmt, cert_path)), *d, *e;
	const struct cfg_frontend *fe = c->frontends;
	char *dumped, *again;

	ck_assert_uint_eq(c->http_max_line, 4096);
	ck_assert_uint_eq(c->http_max_headers, 50);
	ck_assert_uint_eq(c->http_reserve, 2048);
	ck_assert_uint_eq(fe->timeouts.http_request, 5000);
	ck_assert_uint_eq(fe->timeouts.http_keepalive, 2000);
	ck_assert_uint_eq(c->backends[0].timeouts.server_idle, 3000);
	ck_assert_uint_eq(c->backends[0].keepalive_pool, 0);
	ck_assert_uint_eq(c->backends[1].keepalive_pool,
	    CFG_DEF_KEEPALIVE_POOL);
	ck_assert_uint_eq(fe->nreq_rules, 5);
	ck_assert_int_eq(fe->req_rules[0].act, CFG_RULE_DENY);
	ck_assert_int_eq(fe->req_rules[0].cond.kind, CFG_COND_PATH_PREFIX);
	ck_assert_int_eq(fe->req_rules[1].act, CFG_RULE_REDIRECT);
	ck_assert_uint_eq(fe->req_rules[1].code, 308);
	ck_assert_int_eq(fe->req_rules[1].cond.kind, CFG_COND_TLS);
	ck_assert_int_eq(fe->req_rules[1].cond.neg, 1);
	ck_assert_str_eq(fe->req_rules[2].value, "gate house");
	ck_assert_int_eq(fe->req_rules[2].cond.neg, 1);
	ck_assert_str_eq(fe->req_rules[2].cond.arg2, "b");
	ck_assert_int_eq(fe->req_rules[3].act, CFG_RULE_DEL);
	ck_assert_uint_eq(fe->nres_rules, 2);
	ck_assert_uint_eq(fe->nroutes, 3);
	ck_assert_ptr_eq(fe->routes[0].backend, &c->backends[1]);
	ck_assert_int_eq(fe->routes[1].cond.neg, 1);
	ck_assert_ptr_null(fe->routes[2].cond.arg2);
	ck_assert_uint_eq(fe->errorfiles[0].len, 0);
	ck_assert_str_eq(fe->hsts, "max-age=31536000; includeSubDomains; "
	    "preload");
	ck_assert_int_eq(fe->forwarded, 1);
	ck_assert_uint_eq(fe->max_body, 10 * 1048576);
	ck_assert_int_eq(fe->access_log_off, 1);
	/* No default-backend: what no route takes gets 404. */
	ck_assert_ptr_null(fe->default_backend);

	d = reload(c, &dumped);
	e = reload(d, &again);
	ck_assert_str_eq(dumped, again);
	ck_assert_ptr_nonnull(strstr(dumped, "    http-request redirect https "
	    "code 308 if !tls\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "    hsts 31536000 "
	    "include-subdomains preload\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "    access-log off\n"));
	free(dumped);
	free(again);
	cfg_free(e);
	cfg_free(d);
	cfg_free(c);
}
END_TEST

START_TEST(http_errors)
{
	ck_fails(HTTP_FE "    use-backend b\n" HTTP_BE, "t.conf:4: "
	    "use-backend: missing condition: usage is 'use-backend NAME "
	    "if|unless COND' (use default-backend for the rest)");
	ck_fails(HTTP_FE "    use-backend b if moon\n" HTTP_BE, "t.conf:4: "
	    "use-backend: unknown condition 'moon' (host, host-suffix, path, "
	    "path-prefix, header, method or tls)");
	ck_fails(HTTP_FE "    use-backend b if host\n" HTTP_BE, "t.conf:4: "
	    "use-backend: condition 'host' takes one argument");
	ck_fails(HTTP_FE "    use-backend b when tls\n" HTTP_BE, "t.conf:4: "
	    "use-backend: unexpected 'when' (expected if or unless)");
	ck_fails(HTTP_FE "    use-backend c if tls\n" HTTP_BE, "t.conf:4: "
	    "frontend 'f': unknown backend 'c'");
	ck_fails(HTTP_FE "    http-request frob\n" HTTP_BE, "t.conf:4: "
	    "http-request: unknown action 'frob' (add-header, set-header, "
	    "del-header, deny or redirect)");
	ck_fails(HTTP_FE "    http-response add-header X\n" HTTP_BE,
	    "t.conf:4: http-response add-header: usage is 'http-response "
	    "add-header NAME VALUE'");
	ck_fails(HTTP_FE "    http-response del-header X if tls\n" HTTP_BE,
	    "t.conf:4: http-response: unexpected 'if' (response rules take "
	    "no condition)");
	ck_fails(HTTP_FE "    http-request add-header \"X Y\" 1\n" HTTP_BE,
	    "t.conf:4: http-request: bad field name 'X Y'");
	ck_fails(HTTP_FE "    redirect https code 303\n" HTTP_BE, "t.conf:4: "
	    "redirect: code must be 301, 302, 307 or 308");
	ck_fails(HTTP_FE "    redirect http\n" HTTP_BE, "t.conf:4: redirect: "
	    "usage is 'redirect https [code 301|302|307|308] [if|unless "
	    "COND]'");
	ck_fails(HTTP_FE "    hsts 10 forever\n" HTTP_BE, "t.conf:4: hsts: "
	    "unknown option 'forever' (include-subdomains or preload)");
	ck_fails(HTTP_FE "    option httplog\n" HTTP_BE, "t.conf:4: option: "
	    "unknown option 'httplog' (forwarded)");
	ck_fails(HTTP_FE "    errorfile 200 /x\n" HTTP_BE, "t.conf:4: "
	    "errorfile: gatehouse never answers 200 (400, 403, 404, 408, 413, "
	    "414, 431, 501, 502, 503, 504 or 505)");
	/* 500 is in the reasons table, but no error path writes it. */
	ck_fails(HTTP_FE "    errorfile 500 /x\n" HTTP_BE, "t.conf:4: "
	    "errorfile: gatehouse never answers 500 (400, 403, 404, 408, 413, "
	    "414, 431, 501, 502, 503, 504 or 505)");
	ck_fails(HTTP_FE "    errorfile 503 /nonexistent/x\n    "
	    "default-backend b\n" HTTP_BE, "t.conf:1: frontend 'f': errorfile "
	    "503: /nonexistent/x: cannot open: No such file or directory");
	ck_fails(HTTP_FE "    max-body-size 0\n" HTTP_BE, "t.conf:4: "
	    "max-body-size: expected a size above 0 (with k, m or g), got '0'");
	ck_fails(HTTP_FE "    max-body-size 1t\n" HTTP_BE, "t.conf:4: "
	    "max-body-size: expected a size above 0 (with k, m or g), got "
	    "'1t'");
	ck_fails(HTTP_FE "    log-format \"$client $nope\"\n" HTTP_BE,
	    "t.conf:4: log-format: unknown variable '$nope'");
	ck_fails(HTTP_FE "    access-log no\n" HTTP_BE,
	    "t.conf:4: access-log: expected on or off, got 'no'");
	ck_fails(HTTP_FE "    default-backend b\n" HTTP_BE "    "
	    "keepalive-pool -1\n", "t.conf:8: keepalive-pool: bad number "
	    "'-1'");
	ck_fails(HTTP_FE HTTP_BE, "t.conf:1: frontend 'f' has no "
	    "default-backend");
	ck_fails(MIN_FE "    hsts 1\n" MIN_BE, "t.conf:1: frontend 'f': "
	    "'hsts' needs mode http");
	ck_fails(MIN_FE "    use-backend b if tls\n" MIN_BE, "t.conf:1: "
	    "frontend 'f': 'use-backend' needs mode http");
	ck_fails("global\n    http-max-headers 129\n" MIN, "t.conf:2: "
	    "http-max-headers: '129' is out of range 1..128");
	ck_fails(fmt("frontend f\n    mode http\n    bind 127.0.0.1:1 cert %s "
	    "alpn http/1.1,h2\n    default-backend b\n" HTTP_BE, cert_path),
	    "t.conf:3: bind '127.0.0.1:1': alpn offers h2, but mode http "
	    "speaks HTTP/1.x only");
	cfg_free(ck_loads(fmt("frontend f\n    mode http\n    bind 127.0.0.1:1 "
	    "cert %s alpn h2c,http/1.1\n    default-backend b\n" HTTP_BE,
	    cert_path)));
}
END_TEST

/* ---- client certificates, OCSP, ticket keys, kTLS ---- */

/* %1$s: a readable file (cert, CA, CRL, OCSP response, ticket keys). */
static const char cc_fmt[] =
    "global\n"
    "    tls-ticket-secret %1$s\n"
    "    tls-ticket-period 2h\n"
    "    ktls off\n"
    "frontend f\n"                                              /*  5 */
    "    mode http\n"
    "    bind 127.0.0.1:443 cert %1$s ocsp-response %1$s cert %1$s "
    "verify optional ca-file %1$s\n"
    "    bind 127.0.0.1:444 cert %1$s verify required ca-file %1$s "
    "crl-file %1$s tls-ticket-period 90s\n"
    "    bind 127.0.0.1:80\n"
    "    client-cert-header verify X-Client-Ok\n"               /* 10 */
    "    client-cert-header sha256 \"X-Cert-Hash\"\n"
    "    default-backend b\n"
    "frontend t\n"
    "    bind 127.0.0.1:446 cert %1$s verify required ca-file %1$s\n"
    "    default-backend t\n"                                   /* 15 */
    "backend b\n"
    "    mode http\n"
    "    server s 127.0.0.1:8080\n"
    "backend t\n"
    "    server s 127.0.0.1:9000 send-proxy-v2\n";

START_TEST(client_cert_every_option)
{
	struct cfg *c, *d, *e;
	const struct cfg_frontend *fe;
	const struct cfg_bind *b;
	char *dumped, *again, want[1024];

	c = ck_loads(fmt(cc_fmt, cert_path));
	ck_assert_int_eq(c->ktls, CFG_KTLS_OFF);
	ck_assert_str_eq(c->tls.ticket_secret, cert_path);
	ck_assert_uint_eq(c->tls.ticket_period, 7200000);
	fe = &c->frontends[0];
	ck_assert_int_eq(fe->client_certs, 1);
	ck_assert_str_eq(fe->cert_hdr[CFG_CH_VERIFY], "X-Client-Ok");
	ck_assert_str_eq(fe->cert_hdr[CFG_CH_SHA256], "X-Cert-Hash");
	ck_assert_ptr_null(fe->cert_hdr[CFG_CH_SUBJECT]);
	ck_assert_ptr_null(fe->cert_hdr[CFG_CH_ISSUER]);
	ck_assert_ptr_null(fe->cert_hdr[CFG_CH_SERIAL]);
	ck_assert_str_eq(cfg_cert_hdr_defaults[CFG_CH_SUBJECT],
	    "X-SSL-Client-Subject");
	b = &fe->binds[0];
	ck_assert_int_eq(b->verify, CFG_VERIFY_OPTIONAL);
	ck_assert_str_eq(b->ca_file, cert_path);
	ck_assert_ptr_null(b->crl_file);
	ck_assert_uint_eq(b->ncerts, 2);
	/* ocsp-response belongs to the cert before it. */
	ck_assert_str_eq(b->certs[0].ocsp, cert_path);
	ck_assert_ptr_null(b->certs[1].ocsp);
	b = &fe->binds[1];
	ck_assert_int_eq(b->verify, CFG_VERIFY_REQUIRED);
	ck_assert_str_eq(b->crl_file, cert_path);
	ck_assert_uint_eq(b->tls.ticket_period, 90000);
	ck_assert_int_eq(fe->binds[2].verify, CFG_VERIFY_NONE);
	ck_assert_int_eq(c->frontends[1].client_certs, 1);
	ck_assert_int_eq(c->frontends[1].mode, CFG_MODE_TCP);

	d = reload(c, &dumped);
	ck_cfg_eq(c, d);
	e = reload(d, &again);
	ck_assert_str_eq(dumped, again);
	ck_cfg_eq(d, e);
	snprintf(want, sizeof(want), " cert %1$s ocsp-response %1$s cert %1$s "
	    "verify optional ca-file %1$s", cert_path);
	ck_assert_msg(strstr(dumped, want) != NULL, "no '%s' in:\n%s", want,
	    dumped);
	snprintf(want, sizeof(want), " verify required ca-file %1$s crl-file "
	    "%1$s", cert_path);
	ck_assert_msg(strstr(dumped, want) != NULL, "no '%s' in:\n%s", want,
	    dumped);
	ck_assert_ptr_nonnull(strstr(dumped, " tls-ticket-period 90s"));
	snprintf(want, sizeof(want), "    tls-ticket-secret %s\n", cert_path);
	ck_assert_ptr_nonnull(strstr(dumped, want));
	ck_assert_ptr_nonnull(strstr(dumped, "    tls-ticket-period 2h\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "    ktls off\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "    client-cert-header verify "
	    "X-Client-Ok\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "    client-cert-header sha256 "
	    "X-Cert-Hash\n"));
	ck_assert_ptr_null(strstr(dumped, "client-cert-header subject"));
	ck_assert_ptr_null(strstr(dumped, "verify none"));
	free(dumped);
	free(again);
	cfg_free(e);
	cfg_free(d);
	cfg_free(c);

	/* tls-ticket-keys on a bind; ktls auto is the default, not dumped. */
	c = ck_loads(fmt("global\n    ktls auto\nfrontend f\n    bind "
	    "127.0.0.1:1 cert %1$s tls-ticket-keys %1$s verify none\n"
	    "    default-backend b\n" MIN_BE, cert_path));
	ck_assert_int_eq(c->ktls, CFG_KTLS_AUTO);
	ck_assert_str_eq(c->frontends[0].binds[0].tls.ticket_keys, cert_path);
	ck_assert_int_eq(c->frontends[0].client_certs, 0);
	d = reload(c, &dumped);
	ck_cfg_eq(c, d);
	ck_assert_ptr_null(strstr(dumped, "ktls"));
	snprintf(want, sizeof(want), " tls-ticket-keys %s", cert_path);
	ck_assert_ptr_nonnull(strstr(dumped, want));
	free(dumped);
	cfg_free(d);
	cfg_free(c);
	c = ck_loads("global\n    ktls on\n" MIN);
	ck_assert_int_eq(c->ktls, CFG_KTLS_ON);
	d = reload(c, &dumped);
	ck_cfg_eq(c, d);
	ck_assert_ptr_nonnull(strstr(dumped, "    ktls on\n"));
	free(dumped);
	cfg_free(d);
	cfg_free(c);
}
END_TEST

#define CC_BE   "    default-backend b\n" HTTP_BE

START_TEST(client_cert_errors)
{
	struct cfg *c;

	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 cert %s verify optional\n"
	    CC_BE, cert_path), "t.conf:4: bind '127.0.0.1:1': verify optional "
	    "needs a ca-file");
	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 cert %s verify required\n"
	    CC_BE, cert_path), "t.conf:4: bind '127.0.0.1:1': verify required "
	    "needs a ca-file");
	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 cert %1$s ca-file %1$s\n"
	    CC_BE, cert_path), "t.conf:4: bind '127.0.0.1:1': 'ca-file' needs "
	    "verify optional or required");
	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 cert %1$s verify none "
	    "crl-file %1$s\n" CC_BE, cert_path), "t.conf:4: bind "
	    "'127.0.0.1:1': 'crl-file' needs verify optional or required");
	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 cert %s verify x\n" CC_BE,
	    cert_path), "t.conf:4: bind: verify: expected none, optional or "
	    "required, got 'x'");
	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 cert %s verify optional "
	    "ca-file /nonexistent/ca.pem\n" CC_BE, cert_path), "t.conf:4: bind "
	    "'127.0.0.1:1': cannot read ca-file '/nonexistent/ca.pem': No such "
	    "file or directory");
	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 cert %1$s verify optional "
	    "ca-file %1$s crl-file /nonexistent/crl.pem\n" CC_BE, cert_path),
	    "t.conf:4: bind '127.0.0.1:1': cannot read crl-file "
	    "'/nonexistent/crl.pem': No such file or directory");
	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 cert %s ocsp-response "
	    "/nonexistent/o.der\n" CC_BE, cert_path), "t.conf:4: bind "
	    "'127.0.0.1:1': cannot read ocsp-response '/nonexistent/o.der': No "
	    "such file or directory");
	/* Client certificate options on a bind without TLS. */
	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 verify optional ca-file "
	    "%s\n" CC_BE, cert_path), "t.conf:4: bind: 'ca-file' needs a tls "
	    "bind");
	ck_fails(HTTP_FE "    bind 127.0.0.1:1 ocsp-response /x cert /y\n"
	    CC_BE, "t.conf:4: bind: 'ocsp-response' must follow a 'cert'");
	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 cert %1$s ocsp-response "
	    "%1$s ocsp-response %1$s\n" CC_BE, cert_path), msgf("t.conf:4: "
	    "bind: second 'ocsp-response' for cert '%s'", cert_path));
	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 cert %s verify\n" CC_BE,
	    cert_path), "t.conf:4: bind: 'verify' needs an argument");

	ck_fails(HTTP_FE "    client-cert-header issuer-dn X-I\n" CC_BE,
	    "t.conf:4: client-cert-header: expected verify, subject, issuer, "
	    "serial or sha256, got 'issuer-dn'");
	ck_fails(HTTP_FE "    client-cert-header subject \"X Y\"\n" CC_BE,
	    "t.conf:4: client-cert-header: bad field name 'X Y'");
	/* A field that frames the request would let a certificate value
	 * stand for the client's framing: smuggling. */
	ck_fails(HTTP_FE "    client-cert-header sha256 Content-Length\n"
	    CC_BE, "t.conf:4: client-cert-header: 'Content-Length' cannot "
	    "carry a certificate field");
	ck_fails(HTTP_FE "    client-cert-header serial transfer-encoding\n"
	    CC_BE, "t.conf:4: client-cert-header: 'transfer-encoding' cannot "
	    "carry a certificate field");
	ck_fails(HTTP_FE "    client-cert-header verify X-SSL-Client-Subject\n"
	    CC_BE, "t.conf:4: client-cert-header: 'X-SSL-Client-Subject' "
	    "already carries the subject field");
	ck_fails(HTTP_FE "    client-cert-header subject\n" CC_BE,
	    "t.conf:4: missing argument: usage is 'client-cert-header FIELD "
	    "NAME'");
	ck_fails("global\n    client-cert-header verify X\n", "t.conf:2: "
	    "'client-cert-header' is only valid in a frontend");

	ck_fails(fmt("global\n    tls-ticket-keys %1$s\n    tls-ticket-secret "
	    "%1$s\n" HTTP_FE "    bind 127.0.0.1:1 cert %1$s\n" CC_BE,
	    cert_path), "t.conf:7: bind '127.0.0.1:1': tls-ticket-keys and "
	    "tls-ticket-secret exclude each other");
	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 cert %1$s tls-ticket-keys "
	    "%1$s tls-ticket-secret %1$s\n" CC_BE, cert_path),
	    "t.conf:4: bind '127.0.0.1:1': tls-ticket-keys and "
	    "tls-ticket-secret exclude each other");
	/* A bind's own keys replace the global secret (and its own secret
	 * the global keys), as gatehouse.conf(5) says: no conflict. */
	c = ck_loads(fmt("global\n    tls-ticket-secret /nonexistent/s\n"
	    HTTP_FE "    bind 127.0.0.1:1 cert %1$s tls-ticket-keys %1$s\n"
	    CC_BE, cert_path));
	ck_assert_str_eq(c->frontends[0].binds[1].tls.ticket_keys, cert_path);
	cfg_free(c);
	c = ck_loads(fmt("global\n    tls-ticket-keys /nonexistent/k\n"
	    HTTP_FE "    bind 127.0.0.1:1 cert %1$s tls-ticket-secret %1$s\n"
	    CC_BE, cert_path));
	cfg_free(c);
	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 cert %s tls-ticket-keys "
	    "/nonexistent/k\n" CC_BE, cert_path), "t.conf:4: bind "
	    "'127.0.0.1:1': cannot read tls-ticket-keys '/nonexistent/k': No "
	    "such file or directory");
	ck_fails(fmt("global\n    tls-ticket-secret /nonexistent/s\n" HTTP_FE
	    "    bind 127.0.0.1:1 cert %s\n" CC_BE, cert_path), "t.conf:6: "
	    "bind '127.0.0.1:1': cannot read tls-ticket-secret "
	    "'/nonexistent/s': No such file or directory");
	ck_fails("global\n    tls-ticket-period 1500ms\n", "t.conf:2: "
	    "tls-ticket-period: whole seconds, 1s at least");
	ck_fails("global\n    tls-ticket-period 999\n", "t.conf:2: "
	    "tls-ticket-period: whole seconds, 1s at least");
	ck_fails(fmt(HTTP_FE "    bind 127.0.0.1:1 cert %s tls-ticket-period "
	    "500ms\n" CC_BE, cert_path), "t.conf:4: tls-ticket-period: whole "
	    "seconds, 1s at least");
	ck_fails("global\n    ktls yes\n", "t.conf:2: ktls: expected auto, off "
	    "or on, got 'yes'");
	ck_fails("global\n    ktls\n", "t.conf:2: missing argument: usage is "
	    "'ktls auto|off|on'");
	/* A ticket file on a bind without TLS is not read: it is refused. */
	ck_fails(HTTP_FE "    bind 127.0.0.1:1 tls-ticket-keys /x\n" CC_BE,
	    "t.conf:4: bind: 'tls-ticket-keys' needs a tls bind");
	/* The fields are passed in mode http only. */
	ck_fails(fmt("frontend f\n    bind 127.0.0.1:1 cert %1$s verify "
	    "optional ca-file %1$s\n    client-cert-header verify X-V\n"
	    "    default-backend b\n" MIN_BE, cert_path), "t.conf:1: frontend "
	    "'f': 'client-cert-header' needs mode http");
}
END_TEST

/* ---- cfg_dump ---- */

START_TEST(dump_round_trip_full)
{
	struct cfg *c = ck_loads(full_text()), *d;
	char *dumped;

	d = reload(c, &dumped);
	ck_cfg_eq(c, d);
	/* Durations in the largest exact unit; names quoted as needed. */
	ck_assert_ptr_nonnull(strstr(dumped, "    grace 5s\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "    timeout handshake 500ms\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "    timeout server 1d\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "frontend \"web front\"\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "    server \"s \\\"2\\\"\" "
	    "[::1]:9001\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "    log syslog local3\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "    user root\n"));
	free(dumped);
	cfg_free(d);
	cfg_free(c);
}
END_TEST

START_TEST(dump_round_trip_minimal)
{
	struct cfg *c = ck_loads(MIN), *d, *e;
	char *dumped, *again;

	d = reload(c, &dumped);
	ck_cfg_eq(c, d);
	/* A dump of a dump is the same text. */
	e = reload(d, &again);
	ck_assert_str_eq(dumped, again);
	free(dumped);
	free(again);
	cfg_free(e);
	cfg_free(d);
	cfg_free(c);
}
END_TEST

START_TEST(dump_round_trip_odd_words)
{
	struct cfg *c, *d;
	char *dumped;

	c = ck_loads(fmt("global\n    log none\n    grace 1001\n"
	    "frontend \"#x\"\n    bind *:1 cert \"%s\" alpn \"a b\"\n"
	    "    default-backend \"back\\\\slash\"\n"
	    "backend back\\slash\n    server \"\\\"\" [::1]:1\n", cert_path));
	d = reload(c, &dumped);
	ck_cfg_eq(c, d);
	ck_assert_ptr_nonnull(strstr(dumped, "    grace 1001ms\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "    log none\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "frontend \"#x\"\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "backend back\\slash\n"));
	free(dumped);
	cfg_free(d);
	cfg_free(c);
}
END_TEST

START_TEST(dump_before_finish)
{
	struct cfg *c = hand_built(), *d;
	char *dumped;

	/* Zeroes are left out: what is dumped loads. */
	ck_assert_int_ne(cfg_parse_addr("*:1", &c->frontends->binds->addr,
	    &c->frontends->binds->addrlen, 1, err, sizeof(err)), -1);
	ck_assert_int_ne(cfg_parse_addr("1.1.1.1:1",
	    &c->backends->servers->addr, &c->backends->servers->addrlen, 0,
	    err, sizeof(err)), -1);
	d = reload(c, &dumped);
	ck_assert_ptr_null(strstr(dumped, "workers"));
	ck_assert_ptr_null(strstr(dumped, "timeout"));
	ck_assert_int_eq(cfg_finish(c, err, sizeof(err)), 0);
	ck_cfg_eq(c, d);
	free(dumped);
	cfg_free(d);
	cfg_free(c);
}
END_TEST

/* ---- cfg_free ---- */

START_TEST(free_null_and_partial)
{
	struct cfg *c = calloc(1, sizeof(*c));

	cfg_free(NULL);
	/* What a failed parse leaves: counted elements with NULL fields. */
	c->frontends = calloc(1, sizeof(*c->frontends));
	c->nfrontends = 1;
	c->backends = calloc(2, sizeof(*c->backends));
	c->nbackends = 2;
	cfg_free(c);
}
END_TEST

/* ---- backends: balancing, checks, servers, PROXY, TLS to servers ---- */

static const char be_text[] =
    "global\n"
    "    ssl-max-ver TLSv1.2\n"
    "    ciphers ECDHE-ECDSA-AES128-GCM-SHA256\n"
    "    resolve-interval 10s\n"
    "    nameserver 127.0.0.1:5353\n"
    "    nameserver [::1]:53\n"
    "frontend f\n"
    "    mode http\n"
    "    bind 127.0.0.1:80 accept-proxy proxy-from 10.0.0.0/8,::1,"
    "192.0.2.7\n"
    "    bind 127.0.0.1:443 crt-dir . strict-sni ssl-min-ver TLSv1.3 "
    "curves P-256\n"
    "    default-backend web\n"
    "backend web\n"
    "    mode http\n"
    "    balance hdr(X-User)\n"
    "    retries 0\n"
    "    timeout queue 3s\n"
    "    check http HEAD /health expect status 200-299 interval 500ms "
    "timeout 200ms rise 1 fall 4\n"
    "    observe layer7\n"
    "    error-limit 5\n"
    "    server w1 127.0.0.1:8080 weight 3 maxconn 10 check send-proxy-v2\n"
    "    server w2 web.example.test:8443 ssl verify none sni client "
    "crt /c.pem key /k.pem backup resolve-optional\n"
    "    server w3 [::1]:8080 disabled send-proxy ssl ca-file /ca.pem "
    "sni api.test\n"
    "backend tcp\n"
    "    mode tcp\n"
    "    balance source\n"
    "    server t1 127.0.0.1:9000 weight 0\n";

START_TEST(backend_every_keyword)
{
	struct cfg *c = ck_loads(be_text), *d, *e;
	const struct cfg_backend *be = &c->backends[0];
	const struct cfg_server *s = be->servers;
	const struct cfg_bind *b = &c->frontends[0].binds[0];
	char *dumped, *again;
	struct sockaddr_in sin = { .sin_family = AF_INET };

	ck_assert_uint_eq(c->resolve_interval, 10000);
	ck_assert_uint_eq(c->nnameservers, 2);
	ck_assert_str_eq(c->nameservers[1], "[::1]:53");
	ck_assert_uint_eq(b->flags & CFG_BIND_F_ACCEPT_PROXY,
	    CFG_BIND_F_ACCEPT_PROXY);
	ck_assert_uint_eq(b->nproxy_from, 3);
	ck_assert_uint_eq(b->proxy_from[0].prefix, 8);
	ck_assert_uint_eq(b->proxy_from[1].prefix, 128);
	inet_pton(AF_INET, "10.200.0.1", &sin.sin_addr);
	ck_assert_int_eq(cfg_net_match(&b->proxy_from[0],
	    (struct sockaddr *)&sin), 1);
	inet_pton(AF_INET, "11.0.0.1", &sin.sin_addr);
	ck_assert_int_eq(cfg_net_match(&b->proxy_from[0],
	    (struct sockaddr *)&sin), 0);
	ck_assert_int_eq(cfg_net_match(&b->proxy_from[1],
	    (struct sockaddr *)&sin), 0);
	ck_assert_int_eq(be->balance, CFG_LB_HDR);
	ck_assert_str_eq(be->balance_hdr, "X-User");
	ck_assert_uint_eq(be->retries, 0);
	ck_assert_uint_eq(be->timeouts.queue, 3000);
	ck_assert_int_eq(be->check.http, 1);
	ck_assert_str_eq(be->check.method, "HEAD");
	ck_assert_str_eq(be->check.path, "/health");
	ck_assert_uint_eq(be->check.status_min, 200);
	ck_assert_uint_eq(be->check.status_max, 299);
	ck_assert_uint_eq(be->check.interval, 500);
	ck_assert_uint_eq(be->check.timeout, 200);
	ck_assert_uint_eq(be->check.rise, 1);
	ck_assert_uint_eq(be->check.fall, 4);
	ck_assert_int_eq(be->observe, CFG_OBSERVE_LAYER7);
	ck_assert_uint_eq(be->error_limit, 5);
	ck_assert_uint_eq(s[0].weight, 3);
	ck_assert_uint_eq(s[0].maxconn, 10);
	ck_assert_uint_eq(s[0].flags, CFG_SRV_F_CHECK | CFG_SRV_F_PROXY_V2);
	ck_assert_ptr_null(s[0].host);
	/* A name is kept for resolve.c, not resolved here. */
	ck_assert_str_eq(s[1].host, "web.example.test");
	ck_assert_uint_eq(s[1].port, 8443);
	ck_assert_uint_eq(s[1].addrlen, 0);
	ck_assert_uint_eq(s[1].flags, CFG_SRV_F_SSL | CFG_SRV_F_NO_VERIFY |
	    CFG_SRV_F_SNI_CLIENT | CFG_SRV_F_BACKUP | CFG_SRV_F_RESOLVE_OPT);
	ck_assert_str_eq(s[1].crt, "/c.pem");
	ck_assert_str_eq(s[1].key, "/k.pem");
	ck_assert_str_eq(s[2].sni, "api.test");
	ck_assert_str_eq(s[2].ca_file, "/ca.pem");
	ck_assert_uint_eq(s[2].flags, CFG_SRV_F_DISABLED | CFG_SRV_F_PROXY_V1 |
	    CFG_SRV_F_SSL);
	/* Defaults. */
	be = &c->backends[1];
	ck_assert_int_eq(be->balance, CFG_LB_SOURCE);
	ck_assert_uint_eq(be->retries, CFG_DEF_RETRIES);
	ck_assert_uint_eq(be->timeouts.queue, be->timeouts.connect);
	ck_assert_int_eq(be->check.http, 0);
	ck_assert_uint_eq(be->check.interval, CFG_DEF_CHECK_INTERVAL);
	ck_assert_uint_eq(be->check.timeout, CFG_DEF_CHECK_INTERVAL);
	ck_assert_uint_eq(be->check.rise, CFG_DEF_CHECK_RISE);
	ck_assert_uint_eq(be->check.fall, CFG_DEF_CHECK_FALL);
	ck_assert_uint_eq(be->error_limit, CFG_DEF_ERROR_LIMIT);
	ck_assert_uint_eq(be->servers[0].weight, 0);

	d = reload(c, &dumped);
	e = reload(d, &again);
	ck_assert_str_eq(dumped, again);
	ck_assert_ptr_nonnull(strstr(dumped, " accept-proxy proxy-from "
	    "10.0.0.0/8,::1/128,192.0.2.7/32\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "    server w1 127.0.0.1:8080 "
	    "weight 3 maxconn 10 check send-proxy-v2\n"));
	ck_assert_str_eq(d->backends[0].servers[1].host, "web.example.test");
	ck_assert_ptr_nonnull(strstr(dumped, "    bind 127.0.0.1:443 tls "
	    "strict-sni ssl-min-ver TLSv1.3 curves P-256 crt-dir .\n"));
	ck_assert_ptr_nonnull(strstr(dumped, "    ssl-max-ver TLSv1.2\n    "
	    "ciphers ECDHE-ECDSA-AES128-GCM-SHA256\n"));
	ck_assert_uint_eq(c->tls.max_ver, 0x0303);
	ck_assert_uint_eq(c->frontends[0].binds[1].tls.min_ver, 0x0304);
	free(dumped);
	free(again);
	cfg_free(e);
	cfg_free(d);
	cfg_free(c);
}
END_TEST

#define BE_FE "frontend f\n    bind 127.0.0.1:80\n    default-backend b\n"

START_TEST(backend_errors)
{
	ck_fails(BE_FE "backend b\n    balance uri\n    server s 1.1.1.1:1\n",
	    "t.conf:4: backend 'b': balance uri needs mode http");
	ck_fails("backend b\n    balance hdr()\n", "t.conf:2: balance: "
	    "expected hdr(NAME), got 'hdr()'");
	ck_fails("backend b\n    server s 1.1.1.1:1 weight 257\n",
	    "t.conf:2: server: weight: '257' is out of range 0..256");
	ck_fails("backend b\n    server s 1.1.1.1:1 weight\n",
	    "t.conf:2: server: 'weight' needs an argument");
	ck_fails("backend b\n    server s 1.1.1.1:1 verify maybe\n",
	    "t.conf:2: server: verify: expected none or required, got "
	    "'maybe'");
	ck_fails("backend b\n    server s 1.1.1.1:1 ca-file /x\n",
	    "t.conf:2: server: 'verify', 'ca-file', 'crt', 'key' and 'sni' "
	    "need 'ssl'");
	ck_fails("backend b\n    server s 1.1.1.1:1 ssl key /k\n",
	    "t.conf:2: server: 'key' needs 'crt'");
	ck_fails("backend b\n    server s 1.1.1.1:1 send-proxy "
	    "send-proxy-v2\n", "t.conf:2: server: 'send-proxy' or "
	    "'send-proxy-v2', not both");
	ck_fails("backend b\n    server s 1.1.1.1:1 resolve-optional\n",
	    "t.conf:2: server: 'resolve-optional' needs a host name, not an "
	    "address");
	ck_fails("backend b\n    server s *:1\n", "t.conf:2: server: bad "
	    "address '*:1': '*' is only valid for bind");
	ck_fails("backend b\n    check http health\n", "t.conf:2: check: "
	    "http needs a path starting with '/'");
	ck_fails("backend b\n    check expect 200\n", "t.conf:2: check: "
	    "expect needs an http check");
	ck_fails("backend b\n    check http / expect 399-200\n", "t.conf:2: "
	    "check: expect: '200' is out of range 399..599");
	ck_fails("backend b\n    check http / rise 0\n", "t.conf:2: check: "
	    "rise: '0' is out of range 1..1000");
	ck_fails("backend b\n    check interval\n", "t.conf:2: check: "
	    "'interval' needs an argument");
	ck_fails("backend b\n    check http / every 2s\n", "t.conf:2: check: "
	    "unknown option 'every'");
	ck_fails("backend b\n    observe layer3\n", "t.conf:2: observe: "
	    "expected layer4 or layer7, got 'layer3'");
	ck_fails(BE_FE "backend b\n    observe layer7\n    server s "
	    "1.1.1.1:1\n", "t.conf:4: backend 'b': observe layer7 needs mode "
	    "http");
	ck_fails("backend b\n    retries 101\n", "t.conf:2: retries: '101' is "
	    "out of range 0..100");
	ck_fails("global\n    nameserver 127.0.0.1\n", "t.conf:2: "
	    "nameserver: bad address '127.0.0.1': missing port (ADDR:PORT)");
	ck_fails("global\n    nameserver localhost:53\n", "t.conf:2: "
	    "nameserver: 'localhost:53' is not an address");
	ck_fails("frontend f\n    bind 1.1.1.1:1 strict-sni\n", "t.conf:2: "
	    "bind: 'strict-sni' needs a tls bind");
	ck_fails(BE_FE "    bind 1.1.1.1:2 crt-dir /nonexistent/gh\n"
	    "backend b\n    server s 1.1.1.1:1\n", "t.conf:4: bind "
	    "'1.1.1.1:2': cannot read crt-dir '/nonexistent/gh': No such file "
	    "or directory");
	ck_fails("frontend f\n    bind 1.1.1.1:1 proxy-from 10.0.0.0/8\n",
	    "t.conf:2: bind: 'proxy-from' needs 'accept-proxy'");
	ck_fails("frontend f\n    bind 1.1.1.1:1 accept-proxy proxy-from "
	    "10.0.0.1/8\n", "t.conf:2: bind: proxy-from: '10.0.0.1/8' has "
	    "host bits set");
	ck_fails("frontend f\n    bind 1.1.1.1:1 accept-proxy proxy-from "
	    "10.0.0.0/33\n", "t.conf:2: bind: proxy-from: bad prefix length "
	    "in '10.0.0.0/33' (0..32)");
	ck_fails("frontend f\n    bind 1.1.1.1:1 accept-proxy proxy-from "
	    "10.0.0.0/8,,\n", "t.conf:2: bind: proxy-from: bad list "
	    "'10.0.0.0/8,,'");
}
END_TEST

static Suite *
cfg_parse_suite(void)
{
	Suite *s = suite_create("cfg_parse");
	TCase *tc;

	tc = tcase_create("cfg_parse_uint");
	tcase_add_test(tc, uint_good);
	tcase_add_test(tc, uint_bad);
	tcase_add_test(tc, uint_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("cfg_parse_duration");
	tcase_add_test(tc, duration_good);
	tcase_add_test(tc, duration_bad);
	tcase_add_test(tc, duration_overflow);
	suite_add_tcase(s, tc);

	tc = tcase_create("cfg_parse_addr");
	tcase_add_test(tc, addr_good);
	tcase_add_test(tc, addr_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("cfg_load_buf");
	tcase_add_test(tc, load_minimal_defaults);
	tcase_add_test(tc, load_every_keyword);
	tcase_add_test(tc, load_inherit_anywhere);
	tcase_add_test(tc, load_lexical);
	tcase_add_test(tc, load_lexical_errors);
	tcase_add_test(tc, load_line_length);
	tcase_add_test(tc, load_too_many_words);
	tcase_add_test(tc, load_empty);
	tcase_add_test(tc, load_unknown_and_misplaced);
	tcase_add_test(tc, load_arg_counts);
	tcase_add_test(tc, load_bad_values);
	tcase_add_test(tc, load_bind_options);
	tcase_add_test(tc, load_duplicates);
	tcase_add_test(tc, load_duplicate_addresses);
	tcase_add_test(tc, load_mode_warnings);
	tcase_add_test(tc, load_cross_references);
	tcase_add_test(tc, load_modes);
	tcase_add_test(tc, load_last_wins);
	suite_add_tcase(s, tc);

	tc = tcase_create("cfg_load_file");
	tcase_add_test(tc, file_good_and_bad);
	tcase_add_test(tc, file_cannot_open);
	tcase_add_test(tc, file_small_err);
	suite_add_tcase(s, tc);

	tc = tcase_create("cfg_finish");
	tcase_add_test(tc, finish_defaults);
	tcase_add_test(tc, finish_keeps_set_values);
	tcase_add_test(tc, finish_errors_without_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("mode http");
	tcase_add_test(tc, http_every_keyword);
	tcase_add_test(tc, http_errors);
	tcase_add_test(tc, backend_every_keyword);
	tcase_add_test(tc, backend_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("client certificates and ticket keys");
	tcase_add_test(tc, client_cert_every_option);
	tcase_add_test(tc, client_cert_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("cfg_dump");
	tcase_add_test(tc, dump_round_trip_full);
	tcase_add_test(tc, dump_round_trip_minimal);
	tcase_add_test(tc, dump_round_trip_odd_words);
	tcase_add_test(tc, dump_before_finish);
	suite_add_tcase(s, tc);

	tc = tcase_create("cfg_free");
	tcase_add_test(tc, free_null_and_partial);
	suite_add_tcase(s, tc);
	return s;
}

/* An empty, readable file standing for a PEM file. */
static void
make_temp(char *path)
{
	int fd = mkstemp(path);

	if (fd == -1 || close(fd) == -1) {
		perror(path);
		exit(EXIT_FAILURE);
	}
}

int
main(void)
{
	SRunner *sr;
	int failed;

	make_temp(cert_path);
	make_temp(key_path);
	sr = srunner_create(cfg_parse_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	unlink(cert_path);
	unlink(key_path);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
