/* Unit tests of cli.c: every rule of cli_parse() with its exact message,
 * and the one-liner's configuration checked field by field. */
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static char cert_path[] = "/tmp/gh_cert_XXXXXX";
static char conf_path[] = "/tmp/gh_conf_XXXXXX";
static char bad_conf_path[] = "/tmp/gh_badconf_XXXXXX";
static struct cli_opts o;

/* Runs cli_parse() over "gatehouse ARGS...". getopt permutes argv, hence
 * a fresh array each time. */
#define PARSE(...) do {                                                 \
	char *av_[] = { "gatehouse", __VA_ARGS__, NULL };               \
	cli_free_cfg();                                                 \
	cli_parse((int)(sizeof(av_) / sizeof(av_[0])) - 1, av_, &o);    \
} while (0)

/* Asserts the action and, for USAGE and CFG_ERROR, the message. */
#define ck_action(a, msg) do {                                          \
	ck_assert_int_eq(o.action, (a));                                \
	ck_assert_str_eq(o.err, (msg));                                 \
} while (0)

static void
cli_free_cfg(void)
{
	cfg_free(o.cfg);
	o.cfg = NULL;
}

static unsigned int
ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > CFG_WORKERS_MAX ? CFG_WORKERS_MAX :
	    (unsigned int)n;
}

START_TEST(no_arguments)
{
	char *av[] = { "gatehouse", NULL };

	cli_parse(1, av, &o);
	ck_action(CLI_USAGE, "nothing to do: give -f FILE, or --bind and "
	    "--backend");
	ck_assert_ptr_null(o.cfg);
	cli_parse(0, av + 1, &o);
	ck_assert_int_eq(o.action, CLI_USAGE);
}
END_TEST

START_TEST(help_and_version)
{
	PARSE("-h");
	ck_action(CLI_HELP, "");
	ck_assert_ptr_null(o.cfg);
	PARSE("--help");
	ck_action(CLI_HELP, "");
	PARSE("-V");
	ck_action(CLI_VERSION, "");
	PARSE("--version");
	ck_action(CLI_VERSION, "");
	/* Help wins over anything else that is well formed. */
	PARSE("-f", "/nonexistent", "-V", "-h");
	ck_action(CLI_HELP, "");
	ck_assert_ptr_null(o.cfg);
}
END_TEST

START_TEST(unknown_option)
{
	PARSE("--x");
	ck_action(CLI_USAGE, "unknown option '--x'");
	PARSE("--x=3", "-h");
	ck_action(CLI_USAGE, "unknown option '--x'");
	PARSE("-x");
	ck_action(CLI_USAGE, "unknown option '-x'");
	PARSE("-cx", "-f", "a");
	ck_action(CLI_USAGE, "unknown option '-x'");
	PARSE("-xc", "--check");
	ck_action(CLI_USAGE, "unknown option '-x'");
	PARSE("--check=yes");
	ck_action(CLI_USAGE, "option '--check' takes no argument");
	PARSE("--dump-config=1");
	ck_action(CLI_USAGE, "option '--dump-config' takes no argument");
	PARSE("-c", "stray");
	ck_action(CLI_USAGE, "unexpected argument 'stray'");
	ck_assert_ptr_null(o.cfg);
}
END_TEST

START_TEST(missing_argument)
{
	PARSE("--bind");
	ck_action(CLI_USAGE, "option '--bind' needs an argument");
	PARSE("--backend", "1.1.1.1:1", "--bind");
	ck_action(CLI_USAGE, "option '--bind' needs an argument");
	PARSE("-f");
	ck_action(CLI_USAGE, "option '-f' needs an argument");
	PARSE("-cf");
	ck_action(CLI_USAGE, "option '-f' needs an argument");
	PARSE("--config");
	ck_action(CLI_USAGE, "option '--config' needs an argument");
	PARSE("--workers");
	ck_action(CLI_USAGE, "option '--workers' needs an argument");
}
END_TEST

