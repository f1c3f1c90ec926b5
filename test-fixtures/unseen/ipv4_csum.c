/*
 * ipv4_csum.c - verifies an IPv4 header checksum: the one's-complement sum of the header's
 * 16-bit words over the length the IHL field gives (20 to 60 bytes), folded.
 * Entry: int ipv4_csum_ok(const uint8_t *ip, uint32_t len); returns 1 when the checksum is
 * right, 0 when it is wrong, -1 when the header is truncated.
 */
#include <stdint.h>

int ipv4_csum_ok(const uint8_t *ip, uint32_t len)
{
    if (len < 20)
        return -1;
    unsigned ihl = ip[0] & 0x0f;
    if (ihl < 5 || ihl * 4u > len)
        return -1;

    uint32_t sum = 0;
    const uint8_t *p = ip;
    unsigned words = ihl * 2;
    do {
        sum += (uint32_t)(p[0] << 8 | p[1]);
        p += 2;
    } while (--words);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum == 0xffff;
}
