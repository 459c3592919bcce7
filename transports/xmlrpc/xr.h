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
 *   -32701                a document in another encoding than UTF-8.
 */
#ifndef RB_XR_H
#define RB_XR_H

#include <xmlrpc-c/base.h>
#include <xmlrpc-c/server.h>

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

/* Faults of the screen beyond the two above: a document in another
 * encoding than UTF-8 (byte-order mark or declaration) gets the interop
 * spec's -32701 "unsupported encoding"; one that is not UTF-8 at all (a NUL
 * byte, invalid sequences) xmlrpc-c's own -503 parse error. */
#define RB_XR_FAULT_ENCODING (-32701)
#define RB_XR_FAULT_PARSE XMLRPC_PARSE_ERROR

/* Struct members one request may hold: xmlrpc-c 1.33 inserts members
 * linearly, so a struct of n members costs O(n^2) CPU (10,000: ~52 ms;
 * 32,768: ~0.6 s). Three times the largest entry count of the --full sweep. */
#define RB_XR_MAX_MEMBERS 32768u

/* XML elements one request may hold: RB_MAX_ELEMENTS counts decoded
 * values, and an XML-RPC value is several XML elements (a struct member is
 * four: member, name, value, int). xmlrpc-c 1.33 costs ~430 bytes and
 * 5-10 us per element, so this bounds a request to ~60 MiB and ~1 s. */
#define RB_XR_MAX_ELEMENTS (RB_MAX_ELEMENTS / 8u)

/* What one document may hold; 0 in a field: no limit. */
typedef struct rb_xr_limits {
    size_t max_elements;   /* XML elements (start tags), each costs memory */
    size_t max_members;    /* <member> elements (struct members) */
} rb_xr_limits;

/* The server's limits on a request: RB_XR_MAX_ELEMENTS, RB_XR_MAX_MEMBERS. */
extern const rb_xr_limits rb_xr_request_limits;

/* Screen a document before xmlrpc-c parses it (xr_screen.c): refuses what
 * crashes or endangers xmlrpc-c 1.33 - any encoding but UTF-8/US-ASCII
 * (another byte-order mark or encoding declaration: RB_XR_FAULT_ENCODING;
 * a NUL byte or invalid UTF-8: RB_XR_FAULT_PARSE), any DOCTYPE (entity
 * expansion), an <i8> that is not a decimal 64-bit integer
 * (RB_XR_FAULT_INVALID), elements nested over RB_XR_MAX_XML_DEPTH and,
 * when lim is not NULL, more elements or members than lim allows
 * (RB_XR_FAULT_TOOBIG). x[0..len) need not be NUL-terminated. Returns 0
 * when the document may go on to the parser (it may still be malformed:
 * the parser says so), else the fault code with the reason in
 * why[0..whylen). *elements (when not NULL) = the elements counted. Two
 * linear passes, no allocation. */
int rb_xr_screen_lim(const char *x, size_t len, const rb_xr_limits *lim, size_t *elements,
                     char *why, size_t whylen);

/* rb_xr_screen_lim without element limits (the client's reply screen). */
int rb_xr_screen(const char *x, size_t len, char *why, size_t whylen);

/* A new registry with fib, getObj and sendObj (xr_methods.c); getObj
 * answers get_obj, which must outlive the registry. Returns RB_OK, or
 * RB_ENOMEM with the reason on stderr; free with xmlrpc_registry_free. */
int rb_xr_registry_new(xmlrpc_env *env, const rb_obj *get_obj, xmlrpc_registry **out);

/* Run the Abyss server until rb_serve_stop (see rb_transport.serve). */
int rb_xr_serve(const rb_server_opts *o);

/* The integer in v (<int> or <i8>) into *out. Returns 1 when v is one of
 * these types, 0 otherwise (env untouched). */
int rb_xr_read_int(xmlrpc_value *v, int64_t *out);

/* A new integer value for x: <int> when it fits 32 bits, else <i8>.
 * Returns a new reference, or NULL with env set. */
xmlrpc_value *rb_xr_int_new(xmlrpc_env *env, int64_t x);

#endif
