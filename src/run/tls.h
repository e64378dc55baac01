/* TLS binds at run time: what main() and the reload need of them. */
#ifndef GH_TLS_H
#define GH_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "cfg.h"

struct runtime;
struct ssl_tickets;

/* Where bind <b> was declared, for messages: "file:line" for a file,
 * "(command line)" for the one-liner. */
const char *tls_where(const struct cfg_bind *b, char *buf, size_t len);

/* The ticket keys of TLS bind <b> (its settings, else the global ones),
 * or NULL with "where: bind ...: reason" in <err>. */
struct ssl_tickets *tls_bind_tickets(const struct cfg *c,
    const struct cfg_bind *b, char *err, size_t errlen);

/* The TLS context of bind <b> of <fe>, loaded from its files, with
 * <tickets>, handing records to the kernel when <ktls> (what
 * tls_ktls_decide() said) and the frontend is mode tcp; NULL with "where: bind ...: reason" in <err>. */
SSL_CTX *tls_bind_ctx(const struct cfg *c, const struct cfg_frontend *fe,
    const struct cfg_bind *b, struct ssl_tickets *tickets, int ktls,
    char *err, size_t errlen);

/* Reads every TLS bind's files again into new contexts in <rt>'s
 * frontends (under rt->tls_lock); a bind whose files are wrong keeps
 * its context, and the log says why. The workers are told by the
 * caller. */
void tls_reload(struct runtime *rt);

/* Rotates ticket keys when due; about once a second. */
void tls_tick(struct runtime *rt);

/* Decides, and logs, whether mode tcp TLS binds of <c> use kTLS, before
 * the contexts are built: returns 1 or 0 (the runtime keeps it). */
int tls_ktls_decide(const struct cfg *c);

/* --explain NAME: prints what would answer NAME; returns the exit
 * status. */
int tls_explain(const struct cfg *c, const char *name);

#endif
