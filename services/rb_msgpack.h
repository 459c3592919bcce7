/* rb_msgpack.h - the MessagePack codec shared by the tcp and zmq transports.
 *
 * msgpack-c 4.0 trusts its input: a 5-byte map32 header that claims 2^32-1
 * entries makes it allocate count * sizeof(msgpack_object_kv) up front, and
 * truncated input comes back as MSGPACK_UNPACK_CONTINUE. So every buffer from
 * the network first goes through rb_mp_validate(), a structure-only walk that
 * checks each count against the bytes that remain, before msgpack-c sees it.
 *
 * Values on the wire (both transports):
 *   args of a call: fib -> [n], getObj -> [], sendObj -> [ {str: int, ...} ]
 *   result:         fib -> int,  getObj -> {str: int, ...}, sendObj -> int
 */
#ifndef RB_MSGPACK_H
#define RB_MSGPACK_H

#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

#include "rb_obj.h"
#include "rb_service.h"

/* Check that buf[0..len) holds exactly one well-formed MessagePack value:
 * not truncated, no trailing bytes, every count of an array, map, str, bin
 * or ext no larger than the bytes that remain, containers nested at most
 * max_depth deep, no reserved byte 0xc1.
 * Returns RB_OK or RB_EPROTO. Never allocates. */
int rb_mp_validate(const char *buf, size_t len, int max_depth);

/* rb_mp_validate with a budget of decoded values: every value counts one
 * (a container, each element, each map key and each map value), so the
 * count bounds what msgpack-c will allocate (about 24 bytes a value).
 * Returns RB_OK, RB_EPROTO (malformed) or RB_ETOOBIG (more than
 * max_elements values). Never allocates. */
int rb_mp_validate_max(const char *buf, size_t len, int max_depth, uint64_t max_elements);

/* rb_mp_decode with a budget of decoded values (see rb_mp_validate_max):
 * servers pass RB_MAX_ELEMENTS. RB_OK, RB_EPROTO, RB_ETOOBIG (over the
 * budget, nothing allocated) or RB_ENOMEM. */
int rb_mp_decode_max(const char *buf, size_t len, uint64_t max_elements, msgpack_unpacked *out);

/* Decode only the first value that buf[0..len) begins with (the bytes after
 * it are not looked at), within a budget of max_elements values: a server
 * reads the id of a request it refuses whole, to name it in the error
 * reply. out as for rb_mp_decode. RB_OK, RB_EPROTO, RB_ETOOBIG, RB_ENOMEM. */
int rb_mp_decode_first(const char *buf, size_t len, uint64_t max_elements,
                       msgpack_unpacked *out);

/* rb_mp_validate(buf, len, RB_MAX_DEPTH), then unpack into out, which the
 * caller has set up with msgpack_unpacked_init() and releases with
 * msgpack_unpacked_destroy() (also after an error). out's objects point
 * into its own zone. Returns RB_OK, RB_EPROTO or RB_ENOMEM. */
int rb_mp_decode(const char *buf, size_t len, msgpack_unpacked *out);

/* An integer that fits int64. RB_OK or RB_EINVAL (not an integer, or a
 * positive one above INT64_MAX). */
int rb_mp_get_int(const msgpack_object *o, int64_t *out);

/* A map whose keys are strings (str, or bin) without NUL bytes and whose
 * values are integers fitting int64, appended to out after rb_obj_clear().
 * RB_OK, RB_EINVAL (wrong shape; out holds a prefix) or RB_ENOMEM. */
int rb_mp_get_obj(const msgpack_object *o, rb_obj *out);

/* Pack o as a map str -> int. Returns 0, or msgpack's nonzero on failure. */
int rb_mp_pack_obj(msgpack_packer *pk, const rb_obj *o);

/* Pack a string given as a C string. Returns 0 or nonzero. */
int rb_mp_pack_cstr(msgpack_packer *pk, const char *s);

/* Pack the args array of a call of method m: fib -> [n], getObj -> [],
 * sendObj -> [obj]. obj is used only for sendObj, n only for fib. */
int rb_mp_pack_args(msgpack_packer *pk, rb_method m, int64_t n, const rb_obj *obj);

/* Server side: run method `name` (a str object) with `args` (an array
 * object) against the service, and pack its result value into pk.
 *   get_obj  getObj's reply, built once at server start with
 *            rb_service_get_obj() (so a call measures encoding, not building)
 *   scratch  an rb_obj the caller keeps across calls (decoding sendObj's
 *            argument reuses its memory); one per thread
 * Returns RB_OK with the result packed; or RB_ENOMETHOD, RB_EINVAL,
 * RB_ENOMEM with nothing packed and a message for the caller's error reply
 * in errbuf (always NUL-terminated). */
int rb_mp_dispatch(const msgpack_object *name, const msgpack_object *args,
                   const rb_obj *get_obj, rb_obj *scratch, msgpack_packer *pk,
                   char *errbuf, size_t errlen);

/* Client side: read the result value of method m. fib and sendObj give
 * *num; getObj fills obj (cleared first). RB_OK or RB_EPROTO (wrong type). */
int rb_mp_get_result(const msgpack_object *v, rb_method m, int64_t *num, rb_obj *obj);

#endif
