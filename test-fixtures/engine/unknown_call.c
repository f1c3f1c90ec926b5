/* Tests handling of a call to a function that is declared but has no body in this translation unit. */
#include <stdint.h>

extern int lookup_route(uint32_t dst);

int unknown_call_entry(uint32_t dst, uint8_t ttl)
{
    int port;

    if (ttl <= 1) {
        return -1;
    }
    port = lookup_route(dst);   /* body unknown: cost and result are unmodelled */
    if (port < 0) {
        return -2;
    }
    return port;
}
