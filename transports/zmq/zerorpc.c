/* zerorpc.c - zerorpc v3 events: see zerorpc.h. */
#include "zerorpc.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static const char hexdig[] = "0123456789abcdef";

void rb_zr_idgen_init(rb_zr_idgen *g)
{
    uint8_t r[20];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        /* No entropy source: time and addresses still make ids unique
         * enough across the clients of one run. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)(uintptr_t)g;
        for (size_t i = 0; i < sizeof r; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            r[i] = (uint8_t)x;
        }
    }
    /* The tail of a UUID4 "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" after its
     * first 8 digits: version nibble 4, variant bits 10. */
    size_t k = 0;
    char *b = g->base;
    for (int i = 0; i < RB_ZR_ID_LEN - 8; i++) {
        if (i == 0 || i == 5 || i == 10 || i == 15) {
            b[i] = '-';
            continue;
        }
        unsigned nib = (r[k / 2] >> ((k & 1) ? 0 : 4)) & 0xf;
        k++;
        if (i == 6)
            nib = 4;
        else if (i == 11)
            nib = 8 | (nib & 3);
        b[i] = hexdig[nib];
    }
    g->counter = ((uint32_t)r[18] << 8 | r[19]) << 8;  /* like zerorpc: a random start */
}

void rb_zr_next_id(rb_zr_idgen *g, char out[RB_ZR_ID_LEN])
{
    uint32_t c = g->counter++;
    for (int i = 7; i >= 0; i--) {
        out[i] = hexdig[c & 0xf];
        c >>= 4;
    }
    memcpy(out + 8, g->base, RB_ZR_ID_LEN - 8);
}

/* The bytes of a str or bin object; 0 when o is neither. */
static int bytes_of(const msgpack_object *o, const char **p, size_t *n)
{
    if (o->type == MSGPACK_OBJECT_STR) {
        *p = o->via.str.ptr;
        *n = o->via.str.size;
        return 1;
    }
    if (o->type == MSGPACK_OBJECT_BIN) {
        *p = o->via.bin.ptr;
        *n = o->via.bin.size;
        return 1;
    }
    return 0;
}

static int key_is(const msgpack_object *k, const char *s)
{
    const char *p;
    size_t n;
    return bytes_of(k, &p, &n) && n == strlen(s) && memcmp(p, s, n) == 0;
}

int rb_zr_parse(const msgpack_object *root, rb_zr_event *ev, const char **why)
{
    memset(ev, 0, sizeof *ev);
    ev->version = -1;
    if (root->type != MSGPACK_OBJECT_ARRAY) {
        *why = "an event must be an array [header, name, args]";
        return -1;
    }
    if (root->via.array.size != 3) {
        *why = "an event must have 3 elements [header, name, args]";
        return -1;
    }
    const msgpack_object *h = &root->via.array.ptr[0];
    if (h->type != MSGPACK_OBJECT_MAP) {
        *why = "an event header must be a map";
        return -1;
    }
    for (uint32_t i = 0; i < h->via.map.size; i++) {
        const msgpack_object_kv *kv = &h->via.map.ptr[i];
        const char *p;
        size_t n;
        if (!bytes_of(&kv->key, &p, &n)) {
            *why = "event header keys must be strings";
            return -1;
        }
        if (key_is(&kv->key, "message_id"))
            ev->message_id = &kv->val;
        else if (key_is(&kv->key, "response_to"))
            ev->response_to = &kv->val;
        else if (key_is(&kv->key, "v")) {
            if (kv->val.type == MSGPACK_OBJECT_POSITIVE_INTEGER && kv->val.via.u64 <= INT32_MAX)
                ev->version = (int64_t)kv->val.via.u64;
        }
    }
    if (!ev->message_id) {
        *why = "event header has no message_id";
        return -1;
    }
    ev->name = &root->via.array.ptr[1];
    if (!bytes_of(ev->name, &ev->name_ptr, &ev->name_len)) {
        ev->name = NULL;
        *why = "an event name must be a string";
        return -1;
    }
    ev->args = &root->via.array.ptr[2];
    return 0;
}

int rb_zr_id_equals(const msgpack_object *o, const char *id, size_t len)
{
    const char *p;
    size_t n;
    return o && bytes_of(o, &p, &n) && n == len && memcmp(p, id, len) == 0;
}

int rb_zr_name_is(const rb_zr_event *ev, const char *s)
{
    size_t n = strlen(s);
    return ev->name && ev->name_len == n && memcmp(ev->name_ptr, s, n) == 0;
}

static int pack_str(msgpack_packer *pk, const char *s, size_t n)
{
    return msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, s, n);
}

int rb_zr_pack_head(msgpack_packer *pk, const char *id, size_t id_len,
                    const msgpack_object *response_to, const char *name)
{
    return msgpack_pack_array(pk, 3) ||
           msgpack_pack_map(pk, response_to ? 3 : 2) ||
           pack_str(pk, "message_id", 10) || pack_str(pk, id, id_len) ||
           pack_str(pk, "v", 1) || msgpack_pack_int(pk, RB_ZR_VERSION) ||
           (response_to && (pack_str(pk, "response_to", 11) ||
                            msgpack_pack_object(pk, *response_to))) ||
           pack_str(pk, name, strlen(name));
}

int rb_zr_pack_err(msgpack_packer *pk, const char *id, size_t id_len,
                   const msgpack_object *response_to, const char *err_name,
                   const char *message)
{
    size_t nl = strlen(err_name), ml = strlen(message);
    return rb_zr_pack_head(pk, id, id_len, response_to, RB_ZR_ERR) ||
           msgpack_pack_array(pk, 3) ||
           pack_str(pk, err_name, nl) || pack_str(pk, message, ml) ||
           msgpack_pack_str(pk, nl + 2 + ml) ||
           msgpack_pack_str_body(pk, err_name, nl) ||
           msgpack_pack_str_body(pk, ": ", 2) ||
           msgpack_pack_str_body(pk, message, ml);
}
