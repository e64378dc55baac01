/* Buffer pools: per-thread free lists of equal-sized blocks, for channel
 * buffers and TLS output. Below everything but the allocator. */
#ifndef GH_POOL_H
#define GH_POOL_H

#include <stddef.h>

/* A per-thread free list of equal-sized blocks. Never shared between
 * threads, so no locking. */
struct pool {
	size_t size;            /* block size */
	void *free;             /* singly linked through the first word */
	unsigned int nfree;
	unsigned int max_free;  /* blocks beyond this go back to malloc */
};

void pool_init(struct pool *p, size_t size, unsigned int max_free);
/* Returns a block of p->size bytes or NULL when memory is exhausted. */
void *pool_get(struct pool *p);
void pool_put(struct pool *p, void *block);
void pool_destroy(struct pool *p);

#endif
