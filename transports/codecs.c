/* codecs.c - the encodings this build has (see rb_codec.h). MessagePack and
 * JSON are always built (the core and the harness link msgpack-c and
 * jansson); XML-RPC and protobuf come with their transports (RB_HAVE_<STACK>,
 * like registry.c). */
#include "rb_codec.h"

#include <stddef.h>

const rb_codec *const rb_codecs[] = {
    &rb_codec_msgpack,
    &rb_codec_json,
#ifdef RB_HAVE_GRPC
    &rb_codec_protobuf,
#endif
#ifdef RB_HAVE_XMLRPC
    &rb_codec_xmlrpc,
#endif
    NULL,
};
