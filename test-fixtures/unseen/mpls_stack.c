/*
 * mpls_stack.c - pops an MPLS label stack as a label-switching router's fast path does: reads
 * 4-byte label stack entries until the bottom-of-stack bit, at most eight, rejects a TTL of 0 or
 * the reserved labels other than explicit null, and reports the innermost label.
 * Entry: int64_t mpls_pop(const uint8_t *p, uint32_t len); returns (depth << 32) | innermost
 * label, or -1 on a malformed stack.
 */
#include <stdint.h>

#define MPLS_MAX_DEPTH 8
#define MPLS_LABEL(e) ((e) >> 12)
#define MPLS_BOS(e) (((e) >> 8) & 1u)
#define MPLS_TTL(e) ((e) & 0xffu)
#define MPLS_IPV4_EXPLICIT_NULL 0
#define MPLS_IPV6_EXPLICIT_NULL 2

int64_t mpls_pop(const uint8_t *p, uint32_t len)
{
    uint32_t off = 0, depth = 0, label;
    uint32_t entry;
    do {
        if (off + 4 > len || depth == MPLS_MAX_DEPTH)
            return -1;
        entry = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 | p[off + 3];
        label = MPLS_LABEL(entry);
        if (MPLS_TTL(entry) == 0)
            return -1;
        if (label < 16 && label != MPLS_IPV4_EXPLICIT_NULL && label != MPLS_IPV6_EXPLICIT_NULL)
            return -1;
        off += 4;
        depth++;
    } while (!MPLS_BOS(entry));
    return ((int64_t)depth << 32) | label;
}
