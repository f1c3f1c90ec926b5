/* A station table probed with memcmp: at -O0 each probe calls the C library, whose cost depends on
 * where the operands lie (a load that could cross a page takes a slower path) and on the bytes. */
#include <stdint.h>
#include <string.h>

#define SLOTS 1024u

struct station {
    uint8_t mac[6];
    uint8_t port;
};

struct station stations[SLOTS];

int find_station(const uint8_t *mac, uint32_t slot)
{
    const struct station *s = &stations[slot % SLOTS];

    if (memcmp(s->mac, mac, 6) == 0) {
        return s->port;
    }
    return -1;
}
