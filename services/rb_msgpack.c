#include "rb_msgpack.h"
#include "rb_error.h"

#include <stdio.h>
#include <string.h>

/* ---- validation: a structure-only walk that never allocates ----------- */

static uint64_t be_n(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/* What one walk checks and counts. */
typedef struct walk_ctx {
    const uint8_t *b;
    size_t len;
    int max_depth;
    uint64_t elements;       /* values seen so far, containers included */
    uint64_t max_elements;   /* budget: more is RB_ETOOBIG */
} walk_ctx;

/* Skip one value at b[*pos]. Containers recurse with depth + 1. */
static int walk(walk_ctx *w, size_t *pos, int depth)
{
    const uint8_t *b = w->b;
    size_t len = w->len;
    if (*pos >= len)
        return RB_EPROTO;                        /* truncated */
    /* Each value becomes one msgpack_object (24 bytes, 48 per map entry)
     * in msgpack-c's zone: count them before it allocates any. */
    if (++w->elements > w->max_elements)
        return RB_ETOOBIG;
    uint8_t t = b[(*pos)++];
    size_t left = len - *pos;
    uint64_t n = 0;      /* elements of a container */
    int mult = 0;        /* 1 array, 2 map, 0 scalar */
    uint64_t skip = 0;   /* payload bytes of a scalar */
    int hdr = 0;         /* length field bytes before the payload */

    if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3)
        return RB_OK;
    if (t >= 0x80 && t <= 0x8f) { n = t & 0x0f; mult = 2; }
    else if (t >= 0x90 && t <= 0x9f) { n = t & 0x0f; mult = 1; }
    else if (t >= 0xa0 && t <= 0xbf) { skip = t & 0x1f; }
    else switch (t) {
    case 0xc1: return RB_EPROTO;                 /* reserved, never used */
    case 0xc4: case 0xd9: hdr = 1; break;        /* bin8, str8 */
    case 0xc5: case 0xda: hdr = 2; break;        /* bin16, str16 */
    case 0xc6: case 0xdb: hdr = 4; break;        /* bin32, str32 */
    case 0xc7: hdr = 1; skip = 1; break;         /* ext8: len, type */
    case 0xc8: hdr = 2; skip = 1; break;         /* ext16 */
    case 0xc9: hdr = 4; skip = 1; break;         /* ext32 */
    case 0xca: skip = 4; break;                  /* float32 */
    case 0xcb: skip = 8; break;                  /* float64 */
    case 0xcc: case 0xd0: skip = 1; break;
    case 0xcd: case 0xd1: skip = 2; break;
    case 0xce: case 0xd2: skip = 4; break;
    case 0xcf: case 0xd3: skip = 8; break;
    case 0xd4: skip = 2; break;                  /* fixext1: type + 1 */
    case 0xd5: skip = 3; break;
    case 0xd6: skip = 5; break;
    case 0xd7: skip = 9; break;
    case 0xd8: skip = 17; break;
    case 0xdc: hdr = 2; mult = 1; break;         /* array16 */
    case 0xdd: hdr = 4; mult = 1; break;         /* array32 */
    case 0xde: hdr = 2; mult = 2; break;         /* map16 */
    case 0xdf: hdr = 4; mult = 2; break;         /* map32 */
    default: return RB_EPROTO;
    }
    if ((size_t)hdr > left)
        return RB_EPROTO;
    if (hdr) {
        uint64_t v = be_n(b + *pos, hdr);
        *pos += (size_t)hdr;
        left -= (size_t)hdr;
        if (mult)
            n = v;
        else
            skip += v;
    }
    if (!mult) {
        if (skip > left)
            return RB_EPROTO;
        *pos += (size_t)skip;
        return RB_OK;
    }
    /* Every element takes at least one byte: a count larger than what is
     * left is a lie, refused before msgpack-c would allocate for it. */
    if (n * (uint64_t)mult > left)
        return RB_EPROTO;
    if (n && depth + 1 > w->max_depth)
        return RB_EPROTO;
    if (n * (uint64_t)mult > w->max_elements - w->elements)
        return RB_ETOOBIG;                       /* refused before the walk */
    for (uint64_t i = 0; i < n * (uint64_t)mult; i++) {
        int rc = walk(w, pos, depth + 1);
        if (rc)
            return rc;
    }
    return RB_OK;
}

