/*
 * chain_hash.c - a separately chained hash table of flows keyed by (src, dst, sport, dport,
 * proto): buckets hold the index of the first entry of their chain, entries the index of the
 * next one (a fixed pool, as DPDK-style tables do), and the walk gives up after a fixed length.
 * Entry: int chain_lookup(const uint8_t *l3, uint32_t len); returns the flow's value, or -1
 * when it is not in the table or the packet is too short.
 */
#include <stdint.h>
#include <string.h>

#define NBUCKETS 64
#define POOL 256
#define CHAIN_END 0xffff
#define CHAIN_MAX 16

struct chain_entry {
    uint32_t src, dst;
    uint16_t sport, dport;
    uint8_t proto;
    uint16_t next;
    int32_t value;
};

uint16_t chain_heads[NBUCKETS];
struct chain_entry chain_pool[POOL];

static inline uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t flow_hash(uint32_t s, uint32_t d, uint16_t sp, uint16_t dp, uint8_t pr)
{
    uint32_t h = s * 0x9e3779b1u;
    h ^= d + 0x7f4a7c15u + (h << 6) + (h >> 2);
    h ^= ((uint32_t)sp << 16 | dp) + (h << 6) + (h >> 2);
    h ^= pr;
    return h;
}

int chain_lookup(const uint8_t *l3, uint32_t len)
{
    if (len < 24)
        return -1;
    uint32_t src = rd32(l3 + 12), dst = rd32(l3 + 16);
    uint8_t proto = l3[9];
    uint16_t sport = rd16(l3 + 20), dport = rd16(l3 + 22);

    uint16_t i = chain_heads[flow_hash(src, dst, sport, dport, proto) % NBUCKETS];
    for (int depth = 0; i != CHAIN_END && depth < CHAIN_MAX; depth++) {
        if (i >= POOL)
            return -1;
        const struct chain_entry *e = &chain_pool[i];
        if (e->src == src && e->dst == dst && e->sport == sport && e->dport == dport && e->proto == proto)
            return e->value;
        i = e->next;
    }
    return -1;
}
