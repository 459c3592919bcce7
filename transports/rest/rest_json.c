/* rest_json.c - the JSON bodies of the rest transport, through jansson,
 * behind a screen that bounds what one body can cost. */
#include "rest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rb_json.h"

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

int rb_rest_obj_to_json(const rb_obj *obj, int wrap, rb_buf *b)
{
    json_t *o;
    int rc = rb_json_from_obj(obj, &o);
    json_t *top = o;
    if (rc == RB_OK && wrap) {
        top = json_object();
        if (!top || json_object_set(top, "result", o) != 0)
            rc = RB_ENOMEM;
    }
    if (rc == RB_OK)
        rc = rb_json_dump(top, b);
    if (top != o)
        json_decref(top);
    json_decref(o);
    return rc;
}

int rb_rest_error_json(const char *code, const char *msg, rb_buf *b)
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
    int rc = rb_json_dump(j, b);
    json_decref(j);
    return rc;
}
