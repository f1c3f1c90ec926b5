/* Tests a loop with no constant bound: scanning a packet for a NUL byte, whose trip count depends only on packet content. */
#include <stdint.h>

int unbounded_loop_entry(const uint8_t *p, uint16_t len)
{
    int i = 0;

    if (len < 1) {
        return -1;
    }
    /* BUG (intended): neither a constant bound nor len limits this loop. */
    while (p[i] != 0) {
        i++;
    }
    return i;
}
