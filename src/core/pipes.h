/* A per-worker stack of empty pipes for splice(2): a session takes one
 * per spliced direction and gives it back empty, so that steady state
 * makes no pipe2() call. Not thread safe: one pool per worker. */
#ifndef GH_PIPES_H
#define GH_PIPES_H

struct pipe_pool {
	int (*fds)[2];
	unsigned int n, cap;            /* pooled; most kept */
	unsigned int out;               /* handed out */
	unsigned int max;               /* most in existence */
};

/* An empty pool of at most <max> pipes (pooled and handed out). */
void pipes_init(struct pipe_pool *pp, unsigned int max);
/* Closes the pooled pipes; those handed out are their holders'. */
void pipes_destroy(struct pipe_pool *pp);

/* Takes an empty pipe: 0 and fds in <p>, or -1 (and <p> -1, -1) when
 * none can be had. */
int pipes_get(struct pipe_pool *pp, int p[2]);
/* Gives back a pipe taken from <pp>; it must be empty. Sets <p> to
 * -1, -1. */
void pipes_put(struct pipe_pool *pp, int p[2]);

#endif
