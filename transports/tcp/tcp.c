#include "transport.h"
const rb_transport rb_transport_tcp = { .name = "tcp" };
