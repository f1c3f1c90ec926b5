/* Tests byte-order conversion with htons/ntohs/htonl/ntohl on packet fields (network order is big-endian). */
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

int byteorder_entry(uint8_t *pkt, uint16_t len)
{
    uint16_t type_be;
    uint32_t addr_be;
    uint16_t type;
    uint32_t addr;

    if (len < 34) {
        return -1;
    }

    /* Ethertype at offset 12, IPv4 source address at offset 26. */
    memcpy(&type_be, pkt + 12, 2);
    memcpy(&addr_be, pkt + 26, 4);
    type = ntohs(type_be);
    addr = ntohl(addr_be);

    if (type != 0x0800) {
        return 0;
    }

    /* 10.0.0.0/8 check on the host-order value. */
    if ((addr >> 24) == 10) {
        /* Rewrite the address as 10.0.0.1 in network order. */
        addr_be = htonl(0x0A000001u);
        memcpy(pkt + 26, &addr_be, 4);
        return 1;
    }

    /* Same comparison done in network order on the raw field. */
    if (type_be == htons(0x0800) && pkt[26] == 192) {
        return 2;
    }
    return 3;
}
