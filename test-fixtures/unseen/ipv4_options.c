/*
 * ipv4_options.c - walks the options of an IPv4 header the way a router's slow path does:
 * end-of-list and no-op are one byte, every other option is type/length/value; record-route and
 * timestamp are noted, a malformed length rejects the packet.
 * Entry: int ipv4_opts_walk(const uint8_t *ip, uint32_t len); returns a bit set of the options
 * seen (1 record route, 2 timestamp, 4 router alert, 8 other) or -1 when the header is malformed.
 */
#include <stdint.h>

#define IPOPT_EOL 0
#define IPOPT_NOP 1
#define IPOPT_RR 7
#define IPOPT_TS 68
#define IPOPT_RA 148

int ipv4_opts_walk(const uint8_t *ip, uint32_t len)
{
    if (len < 20 || (ip[0] >> 4) != 4)
        return -1;
    uint32_t hlen = (uint32_t)(ip[0] & 0xf) << 2;
    if (hlen < 20 || hlen > len)
        return -1;

    int seen = 0;
    uint32_t off = 20;
    while (off < hlen) {
        uint8_t type = ip[off];
        if (type == IPOPT_EOL)
            break;
        if (type == IPOPT_NOP) {
            off++;
            continue;
        }
        if (off + 1 >= hlen)
            return -1;
        uint8_t olen = ip[off + 1];
        if (olen < 2 || off + olen > hlen)
            return -1;
        switch (type) {
        case IPOPT_RR:
            seen |= 1;
            break;
        case IPOPT_TS:
            seen |= 2;
            break;
        case IPOPT_RA:
            seen |= 4;
            break;
        default:
            seen |= 8;
        }
        off += olen;
    }
    return seen;
}
