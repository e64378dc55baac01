/* TLS binds at run time, from the configuration: the contexts and
 * ticket keys of each bind, their reload, key rotation, the kTLS
 * decision, and --explain. The glue between cfg and ssl/. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "listener.h"
#include "log.h"
#include "ssl_ctx.h"
#include "ssl_explain.h"
#include "ssl_sock.h"
#include "ssl_ticket.h"
#include "tls.h"
#include "runtime.h"

/* Where bind <b> was declared, for messages: "file:line" for a file,
 * "(command line)" for the one-liner. */
const char *
tls_where(const struct cfg_bind *b, char *buf, size_t len)
{
	if (b->line > 0)
		snprintf(buf, len, "%s:%d", b->file, b->line);
	else
		snprintf(buf, len, "%s", b->file);
	return buf;
}

static int
tls_pem_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 &&
	    strcmp(d->d_name + n - 4, ".pem") == 0;
}

/* The *.pem files of bind <b>'s crt-dir (none without one), in name
 * order, as "dir/name" paths: <*paths> and each of its <*n> strings are
 * the caller's to free. Returns 0, or -1 with "where: bind ...: reason"
 * in <err>. */
static int
tls_crt_dir(const struct cfg_bind *b, char ***paths, size_t *n, char *err,
    size_t errlen)
{
	struct dirent **ents = NULL;
	char where[256];
	int i, nents = 0, rc = 0;

	*paths = NULL;
	*n = 0;
	if (b->crt_dir == NULL)
		return 0;
	if ((nents = scandir(b->crt_dir, &ents, tls_pem_filter,
	    alphasort)) < 0) {
		snprintf(err, errlen, "%s: bind %s: crt-dir %s: %s",
		    tls_where(b, where, sizeof(where)), b->text, b->crt_dir,
		    strerror(errno));
		return -1;
	}
	if ((*paths = calloc((size_t)nents + 1, sizeof(**paths))) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < nents; i++, (*n)++)
		if (asprintf(&(*paths)[i], "%s/%s", b->crt_dir,
		    ents[i]->d_name) < 0)
			rc = -1;
	for (i = 0; i < nents; i++)
		free(ents[i]);
	free(ents);
	if (rc < 0) {
		while (*paths != NULL && *n > 0)
			free((*paths)[--*n]);
		free(*paths);
		*paths = NULL;
		snprintf(err, errlen, "out of memory");
	}
	return rc;
}

/* The TLS context of bind <b>, loaded from its files: its "cert"s, then
 * the *.pem files of its crt-dir in name order. */
