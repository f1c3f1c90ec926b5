/* Local header for headers.c: a struct type, a macro, and a static inline function. */
#ifndef HEADERS_UTIL_H
#define HEADERS_UTIL_H

#include <stdint.h>

#define FLOW_KEY_LEN 12

struct flow_key {
    uint32_t src;
    uint32_t dst;
    uint16_t sport;
    uint16_t dport;
};

/* Cheap hash: xor-fold the key into 8 bits. */
static inline uint8_t flow_hash(const struct flow_key *k)
{
    uint32_t h = k->src ^ k->dst ^ (((uint32_t)k->sport << 16) | k->dport);
    h ^= h >> 16;
    h ^= h >> 8;
    return (uint8_t)h;
}

#endif /* HEADERS_UTIL_H */
