/* rb_json.h - rb_obj to and from jansson, shared by the JSON bodies of the
 * AMQP transports (transports/amqp/amqp_json.c), the rest transport
 * (transports/rest/rest_json.c) and the JSON codec (services/json_codec.c),
 * so that the three write the same bytes for the same object.
 *
 * Encoding is jansson's: a json_t object built in rb_obj's order, written
 * with json_dumpb(JSON_COMPACT) ({"server:0":0,"server:1":1}). Parsing is
 * the caller's (each has its own flags and screen); rb_json_to_obj takes
 * the parsed value. */
#ifndef RB_JSON_H
#define RB_JSON_H

#include <stddef.h>

#include "rb_buf.h"
#include "rb_obj.h"

struct json_t;

/* A new JSON object holding o's entries in o's order into *out (the caller
 * releases it with json_decref()). RB_OK; RB_EINVAL (a key is not UTF-8)
 * or RB_ENOMEM, with *out NULL. */
int rb_json_from_obj(const rb_obj *o, struct json_t **out);

/* j as compact JSON text (JSON_COMPACT) into b, replacing its content
 * (b->len is the text's size; no NUL is counted). RB_OK or RB_ENOMEM. */
int rb_json_dump(const struct json_t *j, rb_buf *b);

/* Copy a JSON object of string -> integer into out (cleared first, and
 * cleared again on failure). RB_OK; RB_EINVAL (j is not an object, a value
 * is not an integer, a key holds NUL) or RB_ENOMEM, with the reason in
 * why[0..whylen) (why may be NULL when whylen is 0). */
int rb_json_to_obj(const struct json_t *j, rb_obj *out, char *why, size_t whylen);

#endif
