/*
 * dir24_8.c - DIR-24-8-style two-stage longest-prefix match (as in DPDK's rte_lpm): the first
 * table is indexed by the address's top bits and holds either a next hop or, with the extended
 * flag, a group of the second table indexed by the next 8 bits. The first stage here is indexed by
 * 16 bits instead of 24 to keep the tables small (2^16 + 64 groups of 256 entries); the lookup is
 * the same.
 * Entry: int dir_lookup(uint32_t addr); returns the next hop, or -1 when the entry is invalid.
 */
#include <stdint.h>

#define TBL1_BITS 16
#define TBL8_GROUPS 64

#define ENTRY_VALID 0x8000u
#define ENTRY_EXT 0x4000u
#define ENTRY_VALUE 0x3fffu

uint16_t tbl1[1u << TBL1_BITS];
uint16_t tbl8[TBL8_GROUPS * 256];

int dir_lookup(uint32_t addr)
{
    uint16_t e = tbl1[addr >> (32 - TBL1_BITS)];
    if ((e & (ENTRY_VALID | ENTRY_EXT)) == (ENTRY_VALID | ENTRY_EXT)) {
        uint32_t group = e & ENTRY_VALUE;
        if (group >= TBL8_GROUPS)
            return -1;
        e = tbl8[group * 256 + ((addr >> (24 - TBL1_BITS)) & 0xff)];
    }
    if (!(e & ENTRY_VALID))
        return -1;
    return e & ENTRY_VALUE;
}
