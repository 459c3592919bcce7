#include "rb_error.h"

const char *rb_strerror(int err)
{
    switch (err) {
    case RB_OK: return "success";
#define RB_X_(name, val, msg) case RB_##name: return msg;
    RB_ERROR_MAP(RB_X_)
#undef RB_X_
    }
    return "unknown error";
}

const char *rb_err_name(int err)
{
    switch (err) {
    case RB_OK: return "OK";
#define RB_X_(name, val, msg) case RB_##name: return #name;
    RB_ERROR_MAP(RB_X_)
#undef RB_X_
    }
    return "UNKNOWN";
}

rb_fail_kind rb_fail_kind_of(int err)
{
    switch (err) {
    case RB_ETIMEDOUT:
        return RB_FAIL_TIMEOUT;
    case RB_ECONNECT:
    case RB_ECLOSED:
    case RB_ENOSERVER:
    case RB_EIO:
    case RB_ELISTEN:
        return RB_FAIL_CONNECT;
    case RB_EPROTO:
        return RB_FAIL_PROTOCOL;
    default:
        return RB_FAIL_SERVER_ERROR;
    }
}

const char *rb_fail_kind_name(rb_fail_kind k)
{
    static const char *const names[RB_FAIL__COUNT] = {
        "connect", "timeout", "protocol", "server_error", "wrong_reply",
    };
    return (unsigned)k < RB_FAIL__COUNT ? names[k] : "unknown";
}