SSL_CTX *
tls_bind_ctx(const struct cfg *c, const struct cfg_frontend *fe,
    const struct cfg_bind *b, struct ssl_tickets *tickets, int ktls,
    char *err, size_t errlen)
{
	/* What the bind does not set, the global section may; the version
	 * range goes as a whole (a bind's ssl-min-ver TLSv1.3 under a
	 * global ssl-max-ver TLSv1.2 would allow nothing). */
	const struct cfg_tls *vr = b->tls.min_ver || b->tls.max_ver ?
	    &b->tls : &c->tls;
	struct ssl_ctx_opts o = {
		.ciphers = b->tls.ciphers ? b->tls.ciphers : c->tls.ciphers,
		.ciphersuites = b->tls.ciphersuites ? b->tls.ciphersuites :
		    c->tls.ciphersuites,
		.curves = b->tls.curves ? b->tls.curves : c->tls.curves,
		.min_ver = (int)vr->min_ver, .max_ver = (int)vr->max_ver,
		.alpn = b->alpn, .strict_sni = !!(b->flags &
		    CFG_BIND_F_STRICT_SNI),
		.session_cache = c->tls_session_cache,
		.tickets = tickets,
		.verify = b->verify == CFG_VERIFY_REQUIRED ?
		    SSL_VERIFY_CLIENT_REQUIRED : b->verify == CFG_VERIFY_OPTIONAL ?
		    SSL_VERIFY_CLIENT_OPTIONAL : SSL_VERIFY_CLIENT_NONE,
		.ca_file = b->ca_file, .crl_file = b->crl_file,
		/* Splicing is what kTLS brings, and only mode tcp splices;
		 * elsewhere gatehouse's batched records are cheaper. */
		.ktls = ktls && fe->mode == CFG_MODE_TCP,
	};
	struct ssl_cert_opts *certs;
	char why[512], where[256], **dir;
	SSL_CTX *ctx = NULL;
	size_t i, ndir, n = 0;

	tls_where(b, where, sizeof(where));
	if (tls_crt_dir(b, &dir, &ndir, err, errlen) < 0)
		return NULL;
	if ((certs = calloc(b->ncerts + ndir + 1, sizeof(*certs))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (n = 0; n < b->ncerts; n++) {
		certs[n].cert = b->certs[n].cert;
		certs[n].key = b->certs[n].key;
		certs[n].ocsp = b->certs[n].ocsp;
	}
	for (i = 0; i < ndir; i++, n++)
		certs[n].cert = dir[i];
	if (n == 0) {
		snprintf(err, errlen, "%s: bind %s: crt-dir %s has no .pem file",
		    where, b->text, b->crt_dir);
		goto out;
	}
	o.certs = certs;
	o.ncerts = n;
	if ((ctx = ssl_ctx_new_server(&o, why, sizeof(why))) == NULL)
		snprintf(err, errlen, "%s: bind %s: %s", where, b->text, why);
out:
	for (i = 0; i < ndir; i++)
		free(dir[i]);
	free(dir);
	free(certs);
	return ctx;
}

/* --explain <name>: every TLS bind of every frontend, with its
 * certificates as tls_bind_ctx() would load them. Returns the exit
 * status. */
int
tls_explain(const struct cfg *c, const char *name)
{
	struct tls_explain {
		char where[256];
		char **dir;             /* its crt-dir's files */
		size_t ndir;
	} *me;
	struct ssl_explain_bind *eb;
	struct ssl_explain_cert *ec;
	const struct cfg_bind *b;
	char err[1024];
	size_t i, j, k, nb = 0;
	int rc = 1;

	for (i = 0; i < c->nfrontends; i++)
		for (j = 0; j < c->frontends[i].nbinds; j++)
			nb += !!(c->frontends[i].binds[j].flags &
			    CFG_BIND_F_TLS);
	eb = calloc(nb + 1, sizeof(*eb));
	me = calloc(nb + 1, sizeof(*me));
	for (i = nb = 0; eb != NULL && me != NULL && i < c->nfrontends; i++)
		for (j = 0; j < c->frontends[i].nbinds; j++) {
			b = &c->frontends[i].binds[j];
			if (!(b->flags & CFG_BIND_F_TLS))
				continue;
			if (tls_crt_dir(b, &me[nb].dir, &me[nb].ndir, err,
			    sizeof(err)) < 0) {
				fprintf(stderr, "%s\n", err);
				goto out;
			}
			eb[nb].ncerts = b->ncerts + me[nb].ndir;
			if ((ec = calloc(eb[nb].ncerts + 1,
			    sizeof(*ec))) == NULL) {
				nb++;
				goto err_oom;
			}
			for (k = 0; k < b->ncerts; k++) {
				ec[k].cert = b->certs[k].cert;
				ec[k].key = b->certs[k].key;
				ec[k].ocsp = b->certs[k].ocsp;
			}
			for (k = 0; k < me[nb].ndir; k++)
				ec[b->ncerts + k].cert = me[nb].dir[k];
			eb[nb].certs = ec;
			eb[nb].where = tls_where(b, me[nb].where,
			    sizeof(me[nb].where));
			eb[nb].addr = b->text;
			eb[nb].frontend = c->frontends[i].name;
			eb[nb++].strict_sni = !!(b->flags &
			    CFG_BIND_F_STRICT_SNI);
		}
	if (eb == NULL || me == NULL)
		goto err_oom;
	if ((rc = ssl_explain(stdout, name, eb, nb, time(NULL))) < 0) {
		fprintf(stderr, "gatehouse: --explain: '%s' is not a host "
		    "name\n", name);
		rc = 2;
	}
	goto out;
err_oom:
	fprintf(stderr, "gatehouse: out of memory\n");
out:
	for (i = 0; me != NULL && i < nb; i++) {
		free((void *)eb[i].certs);
		for (k = 0; k < me[i].ndir; k++)
			free(me[i].dir[k]);
		free(me[i].dir);
	}
	free(eb);
	free(me);
	return rc;
}

/* The ticket keys of TLS bind <b>: its own settings, else the global
 * ones. */
struct ssl_tickets *
tls_bind_tickets(const struct cfg *c, const struct cfg_bind *b, char *err,
    size_t errlen)
{
	const struct cfg_tls *t = &b->tls;
	unsigned int period = t->ticket_period ? t->ticket_period :
	    c->tls.ticket_period;
	struct ssl_tickets *tk;
	char why[512], where[256];

	if ((tk = ssl_tickets_new(t->ticket_keys || t->ticket_secret ?
	    t->ticket_keys : c->tls.ticket_keys, t->ticket_keys ||
	    t->ticket_secret ? t->ticket_secret : c->tls.ticket_secret,
	    period / 1000, why, sizeof(why))) == NULL)
		snprintf(err, errlen, "%s: bind %s: %s", tls_where(b, where,
		    sizeof(where)), b->text, why);
	return tk;
}

/* SIGHUP: every TLS bind's certificates, keys, OCSP responses and
 * ticket keys are read again; new handshakes use them, those under way
 * and established connections are not touched. A bind with any file
 * wrong keeps all it has (context and ticket keys), and the reason is
 * logged. */
void
tls_reload(struct runtime *rt)
{
	const struct cfg *c = rt->cfg;
	size_t i, j, done = 0, failed = 0;
	char err[1024];
	SSL_CTX *ctx;

	for (i = 0; i < c->nfrontends; i++)
		for (j = 0; j < c->frontends[i].nbinds; j++) {
			const struct cfg_bind *b = &c->frontends[i].binds[j];
			struct frontend *fe = &rt->frontends[i];

			if (!(b->flags & CFG_BIND_F_TLS))
				continue;
			/* The context first: it only points at the ticket
			 * keys, so a bind whose certificates are refused
			 * keeps its keys as well. */
			if ((ctx = tls_bind_ctx(c, &c->frontends[i], b,
			    fe->tickets[j], rt->ktls, err,
			    sizeof(err))) == NULL) {
				log_errx("reload: %s; bind %s keeps what it "
				    "had", err, b->text);
				failed++;
				continue;
			}
			if (ssl_tickets_reload(fe->tickets[j], err,
			    sizeof(err)) < 0) {
				SSL_CTX_free(ctx);
				log_errx("reload: %s; bind %s keeps what it "
				    "had", err, b->text);
				failed++;
				continue;
			}
			pthread_mutex_lock(&rt->tls_lock);
			SSL_CTX_free(fe->ssl_ctx[j]);
			fe->ssl_ctx[j] = ctx;
			pthread_mutex_unlock(&rt->tls_lock);
			done++;
		}
	log_info("SIGHUP: reloaded the TLS files of %zu bind(s)%s", done,
	    failed ? ", some failed (see above)" : "");
}

/* Once a second: ticket keys rotate. */
void
tls_tick(struct runtime *rt)
{
	const struct cfg *c = rt->cfg;
	time_t now = time(NULL);
	size_t i, j;

	for (i = 0; i < c->nfrontends; i++)
		for (j = 0; j < c->frontends[i].nbinds; j++)
			if (rt->frontends[i].tickets[j] != NULL)
				ssl_tickets_tick(rt->frontends[i].tickets[j],
				    now);
}

/* kTLS for mode tcp TLS binds, when the kernel has it and "ktls off"
 * does not say otherwise; the log says which. */
int
tls_ktls_decide(const struct cfg *c)
{
	char why[160];
	size_t i, j;
	int tls = 0, ktls = 0;

	for (i = 0; i < c->nfrontends; i++)
		for (j = 0; j < c->frontends[i].nbinds; j++)
			if (c->frontends[i].mode == CFG_MODE_TCP &&
			    (c->frontends[i].binds[j].flags & CFG_BIND_F_TLS))
				tls = 1;
	if (!tls)
		return 0;
	if (c->ktls == CFG_KTLS_OFF)
		log_info("kTLS: off (ktls off): OpenSSL makes the TLS records");
	else if (!(ktls = ssl_ktls_probe(why, sizeof(why))) &&
	    c->ktls == CFG_KTLS_ON) {
		ktls = 1;
		log_info("kTLS: asked for (ktls on), but %s: OpenSSL makes "
		    "the TLS records of each connection", why);
	} else if (!ktls)
		log_info("kTLS: not used, %s: OpenSSL makes the TLS records",
		    why);
	else
		log_info("kTLS: in use on mode tcp TLS binds: the kernel "
		    "makes the TLS records sent to clients, and server data "
		    "is spliced to them");
	return ktls;
}