START_TEST(usage_rules)
{
	PARSE("-f", conf_path, "--bind", "*:1");
	ck_action(CLI_USAGE, "-f and --bind are exclusive");
	PARSE("--cert", cert_path, "--config", conf_path);
	ck_action(CLI_USAGE, "-f and --cert are exclusive");
	PARSE("--mode", "tcp", "-f", conf_path, "--backend", "1.1.1.1:1");
	ck_action(CLI_USAGE, "-f and --mode are exclusive");
	PARSE("--bind", "*:1");
	ck_action(CLI_USAGE, "the one-line mode needs --bind and --backend");
	PARSE("--backend", "1.1.1.1:1", "--cert", cert_path);
	ck_action(CLI_USAGE, "the one-line mode needs --bind and --backend");
	PARSE("--workers", "2");
	ck_action(CLI_USAGE, "nothing to do: give -f FILE, or --bind and "
	    "--backend");
	PARSE("-c");
	ck_action(CLI_USAGE, "nothing to do: give -f FILE, or --bind and "
	    "--backend");
	PARSE("-c", "--dump-config", "-f", conf_path);
	ck_action(CLI_USAGE, "-c and --dump-config are exclusive");
	ck_assert_ptr_null(o.cfg);
}
END_TEST

START_TEST(check_one_liner)
{
	const struct cfg_frontend *fe;
	const struct cfg_backend *be;

	PARSE("-c", "--bind", "127.0.0.1:8443", "--backend", "127.0.0.1:8080",
	    "--backend", "[::1]:8081");
	ck_action(CLI_CHECK, "");
	ck_assert_ptr_nonnull(o.cfg);
	ck_assert_str_eq(o.cfg->file, "(command line)");
	ck_assert_uint_eq(o.cfg->workers, ncpus());
	ck_assert_uint_eq(o.cfg->maxconn, 0);
	ck_assert_int_eq(o.cfg->default_mode, CFG_MODE_TCP);
	ck_assert_uint_eq(o.cfg->nfrontends, 1);
	fe = o.cfg->frontends;
	ck_assert_str_eq(fe->name, "main");
	ck_assert_int_eq(fe->mode, CFG_MODE_TCP);
	ck_assert_uint_eq(fe->timeouts.client, CFG_DEF_T_CLIENT);
	ck_assert_uint_eq(fe->nbinds, 1);
	ck_assert_str_eq(fe->binds[0].text, "127.0.0.1:8443");
	ck_assert_int_eq(fe->binds[0].addr.ss_family, AF_INET);
	ck_assert_uint_eq(fe->binds[0].flags, 0);
	ck_assert_uint_eq(fe->binds[0].ncerts, 0);
	ck_assert_uint_eq(o.cfg->nbackends, 1);
	be = o.cfg->backends;
	ck_assert_ptr_eq(fe->default_backend, be);
	ck_assert_str_eq(be->name, "main");
	ck_assert_uint_eq(be->timeouts.connect, CFG_DEF_T_CONNECT);
	ck_assert_uint_eq(be->nservers, 2);
	ck_assert_str_eq(be->servers[0].name, "s1");
	ck_assert_str_eq(be->servers[0].text, "127.0.0.1:8080");
	ck_assert_str_eq(be->servers[1].name, "s2");
	ck_assert_str_eq(be->servers[1].text, "[::1]:8081");
	ck_assert_int_eq(be->servers[1].addr.ss_family, AF_INET6);

	/* Long form, and "--opt=value". */
	PARSE("--check", "--bind=*:1", "--backend=1.1.1.1:2", "--mode=tcp");
	ck_action(CLI_CHECK, "");
	ck_assert_str_eq(o.cfg->frontends->binds[0].text, "*:1");
}
END_TEST

