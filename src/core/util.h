/* Small things every module uses: strings as pointer + length, intrusive
 * lists, monotonic time, address formatting. */
#ifndef GH_UTIL_H
#define GH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>

struct ist {
	const char *ptr;
	size_t len;
};

/* Intrusive doubly linked list; an empty list points at itself. */
struct list {
	struct list *next, *prev;
};

#define LIST_INIT(l)    ((l)->next = (l)->prev = (l))
#define LIST_EMPTY(l)   ((l)->next == (l))
#define container_of(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

static inline void
list_append(struct list *head, struct list *e)
{
	e->prev = head->prev;
	e->next = head;
	head->prev->next = e;
	head->prev = e;
}

static inline void
list_del(struct list *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->next = e->prev = e;
}

/* Milliseconds on CLOCK_MONOTONIC. */
uint64_t util_now_ms(void);

/* Writes "1.2.3.4:80" or "[::1]:80" into <buf>; returns <buf>. Never fails:
 * an unknown family gives "?". */
#define UTIL_ADDRSTRLEN 64
char *util_addr_str(const struct sockaddr *sa, char *buf, size_t len);
/* The address alone: "192.0.2.1", "2001:db8::1". */
char *util_addr_ip(const struct sockaddr *sa, char *buf, size_t len);

/* <ms> milliseconds as a timeval, for libevent's timers. */
static inline struct timeval
util_ms_tv(uint64_t ms)
{
	return (struct timeval){ (time_t)(ms / 1000),
	    (suseconds_t)(ms % 1000) * 1000 };
}

/* A 32-bit hash of <len> bytes at <key> (FNV-1a, mixed): the balancing
 * keys and the consistent hash ring. */
uint32_t util_hash(const void *key, size_t len);

#endif
