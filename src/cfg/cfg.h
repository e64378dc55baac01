/* The configuration: what cfg_parse.c (file) and cli.c (command line) build,
 * and what everything else reads. Nothing mutates a struct cfg once it has
 * been returned by cfg_load_file() or cli_parse(): a reload builds a new one.
 *
 * All durations are in milliseconds. All lists are plain arrays owned by the
 * struct that holds them; cfg_free() releases everything. */
#ifndef GH_CFG_H
#define GH_CFG_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/socket.h>

enum cfg_mode { CFG_MODE_TCP = 0, CFG_MODE_HTTP };

enum cfg_log { CFG_LOG_STDERR = 0, CFG_LOG_SYSLOG, CFG_LOG_NONE };

/* Defaults, also documented in gatehouse.conf(5). */
#define CFG_DEF_BUFSIZE          16384
#define CFG_DEF_MAXCONN          10000
#define CFG_DEF_T_CONNECT        5000
#define CFG_DEF_T_CLIENT         60000
#define CFG_DEF_T_SERVER         60000
#define CFG_DEF_T_HANDSHAKE      10000
#define CFG_DEF_T_GRACE          30000
#define CFG_DEF_BACKLOG          1024
#define CFG_DEF_T_HTTP_REQUEST   10000
#define CFG_DEF_T_HTTP_KEEPALIVE 5000
#define CFG_DEF_T_SERVER_IDLE    5000
#define CFG_DEF_HTTP_MAX_LINE    8192
#define CFG_DEF_HTTP_MAX_HEADERS 100
#define CFG_DEF_HTTP_RESERVE     1024
#define CFG_DEF_KEEPALIVE_POOL   32
#define CFG_DEF_RETRIES          2
#define CFG_DEF_WEIGHT           1
#define CFG_WEIGHT_MAX           256
#define CFG_DEF_CHECK_INTERVAL   2000
#define CFG_DEF_CHECK_RISE       2
#define CFG_DEF_CHECK_FALL       3
#define CFG_DEF_ERROR_LIMIT      10
#define CFG_DEF_RESOLVE_INTERVAL 30000
#define CFG_DEF_TLS_SESSION_CACHE 20480
#define CFG_HTTP_MAX_HEADERS     128     /* the parser's hard cap */

/* The range of "workers", shared by the file and --workers. */
#define CFG_WORKERS_MAX          1024

/* Listener flags: what tcp_accept() does with each accepted socket. */
#define CFG_BIND_F_TLS           0x0001  /* TLS handshake before the protocol accept */
#define CFG_BIND_F_KEEPALIVE     0x0002  /* SO_KEEPALIVE on accepted sockets */
#define CFG_BIND_F_ORIGDST       0x0004  /* read SO_ORIGINAL_DST (REDIRECT/TPROXY) */
#define CFG_BIND_F_V6ONLY        0x0008  /* IPV6_V6ONLY on a [::] bind */
#define CFG_BIND_F_ACCEPT_PROXY  0x0010  /* a PROXY v1/v2 header comes first */
#define CFG_BIND_F_STRICT_SNI    0x0020  /* no certificate for the SNI name
                                            (or no SNI): refuse */

/* An address range: "10.0.0.0/8", "::1", "192.0.2.7". */
struct cfg_net {
	int family;             /* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network byte order, host bits zero */
	unsigned int prefix;    /* bits that must match */
};

/* TLS protocol settings, per bind and as global defaults; NULL or 0:
 * not set (the global value, else the built-in default). Versions are
 * OpenSSL's TLS1_x_VERSION numbers. */
struct cfg_tls {
	unsigned int min_ver, max_ver;
	char *ciphers;          /* TLS 1.2 cipher list */
	char *ciphersuites;     /* TLS 1.3 suites */
	char *curves;           /* key exchange groups */
	char *ticket_keys;      /* session ticket key file */
	char *ticket_secret;    /* fleet secret the ticket keys come from */
	unsigned int ticket_period;     /* ms: key rotation; 0: not set */
};

/* What is passed on of a client certificate, in mode http. */
enum cfg_cert_hdr {
	CFG_CH_VERIFY = 0,      /* SUCCESS, or NONE without a certificate */
	CFG_CH_SUBJECT,         /* RFC 2253 DN */
	CFG_CH_ISSUER,
	CFG_CH_SERIAL,          /* hex */
	CFG_CH_SHA256,          /* fingerprint, hex */
	CFG_NCERT_HDRS
};
extern const char *const cfg_cert_hdr_fields[CFG_NCERT_HDRS];
extern const char *const cfg_cert_hdr_defaults[CFG_NCERT_HDRS];

enum cfg_ktls {
	CFG_KTLS_AUTO = 0,      /* when the kernel has it (probed at start) */
	CFG_KTLS_OFF,
	CFG_KTLS_ON,            /* always asked of OpenSSL, which falls back
	                           per connection where the kernel refuses */
};

