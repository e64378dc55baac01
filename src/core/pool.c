/* Per-thread pools of equal-sized blocks: channel buffers, TLS output. */
#include <stdlib.h>

#include "pool.h"

void
pool_init(struct pool *p, size_t size, unsigned int max_free)
{
	p->size = size;
	p->free = NULL;
	p->nfree = 0;
	p->max_free = max_free;
}

void *
pool_get(struct pool *p)
{
	void *b = p->free;

	if (b == NULL)
		return malloc(p->size);
	p->free = *(void **)b;
	p->nfree--;
	return b;
}

void
pool_put(struct pool *p, void *b)
{
	if (b == NULL)
		return;
	if (p->nfree >= p->max_free) {
		free(b);
		return;
	}
	*(void **)b = p->free;
	p->free = b;
	p->nfree++;
}

void
pool_destroy(struct pool *p)
{
	void *b;

	while ((b = p->free) != NULL) {
		p->free = *(void **)b;
		free(b);
	}
	p->nfree = 0;
}