int rb_mp_validate_max(const char *buf, size_t len, int max_depth, uint64_t max_elements)
{
    walk_ctx w = { (const uint8_t *)buf, len, max_depth, 0, max_elements };
    size_t pos = 0;
    int rc = walk(&w, &pos, 0);
    if (rc)
        return rc;
    return pos == len ? RB_OK : RB_EPROTO;       /* trailing bytes */
}

int rb_mp_validate(const char *buf, size_t len, int max_depth)
{
    int rc = rb_mp_validate_max(buf, len, max_depth, UINT64_MAX);
    return rc == RB_ETOOBIG ? RB_EPROTO : rc;    /* cannot happen: no budget */
}

int rb_mp_decode(const char *buf, size_t len, msgpack_unpacked *out)
{
    return rb_mp_decode_max(buf, len, UINT64_MAX, out);
}

int rb_mp_decode_max(const char *buf, size_t len, uint64_t max_elements, msgpack_unpacked *out)
{
    int rc = rb_mp_validate_max(buf, len, RB_MAX_DEPTH, max_elements);
    if (rc)
        return rc;
    size_t off = 0;
    msgpack_unpack_return r = msgpack_unpack_next(out, buf, len, &off);
    if (r == MSGPACK_UNPACK_NOMEM_ERROR)
        return RB_ENOMEM;
    if (r != MSGPACK_UNPACK_SUCCESS || off != len)
        return RB_EPROTO;
    return RB_OK;
}

int rb_mp_decode_first(const char *buf, size_t len, uint64_t max_elements,
                       msgpack_unpacked *out)
{
    walk_ctx w = { (const uint8_t *)buf, len, RB_MAX_DEPTH, 0, max_elements };
    size_t pos = 0, off = 0;
    int rc = walk(&w, &pos, 0);
    if (rc)
        return rc;
    msgpack_unpack_return r = msgpack_unpack_next(out, buf, pos, &off);
    if (r == MSGPACK_UNPACK_NOMEM_ERROR)
        return RB_ENOMEM;
    return r == MSGPACK_UNPACK_SUCCESS && off == pos ? RB_OK : RB_EPROTO;
}

/* ---- typed accessors --------------------------------------------------- */

int rb_mp_get_int(const msgpack_object *o, int64_t *out)
{
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (o->via.u64 > (uint64_t)INT64_MAX)
            return RB_EINVAL;
        *out = (int64_t)o->via.u64;
        return RB_OK;
    }
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = o->via.i64;
        return RB_OK;
    }
    return RB_EINVAL;
}

int rb_mp_get_obj(const msgpack_object *o, rb_obj *out)
{
    rb_obj_clear(out);
    if (o->type != MSGPACK_OBJECT_MAP)
        return RB_EINVAL;
    const msgpack_object_map *m = &o->via.map;
    size_t keys = 0;
    for (uint32_t i = 0; i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR)
            keys += k->via.str.size;
        else if (k->type == MSGPACK_OBJECT_BIN)
            keys += k->via.bin.size;
        else
            return RB_EINVAL;
    }
    int rc = rb_obj_reserve(out, m->size, keys);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < m->size; i++) {
        const msgpack_object *k = &m->ptr[i].key;
        int64_t v;
        if (rb_mp_get_int(&m->ptr[i].val, &v))
            return RB_EINVAL;
        const char *kp = k->type == MSGPACK_OBJECT_STR ? k->via.str.ptr : k->via.bin.ptr;
        uint32_t kl = k->type == MSGPACK_OBJECT_STR ? k->via.str.size : k->via.bin.size;
        rc = rb_obj_add(out, kp, kl, v);
        if (rc)
            return rc;
    }
    return RB_OK;
}

/* ---- packing ------------------------------------------------------------ */

int rb_mp_pack_cstr(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, s, n);
}

