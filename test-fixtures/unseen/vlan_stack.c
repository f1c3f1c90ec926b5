/*
 * vlan_stack.c - Ethernet parsing through a stack of VLAN tags (802.1Q, 802.1ad and the old
 * 0x9100 QinQ tag), at most four, recording the outer VLAN id, to find the payload's EtherType.
 * Entry: int vlan_parse(const uint8_t *frame, uint32_t len); returns
 * (payload offset << 16) | EtherType, with the outer VLAN id stored in last_vid, or -1 when the
 * frame is truncated or has too many tags.
 */
#include <stdint.h>
#include <arpa/inet.h>

struct eth_hdr_s {
    uint8_t dst[6], src[6];
    uint16_t type;
};

struct vlan_tag_s {
    uint16_t tci;
    uint16_t type;
};

#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_QINQ 0x9100
#define VLAN_MAX_DEPTH 4
#define IS_VLAN(t) ((t) == ETH_P_8021Q || (t) == ETH_P_8021AD || (t) == ETH_P_QINQ)

uint16_t last_vid;

int vlan_parse(const uint8_t *frame, uint32_t len)
{
    if (len < sizeof(struct eth_hdr_s))
        return -1;
    const struct eth_hdr_s *eth = (const struct eth_hdr_s *)frame;
    uint16_t type = ntohs(eth->type);
    uint32_t off = sizeof(*eth);
    int depth = 0;

    last_vid = 0;
    while (IS_VLAN(type)) {
        if (depth == VLAN_MAX_DEPTH || off + sizeof(struct vlan_tag_s) > len)
            return -1;
        const struct vlan_tag_s *tag = (const struct vlan_tag_s *)(frame + off);
        if (depth == 0)
            last_vid = ntohs(tag->tci) & 0x0fff;
        type = ntohs(tag->type);
        off += sizeof(*tag);
        depth++;
    }
    return (int)(off << 16 | type);
}
