/* rb_error.h - the project's error codes.
 *
 * Every function of rpcbench that can fail returns an int: 0 (RB_OK) on
 * success, or one of the negative codes below. Native errors of each RPC stack
 * (gRPC status codes, AMQP replies, XML-RPC faults, errno) are translated into
 * these at the transport boundary, so nothing above transports/ needs a stack's
 * header. The list is an X-macro (libuv's UV_ERRNO_MAP), giving each code its
 * name and message from one place.
 */
#ifndef RB_ERROR_H
#define RB_ERROR_H

/* X(name, value, message) */
#define RB_ERROR_MAP(X)                                                        \
    X(EINVAL,    -1,  "invalid argument")                                      \
    X(ETOOBIG,   -2,  "too large")                                             \
    X(ETIMEDOUT, -3,  "deadline exceeded")                                     \
    X(ECONNECT,  -4,  "cannot connect")                                        \
    X(ECLOSED,   -5,  "connection closed by peer")                             \
    X(EPROTO,    -6,  "protocol error (malformed or unexpected message)")      \
    X(ESERVER,   -7,  "server error")                                          \
    X(ENOMETHOD, -8,  "unknown method")                                        \
    X(ENOSERVER, -9,  "no server (request could not be routed)")               \
    X(ENOMEM,    -10, "out of memory")                                         \
    X(EIO,       -11, "i/o error")                                             \
    X(EUNSUPP,   -12, "not supported by this transport")                       \
    X(EINTR,     -13, "interrupted")                                           \
    X(ELISTEN,   -14, "cannot listen (address in use, not local, or refused)")

enum {
    RB_OK = 0,
#define RB_X_(name, val, msg) RB_##name = (val),
    RB_ERROR_MAP(RB_X_)
#undef RB_X_
};

/* Static message for an error code ("unknown error" for an unknown code). */
const char *rb_strerror(int err);

/* Static short name for an error code: "EINVAL", "OK", "UNKNOWN". */
const char *rb_err_name(int err);

/* The harness's failure kinds (docs/design.md, "Failure kinds"; results.json
 * "failures"). */
typedef enum rb_fail_kind {
    RB_FAIL_CONNECT = 0,   /* could not connect, or the connection broke   */
    RB_FAIL_TIMEOUT,       /* the call's deadline passed                   */
    RB_FAIL_PROTOCOL,      /* the reply could not be decoded               */
    RB_FAIL_SERVER_ERROR,  /* the server answered with an error            */
    RB_FAIL_WRONG_REPLY,   /* a well-formed reply that breaks the contract */
    RB_FAIL__COUNT
} rb_fail_kind;

/* Which failure kind an error code of a call counts as. err must be < 0. */
rb_fail_kind rb_fail_kind_of(int err);

/* "connect", "timeout", "protocol", "server_error", "wrong_reply". */
const char *rb_fail_kind_name(rb_fail_kind k);

#endif
