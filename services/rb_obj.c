#include "rb_obj.h"
#include "rb_error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rb_obj_init(rb_obj *o)
{
    memset(o, 0, sizeof *o);
}

void rb_obj_clear(rb_obj *o)
{
    o->count = 0;
    o->keys_len = 0;
}

void rb_obj_free(rb_obj *o)
{
    free(o->entries);
    free(o->keys);
    rb_obj_init(o);
}

int rb_obj_reserve(rb_obj *o, size_t n, size_t keys_bytes)
{
    if (n > SIZE_MAX / sizeof(rb_obj_entry) - o->count)
        return RB_ENOMEM;
    if (o->count + n > o->cap) {
        size_t cap = o->cap ? o->cap : 16;
        while (cap < o->count + n)
            cap *= 2;
        rb_obj_entry *e = realloc(o->entries, cap * sizeof *e);
        if (!e)
            return RB_ENOMEM;
        o->entries = e;
        o->cap = cap;
    }
    size_t need = o->keys_len + keys_bytes + n; /* + one NUL per key */
    if (need < o->keys_len)
        return RB_ENOMEM;
    if (need > o->keys_cap) {
        size_t cap = o->keys_cap ? o->keys_cap : 256;
        while (cap < need)
            cap *= 2;
        char *k = realloc(o->keys, cap);
        if (!k)
            return RB_ENOMEM;
        o->keys = k;
        o->keys_cap = cap;
    }
    return RB_OK;
}

int rb_obj_add(rb_obj *o, const char *key, size_t key_len, int64_t value)
{
    if (key_len > INT32_MAX || o->keys_len + key_len + 1 > UINT32_MAX)
        return RB_EINVAL;
    if (key_len && memchr(key, '\0', key_len))
        return RB_EINVAL;
    int rc = rb_obj_reserve(o, 1, key_len);
    if (rc)
        return rc;
    rb_obj_entry *e = &o->entries[o->count++];
    e->key_off = (uint32_t)o->keys_len;
    e->key_len = (uint32_t)key_len;
    e->value = value;
    if (key_len)
        memcpy(o->keys + o->keys_len, key, key_len);
    o->keys[o->keys_len + key_len] = '\0';
    o->keys_len += key_len + 1;
    return RB_OK;
}

int rb_obj_fill(rb_obj *o, const char *prefix, size_t n)
{
    rb_obj_clear(o);
    size_t plen = strlen(prefix);
    int rc = rb_obj_reserve(o, n, n * (plen + 21));
    if (rc)
        return rc;
    char key[128];
    for (size_t i = 0; i < n; i++) {
        int len = snprintf(key, sizeof key, "%s:%zu", prefix, i);
        if (len < 0 || (size_t)len >= sizeof key)
            return RB_EINVAL;
        rc = rb_obj_add(o, key, (size_t)len, (int64_t)i);
        if (rc)
            return rc;
    }
    return RB_OK;
}

/* Does k[0..klen) spell v in decimal, as "%lld" prints it (no sign, no
 * leading zero unless v is 0)? v >= 0. */
static int spells(const char *k, size_t klen, uint64_t v)
{
    if (klen == 0 || klen > 20 || (klen > 1 && k[0] == '0'))
        return 0;
    uint64_t x = 0;
    for (size_t i = 0; i < klen; i++) {
        unsigned d = (unsigned)(unsigned char)k[i] - '0';
        if (d > 9 || x > (UINT64_MAX - d) / 10)
            return 0;
        x = x * 10 + d;
    }
    return x == v;
}

int rb_obj_is_pattern(const rb_obj *o, const char *prefix, size_t n)
{
    if (o->count != n)
        return 0;
    size_t plen = strlen(prefix);
    /* Each index must appear once: mark what we see (on the stack for the
     * sizes a run uses per call). */
    unsigned char local[4096];
    unsigned char *seen = n <= sizeof local ? local : calloc(n, 1);
    if (!seen)
        return 0;
    if (seen == local)
        memset(local, 0, n);
    int ok = 1;
    for (size_t i = 0; i < o->count && ok; i++) {
        const char *k = rb_obj_key(o, i);
        size_t klen = o->entries[i].key_len;
        int64_t v = o->entries[i].value;
        if (v < 0 || (uint64_t)v >= n || seen[v] || klen <= plen + 1 ||
            memcmp(k, prefix, plen) != 0 || k[plen] != ':' ||
            !spells(k + plen + 1, klen - plen - 1, (uint64_t)v)) {
            ok = 0;
            break;
        }
        seen[v] = 1;
    }
    if (seen != local)
        free(seen);
    return ok;
}
