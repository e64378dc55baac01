/* An LD_PRELOAD shim for tests: counts the calls to malloc, calloc and
 * realloc of the process it is loaded into, all of them and those of
 * MALLOC_COUNT_BIG bytes or more (default 1024: buffers, not small
 * objects), and writes "ALL BIG" to the file named by MALLOC_COUNT_OUT
 * when the process exits. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);

static atomic_ulong malloc_count_n, malloc_count_big;
static size_t malloc_count_min = 1024;

static void
malloc_count(size_t n)
{
	atomic_fetch_add_explicit(&malloc_count_n, 1, memory_order_relaxed);
	if (n >= malloc_count_min)
		atomic_fetch_add_explicit(&malloc_count_big, 1,
		    memory_order_relaxed);
}

__attribute__((constructor)) static void
malloc_count_init(void)
{
	const char *s = getenv("MALLOC_COUNT_BIG");

	if (s != NULL)
		malloc_count_min = strtoul(s, NULL, 10);
}

void *
malloc(size_t n)
{
	malloc_count(n);
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	malloc_count(n * size);
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	malloc_count(n);
	return __libc_realloc(p, n);
}

__attribute__((destructor)) static void
malloc_count_write(void)
{
	const char *path = getenv("MALLOC_COUNT_OUT");
	FILE *f;

	if (path == NULL || (f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "%lu %lu\n", atomic_load(&malloc_count_n),
	    atomic_load(&malloc_count_big));
	fclose(f);
}
