/* Tests the modelled string.h functions: memcpy of a header into a local struct, memset, and memcmp of a 6-byte MAC against a constant. */
#include <stdint.h>
#include <string.h>

struct __attribute__((packed)) eth {
    uint8_t  dst[6];
    uint8_t  src[6];
    uint16_t type;
};

static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

int memfuncs_entry(const uint8_t *pkt, uint16_t len)
{
    struct eth h;
    uint8_t scratch[16];

    if (len < sizeof(struct eth)) {
        return -1;
    }

    /* Copy rather than cast: avoids alignment concerns on the packet buffer. */
    memcpy(&h, pkt, sizeof(h));

    memset(scratch, 0, sizeof(scratch));
    scratch[0] = h.src[5];

    if (memcmp(h.dst, broadcast_mac, 6) == 0) {
        return 1;           /* broadcast */
    }
    if (h.dst[0] & 1) {
        return 2;           /* other multicast */
    }
    return scratch[0] + scratch[15];
}
