/*
 * map.h - fixed-capacity open-addressing hash map, flow_key -> int.
 *
 * Linear probing with tombstones. The whole table lives inside struct map,
 * so an NF declares it as a file-scope global and passes its address.
 */
#ifndef NF_MAP_H
#define NF_MAP_H

#include <stdint.h>
#include <stdbool.h>

#define MAP_CAPACITY 1024             /* must be a power of two */
#define MAP_MASK     (MAP_CAPACITY - 1)

/* 5-tuple; all fields in network byte order as taken from the packet. */
struct flow_key {
    uint32_t src_ip;
    uint32_t dst_ip;
    uint16_t src_port;
    uint16_t dst_port;
    uint8_t  proto;
    uint8_t  pad[3];                  /* always zero */
};

enum map_slot_state {
    MAP_SLOT_EMPTY = 0,
    MAP_SLOT_USED = 1,
    MAP_SLOT_DELETED = 2               /* tombstone: keeps probe chains intact */
};

struct map {
    struct flow_key keys[MAP_CAPACITY];
    uint32_t hashes[MAP_CAPACITY];
    int32_t values[MAP_CAPACITY];
    uint8_t state[MAP_CAPACITY];
    uint32_t size;                     /* number of USED slots */
};

void map_init(struct map *m);

/* Returns 1 and stores the value in *value if key is present, 0 otherwise. */
int map_get(struct map *m, const struct flow_key *key, int32_t *value);

/* Inserts or overwrites. Returns 1 on success, 0 if the table is full. */
int map_put(struct map *m, const struct flow_key *key, int32_t value);

/* Removes key. Returns 1 if it was present, 0 otherwise. */
int map_erase(struct map *m, const struct flow_key *key);

uint32_t flow_key_hash(const struct flow_key *key);

#endif /* NF_MAP_H */
