/* rest_json.c - the JSON bodies of the rest transport, through jansson,
 * behind a screen that bounds what one body can cost. */
#include "rest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

void rb_rest_buf_free(rb_rest_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int rb_rest_buf_reserve(rb_rest_buf *b, size_t n)
{
    if (n <= b->cap)
        return RB_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < n)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return RB_ENOMEM;
    b->data = p;
    b->cap = cap;
    return RB_OK;
}

int rb_rest_buf_append(rb_rest_buf *b, const void *p, size_t n)
{
    if (n > SIZE_MAX - b->len || rb_rest_buf_reserve(b, b->len + n) != RB_OK)
        return RB_ENOMEM;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return RB_OK;
}

size_t rb_rest_max_members(size_t len)
{
    return 4096 + len / 12;
}

int rb_rest_screen(const char *p, size_t len, size_t max_members,
                   char *why, size_t whylen)
{
    int depth = 0, in_string = 0;
    size_t members = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = p[i];
        if (in_string) {
            if (ch == '\\')
                i++;                     /* the escaped byte cannot end it */
            else if (ch == '"')
                in_string = 0;
            continue;
        }
        switch (ch) {
        case '"':
            in_string = 1;
            break;
        case '{':
        case '[':
            if (++depth > RB_MAX_DEPTH) {
                snprintf(why, whylen, "JSON nested deeper than %d at byte %zu", RB_MAX_DEPTH, i);
                return RB_EINVAL;
            }
            break;
        case '}':
        case ']':
            depth--;                     /* unbalanced: jansson says so */
            break;
        case ':':
            if (++members > max_members) {
                snprintf(why, whylen, "JSON with more than %zu object members in %zu bytes",
                         max_members, len);
                return RB_EINVAL;
            }
            break;
        default:
            break;
        }
    }
    return RB_OK;
}

int rb_rest_parse_object(const char *p, size_t len, json_t **out, char *why, size_t whylen)
{
    *out = NULL;
    if (rb_rest_screen(p, len, rb_rest_max_members(len), why, whylen) != RB_OK)
        return RB_EINVAL;
    json_error_t e;
    json_t *j = json_loadb(p, len, JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        /* e.text can quote the input: keep it to printable ASCII. */
        for (char *s = e.text; *s; s++)
            if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
                *s = '?';
        snprintf(why, whylen, "body is not a JSON object: %s at byte %d", e.text, e.position);
        return RB_EINVAL;
    }
    *out = j;
    return RB_OK;
}

int rb_rest_obj_from_json(const json_t *j, rb_obj *out, char *why, size_t whylen)
{
    rb_obj_clear(out);
    if (!json_is_object(j)) {
        snprintf(why, whylen, "want a JSON object of string -> integer");
        return RB_EINVAL;
    }
    if (rb_obj_reserve(out, json_object_size(j), 0) != RB_OK)
        return RB_ENOMEM;
    const char *key;
    size_t key_len;
    json_t *val;
    json_object_keylen_foreach((json_t *)j, key, key_len, val) {
        if (!json_is_integer(val)) {
            snprintf(why, whylen, "value of \"%.40s\" is not an integer", key);
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

/* Dump j compactly into b, replacing its content. */
static int dump(const json_t *j, rb_rest_buf *b)
{
    size_t need = json_dumpb(j, b->data, b->cap, JSON_COMPACT);
    if (need == 0)
        return RB_ENOMEM;
    if (need > b->cap) {
        if (rb_rest_buf_reserve(b, need) != RB_OK)
            return RB_ENOMEM;
        need = json_dumpb(j, b->data, b->cap, JSON_COMPACT);
        if (need == 0 || need > b->cap)
            return RB_ENOMEM;
    }
    b->len = need;
    return RB_OK;
}

int rb_rest_obj_to_json(const rb_obj *obj, int wrap, rb_rest_buf *b)
{
    int rc = RB_ENOMEM;
    json_t *o = json_object(), *top = o;
    if (!o)
        return RB_ENOMEM;
    if (wrap) {
        top = json_object();
        if (!top || json_object_set(top, "result", o) != 0)
            goto done;
    }
    for (size_t i = 0; i < obj->count; i++) {
        json_t *v = json_integer(obj->entries[i].value);
        if (!v)
            goto done;
        /* json_object_setn_new checks the key is UTF-8 and takes v. */
        if (json_object_setn_new(o, rb_obj_key(obj, i), obj->entries[i].key_len, v) != 0) {
            rc = RB_EINVAL;
            goto done;
        }
    }
    rc = dump(top, b);
done:
    if (top != o)
        json_decref(top);
    json_decref(o);
    return rc;
}

int rb_rest_error_json(const char *code, const char *msg, rb_rest_buf *b)
{
    char clean[512];
    size_t n = 0;
    for (; msg[n] && n < sizeof clean - 1; n++) {
        unsigned char ch = (unsigned char)msg[n];
        clean[n] = ch < 0x20 || ch > 0x7e ? '?' : (char)ch;
    }
    clean[n] = '\0';
    json_t *j = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", clean);
    if (!j)
        return RB_ENOMEM;
    int rc = dump(j, b);
    json_decref(j);
    return rc;
}
