/* Session ticket keys of a TLS bind: where they come from, how they
 * rotate, and the callback OpenSSL encrypts and decrypts tickets with.
 *
 * Three sources:
 *  - random (no file): keys made at start, a new one every period; the
 *    previous two still decrypt;
 *  - a key file (tls-ticket-keys): the first key encrypts, all decrypt;
 *    re-read on reload;
 *  - a fleet secret (tls-ticket-secret): the key of period N is derived
 *    from the secret and N (ssl_ticket_derive); the current one encrypts,
 *    N - 1, N and N + 1 decrypt; re-read on reload.
 *
 * A ticket is OpenSSL's (RFC 5077's recommended) format: key name (16
 * bytes), IV (16), AES-CBC of the session, HMAC-SHA256 over all that. */
#ifndef GH_SSL_TICKET_H
#define GH_SSL_TICKET_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/ssl.h>

#define SSL_TICKET_MAX_KEYS     64
#define SSL_TICKET_SECRET_MIN   32      /* bytes of secret at least */

/* 48 bytes of key material: name, AES-128 key, 16-byte HMAC key; 80
 * bytes: name, AES-256 key, 32-byte HMAC key. */
struct ssl_ticket_key {
	unsigned char name[16];
	unsigned char aes[32];
	unsigned char hmac[32];
	size_t aes_len;                 /* 16 or 32 */
	size_t hmac_len;                /* 16 or 32 */
};

struct ssl_tickets;

/* Keys for one bind: from <keys_file>, from <secret_file>, or random
 * when both are NULL. <period> (seconds) is the rotation of random keys
 * and the period of derived ones. Returns NULL with a reason naming the
 * file in <err>. */
struct ssl_tickets *ssl_tickets_new(const char *keys_file,
    const char *secret_file, unsigned int period, char *err, size_t errlen);
void ssl_tickets_free(struct ssl_tickets *t);

/* Re-reads the key or secret file (random keys are kept). On failure
 * the keys in use stay and <err> says why. Returns 0 or -1. */
int ssl_tickets_reload(struct ssl_tickets *t, char *err, size_t errlen);

/* Rotates random keys and moves derived ones to the period of <now>;
 * cheap when nothing is due. Called about once a second. */
void ssl_tickets_tick(struct ssl_tickets *t, time_t now);

/* Makes <ctx> encrypt and decrypt its tickets with <t>, which must
 * outlive it, and sets the ticket lifetime. */
void ssl_tickets_attach(struct ssl_tickets *t, SSL_CTX *ctx);

/* What a key file holds: one key per line in base64 (48 or 80 bytes),
 * blank lines and lines starting with '#' ignored. Fills <keys>, at most
 * SSL_TICKET_MAX_KEYS. Returns the number of keys, or -1 with "line N:
 * reason" in <err>. */
int ssl_ticket_parse(const char *text, size_t len,
    struct ssl_ticket_key *keys, char *err, size_t errlen);

/* The key of period <n> for fleet <secret>: 80 bytes of HKDF-SHA256
 * (salt "gatehouse tls-ticket-secret", info "ticket key" followed by <n>
 * as 8 bytes big-endian) cut into name, AES-256 key and HMAC key.
 * Returns 0 or -1. */
int ssl_ticket_derive(const unsigned char *secret, size_t len, uint64_t n,
    struct ssl_ticket_key *k);

#endif
