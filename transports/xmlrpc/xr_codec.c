/* xr_codec.c - XML-RPC through xmlrpc-c, the documents the xmlrpc transport
 * sends; see services/rb_codec.h.
 *
 * Bytes: a request is the whole <methodCall> document (method name
 * included: XML-RPC has no envelope of its own outside HTTP), as
 * xmlrpc_serialize_call2() writes it for the client; a reply the whole
 * <methodResponse> of xmlrpc_serialize_response2(). Both in the i8 dialect,
 * with integers as <int> when they fit 32 bits and <i8> otherwise
 * (rb_xr_int_new), objects as a <struct> built member by member with
 * xmlrpc_struct_set_value_n (as the server's getObj and the client's
 * sendObj build them). Decoding: xmlrpc_parse_call() /
 * xmlrpc_parse_response2(), then the struct read member by member (borrowed
 * references) into an rb_obj as the server's sendObj and the client's
 * getObj do. The server's request screen (rb_xr_screen, a linear scan in
 * front of the parser) is not counted. */
#include "rb_codec.h"
#include "xr_codec.h"

#include <stdio.h>
#include <stdlib.h>

#include <xmlrpc-c/client.h>

struct rb_codec_state {
    xmlrpc_mem_block *out;   /* the encoded document, reused */
};

static const char *xc_version(void)
{
    static char v[32];
    unsigned maj = 0, min = 0, pt = 0;
    xmlrpc_client_version(&maj, &min, &pt);
    snprintf(v, sizeof v, "xmlrpc-c %u.%u.%u", maj, min, pt);
    return v;
}

static int xc_open(rb_codec_state **out)
{
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    /* Large objects: the library's default document limit (512 KiB) would
     * refuse getObj of 10,000 entries; the client raises it the same way. */
    if (xmlrpc_limit_get(XMLRPC_XML_SIZE_LIMIT_ID) < ((size_t)1 << 40))
        xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, (size_t)1 << 40);
    rb_codec_state *st = calloc(1, sizeof *st);
    if (st)
        st->out = xmlrpc_mem_block_new(&env, 0);
    int rc = st && !env.fault_occurred ? RB_OK : RB_ENOMEM;
    xmlrpc_env_clean(&env);
    if (rc != RB_OK)
        free(st);
    else
        *out = st;
    return rc;
}

static void xc_close(rb_codec_state *st)
{
    if (!st)
        return;
    if (st->out)
        xmlrpc_mem_block_free(st->out);
    free(st);
}

xmlrpc_value *rb_xr_obj_new(xmlrpc_env *env, const rb_obj *obj)
{
    xmlrpc_value *s = xmlrpc_struct_new(env);
    for (size_t i = 0; i < obj->count && !env->fault_occurred; i++) {
        xmlrpc_value *v = rb_xr_int_new(env, obj->entries[i].value);
        if (env->fault_occurred)
            break;
        xmlrpc_struct_set_value_n(env, s, rb_obj_key(obj, i), obj->entries[i].key_len, v);
        xmlrpc_DECREF(v);
    }
    if (env->fault_occurred && s) {
        xmlrpc_DECREF(s);
        s = NULL;
    }
    return s;
}

int rb_xr_obj_read(xmlrpc_env *env, xmlrpc_value *s, rb_obj *obj, char *why, size_t whylen)
{
    rb_obj_clear(obj);
    if (xmlrpc_value_type(s) != XMLRPC_TYPE_STRUCT) {
        snprintf(why, whylen, "is not a struct");
        return RB_EPROTO;
    }
    int n = xmlrpc_struct_size(env, s), rc = RB_OK;
    if (env->fault_occurred) {
        snprintf(why, whylen, "%s", env->fault_string);
        return RB_EPROTO;
    }
    /* Borrowed key and value (xmlrpc_struct_get_key_and_value, deprecated
     * but kept in xmlrpc-c): read_member's reference pair costs two
     * mutex-guarded INCREFs and two DECREFs per member. */
    for (int i = 0; i < n && rc == RB_OK; i++) {
        xmlrpc_value *k = NULL, *v = NULL;
        const char *key = NULL;
        size_t klen = 0;
        int64_t x = 0;
        rc = RB_EPROTO;
        xmlrpc_struct_get_key_and_value(env, s, i, &k, &v);
        if (!env->fault_occurred)
            xmlrpc_read_string_lp(env, k, &klen, &key);
        if (env->fault_occurred)
            snprintf(why, whylen, "member %d: %s", i, env->fault_string);
        else if (!rb_xr_read_int(v, &x))
            snprintf(why, whylen, "member %d is not an integer", i);
        else if (rb_obj_add(obj, key, klen, x) != RB_OK)
            snprintf(why, whylen, "member %d has an invalid name", i);
        else
            rc = RB_OK;
        free((void *)key);
    }
    return rc;
}

