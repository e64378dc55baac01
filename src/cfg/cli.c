/* The command line: getopt_long over argv, and the one-line mode that
 * builds the configuration straight from --bind/--cert/--backend, so that
 * its messages can name the option at fault. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_lex.h"
#include "cli.h"

#define CLI_FILE        "(command line)"

/* Long options without a short form. */
enum cli_opt {
	CLI_O_BIND = 256, CLI_O_CERT, CLI_O_MODE, CLI_O_BACKEND, CLI_O_WORKERS,
	CLI_O_DUMP, CLI_O_EXPLAIN
};

static const struct option cli_options[] = {
	{ "bind", required_argument, NULL, CLI_O_BIND },
	{ "cert", required_argument, NULL, CLI_O_CERT },
	{ "mode", required_argument, NULL, CLI_O_MODE },
	{ "backend", required_argument, NULL, CLI_O_BACKEND },
	{ "workers", required_argument, NULL, CLI_O_WORKERS },
	{ "config", required_argument, NULL, 'f' },
	{ "check", no_argument, NULL, 'c' },
	{ "dump-config", no_argument, NULL, CLI_O_DUMP },
	{ "explain", required_argument, NULL, CLI_O_EXPLAIN },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* The one-line options as given: pointers into argv. */
struct cli_line {
	const char **binds;
	size_t nbinds;
	const char **certs;
	size_t ncerts;
	const char **backends;
	size_t nbackends;
	const char *mode;       /* NULL: tcp */
	const char *first;      /* the first one-line option seen */
};

static void cli_fail(struct cli_opts *o, enum cli_action a, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
static int cli_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
cli_fail(struct cli_opts *o, enum cli_action a, const char *fmt, ...)
{
	va_list ap;

	o->action = a;
	va_start(ap, fmt);
	vsnprintf(o->err, sizeof(o->err), fmt, ap);
	va_end(ap);
}

/* "(command line): reason" into <err>. Returns -1. */
static int
cli_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "%s: ", CLI_FILE);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
cli_bind(struct cfg_bind *b, const char *text, const struct cli_line *l,
    const char *file, char *err, size_t errlen)
{
	char why[256];
	size_t i;

	b->file = file;
	if ((b->text = strdup(text)) == NULL)
		return cli_err(err, errlen, "out of memory");
	if (cfg_parse_addr(text, &b->addr, &b->addrlen, 1, why,
	    sizeof(why)) < 0)
		return cli_err(err, errlen, "--bind: %s", why);
	if (l->ncerts == 0)
		return 0;
	b->flags |= CFG_BIND_F_TLS;
	if ((b->certs = calloc(l->ncerts, sizeof(*b->certs))) == NULL)
		return cli_err(err, errlen, "out of memory");
	b->ncerts = l->ncerts;
	for (i = 0; i < l->ncerts; i++)
		if ((b->certs[i].cert = strdup(l->certs[i])) == NULL)
			return cli_err(err, errlen, "out of memory");
	return 0;
}

static int
cli_server(struct cfg_server *s, size_t i, const char *text, char *err,
    size_t errlen)
{
	char why[256], name[32];

	snprintf(name, sizeof(name), "s%zu", i + 1);
	s->weight = CFG_DEF_WEIGHT;
	s->file = "(command line)";
	if ((s->name = strdup(name)) == NULL)
		return cli_err(err, errlen, "out of memory");
	if (cfg_parse_server_addr(text, s, why, sizeof(why)) < 0)
		return cli_err(err, errlen, "--backend: %s", why);
	return 0;
}

/* Builds what "frontend main / bind ... / default-backend main; backend
 * main / server s1 ..." would give, <workers> (0: default) included, and
 * runs cfg_finish(). Returns it, or NULL with the message in <err>. */
static struct cfg *
cli_build(const struct cli_line *l, unsigned int workers, char *err,
    size_t errlen)
{
	struct cfg_frontend *fe;
	struct cfg_backend *be;
	struct cfg *c;
	char why[128];
	size_t i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto err_oom;
	c->workers = workers;
	if ((c->file = strdup(CLI_FILE)) == NULL ||
	    (c->frontends = calloc(1, sizeof(*fe))) == NULL)
		goto err_oom;
	c->nfrontends = 1;
	if ((c->backends = calloc(1, sizeof(*be))) == NULL)
		goto err_oom;
	c->nbackends = 1;
	fe = c->frontends;
	be = c->backends;
	fe->file = be->file = c->file;
	if ((fe->name = strdup("main")) == NULL ||
	    (be->name = strdup("main")) == NULL ||
	    (fe->default_backend_name = strdup("main")) == NULL)
		goto err_oom;

	if (l->mode != NULL && cfg_lex_mode(l->mode, &c->default_mode, why,
	    sizeof(why)) < 0) {
		cli_err(err, errlen, "--mode: %s", why);
		goto err_free_cfg;
	}

	if ((fe->binds = calloc(l->nbinds, sizeof(*fe->binds))) == NULL)
		goto err_oom;
	fe->nbinds = l->nbinds;
	for (i = 0; i < l->nbinds; i++)
		if (cli_bind(&fe->binds[i], l->binds[i], l, c->file, err,
		    errlen) < 0)
			goto err_free_cfg;

	if ((be->servers = calloc(l->nbackends, sizeof(*be->servers))) == NULL)
		goto err_oom;
	be->nservers = l->nbackends;
	for (i = 0; i < l->nbackends; i++)
		if (cli_server(&be->servers[i], i, l->backends[i], err,
		    errlen) < 0)
			goto err_free_cfg;

	if (cfg_finish(c, err, errlen) < 0)
		goto err_free_cfg;
	return c;
err_oom:
	cli_err(err, errlen, "out of memory");
err_free_cfg:
	cfg_free(c);
	return NULL;
}

/* The option getopt_long stopped at, as the user wrote it: for a long
 * option getopt has already stepped past it, for a short one optopt
 * names it. "--x=1" is shown as "--x". */
static void
cli_optname(int argc, char **argv, int longform, char *buf, size_t len)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";

	if (longform && strncmp(arg, "--", 2) == 0)
		snprintf(buf, len, "%.*s", (int)strcspn(arg, "="), arg);
	else
		snprintf(buf, len, "-%c", optopt);
}

