/* xr.h - internals shared by the XML-RPC transport's client (xmlrpc.c) and
 * server (xr_server.c). Nothing outside transports/xmlrpc/ includes this.
 *
 * Wire format (what a stock XML-RPC client sees):
 *   fib(n)       n: <int> or <i8>            -> <i8> F(n)
 *   getObj()                                 -> <struct> name -> <int> (or
 *                                               <i8> when outside int32)
 *   sendObj(obj) obj: <struct> name -> <int>/<i8>  -> <int> entry count
 *   system.listMethods and the rest of xmlrpc-c's introspection.
 *
 * Faults the server sends, in one place, so client and tests agree:
 *   RB_XR_FAULT_INVALID   invalid argument (wrong type, fib out of range,
 *                         wrong parameter count). -32602 is "invalid method
 *                         parameters" of the XML-RPC fault code
 *                         interoperability spec, which Python and others use.
 *   RB_XR_FAULT_TOOBIG    request over the size limit or nested too deep:
 *                         xmlrpc-c's own XMLRPC_LIMIT_EXCEEDED_ERROR (-509).
 *   -506                  unknown method (XMLRPC_NO_SUCH_METHOD_ERROR, sent
 *                         by the library itself).
 *   -503                  malformed XML (XMLRPC_PARSE_ERROR, library).
 *   -510                  invalid UTF-8 (XMLRPC_INVALID_UTF8_ERROR, library).
 */
#ifndef RB_XR_H
#define RB_XR_H

#include <xmlrpc-c/base.h>

#include "transport.h"

#define RB_XR_FAULT_INVALID (-32602)
#define RB_XR_FAULT_TOOBIG XMLRPC_LIMIT_EXCEEDED_ERROR

#define RB_XR_DEFAULT_ENDPOINT "127.0.0.1:7302"

/* The URI path of the XML-RPC endpoint (xmlrpc-c's and Python's default). */
#define RB_XR_PATH "/RPC2"

/* Nesting of XML-RPC values the server accepts (a struct of ints is 2). */
#define RB_XR_MAX_NESTING RB_MAX_DEPTH

/* Element nesting the server lets through to xmlrpc-c's parser (a valid
 * request with values nested RB_XR_MAX_NESTING deep needs about 100). */
#define RB_XR_MAX_XML_DEPTH 256

/* Screen a request body before xmlrpc-c parses it: refuses what crashes
 * or endangers xmlrpc-c 1.33 - an <i8> that is not a decimal 64-bit
 * integer, elements nested over RB_XR_MAX_XML_DEPTH, any DOCTYPE (entity
 * expansion). x[0..len) need not be NUL-terminated. Returns 0 when the body
 * may go on to the parser (it may still be malformed: the parser says so),
 * else the fault code to answer (RB_XR_FAULT_INVALID or RB_XR_FAULT_TOOBIG)
 * with the reason in why[0..whylen). One pass, no allocation. */
int rb_xr_screen(const char *x, size_t len, char *why, size_t whylen);

/* Run the Abyss server until rb_serve_stop (see rb_transport.serve). */
int rb_xr_serve(const rb_server_opts *o);

/* The integer in v (<int> or <i8>) into *out. Returns 1 when v is one of
 * these types, 0 otherwise (env untouched). */
int rb_xr_read_int(xmlrpc_value *v, int64_t *out);

/* A new integer value for x: <int> when it fits 32 bits, else <i8>.
 * Returns a new reference, or NULL with env set. */
xmlrpc_value *rb_xr_int_new(xmlrpc_env *env, int64_t x);

#endif
