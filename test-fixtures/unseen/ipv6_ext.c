/*
 * ipv6_ext.c - skips an IPv6 packet's extension headers to find the upper-layer protocol, with
 * a fixed cap on the number of headers walked (hop-by-hop, routing, destination options: 8-octet
 * units; fragment: 8 bytes; AH: 4-octet units).
 * Entry: int ipv6_l4_offset(const uint8_t *pkt, uint32_t len); returns
 * (offset << 8) | protocol of the upper-layer header, or -1 (truncated, too many headers, ESP).
 */
#include <stdint.h>
#include <arpa/inet.h>

struct ip6_hdr_s {
    uint32_t vtc_flow;
    uint16_t payload_len;
    uint8_t next_header;
    uint8_t hop_limit;
    uint8_t src[16];
    uint8_t dst[16];
};

#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_ESP 50
#define NEXTHDR_AUTH 51
#define NEXTHDR_DEST 60
#define IPV6_MAX_EXT 6

int ipv6_l4_offset(const uint8_t *pkt, uint32_t len)
{
    const struct ip6_hdr_s *ip6 = (const struct ip6_hdr_s *)pkt;
    if (len < sizeof(*ip6))
        return -1;
    if ((ntohl(ip6->vtc_flow) >> 28) != 6)
        return -1;

    uint8_t nh = ip6->next_header;
    uint32_t off = sizeof(*ip6);
    for (int n = 0; n < IPV6_MAX_EXT; n++) {
        uint32_t hdrlen;
        switch (nh) {
        case NEXTHDR_HOP:
        case NEXTHDR_ROUTING:
        case NEXTHDR_DEST:
            if (off + 2 > len)
                return -1;
            hdrlen = ((uint32_t)pkt[off + 1] + 1) * 8;
            break;
        case NEXTHDR_FRAGMENT:
            hdrlen = 8;
            break;
        case NEXTHDR_AUTH:
            if (off + 2 > len)
                return -1;
            hdrlen = ((uint32_t)pkt[off + 1] + 2) * 4;
            break;
        case NEXTHDR_ESP:
            return -1;
        default:
            return (int)((off << 8) | nh);
        }
        if (off + hdrlen > len)
            return -1;
        nh = pkt[off];
        off += hdrlen;
    }
    return -1;
}