void
cli_parse(int argc, char **argv, struct cli_opts *o)
{
	struct cli_line l = { 0 };
	const char *file = NULL, *workers = NULL, *explain = NULL, **words;
	unsigned int nworkers = 0;
	int ch, check = 0, dump = 0, help = 0, version = 0;
	char name[64], why[256];

	memset(o, 0, sizeof(*o));
	if (argc < 2) {
		cli_fail(o, CLI_USAGE, "nothing to do: give -f FILE, or "
		    "--bind and --backend");
		return;
	}
	/* Room for every argument in each list: never more than argc. */
	if ((words = calloc(3 * (size_t)argc, sizeof(*words))) == NULL) {
		cli_fail(o, CLI_CFG_ERROR, "out of memory");
		return;
	}
	l.binds = words;
	l.certs = words + argc;
	l.backends = words + 2 * argc;

	/* optind 0 makes glibc start afresh, so that tests can call this
	 * again; opterr 0 because this never prints. The leading ':' tells
	 * a missing argument apart from an unknown option. */
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":f:chV", cli_options,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'c':
			check = 1;
			break;
		case CLI_O_DUMP:
			dump = 1;
			break;
		case CLI_O_EXPLAIN:
			explain = optarg;
			break;
		case 'V':
			version = 1;
			break;
		case 'h':
			help = 1;
			break;
		case CLI_O_WORKERS:
			workers = optarg;
			break;
		case CLI_O_BIND:
			l.binds[l.nbinds++] = optarg;
			l.first = l.first ? l.first : "--bind";
			break;
		case CLI_O_CERT:
			l.certs[l.ncerts++] = optarg;
			l.first = l.first ? l.first : "--cert";
			break;
		case CLI_O_BACKEND:
			l.backends[l.nbackends++] = optarg;
			l.first = l.first ? l.first : "--backend";
			break;
		case CLI_O_MODE:
			l.mode = optarg;
			l.first = l.first ? l.first : "--mode";
			break;
		case ':':
			cli_optname(argc, argv, 1, name, sizeof(name));
			cli_fail(o, CLI_USAGE, "option '%s' needs an argument",
			    name);
			goto out_free_words;
		default:
			/* optopt is 0 for an unknown long option, and the
			 * option's value for a long one given "=ARG" that it
			 * does not take; otherwise an unknown short one. */
			if (optopt == 0) {
				cli_optname(argc, argv, 1, name, sizeof(name));
				cli_fail(o, CLI_USAGE, "unknown option '%s'",
				    name);
			} else if (optopt == CLI_O_DUMP ||
			    strchr("chV", optopt) != NULL) {
				cli_optname(argc, argv, 1, name, sizeof(name));
				cli_fail(o, CLI_USAGE, "option '%s' takes no "
				    "argument", name);
			} else {
				cli_optname(argc, argv, 0, name, sizeof(name));
				cli_fail(o, CLI_USAGE, "unknown option '%s'",
				    name);
			}
			goto out_free_words;
		}
	}

	if (optind < argc) {
		cli_fail(o, CLI_USAGE, "unexpected argument '%s'",
		    argv[optind]);
		goto out_free_words;
	}
	if (help || version) {
		o->action = help ? CLI_HELP : CLI_VERSION;
		goto out_free_words;
	}
	if (check && dump) {
		cli_fail(o, CLI_USAGE, "-c and --dump-config are exclusive");
		goto out_free_words;
	}
	if (explain != NULL && (check || dump)) {
		cli_fail(o, CLI_USAGE, "--explain and %s are exclusive",
		    check ? "-c" : "--dump-config");
		goto out_free_words;
	}
	if (explain != NULL && explain[0] == '\0') {
		cli_fail(o, CLI_USAGE, "--explain needs a host name");
		goto out_free_words;
	}
	if (file != NULL && l.first != NULL) {
		cli_fail(o, CLI_USAGE, "-f and %s are exclusive", l.first);
		goto out_free_words;
	}
	if (file == NULL && l.first == NULL) {
		cli_fail(o, CLI_USAGE, "nothing to do: give -f FILE, or "
		    "--bind and --backend");
		goto out_free_words;
	}
	if (file == NULL && (l.nbinds == 0 || l.nbackends == 0)) {
		cli_fail(o, CLI_USAGE, "the one-line mode needs --bind and "
		    "--backend");
		goto out_free_words;
	}

	if (workers != NULL &&
	    cfg_parse_uint(workers, 1, CFG_WORKERS_MAX, &nworkers, why,
	    sizeof(why)) < 0) {
		cli_fail(o, CLI_CFG_ERROR, "%s: --workers: %s", CLI_FILE, why);
		goto out_free_words;
	}
	if (file != NULL)
		o->cfg = cfg_load_file(file, o->err, sizeof(o->err));
	else
		o->cfg = cli_build(&l, nworkers, o->err, sizeof(o->err));
	if (o->cfg == NULL) {
		o->action = CLI_CFG_ERROR;
		goto out_free_words;
	}
	/* The file has been through cfg_finish(): overriding after it is
	 * safe, nworkers being in range already. */
	if (nworkers != 0) {
		o->cfg->workers = nworkers;
		o->cfg->workers_auto = 0;
	}
	o->explain = explain;
	o->action = check ? CLI_CHECK : dump ? CLI_DUMP : explain ?
	    CLI_EXPLAIN : CLI_RUN;
