/* The splice pipe pool (pipes.h). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipes.h"

void
pipes_init(struct pipe_pool *pp, unsigned int max)
{
	memset(pp, 0, sizeof(*pp));
	pp->max = max;
}

void
pipes_destroy(struct pipe_pool *pp)
{
	unsigned int i;

	for (i = 0; i < pp->n; i++) {
		close(pp->fds[i][0]);
		close(pp->fds[i][1]);
	}
	free(pp->fds);
	pp->fds = NULL;
	pp->n = pp->cap = 0;
}

int
pipes_get(struct pipe_pool *pp, int p[2])
{
	if (pp->n > 0) {
		pp->n--;
		p[0] = pp->fds[pp->n][0];
		p[1] = pp->fds[pp->n][1];
		pp->out++;
		return 0;
	}
	if (pp->out >= pp->max || pipe2(p, O_NONBLOCK | O_CLOEXEC) == -1) {
		p[0] = p[1] = -1;
		return -1;
	}
	pp->out++;
	return 0;
}

void
pipes_put(struct pipe_pool *pp, int p[2])
{
	int (*fds)[2];

	pp->out--;
	if (pp->n == pp->cap) {
		unsigned int cap = pp->cap ? pp->cap * 2 : 16;

		if (cap > pp->max ||
		    (fds = realloc(pp->fds, cap * sizeof(*fds))) == NULL) {
			close(p[0]);
			close(p[1]);
			p[0] = p[1] = -1;
			return;
		}
		pp->fds = fds;
		pp->cap = cap;
	}
	pp->fds[pp->n][0] = p[0];
	pp->fds[pp->n][1] = p[1];
	pp->n++;
	p[0] = p[1] = -1;
}
