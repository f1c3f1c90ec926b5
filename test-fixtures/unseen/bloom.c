/*
 * bloom.c - membership test in a Bloom filter of blocked addresses or keys: k = 4 bit positions
 * from double hashing (h1 + i*h2) over a key of up to 64 bytes; the answer is "no" at the first
 * clear bit.
 * Entry: int bloom_check(const uint8_t *key, uint32_t keylen); returns 1 (maybe present),
 * 0 (absent) or -1 (key too long).
 */
#include <stdint.h>

#define BLOOM_BITS 8192u
#define BLOOM_K 4
#define BLOOM_MAX_KEY 64

uint64_t bloom_words[BLOOM_BITS / 64];

int bloom_check(const uint8_t *key, uint32_t keylen)
{
    if (keylen > BLOOM_MAX_KEY)
        return -1;
    uint32_t h1 = 2166136261u, h2 = 5381;
    for (uint32_t i = 0; i < keylen; i++) {
        h1 = (h1 ^ key[i]) * 16777619u;
        h2 = ((h2 << 5) + h2) + key[i];
    }
    h2 |= 1; /* odd step: the k positions differ */
    for (int i = 0; i < BLOOM_K; i++) {
        uint32_t bit = (h1 + (uint32_t)i * h2) % BLOOM_BITS;
        if (!(bloom_words[bit >> 6] & (1ull << (bit & 63))))
            return 0;
    }
    return 1;
}