START_TEST(run_one_liner_tls)
{
	const struct cfg_bind *b;
	size_t i;

	/* [::]:443 beside *:443 would be the same IPv4 address twice: the
	 * one-liner has no v6only, so another port. */
	PARSE("--bind", "*:443", "--cert", cert_path, "--bind", "[::]:8443",
	    "--cert", cert_path, "--backend", "10.0.0.1:80", "--workers", "3");
	ck_action(CLI_RUN, "");
	ck_assert_uint_eq(o.cfg->workers, 3);
	ck_assert_uint_eq(o.cfg->frontends->nbinds, 2);
	for (i = 0; i < 2; i++) {
		b = &o.cfg->frontends->binds[i];
		ck_assert_uint_eq(b->flags, CFG_BIND_F_TLS);
		ck_assert_uint_eq(b->ncerts, 2);
		ck_assert_str_eq(b->certs[1].cert, cert_path);
		ck_assert_ptr_null(b->certs[1].key);
	}
	ck_assert_int_eq(o.cfg->frontends->binds[1].addr.ss_family, AF_INET6);
}
END_TEST

START_TEST(bad_one_liner)
{
	PARSE("-c", "--bind", "1.2.3:x", "--backend", "1.1.1.1:1");
	ck_action(CLI_CFG_ERROR, "(command line): --bind: bad address "
	    "'1.2.3:x': bad port 'x' (1..65535)");
	ck_assert_ptr_null(o.cfg);
	PARSE("-c", "--bind", "*:1", "--backend", "1.1.1.1:1", "--backend",
	    "*:80");
	ck_action(CLI_CFG_ERROR, "(command line): --backend: bad address "
	    "'*:80': '*' is only valid for bind");
	PARSE("-c", "--bind", "*:1", "--backend", "::1:80");
	ck_action(CLI_CFG_ERROR, "(command line): --backend: bad address "
	    "'::1:80': an IPv6 address needs brackets, e.g. '[::1]:443'");
	PARSE("-c", "--bind", "*:1", "--backend", "1.1.1.1:1", "--mode", "ftp");
	ck_action(CLI_CFG_ERROR, "(command line): --mode: expected tcp or "
	    "http, got 'ftp'");
	PARSE("-c", "--bind", "*:443", "--cert", "/nonexistent/c.pem",
	    "--backend", "1.1.1.1:1");
	ck_action(CLI_CFG_ERROR, "(command line): bind '*:443': cannot read "
	    "cert '/nonexistent/c.pem': No such file or directory");
	PARSE("-c", "--bind", "*:1", "--backend", "1.1.1.1:1", "--workers",
	    "0");
	ck_action(CLI_CFG_ERROR, "(command line): --workers: '0' is out of "
	    "range 1..1024");
	PARSE("-c", "--bind", "*:1", "--backend", "1.1.1.1:1", "--workers",
	    "+2");
	ck_action(CLI_CFG_ERROR, "(command line): --workers: bad number '+2'");
	ck_assert_ptr_null(o.cfg);
	/* The same checks as a file: a dual-stack [::] takes *'s port. */
	PARSE("-c", "--bind", "*:443", "--bind", "[::]:443", "--backend",
	    "1.1.1.1:1");
	ck_action(CLI_CFG_ERROR, "(command line): bind [::]:443: address "
	    "already used by bind *:443");
	ck_assert_ptr_null(o.cfg);
}
END_TEST

START_TEST(dump_one_liner)
{
	struct cfg *d;
	char err[512], *text;
	size_t len;
	FILE *f;

	PARSE("--dump-config", "--bind", "*:443", "--cert", cert_path,
	    "--backend", "10.0.0.1:80", "--backend", "10.0.0.2:80");
	ck_action(CLI_DUMP, "");
	ck_assert_ptr_nonnull(f = open_memstream(&text, &len));
	cfg_dump(o.cfg, f);
	ck_assert_int_eq(fclose(f), 0);
	/* What the grammar says the one-liner is equivalent to. */
	ck_assert_ptr_nonnull(strstr(text, "frontend main\n"));
	ck_assert_ptr_nonnull(strstr(text, "    default-backend main\n"));
	ck_assert_ptr_nonnull(strstr(text, "backend main\n"));
	ck_assert_ptr_nonnull(strstr(text, "    server s1 10.0.0.1:80\n"
	    "    server s2 10.0.0.2:80\n"));
	d = cfg_load_buf("dump", text, len, err, sizeof(err));
	ck_assert_msg(d != NULL, "%s in:\n%s", err, text);
	ck_assert_uint_eq(d->workers, o.cfg->workers);
	ck_assert_str_eq(d->frontends->binds->certs->cert, cert_path);
	ck_assert_uint_eq(d->frontends->binds->flags, CFG_BIND_F_TLS);
	ck_assert_uint_eq(d->backends->nservers, 2);
	cfg_free(d);
	free(text);
}
END_TEST

