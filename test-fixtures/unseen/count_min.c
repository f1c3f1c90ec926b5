/*
 * count_min.c - a count-min sketch of flows for heavy-hitter detection: each of four rows hashes
 * the 13-byte flow key with its own seed (FNV-1a), increments its counter (saturating) and the
 * estimate is the smallest counter.
 * Entry: uint32_t cms_update(const struct cms_key *key, uint32_t bytes); returns the flow's
 * estimated byte count after the update.
 */
#include <stdint.h>

#define CMS_ROWS 4
#define CMS_COLS 512 /* power of two */

struct cms_key {
    uint8_t bytes[13]; /* src, dst, sport, dport, proto */
};

static const uint32_t cms_seed[CMS_ROWS] = { 0x811c9dc5u, 0x01000193u, 0xdeadbeefu, 0x9747b28cu };

uint32_t cms[CMS_ROWS][CMS_COLS];

uint32_t cms_update(const struct cms_key *key, uint32_t bytes)
{
    uint32_t est = UINT32_MAX;
    for (int r = 0; r < CMS_ROWS; r++) {
        uint32_t h = cms_seed[r];
        for (int i = 0; i < 13; i++) {
            h ^= key->bytes[i];
            h *= 0x01000193u;
        }
        uint32_t *c = &cms[r][h & (CMS_COLS - 1)];
        *c = (*c > UINT32_MAX - bytes) ? UINT32_MAX : *c + bytes;
        if (*c < est)
            est = *c;
    }
    return est;
}
