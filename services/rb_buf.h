/* rb_buf.h - a growable byte buffer, reused call after call: the bodies the
 * AMQP and REST transports read and write, and the JSON codec's output.
 *
 * Ownership: an rb_buf is a value the caller owns; zero-initialised
 * ({ 0 }) is empty, rb_buf_free() releases its memory. */
#ifndef RB_BUF_H
#define RB_BUF_H

#include <stddef.h>

typedef struct rb_buf {
    char *data;
    size_t len;   /* bytes in use */
    size_t cap;   /* bytes allocated */
} rb_buf;

/* Release b's memory and make it empty; b is reusable afterwards. */
void rb_buf_free(rb_buf *b);

/* Make room for n bytes in all (not n more; b->len is kept). Capacity
 * grows by doubling from 256 bytes. RB_OK or RB_ENOMEM (b unchanged). */
int rb_buf_reserve(rb_buf *b, size_t n);

/* Append p[0..n) after b->len. RB_OK or RB_ENOMEM (b unchanged). */
int rb_buf_append(rb_buf *b, const void *p, size_t n);

#endif
