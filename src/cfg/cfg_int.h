/* What the files of the configuration parser share, and nobody else:
 * the parser state, the section bits, the keyword table entry of each
 * family (cfg_kw_global.c, cfg_kw_bind.c, cfg_kw_backend.c,
 * cfg_kw_http.c), the name tables cfg_dump.c writes back, and the
 * message helpers. The public API is cfg.h; the words and values are in
 * cfg_lex.h. */
#ifndef GH_CFG_INT_H
#define GH_CFG_INT_H

#include <stddef.h>

#include "cfg.h"
#include "cfg_lex.h"

#define CFG_LINE_MAX    65536   /* a longer line is an error, never cut */
#define CFG_MAXCONN_MAX 10000000
#define CFG_BUFSIZE_MIN 1024
#define CFG_BUFSIZE_MAX 1048576

/* Sections as bits, so that a keyword can list where it is valid. */
#define CFG_S_GLOBAL    0x01
#define CFG_S_DEFAULTS  0x02
#define CFG_S_FRONTEND  0x04
#define CFG_S_BACKEND   0x08

struct cfg_parser {
	struct cfg *c;
	int line;
	unsigned int sec;       /* CFG_S_* of this section; 0 before any */
	char *err;
	size_t errlen;
};

/* One keyword: the first word of a line. The table says in which
 * sections it is valid and how many arguments it takes, so that every
 * handler only deals with meaning. */
struct cfg_kw {
	const char *name;
	unsigned int where;     /* CFG_S_*; 0: anywhere (opens a section) */
	int min, max;           /* words after the keyword; max -1: no limit */
	const char *usage;
	int (*fn)(struct cfg_parser *p, char **av);
};

/* The keyword families, each a table of its file. */
extern const struct cfg_kw cfg_kw_global_kws[];
extern const size_t cfg_kw_global_nkws;
extern const struct cfg_kw cfg_kw_bind_kws[];
extern const size_t cfg_kw_bind_nkws;
extern const struct cfg_kw cfg_kw_backend_kws[];
extern const size_t cfg_kw_backend_nkws;
extern const struct cfg_kw cfg_kw_http_kws[];
extern const size_t cfg_kw_http_nkws;

/* ---- cfg_parse.c: messages and building ---- */

/* "file:line: reason" into <err> (line 0: "file: reason"). Returns -1. */
int cfg_parse_errat(char *err, size_t errlen, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The same at the line being parsed. Returns -1. */
int cfg_parse_fail(struct cfg_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* <arr> of <n> elements of <size> bytes grown by one zeroed element, or
 * NULL with <arr> untouched. */
void *cfg_parse_grow(void *arr, size_t n, size_t size);
/* Replaces *<dst> by a copy of <s>. 0, or -1 ("out of memory"). */
int cfg_parse_set_str(struct cfg_parser *p, char **dst, const char *s);
/* The section being parsed: the last frontend, backend, or the timeouts
 * of the current section (defaults outside frontends and backends). */
struct cfg_frontend *cfg_parse_cur_fe(struct cfg_parser *p);
struct cfg_backend *cfg_parse_cur_be(struct cfg_parser *p);
struct cfg_timeouts *cfg_parse_cur_timeouts(struct cfg_parser *p);
/* "defaults or a backend": the sections of mask <where>, into <buf>. */
const char *cfg_parse_where(unsigned int where, char *buf, size_t len);
/* av[1] as a number in [min, max], "KEYWORD: reason" on error. */
int cfg_parse_kw_uint(struct cfg_parser *p, char **av, unsigned int min,
    unsigned int max, unsigned int *out);
/* <s> as a duration above 0 ("WHAT: reason" on error). */
int cfg_parse_kw_duration(struct cfg_parser *p, const char *what,
    const char *s, unsigned int *out);
/* An HTTP field name (a token) and its value (no control byte; NULL: no
 * value), for keyword <kw>'s message. */
int cfg_parse_field(struct cfg_parser *p, const char *kw, const char *name,
    const char *value);
/* Keyword <kw> <arg> (static strings) of the current frontend or backend
 * only matters in mode http: recorded for cfg_finish()'s warning. */
int cfg_parse_http_kw(struct cfg_parser *p, const char *kw, const char *arg);
/* All of <path> into a new buffer. 0, or -1 with "path: reason". */
int cfg_parse_read_file(const char *path, char **out, size_t *outlen,
    char *err, size_t errlen);

/* ---- cfg_kw_global.c ---- */

/* The timeouts, where each may be set, and where it lives. */
struct cfg_tmo {
	const char *name;
	unsigned int where;
	size_t off;
	int http;               /* only mode http uses it */
};
extern const struct cfg_tmo cfg_kw_global_tmos[];
extern const size_t cfg_kw_global_ntmos;
unsigned int *cfg_kw_global_tmo_field(struct cfg_timeouts *t,
    const struct cfg_tmo *k);
unsigned int cfg_kw_global_tmo_get(const struct cfg_timeouts *t,
    const struct cfg_tmo *k);

struct cfg_kw_global_facility {
	const char *name;
	int facility;
};
extern const struct cfg_kw_global_facility cfg_kw_global_facilities[];
extern const size_t cfg_kw_global_nfacilities;
extern const char *const cfg_kw_global_ktls_modes[];

/* ---- cfg_kw_bind.c ---- */

/* Flag options of "bind": those that take no argument. */
struct cfg_kw_bind_flag {
	const char *name;
	unsigned int flag;
};
extern const struct cfg_kw_bind_flag cfg_kw_bind_flags[];
extern const size_t cfg_kw_bind_nflags;
extern const char *const cfg_kw_bind_verifies[];
/* ssl-min-ver, ssl-max-ver, ciphers, ciphersuites, curves,
 * tls-ticket-keys, tls-ticket-secret, tls-ticket-period: in that order. */
extern const char *const cfg_kw_bind_tls_opts[];
struct cfg_kw_bind_tls_version {
	const char *name;
	unsigned int version;
};
extern const struct cfg_kw_bind_tls_version cfg_kw_bind_tls_versions[];
extern const size_t cfg_kw_bind_ntls_versions;
/* One TLS setting <opt> <arg> into <t>, of a bind or global. */
int cfg_kw_bind_tls_opt(struct cfg_parser *p, struct cfg_tls *t,
    const char *opt, const char *arg);

/* ---- cfg_kw_backend.c ---- */

extern const char *const cfg_kw_backend_balances[];
/* Server options without an argument. */
struct cfg_kw_backend_srv_flag {
	const char *name;
	unsigned int flag;
};
extern const struct cfg_kw_backend_srv_flag cfg_kw_backend_srv_flags[];
extern const size_t cfg_kw_backend_nsrv_flags;

/* ---- cfg_kw_http.c ---- */

struct cfg_kw_http_cond_def {
	const char *name;
	enum cfg_cond_kind kind;
	int nargs;              /* -1: one or two */
};
extern const struct cfg_kw_http_cond_def cfg_kw_http_conds[];
extern const size_t cfg_kw_http_nconds;

#endif
