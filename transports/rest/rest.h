/* rest.h - the "rest" transport: HTTP/1.1 + JSON, one POST per call.
 *
 * Wire (what `curl` or Python's http.client can speak without our code):
 *
 *   POST /fib      body {"n": 30}          -> 200 {"result": 832040}
 *   POST /getObj   body empty or {}        -> 200 {"result": {"server:0": 0, ...}}
 *   POST /sendObj  body {"client:0": 0, ...} (the body IS the object,
 *                  string -> integer)      -> 200 {"result": 100}
 *
 * Errors are HTTP status codes with the body
 *   {"error": {"code": "EINVAL", "message": "..."}}
 *   400 invalid argument (not JSON, too deep, wrong types, fib outside 0..92)
 *   404 unknown path (unknown method)
 *   405 a method other than POST (with "Allow: POST")
 *   413 body over the server's --max-request
 *   500 anything else
 * Replies carry Content-Type: application/json. The request's Content-Type
 * is not checked: `curl -d` sends application/x-www-form-urlencoded.
 *
 * Server: libmicrohttpd (rest_server.c). Client: one libcurl easy handle
 * per client, reused, so its HTTP/1.1 connection stays alive between calls
 * (rest_client.c). JSON: jansson, behind the screen below (rest_json.c).
 */
#ifndef RB_REST_H
#define RB_REST_H

#include <stddef.h>
#include <stdint.h>

#include "rb_json.h"   /* rb_buf, rb_json_to_obj */
#include "transport.h"

#define RB_REST_DEFAULT_ENDPOINT "127.0.0.1:7307"
#define RB_REST_CONTENT_TYPE "application/json"

/* Largest reply body the client accepts, bytes (getObj of 10,000,000
 * entries is about 300 MB). */
#define RB_REST_MAX_REPLY ((size_t)1 << 30)

/* Most object members a JSON body of len bytes may hold: 4096 + len / 12.
 * jansson spends about 130 bytes per member, so a large body costs at most
 * about 11 times its size in memory, a small one at most about 530 KB. The
 * harness's objects ("client:0":0, ... at 13 bytes or more a member) always
 * pass. */
size_t rb_rest_max_members(size_t len);

/* The screen run before jansson sees a body: one pass over p[0..len) that
 * refuses nesting deeper than RB_MAX_DEPTH and more than max_members object
 * members (jansson allows depth 2048 and has no member limit), without
 * allocating. Strings are skipped (with their escapes); everything else is
 * left to jansson. Returns RB_OK or RB_EINVAL with the reason in why. */
int rb_rest_screen(const char *p, size_t len, size_t max_members,
                   char *why, size_t whylen);

/* Screen and decode p[0..len) as one JSON object (strict: UTF-8, no
 * duplicate keys, nothing after it). On success *out is a new reference
 * the caller releases with json_decref() (its members go into an rb_obj with
 * rb_json_to_obj, services/rb_json.h). RB_EINVAL with the reason in why
 * otherwise. */
struct json_t;
int rb_rest_parse_object(const char *p, size_t len, struct json_t **out,
                         char *why, size_t whylen);

/* Encode obj as a compact JSON object into b (replacing its content),
 * wrapped as {"result": OBJ} when wrap is 1. RB_OK, RB_EINVAL (a key is not
 * UTF-8), RB_ENOMEM. */
int rb_rest_obj_to_json(const rb_obj *obj, int wrap, rb_buf *b);

/* {"error":{"code":CODE,"message":MSG}} into b (replacing its content).
 * Bytes of msg outside printable ASCII become '?', so any detail (even
 * bytes of a hostile request) can be quoted. RB_OK or RB_ENOMEM. */
int rb_rest_error_json(const char *code, const char *msg, rb_buf *b);

/* The transport's table (rest_client.c). */
extern const rb_transport rb_transport_rest;

/* The server (rest_server.c): the transport's serve function. */
int rb_rest_serve(const rb_server_opts *o);

/* "libmicrohttpd 0.9.75, libcurl 7.88.1, jansson 2.14". */
const char *rb_rest_version(void);

#endif
