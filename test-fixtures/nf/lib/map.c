/*
 * map.c - open-addressing hash map with linear probing and tombstones.
 *
 * Every probe loop is bounded by MAP_CAPACITY: even a table full of
 * tombstones terminates after one sweep. A probe that meets a slot with the
 * same hash compares the keys (the count mark c: BOLT's collisions); the
 * other probes that go on are counted by the loop's PCV t (traversals).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "map.h"
#include "pc_trace.h"

void map_init(struct map *m)
{
    memset(m->state, MAP_SLOT_EMPTY, sizeof(m->state));
    m->size = 0;
}

/* Multiplicative mixing over the 5-tuple (murmur3-style finaliser). */
uint32_t flow_key_hash(const struct flow_key *key)
{
    uint32_t h = key->src_ip;

    h ^= key->dst_ip * 0x9E3779B1u;
    h ^= ((uint32_t)key->src_port << 16) | key->dst_port;
    h ^= (uint32_t)key->proto << 8;
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

/*
 * Branch-free, as DPDK's rte_hash compares fixed-size keys: every field is read whichever differs,
 * so a comparison costs the same for every pair of keys.
 */
static bool flow_key_eq(const struct flow_key *a, const struct flow_key *b)
{
    uint32_t diff = (a->src_ip ^ b->src_ip) | (a->dst_ip ^ b->dst_ip) |
                    (uint32_t)(a->src_port ^ b->src_port) | (uint32_t)(a->dst_port ^ b->dst_port) |
                    (uint32_t)(a->proto ^ b->proto);

    return diff == 0;
}

/* Returns the slot holding key, or -1. */
static int map_find_slot(struct map *m, const struct flow_key *key, uint32_t hash)
{
    uint32_t start = hash & MAP_MASK;
    uint32_t probes;

    /*@ pcv t "hash map probes past tombstones and other hashes (traversals)" */
    for (probes = 0; probes < MAP_CAPACITY; probes++) {
        uint32_t slot = (start + probes) & MAP_MASK;
        uint8_t st = m->state[slot];

        if (st == MAP_SLOT_EMPTY) {
            PC_TRACE_PCV("t", probes + 1);
            return -1;                      /* end of the probe chain */
        }
        if (st != MAP_SLOT_USED || m->hashes[slot] != hash) {
            continue;                       /* a tombstone or another hash */
        }
        /*@ count c "hash map probes that compared keys (same hash, another key)" */
        if (flow_key_eq(&m->keys[slot], key)) {
            PC_TRACE_PCV("t", probes + 1);
            return (int)slot;
        }
    }
    PC_TRACE_PCV("t", probes);
    return -1;
}

int map_get(struct map *m, const struct flow_key *key, int32_t *value)
{
    uint32_t hash = flow_key_hash(key);
    int slot = map_find_slot(m, key, hash);

    if (slot < 0) {
        PC_TRACE_OUTCOME("map_get", 0);
        return 0;
    }
    *value = m->values[slot];
    PC_TRACE_OUTCOME("map_get", 1);
    return 1;
}

int map_put(struct map *m, const struct flow_key *key, int32_t value)
{
    uint32_t hash = flow_key_hash(key);
    uint32_t start = hash & MAP_MASK;
    int free_slot = -1;
    uint32_t probes;

    /*@ pcv t "hash map probes past tombstones and other hashes (traversals)" */
    for (probes = 0; probes < MAP_CAPACITY; probes++) {
        uint32_t slot = (start + probes) & MAP_MASK;
        uint8_t st = m->state[slot];

        if (st == MAP_SLOT_EMPTY) {
            if (free_slot < 0) {
                free_slot = (int)slot;
            }
            break;                          /* key is not in the table */
        }
        if (st == MAP_SLOT_DELETED) {
            if (free_slot < 0) {
                free_slot = (int)slot;      /* reuse the first tombstone */
            }
            continue;
        }
        if (m->hashes[slot] != hash) {
            continue;
        }
        /*@ count c "hash map probes that compared keys (same hash, another key)" */
        if (flow_key_eq(&m->keys[slot], key)) {
            m->values[slot] = value;        /* overwrite */
            PC_TRACE_PCV("t", probes + 1);
            PC_TRACE_OUTCOME("map_put", 1);
            return 1;
        }
    }
    PC_TRACE_PCV("t", probes < MAP_CAPACITY ? probes + 1 : probes);

    if (free_slot < 0) {
        PC_TRACE_OUTCOME("map_put", 0);
        return 0;                           /* full */
    }
    m->keys[free_slot] = *key;
    m->hashes[free_slot] = hash;
    m->values[free_slot] = value;
    m->state[free_slot] = MAP_SLOT_USED;
    m->size++;
    PC_TRACE_OUTCOME("map_put", 1);
    return 1;
}

int map_erase(struct map *m, const struct flow_key *key)
{
    uint32_t hash = flow_key_hash(key);
    int slot = map_find_slot(m, key, hash);

    if (slot < 0) {
        PC_TRACE_OUTCOME("map_erase", 0);
        return 0;
    }
    m->state[slot] = MAP_SLOT_DELETED;
    m->size--;
    PC_TRACE_OUTCOME("map_erase", 1);
    return 1;
}