/* Client certificates a TLS bind asks for. */
enum cfg_verify {
	CFG_VERIFY_NONE = 0,
	CFG_VERIFY_OPTIONAL,    /* asked for; one sent must verify */
	CFG_VERIFY_REQUIRED,
};

/* One certificate of a TLS bind: a PEM file with the chain, and the key
 * either in the same file (key == NULL) or in its own file. */
struct cfg_cert {
	char *cert;
	char *key;              /* NULL: the key is in <cert> */
	char *ocsp;             /* DER OCSP response; NULL: <cert>.ocsp
	                           when that file exists */
};

struct cfg_bind {
	char *text;             /* the address as written, for logs: "*:443" */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	unsigned int flags;     /* CFG_BIND_F_* */
	struct cfg_cert *certs; /* at least one (or crt_dir) when
	                           CFG_BIND_F_TLS */
	size_t ncerts;
	char *crt_dir;          /* every *.pem in it is a certificate too */
	char *alpn;             /* comma separated protocols, NULL: no ALPN */
	struct cfg_tls tls;     /* unset fields: the global ones */
	enum cfg_verify verify; /* client certificates */
	char *ca_file;          /* CAs that sign them */
	char *crl_file;         /* their revocation lists */
	struct cfg_net *proxy_from;     /* accept-proxy: the sources allowed
	                                   to send a PROXY header; none: any */
	size_t nproxy_from;
	const char *file;       /* where it was declared, for messages */
	int line;
};

/* Timeouts in ms; 0 means "not set" before defaults are applied, and after
 * cfg_finish() every field but tunnel holds its effective value. */
struct cfg_timeouts {
	unsigned int connect;
	unsigned int client;
	unsigned int server;
	unsigned int tunnel;    /* 0: client and server timeouts apply */
	unsigned int handshake;
	unsigned int http_request;      /* whole request header block */
	unsigned int http_keepalive;    /* idle between two requests */
	unsigned int server_idle;       /* idle pooled server connection */
	unsigned int queue;             /* waiting for a server slot (503);
	                                   default: the connect timeout */
};

/* Server flags. */
#define CFG_SRV_F_BACKUP        0x0001  /* only when no other server is up */
#define CFG_SRV_F_DISABLED      0x0002  /* never gets traffic nor checks */
#define CFG_SRV_F_CHECK         0x0004  /* the backend's active check runs */
#define CFG_SRV_F_SSL           0x0008  /* TLS to the server */
#define CFG_SRV_F_PROXY_V1      0x0010  /* send-proxy */
#define CFG_SRV_F_PROXY_V2      0x0020  /* send-proxy-v2 */
#define CFG_SRV_F_NO_VERIFY     0x0040  /* verify none */
#define CFG_SRV_F_SNI_CLIENT    0x0080  /* sni client: the client's name */
#define CFG_SRV_F_RESOLVE_OPT   0x0100  /* resolve-optional: a name that
                                           does not resolve at start is
                                           down until it does */

struct cfg_server {
	char *name;
	char *text;             /* the address as written: "10.0.0.1:8080" */
	char *host;             /* a name to (re-)resolve; NULL: a literal */
	uint16_t port;
	struct sockaddr_storage addr;   /* addrlen 0: not resolved (yet) */
	socklen_t addrlen;
	unsigned int flags;     /* CFG_SRV_F_* */
	unsigned int weight;    /* 0..CFG_WEIGHT_MAX; 0: no new traffic */
	unsigned int maxconn;   /* requests (http) or connections (tcp) at
	                           once; 0: no limit */
	char *ca_file;          /* ssl: NULL: the system's CA store */
	char *crt;              /* ssl: client certificate (and key) PEM */
	char *key;              /* ssl: key file if not in crt */
	char *sni;              /* ssl: fixed SNI name; NULL: the host name
	                           of a server given by name, else none */
	const char *file;
	int line;
};

/* The active health check of a backend's servers marked "check". */
struct cfg_check {
	int http;               /* 0: a TCP connect; 1: an HTTP request */
	char *method;           /* http: "GET" */
	char *path;             /* http: "/" */
	unsigned int status_min, status_max;    /* expected: 200-399 */
	unsigned int interval;  /* between two checks of a server */
	unsigned int timeout;   /* for one check; default: interval */
	unsigned int rise;      /* successes that bring a server up */
	unsigned int fall;      /* failures that take it down */
};

/* Passive checks: what live traffic counts as a server failure. */
enum cfg_observe {
	CFG_OBSERVE_NONE = 0,
	CFG_OBSERVE_LAYER4,     /* failed connects and resets */
	CFG_OBSERVE_LAYER7      /* those and 5xx responses */
};

