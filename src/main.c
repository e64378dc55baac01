/* main(): the command line, then one runtime (runtime.c) built, bound,
 * started; privileges dropped between binding and starting; then the
 * main thread only waits for signals. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "config.h"

#include "cli.h"
#include "log.h"
#include "runtime.h"
#include "ssl_ctx.h"
#include "ssl_sock.h"
#include "tls.h"


static int
main_drop_privileges(const char *user)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL) {
		log_errx("user %s: no such user", user);
		return -1;
	}
	if (setgroups(1, &pw->pw_gid) == -1 || setgid(pw->pw_gid) == -1 ||
	    setuid(pw->pw_uid) == -1) {
		log_err("cannot become user %s", user);
		return -1;
	}
	return 0;
}

/* Waits for SIGTERM or SIGINT, asks the workers to drain, and returns
 * when they have all stopped. A second signal ends the grace at once.
 * SIGHUP reloads the TLS files. */
static void
main_wait(struct runtime *rt, const sigset_t *set)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 }, sec = { 1, 0 };
	unsigned int stops = 0;
	int sig;

	for (;;) {
		sig = sigtimedwait(set, NULL, stops ? &tick : &sec);
		if (sig == -1 && !stops)
			tls_tick(rt);
		if (sig == SIGHUP && !stops) {
			tls_reload(rt);
			runtime_tls_changed(rt);
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT) {
			log_info("%s: %s", strsignal(sig), stops == 0 ?
			    "stopping, letting connections finish" :
			    "closing remaining connections now");
			stops++;
			runtime_stop(rt, 0);
		}
		if (stops && runtime_done(rt))
			return;
	}
}

static int
main_run(const struct cfg *c)
{
	struct runtime *rt;
	sigset_t set;
	char err[1024];
	int rc = 1;

	log_init(c->log == CFG_LOG_SYSLOG, c->log_facility, "gatehouse");
	log_set_quiet(c->log == CFG_LOG_NONE);
	signal(SIGPIPE, SIG_IGN);
	if (runtime_new(c, &rt, err, sizeof(err)) < 0) {
		log_errx("%s", err);
		return 1;
	}
	if (runtime_bind(rt, err, sizeof(err)) < 0) {
		log_errx("%s", err);
		goto out_free_runtime;
	}
	if (c->user != NULL && main_drop_privileges(c->user) < 0)
		goto out_free_runtime;
	/* Signals are taken by the main thread only: the threads inherit a
	 * mask that blocks them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (runtime_start(rt, err, sizeof(err)) < 0) {
		log_errx("%s", err);
		goto out_join;
	}
	log_info("gatehouse %s: %u worker(s), %zu frontend(s), maxconn %u",
	    PACKAGE_VERSION, c->workers, c->nfrontends, rt->maxconn);
	main_wait(rt, &set);
	rc = 0;
out_join:
	runtime_join(rt);
	if (rc == 0) {
		runtime_log_counts(rt);
		log_info("stopped");
	}
out_free_runtime:
	runtime_free(rt);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cli_opts o;
	struct runtime *rt;
	char err[1024];
	size_t i;
	int rc;

	cli_parse(argc, argv, &o);
	/* Harmless oddities of the file, for -c and start-up alike. */
	for (i = 0; o.cfg != NULL && i < o.cfg->nwarnings; i++)
		fprintf(stderr, "%s\n", o.cfg->warnings[i]);
	switch (o.action) {
	case CLI_USAGE:
		if (o.err[0] != '\0')
			fprintf(stderr, "gatehouse: %s\n", o.err);
		cli_usage(stderr, "gatehouse");
		return 2;
	case CLI_HELP:
		cli_usage(stdout, "gatehouse");
		return 0;
	case CLI_VERSION:
		printf("gatehouse %s\n", PACKAGE_VERSION);
		return 0;
	case CLI_CFG_ERROR:
		fprintf(stderr, "%s\n", o.err);
		return 1;
	case CLI_DUMP:
		cfg_dump(o.cfg, stdout);
		cfg_free(o.cfg);
		return 0;
	case CLI_EXPLAIN:
		ssl_init();
		rc = tls_explain(o.cfg, o.explain);
		cfg_free(o.cfg);
		return rc;
	case CLI_CHECK:
		/* Everything start checks short of binding: the same
		 * runtime_new(), certificates and open-file limit included.
		 * Its information lines (kTLS) are for a start; warnings
		 * still show. */
		ssl_init();
		log_set_quiet(1);
		if (runtime_new(o.cfg, &rt, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			cfg_free(o.cfg);
			return 1;
		}
		runtime_free(rt);
		printf("configuration is valid\n");
		cfg_free(o.cfg);
		return 0;
	case CLI_RUN:
		break;
	}
	ssl_init();
	if (ssl_sock_init() < 0)
		return 1;
	rc = main_run(o.cfg);
	cfg_free(o.cfg);
	return rc;
}
