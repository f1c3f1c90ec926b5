/*
 * options.c - a small packet parser for the x86 grounding tests: an IPv4 header whose options
 * are walked one by one (a loop whose trip count comes from the packet), a per-protocol counter
 * table (state), and a checksum over the header.
 */
#include <stdint.h>

#define ETHER_LEN 14
#define IP_MIN 20

static uint32_t per_protocol[4];
static uint32_t dropped;

static uint16_t header_checksum(const uint8_t *ip, unsigned words)
{
    uint32_t sum = 0;
    /*@ pcv w "16-bit words summed in the header checksum" */
    for (unsigned i = 0; i < words; i++)
        sum += (uint32_t)((ip[2 * i] << 8) | ip[2 * i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

int parse(uint8_t *pkt, uint16_t len)
{
    if (len < ETHER_LEN + IP_MIN) {
        dropped++;
        return -1;
    }
    const uint8_t *ip = pkt + ETHER_LEN;
    unsigned ihl = ip[0] & 0x0f;
    if ((ip[0] >> 4) != 4 || ihl < 5 || len < ETHER_LEN + 4 * ihl) {
        dropped++;
        return -1;
    }
    unsigned options = 0;
    unsigned at = IP_MIN;
    /*@ pcv o "IPv4 options walked" */
    while (at < 4 * ihl) {
        uint8_t kind = ip[at];
        if (kind == 0)
            break;
        if (kind == 1) {
            at++;
            continue;
        }
        uint8_t optlen = ip[at + 1];
        if (optlen < 2)
            return -2;
        at += optlen;
        options++;
    }
    if (header_checksum(ip, 2 * ihl) != 0)
        return -3;
    per_protocol[ip[9] & 3]++;
    return (int)options;
}
