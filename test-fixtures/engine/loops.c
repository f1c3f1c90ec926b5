/* Tests loops: a constant-trip for loop, a bounded while with an input-dependent break, a do-while, and continue. */
#include <stdint.h>

#define MAX_SCAN 4

/* Constant trip count of exactly 4: the engine should not fork on the loop condition. */
static uint32_t sum4(const uint8_t *p)
{
    uint32_t s = 0;
    int i;
    for (i = 0; i < 4; i++) {
        s += p[i];
    }
    return s;
}

int loops_entry(const uint8_t *pkt, uint16_t len, uint8_t n)
{
    uint32_t total = 0;
    int i;
    int found = -1;

    if (len < 8) {
        return -1;
    }

    total = sum4(pkt);

    /* While loop that breaks on packet content, bounded by MAX_SCAN and len. */
    i = 0;
    while (i < MAX_SCAN && i < len) {
        if (pkt[4 + i] == 0xFF) {
            found = i;
            break;
        }
        i++;
    }

    /* do-while: body runs at least once, at most 3 times. */
    i = 0;
    do {
        total += (uint32_t)i;
        i++;
    } while (i < n && i < 3);

    /* continue skips odd bytes; trip count bounded by both n and a constant. */
    for (i = 0; i < n && i < MAX_SCAN; i++) {
        if (pkt[i] & 1) {
            continue;
        }
        total += 2;
    }

    return (int)(total & 0xFFFF) + found;
}
