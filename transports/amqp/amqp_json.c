/* amqp_json.c - the JSON bodies of the AMQP transports, through jansson.
 *
 * Decoding always goes through jansson's parser (strict: one value, UTF-8,
 * no NUL in strings, no duplicate keys). Objects are encoded by jansson into
 * a reused buffer through services/rb_json.h (as rest and the JSON codec
 * are); a bare integer is written directly, as its JSON text is just its
 * decimal digits. */
#include "amqp_int.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "rb_json.h"

int rb_amqp_json_put_int(rb_buf *b, int64_t v)
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
    if (rb_buf_reserve(b, n) != RB_OK)
        return RB_ENOMEM;
    memcpy(b->data, tmp + sizeof tmp - n, n);
    b->len = n;
    return RB_OK;
}

int rb_amqp_json_put_obj(rb_buf *b, const rb_obj *o)
{
    json_t *j;
    int rc = rb_json_from_obj(o, &j);
    if (rc == RB_OK)
        rc = rb_json_dump(j, b);
    json_decref(j);
    return rc;
}

int rb_amqp_json_put_error(rb_buf *b, const char *msg, const char *code)
{
    json_t *j = json_pack("{s:s,s:s}", "error", msg, "code", code);
    if (!j)
        return RB_ENOMEM;
    int rc = rb_json_dump(j, b);
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
    rb_obj_clear(out);
    json_t *j = parse(body, len, why, whylen);
    if (!j)
        return RB_EINVAL;
    int rc = RB_EINVAL;
    if (json_is_object(j))
        rc = rb_json_to_obj(j, out, why, whylen);
    else
        snprintf(why, whylen, "body is JSON but not an object");
    json_decref(j);
    return rc;
}
