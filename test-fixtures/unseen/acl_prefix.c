/*
 * acl_prefix.c - a 5-tuple firewall classifier: an ordered rule list with source and destination
 * prefixes, port ranges and an optional protocol (0 = any), first match wins, default deny. The
 * tuple arrives as scalar arguments, already in host byte order.
 * Entry: int acl_classify(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
 * uint8_t proto); returns ACL_PERMIT, ACL_DENY or ACL_LOG.
 */
#include <stdint.h>

enum acl_action { ACL_DENY = 0, ACL_PERMIT = 1, ACL_LOG = 2 };

struct acl_rule {
    uint32_t src, src_mask;
    uint32_t dst, dst_mask;
    uint16_t sport_lo, sport_hi;
    uint16_t dport_lo, dport_hi;
    uint8_t proto;
    enum acl_action action;
};

#define PFX(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define MASK(n) ((n) == 0 ? 0u : 0xffffffffu << (32 - (n)))

static const struct acl_rule acl[] = {
    { PFX(10, 0, 0, 0), MASK(8), PFX(10, 1, 0, 0), MASK(16), 0, 65535, 22, 22, 6, ACL_PERMIT },
    { PFX(10, 0, 0, 0), MASK(8), 0, MASK(0), 0, 65535, 0, 65535, 0, ACL_PERMIT },
    { 0, MASK(0), PFX(192, 168, 1, 10), MASK(32), 1024, 65535, 80, 80, 6, ACL_PERMIT },
    { 0, MASK(0), PFX(192, 168, 1, 10), MASK(32), 1024, 65535, 443, 443, 6, ACL_PERMIT },
    { 0, MASK(0), PFX(192, 168, 1, 53), MASK(32), 0, 65535, 53, 53, 17, ACL_PERMIT },
    { PFX(172, 16, 0, 0), MASK(12), 0, MASK(0), 0, 65535, 0, 65535, 0, ACL_LOG },
    { 0, MASK(0), PFX(192, 168, 1, 0), MASK(24), 0, 65535, 0, 1023, 0, ACL_DENY },
    { 0, MASK(0), 0, MASK(0), 0, 65535, 0, 65535, 1, ACL_PERMIT },
};

int acl_classify(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport, uint8_t proto)
{
    const struct acl_rule *r = acl;
    const struct acl_rule *end = acl + sizeof(acl) / sizeof(acl[0]);
    for (; r != end; r++) {
        if ((saddr & r->src_mask) != r->src)
            continue;
        if ((daddr & r->dst_mask) != r->dst)
            continue;
        if (r->proto && r->proto != proto)
            continue;
        if (sport < r->sport_lo || sport > r->sport_hi)
            continue;
        if (dport < r->dport_lo || dport > r->dport_hi)
            continue;
        return r->action;
    }
    return ACL_DENY;
}
