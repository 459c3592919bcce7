/* rb_buf.c - the growable byte buffer of rb_buf.h. */
#include "rb_buf.h"
#include "rb_error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void rb_buf_free(rb_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int rb_buf_reserve(rb_buf *b, size_t n)
{
    if (n <= b->cap)
        return RB_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < n) {
        if (cap > SIZE_MAX / 2)
            return RB_ENOMEM;
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p)
        return RB_ENOMEM;
    b->data = p;
    b->cap = cap;
    return RB_OK;
}

int rb_buf_append(rb_buf *b, const void *p, size_t n)
{
    if (n > SIZE_MAX - b->len || rb_buf_reserve(b, b->len + n) != RB_OK)
        return RB_ENOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return RB_OK;
}