START_TEST(config_file)
{
	PARSE("-f", conf_path);
	ck_action(CLI_RUN, "");
	ck_assert_str_eq(o.cfg->file, conf_path);
	ck_assert_uint_eq(o.cfg->workers, 2);
	PARSE("--config", conf_path, "-c");
	ck_action(CLI_CHECK, "");
	PARSE("--dump-config", "-f", conf_path);
	ck_action(CLI_DUMP, "");
	/* --workers overrides the file's value, whatever the order. */
	PARSE("--workers", "7", "-f", conf_path);
	ck_action(CLI_RUN, "");
	ck_assert_uint_eq(o.cfg->workers, 7);
	PARSE("-f", conf_path, "--workers", "1024");
	ck_assert_uint_eq(o.cfg->workers, 1024);
	PARSE("-f", conf_path, "--workers", "1025");
	ck_action(CLI_CFG_ERROR, "(command line): --workers: '1025' is out of "
	    "range 1..1024");
	ck_assert_ptr_null(o.cfg);
}
END_TEST

START_TEST(config_file_errors)
{
	char want[512];

	PARSE("-c", "-f", bad_conf_path);
	snprintf(want, sizeof(want), "%s:3: 'server' is only valid in a "
	    "backend", bad_conf_path);
	ck_action(CLI_CFG_ERROR, want);
	ck_assert_ptr_null(o.cfg);
	PARSE("-f", "/nonexistent/gh.conf");
	ck_action(CLI_CFG_ERROR, "/nonexistent/gh.conf: cannot open: No such "
	    "file or directory");
}
END_TEST

START_TEST(explain)
{
	PARSE("--explain", "a.test", "-f", conf_path);
	ck_action(CLI_EXPLAIN, "");
	ck_assert_str_eq(o.explain, "a.test");
	ck_assert_ptr_nonnull(o.cfg);
	ck_assert_str_eq(o.cfg->file, conf_path);
	PARSE("--bind", "*:443", "--cert", cert_path, "--explain=A.Test.",
	    "--backend", "10.0.0.1:80");
	ck_action(CLI_EXPLAIN, "");
	ck_assert_str_eq(o.explain, "A.Test.");
	ck_assert_uint_eq(o.cfg->frontends->binds[0].flags, CFG_BIND_F_TLS);
	/* Without a TLS bind it still parses: main() says so. */
	PARSE("--explain", "a.test", "--bind", "*:1", "--backend",
	    "10.0.0.1:80");
	ck_action(CLI_EXPLAIN, "");
	ck_assert_uint_eq(o.cfg->frontends->binds[0].ncerts, 0);
}
END_TEST

