/*
 * cuckoo.c - lookup in a bucketised cuckoo hash table (two candidate buckets of four slots, a
 * 16-bit signature per slot checked before the 8-byte key), the layout of DPDK's rte_hash.
 * Entry: int cuckoo_lookup(const uint8_t *key); key points to 8 bytes; returns the slot's data
 * index or -1 when the key is absent.
 */
#include <stdint.h>
#include <string.h>

#define CK_BUCKETS 128u /* power of two */
#define CK_SLOTS 4

struct ck_bucket {
    uint16_t sig[CK_SLOTS];
    uint32_t key_idx[CK_SLOTS];
};

struct ck_bucket ck_table[CK_BUCKETS];
uint8_t ck_keys[CK_BUCKETS * CK_SLOTS][8];
int32_t ck_data[CK_BUCKETS * CK_SLOTS];

#define ROTL32(x, r) (((x) << (r)) | ((x) >> (32 - (r))))

static uint32_t ck_hash(const uint8_t *k)
{
    uint32_t a, b;
    memcpy(&a, k, 4);
    memcpy(&b, k + 4, 4);
    uint32_t h = 0x811c9dc5u ^ a;
    h = ROTL32(h * 0xcc9e2d51u, 15) ^ b;
    h *= 0x1b873593u;
    h ^= h >> 16;
    return h;
}

int cuckoo_lookup(const uint8_t *key)
{
    uint32_t h = ck_hash(key);
    uint16_t sig = (uint16_t)(h >> 16);
    uint32_t prim = h & (CK_BUCKETS - 1);
    uint32_t alt = (prim ^ ((uint32_t)sig * 0x5bd1e995u)) & (CK_BUCKETS - 1);
    uint32_t cand[2] = { prim, alt };

    for (int b = 0; b < 2; b++) {
        const struct ck_bucket *bkt = &ck_table[cand[b]];
        for (int s = 0; s < CK_SLOTS; s++) {
            if (bkt->sig[s] != sig)
                continue;
            uint32_t idx = bkt->key_idx[s];
            if (idx >= CK_BUCKETS * CK_SLOTS)
                continue;
            if (memcmp(ck_keys[idx], key, 8) == 0)
                return ck_data[idx];
        }
    }
    return -1;
}
