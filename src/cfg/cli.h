/* The command line: getopt_long over argv, and the quick one-line mode that
 * builds a whole configuration from --bind/--cert/--backend. */
#ifndef GH_CLI_H
#define GH_CLI_H

#include "cfg.h"

enum cli_action {
	CLI_RUN = 0,            /* run the proxy on opts.cfg */
	CLI_CHECK,              /* -c: configuration checked, exit 0 */
	CLI_DUMP,               /* --dump-config: print opts.cfg, exit 0 */
	CLI_EXPLAIN,            /* --explain NAME: which certificate of
	                           opts.cfg answers NAME, and its problems */
	CLI_VERSION,            /* -V */
	CLI_HELP,               /* -h */
	CLI_USAGE,              /* no arguments or a bad one: usage, exit 2 */
	CLI_CFG_ERROR           /* the configuration is wrong: exit 1 */
};

struct cli_opts {
	enum cli_action action;
	struct cfg *cfg;        /* owned; set for RUN, CHECK, DUMP and
	                           EXPLAIN */
	const char *explain;    /* EXPLAIN: the host name, from argv */
	char err[512];          /* the message for USAGE and CFG_ERROR */
};

/* Parses argv. Never exits and never prints: main() acts on the result.
 * Rules:
 *  - no arguments at all: CLI_USAGE;
 *  - -f FILE and the one-line options (--bind, --cert, --mode, --backend)
 *    are exclusive;
 *  - one-line mode needs at least one --bind and one --backend; --cert
 *    (repeatable) makes every --bind a TLS bind; --mode tcp|http (default
 *    tcp); --workers N (also allowed with -f, overriding the file);
 *  - --explain NAME goes with -f FILE or the one-line options, not with
 *    -c nor --dump-config; NAME may not be empty;
 *  - a configuration error, from the file or the one-liner, gives
 *    CLI_CFG_ERROR with "file:line: reason" (the one-liner's messages use
 *    "(command line)" and the option, e.g. "--bind: bad port 'x'").
 * Long options: --bind --cert --mode --backend --workers --config (= -f)
 * --check (= -c) --dump-config --explain --version (= -V) --help (= -h). */
void cli_parse(int argc, char **argv, struct cli_opts *o);

/* The short usage printed on stderr for CLI_USAGE and on stdout for -h. */
void cli_usage(FILE *out, const char *prog);

#endif
