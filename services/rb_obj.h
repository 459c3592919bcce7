/* rb_obj.h - the service's object: an ordered map string -> int64.
 *
 * getObj() replies with one, sendObj() sends one. Keys live in one growing
 * arena, NUL-terminated (so libraries that want C strings can take them as
 * they are), and entries refer to them by offset, so adding never invalidates
 * an earlier key. Keys are byte strings: they may hold any byte but NUL.
 *
 * Ownership: an rb_obj is a value the caller owns; rb_obj_init() makes it
 * empty, rb_obj_free() releases its memory. rb_obj_clear() empties it and
 * keeps its capacity, so a decoder called in a loop does not allocate.
 */
#ifndef RB_OBJ_H
#define RB_OBJ_H

#include <stddef.h>
#include <stdint.h>

typedef struct rb_obj_entry {
    uint32_t key_off;  /* offset of the key in keys[], bytes */
    uint32_t key_len;  /* key length, bytes, without the NUL */
    int64_t value;
} rb_obj_entry;

typedef struct rb_obj {
    rb_obj_entry *entries;
    size_t count;      /* entries in use */
    size_t cap;        /* entries allocated */
    char *keys;        /* key arena: each key followed by a NUL */
    size_t keys_len;   /* bytes in use */
    size_t keys_cap;   /* bytes allocated */
} rb_obj;

#define RB_OBJ_INIT { NULL, 0, 0, NULL, 0, 0 }

void rb_obj_init(rb_obj *o);
void rb_obj_clear(rb_obj *o);
void rb_obj_free(rb_obj *o);

/* Reserve room for n entries with keys of keys_bytes in all (NULs not
 * included). Returns RB_OK or RB_ENOMEM. */
int rb_obj_reserve(rb_obj *o, size_t n, size_t keys_bytes);

/* Append key[0..key_len) -> value. The key is copied. Returns RB_OK,
 * RB_EINVAL (key_len over 2^31, or key holds a NUL), RB_ENOMEM. */
int rb_obj_add(rb_obj *o, const char *key, size_t key_len, int64_t value);

/* The i-th key, NUL-terminated; i < o->count. */
static inline const char *rb_obj_key(const rb_obj *o, size_t i)
{
    return o->keys + o->entries[i].key_off;
}

/* Replace o's content with the contract's pattern: n entries
 * "<prefix>:0"->0 ... "<prefix>:n-1"->n-1 (getObj uses prefix "server",
 * the harness's sendObj "client"). Returns RB_OK or RB_ENOMEM. */
int rb_obj_fill(rb_obj *o, const char *prefix, size_t n);

/* True (1) when o is exactly the pattern rb_obj_fill(prefix, n) makes, in
 * any order; 0 otherwise. Used to verify getObj replies. */
int rb_obj_is_pattern(const rb_obj *o, const char *prefix, size_t n);

#endif
