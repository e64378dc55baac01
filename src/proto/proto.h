/* Protocols: what a frontend's mode does with a connection once its
 * transport is ready (after the TLS handshake). The protocol accept makes
 * the session and installs its mode: the analyzers on the channels and
 * the hooks of struct session_ops (src/session/session.h). */
#ifndef GH_PROTO_H
#define GH_PROTO_H

struct endpoint;
struct frontend;
struct worker;

/* A protocol's accept: takes the client endpoint <e>. Returns 0 and owns
 * <e>, or -errno and the caller keeps it. */
struct proto {
	const char *name;
	int (*accept)(struct worker *w, struct frontend *fe,
	    struct endpoint *e);
};

extern const struct proto proto_tcp;   /* src/proto/proto_tcp.c */
extern const struct proto proto_http;  /* src/proto/proto_http.c */

#endif