enum cfg_balance {
	CFG_LB_ROUNDROBIN = 0,  /* weighted, smooth */
	CFG_LB_LEASTCONN,       /* fewest requests in flight per weight */
	CFG_LB_SOURCE,          /* hash of the client address */
	CFG_LB_URI,             /* hash of the path (mode http) */
	CFG_LB_HDR,             /* hash of a field's value (mode http) */
	CFG_LB_RANDOM           /* the lesser loaded of two random ones */
};

/* A condition of an HTTP rule, on the request: "host example.com",
 * "!tls". */
enum cfg_cond_kind {
	CFG_COND_ALWAYS = 0,    /* no "if": always true */
	CFG_COND_HOST,          /* Host equals <arg> (no port, any case) */
	CFG_COND_HOST_SUFFIX,   /* Host ends with <arg> */
	CFG_COND_PATH,          /* the path equals <arg> */
	CFG_COND_PATH_PREFIX,   /* the path starts with <arg> */
	CFG_COND_HEADER,        /* field <arg> present (and equal to <arg2>) */
	CFG_COND_METHOD,        /* the method is <arg> */
	CFG_COND_TLS            /* the client came over TLS */
};

struct cfg_cond {
	enum cfg_cond_kind kind;
	int neg;                /* "!" or "unless" */
	char *arg;
	char *arg2;             /* CFG_COND_HEADER: the value, or NULL */
};

/* Request rules run in order on each request before routing; response
 * rules on each final response. */
enum cfg_rule_act {
	CFG_RULE_ADD = 0,       /* add-header NAME VALUE */
	CFG_RULE_SET,           /* set-header NAME VALUE: replace all */
	CFG_RULE_DEL,           /* del-header NAME */
	CFG_RULE_DENY,          /* deny: 403 */
	CFG_RULE_REDIRECT       /* redirect https: <code> to https:// */
};

struct cfg_rule {
	enum cfg_rule_act act;
	char *name;
	char *value;
	unsigned int code;      /* CFG_RULE_REDIRECT: 301, 302, 307, 308 */
	struct cfg_cond cond;
};

struct cfg_route {
	char *backend_name;
	struct cfg_backend *backend;    /* resolved by cfg_finish() */
	struct cfg_cond cond;
	int line;               /* of the use-backend line, for messages */
};

/* A keyword given in a frontend or backend that only mode http uses: kept
 * so that cfg_finish() can warn where the section's mode is tcp. */
struct cfg_kwline {
	const char *kw;         /* static: "keepalive-pool", "timeout" */
	const char *arg;        /* static: "http-request", or NULL */
	int line;
};

/* A replacement body for one of gatehouse's own error responses. */
struct cfg_errorfile {
	unsigned int status;
	char *path;
	char *body;             /* read by cfg_finish() */
	size_t len;
};

struct cfg_backend {
	char *name;
	enum cfg_mode mode;
	int mode_set;           /* 0: cfg_finish() copies cfg.default_mode */
	struct cfg_timeouts timeouts;   /* connect, server, tunnel used */
	struct cfg_server *servers;
	size_t nservers;
	unsigned int keepalive_pool;    /* idle server connections kept per
	                                   server and worker (0: none) */
	int keepalive_pool_set;         /* 0: cfg_finish() sets the default */
	enum cfg_balance balance;
	char *balance_hdr;              /* CFG_LB_HDR: the field name */
	unsigned int retries;           /* further servers tried after a
	                                   failed connect */
	int retries_set;
	struct cfg_check check;
	enum cfg_observe observe;
	unsigned int error_limit;       /* consecutive live failures that
	                                   take a server down */
	struct cfg_kwline *http_kws;    /* mode http keywords given here */
	size_t nhttp_kws;
	const char *file;
	int line;
};

struct cfg_frontend {
	char *name;
	enum cfg_mode mode;
	int mode_set;           /* 0: cfg_finish() copies cfg.default_mode */
	unsigned int maxconn;           /* 0: only the global limit */
	int access_log_off;             /* "access-log off": errors only */
	struct cfg_timeouts timeouts;   /* client, handshake, tunnel used */
	struct cfg_bind *binds;
	size_t nbinds;
	char *default_backend_name;
	int default_backend_line;       /* where it was named; 0: nowhere */
	struct cfg_backend *default_backend;   /* resolved by cfg_finish();
	                                          NULL: 404 when no route */
	/* mode http */
	struct cfg_rule *req_rules;
	size_t nreq_rules;
	struct cfg_rule *res_rules;     /* header actions only */
	size_t nres_rules;
	struct cfg_route *routes;
	size_t nroutes;
	struct cfg_errorfile *errorfiles;
	size_t nerrorfiles;
	char *hsts;             /* Strict-Transport-Security value, or NULL */
	int forwarded;          /* add an RFC 7239 Forwarded field */
	uint64_t max_body;      /* request body limit (413); 0: none */
	char *log_format;       /* NULL: the default access log line */
	/* client certificates (a bind with "verify"): the request header
	 * names they are passed in; NULL: cfg_cert_hdr_defaults[] */
	char *cert_hdr[CFG_NCERT_HDRS];
	int client_certs;       /* some bind verifies client certificates:
	                           set by cfg_finish() */
	struct cfg_kwline *http_kws;    /* mode http keywords given here */
	size_t nhttp_kws;
	const char *file;
	int line;
};

