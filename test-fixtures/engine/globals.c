/* Tests globals: a const-initialised configuration struct and a mutable counter that the entry increments. */
#include <stdint.h>

struct config {
    uint16_t mtu;
    uint8_t  drop_fragments;
    uint8_t  max_ttl;
};

static const struct config cfg = { 1500, 1, 64 };

/* Mutable global state: persisted between calls in real code. */
static uint64_t packets_seen;
static uint64_t packets_dropped = 0;

int globals_entry(uint16_t len, uint8_t is_fragment)
{
    packets_seen++;

    if (len > cfg.mtu) {
        packets_dropped++;
        return 0;
    }
    if (is_fragment && cfg.drop_fragments) {
        packets_dropped += 1;
        return 0;
    }
    return (int)(packets_seen & 0x7FFFFFFF);
}