static int xc_encode(rb_codec_state *st, rb_codec_msg m, int64_t num, const rb_obj *obj,
                     const char **out, size_t *len)
{
    xmlrpc_env env;
    xmlrpc_value *v, *params = NULL;
    xmlrpc_env_init(&env);
    xmlrpc_mem_block_resize(&env, st->out, 0);
    v = rb_codec_msg_has_obj(m) ? rb_xr_obj_new(&env, obj) : rb_xr_int_new(&env, num);
    if (env.fault_occurred)
        goto done;
    if (rb_codec_msg_is_request(m)) {
        params = xmlrpc_array_new(&env);
        if (!env.fault_occurred)
            xmlrpc_array_append_item(&env, params, v);
        if (!env.fault_occurred)
            xmlrpc_serialize_call2(&env, st->out, rb_codec_msg_method(m), params,
                                   xmlrpc_dialect_i8);
    } else {
        xmlrpc_serialize_response2(&env, st->out, v, xmlrpc_dialect_i8);
    }
done:
    if (v)
        xmlrpc_DECREF(v);
    if (params)
        xmlrpc_DECREF(params);
    int rc = env.fault_occurred ? RB_EINVAL : RB_OK;
    xmlrpc_env_clean(&env);
    *out = xmlrpc_mem_block_contents(st->out);
    *len = xmlrpc_mem_block_size(st->out);
    return rc;
}

static int xc_decode(rb_codec_state *st, rb_codec_msg m, const char *buf, size_t len,
                     int64_t *num, rb_obj *obj)
{
    (void)st;
    xmlrpc_env env;
    xmlrpc_value *v = NULL, *params = NULL;
    const char *method = NULL, *fault = NULL;
    int fault_code = 0, rc = RB_EPROTO;
    xmlrpc_env_init(&env);
    if (rb_codec_msg_is_request(m)) {
        xmlrpc_parse_call(&env, buf, len, &method, &params);
        if (env.fault_occurred)
            params = NULL, method = NULL;   /* not set on failure */
        else if (xmlrpc_array_size(&env, params) == 1)
            xmlrpc_array_read_item(&env, params, 0, &v);
    } else {
        xmlrpc_parse_response2(&env, buf, len, &v, &fault_code, &fault);
    }
    if (env.fault_occurred)
        v = NULL, fault = NULL;             /* xmlrpc-c leaves poison values */
    if (env.fault_occurred || fault || !v)
        goto done;
    if (rb_codec_msg_has_obj(m))
        rc = rb_xr_obj_read(&env, v, obj, NULL, 0);
    else
        rc = rb_xr_read_int(v, num) ? RB_OK : RB_EPROTO;
done:
    if (v)
        xmlrpc_DECREF(v);
    if (params)
        xmlrpc_DECREF(params);
    free((void *)method);
    free((void *)fault);
    xmlrpc_env_clean(&env);
    return rc;
}

const rb_codec rb_codec_xmlrpc = {
    .encoding = "XML-RPC",
    .library = "xmlrpc-c",
    .used_by = "xmlrpc, xmlrpc-close",
    .version = xc_version,
    .open = xc_open,
    .close = xc_close,
    .encode = xc_encode,
    .decode = xc_decode,
};
