/* rb_json.c - rb_obj to and from jansson; see rb_json.h. */
#include "rb_json.h"
#include "rb_error.h"

#include <stdio.h>

#include <jansson.h>

int rb_json_from_obj(const rb_obj *o, json_t **out)
{
    int rc = RB_ENOMEM;
    json_t *j = json_object();
    *out = NULL;
    if (!j)
        return RB_ENOMEM;
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
    *out = j;
    return RB_OK;
fail:
    json_decref(j);
    return rc;
}

int rb_json_dump(const json_t *j, rb_buf *b)
{
    size_t need = json_dumpb(j, b->data, b->cap, JSON_COMPACT);
    if (need == 0)
        return RB_ENOMEM;
    if (need > b->cap) {
        if (rb_buf_reserve(b, need) != RB_OK)
            return RB_ENOMEM;
        need = json_dumpb(j, b->data, b->cap, JSON_COMPACT);
        if (need == 0 || need > b->cap)
            return RB_ENOMEM;
    }
    b->len = need;
    return RB_OK;
}

int rb_json_to_obj(const json_t *j, rb_obj *out, char *why, size_t whylen)
{
    rb_obj_clear(out);
    if (!json_is_object(j)) {
        snprintf(why, whylen, "want a JSON object of string -> integer");
        return RB_EINVAL;
    }
    if (rb_obj_reserve(out, json_object_size(j), 0) != RB_OK) {
        snprintf(why, whylen, "out of memory");
        return RB_ENOMEM;
    }
    const char *key;
    size_t key_len;
    json_t *val;
    json_object_keylen_foreach((json_t *)j, key, key_len, val) {
        if (!json_is_integer(val)) {
            snprintf(why, whylen, "value of key \"%.40s\" is not an integer", key);
            rb_obj_clear(out);
            return RB_EINVAL;
        }
        int rc = rb_obj_add(out, key, key_len, json_integer_value(val));
        if (rc != RB_OK) {
            snprintf(why, whylen, "cannot store key \"%.40s\": %s", key, rb_strerror(rc));
            rb_obj_clear(out);
            return rc;
        }
    }
    return RB_OK;
}
