/*
 * crc_hash.c - RSS-style queue selection: a bitwise CRC32-C (Castagnoli, reflected) of the 12
 * bytes of addresses and ports, as software fallbacks of hardware CRC hashing do, reduced to a
 * queue through a 64-entry indirection table.
 * Entry: uint32_t rss_queue(const uint8_t *tuple); tuple points to src, dst, sport, dport in
 * network order (12 bytes); returns the queue number.
 */
#include <stdint.h>

#define CRC32C_POLY 0x82F63B78u
#define RETA_SIZE 64

uint8_t reta[RETA_SIZE];

uint32_t rss_queue(const uint8_t *tuple)
{
    uint32_t crc = 0xffffffffu;
    for (int i = 0; i < 12; i++) {
        crc ^= tuple[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (CRC32C_POLY & (0u - (crc & 1u)));
    }
    crc = ~crc;
    return reta[crc & (RETA_SIZE - 1)];
}
