/*
 * acl_options.c - a stateless IPv4 ACL: sums the header's option bytes (a loop bounded by the
 * header length, hlen <= 60), then matches protocol and destination port against a small rule
 * table, first match wins.
 * Entry: int acl_options(const uint8_t *ip, uint32_t len); returns the rule's action (0 drop,
 * 1 accept) or -1 for a malformed header.
 */
#include <stdint.h>

struct rule {
    uint8_t proto;
    uint16_t port_lo, port_hi;
    int action;
};

static const struct rule rules[] = {
    { 6, 22, 22, 0 },
    { 6, 80, 80, 1 },
    { 6, 443, 443, 1 },
    { 17, 53, 53, 1 },
    { 17, 123, 123, 0 },
    { 1, 0, 65535, 1 },
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

int acl_options(const uint8_t *ip, uint32_t len)
{
    if (len < 20)
        return -1;
    uint32_t hlen = (ip[0] & 0x0F) * 4;
    if (hlen < 20 || hlen + 4 > len)
        return -1;

    uint32_t optsum = 0;
    for (uint32_t i = 20; i < hlen; i++)
        optsum += ip[i];
    if (optsum & 0x80000000u)
        return -1;

    uint8_t proto = ip[9];
    uint16_t dport = (uint16_t)((ip[hlen + 2] << 8) | ip[hlen + 3]);
    for (unsigned r = 0; r < NRULES; r++) {
        if (rules[r].proto != proto)
            continue;
        if (dport >= rules[r].port_lo && dport <= rules[r].port_hi)
            return rules[r].action;
    }
    return 0;
}
