#include <stdlib.h>
#include <string.h>

#include "ssl_sni.h"

#define SSL_SNI_MAX 253         /* the longest DNS name */

int
ssl_sni_norm(const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name), i;
	char c;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > SSL_SNI_MAX || n >= outlen)
		return -1;
	for (i = 0; i < n; i++) {
		c = name[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		/* '*' only as the whole first label of a certificate name. */
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || (c == '*' && i == 0 && n > 2 &&
		    name[1] == '.')))
			return -1;
		out[i] = c;
	}
	out[n] = '\0';
	return strstr(out, "..") != NULL || out[0] == '.' ? -1 : 0;
}

static int
ssl_sni_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ssl_sni_entry *)a)->name,
	    ((const struct ssl_sni_entry *)b)->name);
}

int
ssl_sni_add(struct ssl_sni *t, const char *name, SSL_CTX *ctx)
{
	char norm[SSL_SNI_MAX + 1];
	struct ssl_sni_entry *e;
	size_t i;

	if (ssl_sni_norm(name, norm, sizeof(norm)) < 0)
		return 1;
	for (i = 0; i < t->n; i++)
		if (strcmp(t->e[i].name, norm) == 0)
			return 1;
	if ((e = reallocarray(t->e, t->n + 1, sizeof(*e))) == NULL)
		return -1;
	t->e = e;
	if ((e[t->n].name = strdup(norm)) == NULL)
		return -1;
	e[t->n++].ctx = ctx;
	return 0;
}

void
ssl_sni_done(struct ssl_sni *t)
{
	if (t->n > 1)
		qsort(t->e, t->n, sizeof(*t->e), ssl_sni_cmp);
}

static SSL_CTX *
ssl_sni_get(const struct ssl_sni *t, const char *norm)
{
	struct ssl_sni_entry key = { .name = (char *)norm }, *e;

	e = t->n == 0 ? NULL : bsearch(&key, t->e, t->n, sizeof(*t->e),
	    ssl_sni_cmp);
	return e != NULL ? e->ctx : NULL;
}

SSL_CTX *
ssl_sni_find(const struct ssl_sni *t, const char *name)
{
	char norm[SSL_SNI_MAX + 3];
	const char *dot;
	SSL_CTX *ctx;

	/* A client's name never holds a '*'. */
	if (name == NULL || strchr(name, '*') != NULL ||
	    ssl_sni_norm(name, norm + 2, sizeof(norm) - 2) < 0)
		return NULL;
	if ((ctx = ssl_sni_get(t, norm + 2)) != NULL)
		return ctx;
	/* One label up: "*.example.com" for "a.example.com". */
	if ((dot = strchr(norm + 2, '.')) == NULL || strchr(dot + 1, '.') ==
	    NULL)
		return NULL;
	norm[(size_t)(dot - norm) - 1] = '*';
	return ssl_sni_get(t, norm + (dot - norm) - 1);
}

void
ssl_sni_free(struct ssl_sni *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->e[i].name);
	free(t->e);
	t->e = NULL;
	t->n = 0;
}
