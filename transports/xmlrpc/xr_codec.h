/* xr_codec.h - an rb_obj as an XML-RPC <struct> and back, with xmlrpc-c.
 * Used by the XML-RPC codec of `rpcbench codecs` (xr_codec.c) and the fuzz
 * target; the transport's client and server do the same member by member
 * (xmlrpc.c read_obj, xr_server.c m_get_obj/m_send_obj) and can call these
 * instead. */
#ifndef RB_XR_CODEC_H
#define RB_XR_CODEC_H

#include "rb_codec.h"
#include "xr.h"

/* The XML-RPC codec of `rpcbench codecs` (services/rb_codec.h), registered
 * in this folder's CMakeLists.txt. */
extern const rb_codec rb_codec_xmlrpc;

/* A new <struct> of o's members, in o's order, integers as rb_xr_int_new
 * makes them. Returns a new reference, or NULL with env set. */
xmlrpc_value *rb_xr_obj_new(xmlrpc_env *env, const rb_obj *o);

/* The members of struct s (name -> <int>/<i8>) into out, cleared first.
 * Returns RB_OK, or RB_EPROTO when s is not a struct of name -> integer or
 * a name rb_obj cannot hold (NUL byte), with what in why[0..whylen) ("is
 * not a struct", "member 3 is not an integer", "member 3 has an invalid
 * name", "member 3: <xmlrpc-c's fault>"; why may be NULL when whylen is 0);
 * env set when xmlrpc-c failed. The server's sendObj, the client's getObj
 * reply and the codec all read structs through this. */
int rb_xr_obj_read(xmlrpc_env *env, xmlrpc_value *s, rb_obj *out, char *why, size_t whylen);

#endif
