/*
 * flow_table.c - a connection table with open addressing and linear probing keyed by the
 * 5-tuple: finds the flow or inserts it into the first free slot, counting packets per flow;
 * when every probe finds another flow the packet is reported as table-full.
 * Entry: int flow_track(const struct ft_key *k, uint32_t now); returns the slot index, or -1 when
 * the table is full.
 */
#include <stdint.h>

#define FT_SIZE 1024u /* power of two */

struct ft_key {
    uint32_t src, dst;
    uint16_t sport, dport;
    uint8_t proto;
};

struct ft_entry {
    struct ft_key key;
    uint8_t used;
    uint32_t packets;
    uint32_t last_seen;
};

struct ft_entry flows[FT_SIZE];
uint32_t ft_full_drops;

static int key_eq(const struct ft_key *a, const struct ft_key *b)
{
    return a->src == b->src && a->dst == b->dst && a->sport == b->sport && a->dport == b->dport && a->proto == b->proto;
}

static uint32_t ft_hash(const struct ft_key *k)
{
    uint32_t h = k->src ^ (k->dst * 31u) ^ ((uint32_t)k->sport << 16) ^ k->dport ^ ((uint32_t)k->proto << 8);
    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    return h;
}

int flow_track(const struct ft_key *k, uint32_t now)
{
    uint32_t idx = ft_hash(k) & (FT_SIZE - 1);
    for (uint32_t probes = 0; probes < FT_SIZE; probes++) {
        struct ft_entry *e = &flows[idx];
        if (!e->used) {
            e->key = *k;
            e->used = 1;
            e->packets = 1;
            e->last_seen = now;
            return (int)idx;
        }
        if (key_eq(&e->key, k)) {
            e->packets++;
            e->last_seen = now;
            return (int)idx;
        }
        idx = (idx + 1) & (FT_SIZE - 1);
    }
    ft_full_drops++;
    return -1;
}
