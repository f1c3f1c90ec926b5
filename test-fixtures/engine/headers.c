/* Tests a local #include "..." header providing a struct type, a macro, and a static inline function. */
#include <stdint.h>
#include "headers_util.h"
#include "headers_util.h"   /* included twice on purpose: the include guard must work */

int headers_entry(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
    struct flow_key k;

    k.src = src;
    k.dst = dst;
    k.sport = sport;
    k.dport = dport;

    if (sizeof(k) != FLOW_KEY_LEN) {
        return -1;          /* never taken on LP64 */
    }
    return flow_hash(&k) & 0x0F;
}