struct cfg {
	char *file;             /* the file it came from, or "(command line)" */
	unsigned int workers;   /* 0 before cfg_finish(): number of CPUs */
	int workers_auto;       /* workers was not set: cfg_dump omits it */
	unsigned int maxconn;   /* 0 (not set): what the open-file limit
	                           allows, at most CFG_DEF_MAXCONN; decided
	                           at start, not by cfg_finish() */
	unsigned int bufsize;
	unsigned int http_max_line;     /* request line (414) */
	unsigned int http_max_headers;  /* header fields (431) */
	unsigned int http_reserve;      /* room kept for rewriting a header
	                                   block: the block may use bufsize
	                                   minus this (431 above) */
	unsigned int grace;     /* ms to let sessions finish on SIGTERM */
	enum cfg_log log;
	int log_facility;       /* syslog facility, LOG_DAEMON by default */
	char *user;             /* drop privileges to this user; NULL: don't */
	struct cfg_tls tls;     /* defaults of every TLS bind */
	unsigned int tls_session_cache; /* sessions kept per bind for
	                                   resumption by id; 0: none */
	int tls_session_cache_set;
	unsigned int resolve_interval;  /* re-resolving server names */
	char **nameservers;     /* "ADDR:PORT" texts; none: resolv.conf */
	size_t nnameservers;
	enum cfg_ktls ktls;     /* handing TLS records to the kernel */
	struct cfg_timeouts defaults;   /* the "defaults" section */
	enum cfg_mode default_mode;
	struct cfg_frontend *frontends;
	size_t nfrontends;
	struct cfg_backend *backends;
	size_t nbackends;
	/* What cfg_finish() found odd but harmless, such as a keyword that
	 * has no effect in its section's mode: "file:line: warning: reason"
	 * lines (no newline), for -c and start-up to print on stderr. */
	char **warnings;
	size_t nwarnings;
};

/* Reads and checks <path>. Returns the new configuration, or NULL after
 * writing "file:line: reason" into <err> (size <errlen>). */
struct cfg *cfg_load_file(const char *path, char *err, size_t errlen);

/* Same over an in-memory text, <name> standing for the file name in
 * messages. For tests and for the command line's generated config. */
struct cfg *cfg_load_buf(const char *name, const char *buf, size_t len,
    char *err, size_t errlen);

/* Applies defaults, resolves backend names, checks cross references
 * (a frontend without backend, a backend without server, a TLS bind
 * without certificate, a certificate file that cannot be read, two binds
 * on the same address) and fills c->warnings (keywords without effect in
 * their section's mode). Returns 0, or -1 with "file:line: reason" in
 * <err>. Called by both loaders; exposed for cli.c. */
int cfg_finish(struct cfg *c, char *err, size_t errlen);

/* Writes <c> as a configuration file that cfg_load_file() reads back into
 * an equal configuration. */
void cfg_dump(const struct cfg *c, FILE *out);

void cfg_free(struct cfg *c);

/* Helpers also used by cli.c. Each returns 0, or -1 with a reason (no
 * file:line prefix) in <err>. */

/* "ADDR:PORT" where ADDR is "*", an IPv4 address, "[IPv6]" or a host name
 * resolved once at load; "*" means 0.0.0.0. */
int cfg_parse_addr(const char *s, struct sockaddr_storage *ss,
    socklen_t *len, int passive, char *err, size_t errlen);

/* "ADDR:PORT" of a server into <srv> (text, addr or host and port): a
 * host name is kept for resolve.c, not resolved here. */
int cfg_parse_server_addr(const char *s, struct cfg_server *srv,
    char *err, size_t errlen);

/* Whether <sa> (IPv4, IPv6 or IPv4-mapped IPv6) is within <n>. */
int cfg_net_match(const struct cfg_net *n, const struct sockaddr *sa);

/* "500", "500ms", "10s", "2m", "1h", "1d": a duration in ms (bare number:
 * ms). Rejects negatives, garbage and values above UINT_MAX ms. */
int cfg_parse_duration(const char *s, unsigned int *ms, char *err,
    size_t errlen);

/* A decimal unsigned integer in [min, max]. */
int cfg_parse_uint(const char *s, unsigned int min, unsigned int max,
    unsigned int *out, char *err, size_t errlen);

#endif
