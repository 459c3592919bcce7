/* amqp_json.c - the JSON bodies of the AMQP transports, through jansson.
 *
 * Decoding always goes through jansson's parser (strict: one value, UTF-8,
 * no NUL in strings, no duplicate keys). Objects are encoded by jansson into
 * a reused buffer (json_dumpb); a bare integer is written directly, as its
 * JSON text is just its decimal digits. */
#include "amqp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

int rb_amqp_json_put_int(rb_amqp_buf *b, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    /* Work on the magnitude as unsigned, so INT64_MIN is not undefined. */
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[sizeof tmp - 1 - n++] = '-';
    if (rb_amqp_buf_reserve(b, n) != RB_OK)
        return RB_ENOMEM;
    memcpy(b->data, tmp + sizeof tmp - n, n);
    b->len = n;
    return RB_OK;
}

int rb_amqp_json_put_obj(rb_amqp_buf *b, const rb_obj *o)
{
    int rc = RB_ENOMEM;
    json_t *j = json_object();
    if (!j)
        goto fail;
    for (size_t i = 0; i < o->count; i++) {
        json_t *v = json_integer(o->entries[i].value);
        if (!v)
            goto fail;
        /* json_object_setn_new checks the key is UTF-8 and takes v. */
        if (json_object_setn_new(j, rb_obj_key(o, i), o->entries[i].key_len, v) != 0) {
            rc = RB_EINVAL;
            goto fail;
        }
    }
    size_t need = json_dumpb(j, b->data, b->cap, JSON_COMPACT);
    if (need == 0)
        goto fail;
    if (need > b->cap) {
        if (rb_amqp_buf_reserve(b, need) != RB_OK)
            goto fail;
        need = json_dumpb(j, b->data, b->cap, JSON_COMPACT);
        if (need == 0 || need > b->cap)
            goto fail;
    }
    b->len = need;
    json_decref(j);
    return RB_OK;
fail:
    json_decref(j);
    return rc;
}

int rb_amqp_json_put_error(rb_amqp_buf *b, const char *msg, const char *code)
{
    int rc = RB_ENOMEM;
    json_t *j = json_pack("{s:s,s:s}", "error", msg, "code", code);
    if (!j)
        goto fail;
    size_t need = json_dumpb(j, NULL, 0, JSON_COMPACT);
    if (need == 0 || rb_amqp_buf_reserve(b, need) != RB_OK)
        goto fail;
    b->len = json_dumpb(j, b->data, b->cap, JSON_COMPACT);
    rc = RB_OK;
fail:
    json_decref(j);
    return rc;
}

static json_t *parse(const void *body, size_t len, char *why, size_t whylen)
{
    json_error_t e;
    json_t *j = json_loadb(body, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
    if (!j)
        snprintf(why, whylen, "body is not JSON: %s at byte %d", e.text, e.position);
    return j;
}

int rb_amqp_json_get_int(const void *body, size_t len, int64_t *v,
                         char *why, size_t whylen)
{
    json_t *j = parse(body, len, why, whylen);
    if (!j)
        return RB_EINVAL;
    int rc = RB_OK;
    if (json_is_integer(j)) {
        *v = json_integer_value(j);
    } else {
        snprintf(why, whylen, "body is JSON but not an integer");
        rc = RB_EINVAL;
    }
    json_decref(j);
    return rc;
}

int rb_amqp_json_get_obj(const void *body, size_t len, rb_obj *out,
                         char *why, size_t whylen)
{
    int rc = RB_EINVAL;
    rb_obj_clear(out);
    json_t *j = parse(body, len, why, whylen);
    if (!j)
        goto fail;
    if (!json_is_object(j)) {
        snprintf(why, whylen, "body is JSON but not an object");
        goto fail;
    }
    const char *key;
    size_t key_len;
    json_t *val;
    json_object_keylen_foreach(j, key, key_len, val) {
        if (!json_is_integer(val)) {
            snprintf(why, whylen, "value of key \"%.40s\" is not an integer", key);
            goto fail;
        }
        int arc = rb_obj_add(out, key, key_len, json_integer_value(val));
        if (arc != RB_OK) {
            rc = arc;
            snprintf(why, whylen, "cannot store key \"%.40s\": %s", key, rb_strerror(arc));
            goto fail;
        }
    }
    json_decref(j);
    return RB_OK;
fail:
    json_decref(j);
    rb_obj_clear(out);
    return rc;
}
