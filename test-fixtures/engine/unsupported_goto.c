/* Tests rejection of goto: uses_goto must be reported as unsupported, while no_goto is analysed normally. */
#include <stdint.h>

int uses_goto(const uint8_t *pkt, uint16_t len)
{
    int r = 0;

    if (len < 2) {
        goto drop;
    }
    if (pkt[0] != 0x45) {
        goto drop;
    }
    r = pkt[1];
    return r;

drop:
    return -1;
}

int no_goto(const uint8_t *pkt, uint16_t len)
{
    if (len < 2) {
        return -1;
    }
    if (pkt[0] != 0x45) {
        return -1;
    }
    return pkt[1];
}
