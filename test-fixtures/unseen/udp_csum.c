/*
 * udp_csum.c - verifies a UDP checksum over the IPv4 pseudo-header and the whole datagram, with
 * the 16-bit additions of the datagram done eight bytes at a time through a macro and the
 * tail byte by byte, as hand-tuned checksum code does.
 * Entry: int udp4_csum_ok(const uint8_t *ip, uint32_t len); ip points to a 20-byte IPv4 header
 * (no options) followed by UDP; returns 1 valid or absent (0), 0 wrong, -1 malformed.
 */
#include <stdint.h>

#define ADD16(s, p) ((s) += (uint32_t)((p)[0] << 8 | (p)[1]))
#define UDP_MAX 1480u

int udp4_csum_ok(const uint8_t *ip, uint32_t len)
{
    if (len < 28 || ip[0] != 0x45 || ip[9] != 17)
        return -1;
    const uint8_t *udp = ip + 20;
    uint32_t ulen = (uint32_t)udp[4] << 8 | udp[5];
    if (ulen < 8 || ulen > len - 20 || ulen > UDP_MAX)
        return -1;
    if ((udp[6] | udp[7]) == 0)
        return 1;

    uint32_t sum = 0;
    for (int i = 12; i < 20; i += 2) /* source and destination addresses */
        ADD16(sum, ip + i);
    sum += 17 + ulen;

    const uint8_t *p = udp;
    uint32_t n = ulen;
    while (n >= 8) {
        ADD16(sum, p);
        ADD16(sum, p + 2);
        ADD16(sum, p + 4);
        ADD16(sum, p + 6);
        p += 8;
        n -= 8;
    }
    while (n >= 2) {
        ADD16(sum, p);
        p += 2;
        n -= 2;
    }
    if (n)
        sum += (uint32_t)p[0] << 8;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return sum == 0xffff;
}
