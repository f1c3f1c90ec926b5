/* Tests detection of a possible division by zero: the divisor comes straight from the packet and is never checked. */
#include <stdint.h>

uint32_t div_by_zero_entry(const uint8_t *pkt, uint16_t len, uint32_t total)
{
    uint8_t shards;

    if (len < 1) {
        return 0;
    }
    shards = pkt[0];            /* can be 0 */
    return total / shards;      /* BUG: no zero check */
}
