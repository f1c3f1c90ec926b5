// Loops bounded by an exit inside their body rather than by their guard: the exit's counter
// bounds the loop's PCV when every iteration passes the exit and steps the counter.
#include <stdint.h>

#define MAX_HOPS 8

struct hop { uint8_t next; uint8_t type; };

/* Follows a chain of next-hop entries; gives up after MAX_HOPS. */
int route(const struct hop *table, const uint8_t *pkt)
{
    int hops = 0;
    uint8_t at = pkt[0] & 63;
    while (table[at].type != 0) {
        if (hops == MAX_HOPS)
            return -1;
        at = table[at].next & 63;
        hops++;
    }
    return at;
}

/* Counts type-length pairs up to a terminator, at most 16 of them. */
int count_tlvs(const uint8_t *p)
{
    unsigned n = 0, off = 0;
    for (;;) {
        if (p[off] == 0)
            break;
        off += 2;
        if (++n >= 16)
            break;
    }
    return n;
}

/* The counter only moves on some iterations: the exit does not bound the loop. */
int skip_tags(const uint8_t *p)
{
    int depth = 0, i = 0;
    while (p[i] != 0 && i < 200) {
        if (depth == 4)
            return -1;
        if (p[i] == 0x81)
            depth++;
        i++;
    }
    return i;
}