START_TEST(explain_errors)
{
	char want[512];

	PARSE("--explain");
	ck_action(CLI_USAGE, "option '--explain' needs an argument");
	PARSE("-f", conf_path, "--explain");
	ck_action(CLI_USAGE, "option '--explain' needs an argument");
	PARSE("--explain", "", "-f", conf_path);
	ck_action(CLI_USAGE, "--explain needs a host name");
	PARSE("--explain", "a.test", "-c", "-f", conf_path);
	ck_action(CLI_USAGE, "--explain and -c are exclusive");
	PARSE("--dump-config", "--explain", "a.test", "-f", conf_path);
	ck_action(CLI_USAGE, "--explain and --dump-config are exclusive");
	PARSE("--explain", "a.test");
	ck_action(CLI_USAGE, "nothing to do: give -f FILE, or --bind and "
	    "--backend");
	PARSE("--explain", "a.test", "-f", conf_path, "--cert", cert_path);
	ck_action(CLI_USAGE, "-f and --cert are exclusive");
	PARSE("--explain", "a.test", "--cert", cert_path);
	ck_action(CLI_USAGE, "the one-line mode needs --bind and --backend");
	ck_assert_ptr_null(o.cfg);
	PARSE("--explain", "a.test", "-f", bad_conf_path);
	snprintf(want, sizeof(want), "%s:3: 'server' is only valid in a "
	    "backend", bad_conf_path);
	ck_action(CLI_CFG_ERROR, want);
	PARSE("--explain", "a.test", "--bind", "*:443", "--cert",
	    "/nonexistent/c.pem", "--backend", "1.1.1.1:1");
	ck_action(CLI_CFG_ERROR, "(command line): bind '*:443': cannot read "
	    "cert '/nonexistent/c.pem': No such file or directory");
	ck_assert_ptr_null(o.cfg);
	ck_assert_ptr_null(o.explain);
}
END_TEST

START_TEST(reentrant)
{
	/* The same process, one parse after another: getopt restarts. */
	PARSE("-x");
	ck_action(CLI_USAGE, "unknown option '-x'");
	PARSE("-c", "-f", conf_path);
	ck_action(CLI_CHECK, "");
	PARSE("-c", "-f", conf_path);
	ck_action(CLI_CHECK, "");
	PARSE("-V");
	ck_action(CLI_VERSION, "");
	ck_assert_ptr_null(o.cfg);
}
END_TEST

START_TEST(usage_text)
{
	char *text;
	size_t len;
	FILE *f;

	ck_assert_ptr_nonnull(f = open_memstream(&text, &len));
	cli_usage(f, "gh");
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_nonnull(strstr(text, "usage: gh -f FILE [--workers N]\n"));
	ck_assert_ptr_nonnull(strstr(text, "--dump-config"));
	ck_assert_ptr_nonnull(strstr(text, "gh --explain NAME (-f FILE | "
	    "one-line options)\n"));
	ck_assert_ptr_nonnull(strstr(text, "--backend HOST:PORT"));
	free(text);
}
END_TEST

static Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc;

	tc = tcase_create("cli_parse");
	tcase_add_test(tc, no_arguments);
	tcase_add_test(tc, help_and_version);
	tcase_add_test(tc, unknown_option);
	tcase_add_test(tc, missing_argument);
	tcase_add_test(tc, usage_rules);
	tcase_add_test(tc, check_one_liner);
	tcase_add_test(tc, run_one_liner_tls);
	tcase_add_test(tc, bad_one_liner);
	tcase_add_test(tc, dump_one_liner);
	tcase_add_test(tc, config_file);
	tcase_add_test(tc, config_file_errors);
	tcase_add_test(tc, explain);
	tcase_add_test(tc, explain_errors);
	tcase_add_test(tc, reentrant);
	tcase_add_checked_fixture(tc, NULL, cli_free_cfg);
	suite_add_tcase(s, tc);

	tc = tcase_create("cli_usage");
	tcase_add_test(tc, usage_text);
	suite_add_tcase(s, tc);
	return s;
}

static void
make_temp(char *path, const char *content)
{
	FILE *f;
	int fd;

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL ||
	    fputs(content, f) == EOF || fclose(f) == EOF) {
		perror(path);
		exit(EXIT_FAILURE);
	}
}

int
main(void)
{
	SRunner *sr;
	int failed;

	make_temp(cert_path, "not really PEM: only readability is checked\n");
	make_temp(conf_path, "global\n    workers 2\nfrontend f\n"
	    "    bind 127.0.0.1:8443\n    default-backend b\nbackend b\n"
	    "    server s1 127.0.0.1:8080\n");
	make_temp(bad_conf_path, "frontend f\n    bind *:1\n"
	    "    server s1 127.0.0.1:8080\n");
	sr = srunner_create(cli_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	unlink(cert_path);
	unlink(conf_path);
	unlink(bad_conf_path);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