int rb_mp_pack_obj(msgpack_packer *pk, const rb_obj *o)
{
    if (msgpack_pack_map(pk, (uint32_t)o->count))
        return -1;
    for (size_t i = 0; i < o->count; i++) {
        uint32_t kl = o->entries[i].key_len;
        if (msgpack_pack_str(pk, kl) || msgpack_pack_str_body(pk, rb_obj_key(o, i), kl) ||
            msgpack_pack_int64(pk, o->entries[i].value))
            return -1;
    }
    return 0;
}

int rb_mp_pack_args(msgpack_packer *pk, rb_method m, int64_t n, const rb_obj *obj)
{
    switch (m) {
    case RB_M_FIB:
        return msgpack_pack_array(pk, 1) || msgpack_pack_int64(pk, n);
    case RB_M_GET_OBJ:
        return msgpack_pack_array(pk, 0);
    case RB_M_SEND_OBJ:
        return msgpack_pack_array(pk, 1) || rb_mp_pack_obj(pk, obj);
    default:
        return -1;
    }
}

/* ---- server and client halves of a call --------------------------------- */

int rb_mp_dispatch(const msgpack_object *name, const msgpack_object *args,
                   const rb_obj *get_obj, rb_obj *scratch, msgpack_packer *pk,
                   char *errbuf, size_t errlen)
{
    int64_t n, result;
    int rc;
    errbuf[0] = '\0';
    if (name->type != MSGPACK_OBJECT_STR) {
        snprintf(errbuf, errlen, "method name must be a string");
        return RB_EINVAL;
    }
    int m = rb_method_from_name(name->via.str.ptr, name->via.str.size);
    if (m < 0) {
        int shown = name->via.str.size > 64 ? 64 : (int)name->via.str.size;
        snprintf(errbuf, errlen, "unknown method '%.*s'", shown, name->via.str.ptr);
        return RB_ENOMETHOD;
    }
    if (args->type != MSGPACK_OBJECT_ARRAY) {
        snprintf(errbuf, errlen, "%s: arguments must be an array", rb_method_name(m));
        return RB_EINVAL;
    }
    const msgpack_object_array *a = &args->via.array;
    switch (m) {
    case RB_M_FIB:
        if (a->size != 1 || rb_mp_get_int(&a->ptr[0], &n)) {
            snprintf(errbuf, errlen, "fib takes one integer argument n, 0 <= n <= %d", RB_FIB_MAX);
            return RB_EINVAL;
        }
        if (rb_fib(n, &result)) {
            snprintf(errbuf, errlen, "fib: n must be in 0..%d, got %lld", RB_FIB_MAX, (long long)n);
            return RB_EINVAL;
        }
        break;
    case RB_M_GET_OBJ:
        if (a->size != 0) {
            snprintf(errbuf, errlen, "getObj takes no arguments");
            return RB_EINVAL;
        }
        if (rb_mp_pack_obj(pk, get_obj)) {
            snprintf(errbuf, errlen, "getObj: out of memory");
            return RB_ENOMEM;
        }
        return RB_OK;
    case RB_M_SEND_OBJ:
        if (a->size != 1) {
            snprintf(errbuf, errlen, "sendObj takes one argument, a map string -> integer");
            return RB_EINVAL;
        }
        rc = rb_mp_get_obj(&a->ptr[0], scratch);
        if (rc) {
            snprintf(errbuf, errlen, "%s", rc == RB_ENOMEM ? "sendObj: out of memory"
                     : "sendObj: argument must be a map string -> 64-bit integer");
            return rc;
        }
        rb_service_send_obj(scratch, &result);
        break;
    default:
        return RB_ENOMETHOD;
    }
    if (msgpack_pack_int64(pk, result)) {
        snprintf(errbuf, errlen, "out of memory");
        return RB_ENOMEM;
    }
    return RB_OK;
}

int rb_mp_get_result(const msgpack_object *v, rb_method m, int64_t *num, rb_obj *obj)
{
    switch (m) {
    case RB_M_FIB:
    case RB_M_SEND_OBJ:
        return rb_mp_get_int(v, num) ? RB_EPROTO : RB_OK;
    case RB_M_GET_OBJ: {
        int rc = rb_mp_get_obj(v, obj);
        return rc == RB_EINVAL ? RB_EPROTO : rc;
    }
    default:
        return RB_EPROTO;
    }
}
