/*
 * maglev.c - Maglev consistent-hashing backend selection: the flow's hash picks a slot of the
 * lookup table (prime size), whose backend is used if it is up; otherwise the next slots are tried
 * in order, up to a fixed number.
 * Entry: int maglev_pick(const struct flow5 *f); returns a backend index or -1 when no backend
 * is up within the probes.
 */
#include <stdint.h>

#define MAGLEV_M 1031 /* prime */
#define MAX_BACKENDS 32
#define MAX_FALLBACK 8

struct flow5 {
    uint32_t saddr, daddr;
    uint16_t sport, dport;
    uint8_t proto;
};

uint8_t maglev_lut[MAGLEV_M];
uint8_t backend_up[MAX_BACKENDS];

static uint32_t mix32(uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

int maglev_pick(const struct flow5 *f)
{
    uint32_t h = mix32(f->saddr ^ mix32(f->daddr) ^ ((uint32_t)f->sport << 16 | f->dport) ^ f->proto);
    uint32_t slot = h % MAGLEV_M;
    for (int tries = 0; tries < MAX_FALLBACK; tries++) {
        uint8_t b = maglev_lut[slot];
        if (b < MAX_BACKENDS && backend_up[b])
            return b;
        if (++slot == MAGLEV_M)
            slot = 0;
    }
    return -1;
}