out_free_words:
	free(words);
}

void
cli_usage(FILE *out, const char *prog)
{
	fprintf(out,
	    "usage: %s -f FILE [--workers N]\n"
	    "       %s --bind ADDR:PORT [--cert FILE]... [--mode tcp|http]\n"
	    "           --backend HOST:PORT [--backend HOST:PORT]... "
	    "[--workers N]\n"
	    "       %s -c | --dump-config (-f FILE | one-line options)\n"
	    "       %s --explain NAME (-f FILE | one-line options)\n"
	    "       %s -V | -h\n"
	    "\n"
	    "  -f, --config FILE   run from a configuration file\n"
	    "  --bind ADDR:PORT    listen there (repeatable)\n"
	    "  --cert FILE         PEM with chain and key; makes every bind "
	    "TLS (repeatable)\n"
	    "  --mode tcp|http     proxy mode (default tcp)\n"
	    "  --backend HOST:PORT a server to forward to (repeatable)\n"
	    "  --workers N         worker threads (default: one per CPU)\n"
	    "  -c, --check         check the configuration and exit\n"
	    "  --dump-config       print the equivalent configuration file\n"
	    "  --explain NAME      which certificate answers NAME (SNI), "
	    "and what is wrong\n"
	    "  -V, --version       print the version\n"
	    "  -h, --help          this help\n",
	    prog, prog, prog, prog, prog);
}
