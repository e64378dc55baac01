/* OpenSSL's error queue as text, for every file of ssl/. */
#ifndef GH_SSL_ERR_H
#define GH_SSL_ERR_H

#include <stddef.h>

/* The reason for the last OpenSSL error, cleared from the queue. */
const char *ssl_err_reason(char *buf, size_t len);

#endif
