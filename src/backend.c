#include <errno.h>
#include <stdlib.h>

#include "backend.h"

int
backend_init_all(const struct cfg *c, struct backend **out)
{
	struct backend *all;
	size_t i, j;

	if ((all = calloc(c->nbackends ? c->nbackends : 1,
	    sizeof(*all))) == NULL)
		return -ENOMEM;
	for (i = 0; i < c->nbackends; i++) {
		struct backend *b = &all[i];

		b->cfg = &c->backends[i];
		b->nservers = b->cfg->nservers;
		if ((b->servers = calloc(b->nservers,
		    sizeof(*b->servers))) == NULL)
			goto err_free_backends;
		for (j = 0; j < b->nservers; j++)
			b->servers[j].cfg = &b->cfg->servers[j];
	}
	*out = all;
	return 0;
err_free_backends:
	backend_free_all(all, i);
	return -ENOMEM;
}

void
backend_free_all(struct backend *b, size_t n)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < n; i++)
		free(b[i].servers);
	free(b);
}

struct backend *
backend_of(struct backend *all, size_t n, const struct cfg_backend *cb)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (all[i].cfg == cb)
			return &all[i];
	return NULL;
}

unsigned int
backend_rr_start(struct backend *b)
{
	return atomic_fetch_add_explicit(&b->rr_next, 1, memory_order_relaxed);
}

struct server *
backend_pick(struct backend *b, unsigned int start, unsigned int attempt)
{
	if (attempt >= b->nservers)
		return NULL;
	/* start % n first: start + attempt may wrap around UINT_MAX. */
	return &b->servers[(start % b->nservers + attempt) % b->nservers];
}
