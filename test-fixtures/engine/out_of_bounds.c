/* Tests detection of an out-of-bounds read: a 16-entry global table indexed by an unmasked uint8_t (0..255). */
#include <stdint.h>

static const uint16_t port_cost[16] = {
    1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8
};

int out_of_bounds_entry(uint8_t idx)
{
    return port_cost[idx];      /* BUG: idx should be masked with & 15 */
}
