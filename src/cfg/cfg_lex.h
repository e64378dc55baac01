/* The words and values of the configuration, shared by the file parser
 * (cfg_parse.c and the cfg_kw_*.c families) and the command line (cli.c):
 * splitting a line into words, numbers, durations, sizes, modes, address
 * ranges. Each function returns 0 (or a count), or -1 with a reason
 * without file:line in <why>; the caller adds where it was. The address
 * parsers and cfg_parse_uint/cfg_parse_duration are public in cfg.h. */
#ifndef GH_CFG_LEX_H
#define GH_CFG_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "cfg.h"

#define CFG_LEX_WORDS_MAX       256     /* words on one line */

/* "ADDR:PORT" into <ss>/<len>; with <name> (NI_MAXHOST bytes) a host
 * name is not resolved but copied to <name>, with <len> 0. <port_out>,
 * if not NULL, gets the port. */
int cfg_lex_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len,
    int passive, char *name, uint16_t *port_out, char *why, size_t whylen);

/* "10.0.0.0/8", "2001:db8::/32" or a bare address (all bits). */
int cfg_lex_net(const char *s, struct cfg_net *n, char *why, size_t whylen);

/* "tcp" or "http". */
int cfg_lex_mode(const char *s, enum cfg_mode *m, char *why, size_t whylen);
const char *cfg_lex_mode_name(enum cfg_mode m);

/* "100", "64k", "10m", "1g" (any case): bytes, more than 0. Returns 0,
 * -EINVAL when <s> does not start with a digit, -ERANGE for a bad unit,
 * 0 or an overflow. */
int cfg_lex_size(const char *s, uint64_t *out);

/* Splits the line <s> (<len> bytes, no newline) into words: quotes,
 * backslash escapes in quotes, '#' comments. The words are written
 * NUL-terminated into <out> (room for len + 1 bytes) and pointed to by
 * <words> (room for CFG_LEX_WORDS_MAX). Returns the count or -1. */
int cfg_lex_split(const char *s, size_t len, char *out, char **words,
    char *why, size_t whylen);

#endif
