/*
 * firewall.c - stateless IPv4 packet filter between two ports.
 *
 * Port 0 faces the outside, port 1 the inside; an accepted packet leaves by
 * the other port. Each IPv4 packet is matched against an ordered rule list
 * and the first rule that matches decides (accept or drop); a packet that no
 * rule matches is dropped. A rule matches on the input port, source and
 * destination prefixes, the protocol and source and destination port
 * ranges. ARP is passed so that hosts on both sides can resolve each other;
 * every other non-IPv4 frame is dropped.
 *
 * Ports exist only for TCP and UDP, and only in the first fragment. For
 * other protocols and for non-first fragments the ports are unknown, and
 * only a rule whose port ranges are the full 0..65535 can match. First
 * fragments and unfragmented packets that are too short for their L4
 * header are dropped (a tiny-fragment attack would otherwise hide the ports).
 *
 * The site's rule set is compile-time data (fw_site_rules); nf_init installs
 * it into the rule table that the packet path reads, as a control plane
 * would install rules at start-up. Nothing is written per packet.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>

#include "packet.h"
#include "pc_trace.h"

#define FW_OUTSIDE_PORT 0
#define FW_INSIDE_PORT  1
#define FW_ANY_PORT     0xFF                     /* rule applies to either input port */
#define FW_ANY_PROTO    0                        /* rule applies to every protocol */

#define FW_ACCEPT 1
#define FW_DROP   0

/* Prefixes and ranges in host byte order. */
struct fw_rule {
    uint32_t src_net;
    uint32_t src_mask;
    uint32_t dst_net;
    uint32_t dst_mask;
    uint16_t sport_lo;
    uint16_t sport_hi;
    uint16_t dport_lo;
    uint16_t dport_hi;
    uint8_t in_port;                             /* FW_OUTSIDE_PORT, FW_INSIDE_PORT or FW_ANY_PORT */
    uint8_t proto;                               /* IPPROTO_NUM_*, or FW_ANY_PROTO */
    uint8_t action;                              /* FW_ACCEPT or FW_DROP */
    uint8_t pad;
};

#define FW_MASK(len) ((len) == 0 ? 0u : (0xFFFFFFFFu << (32 - (len))))
#define FW_IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

#define FW_MAX_RULES 32                          /* rule table capacity */
#define FW_N_SITE_RULES 16

/* The site: servers in 10.0.0.0/24, clients in 10.0.1.0/24, admins in 10.0.9.0/24. */
static const struct fw_rule fw_site_rules[FW_N_SITE_RULES] = {
    /* Spoofed inside or special-purpose sources arriving from outside. */
    { FW_IP(10, 0, 0, 0), FW_MASK(8), 0, 0, 0, 65535, 0, 65535,
      FW_OUTSIDE_PORT, FW_ANY_PROTO, FW_DROP, 0 },
    { FW_IP(127, 0, 0, 0), FW_MASK(8), 0, 0, 0, 65535, 0, 65535,
      FW_ANY_PORT, FW_ANY_PROTO, FW_DROP, 0 },
    { FW_IP(0, 0, 0, 0), FW_MASK(8), 0, 0, 0, 65535, 0, 65535,
      FW_OUTSIDE_PORT, FW_ANY_PROTO, FW_DROP, 0 },
    { FW_IP(169, 254, 0, 0), FW_MASK(16), 0, 0, 0, 65535, 0, 65535,
      FW_OUTSIDE_PORT, FW_ANY_PROTO, FW_DROP, 0 },
    /* Telnet is refused everywhere, before any accept can let it through. */
    { 0, 0, 0, 0, 0, 65535, 23, 23,
      FW_ANY_PORT, IPPROTO_NUM_TCP, FW_DROP, 0 },
    /* Public services on the server subnet. */
    { 0, 0, FW_IP(10, 0, 0, 0), FW_MASK(24), 1024, 65535, 80, 80,
      FW_OUTSIDE_PORT, IPPROTO_NUM_TCP, FW_ACCEPT, 0 },
    { 0, 0, FW_IP(10, 0, 0, 0), FW_MASK(24), 1024, 65535, 443, 443,
      FW_OUTSIDE_PORT, IPPROTO_NUM_TCP, FW_ACCEPT, 0 },
    { 0, 0, FW_IP(10, 0, 0, 53), FW_MASK(32), 0, 65535, 53, 53,
      FW_OUTSIDE_PORT, IPPROTO_NUM_UDP, FW_ACCEPT, 0 },
    /* SSH to the servers from the admin subnet only. */
    { FW_IP(10, 0, 9, 0), FW_MASK(24), FW_IP(10, 0, 0, 0), FW_MASK(24), 1024, 65535, 22, 22,
      FW_INSIDE_PORT, IPPROTO_NUM_TCP, FW_ACCEPT, 0 },
    /* Replies to clients' web and DNS traffic (stateless: by source port). */
    { 0, 0, FW_IP(10, 0, 1, 0), FW_MASK(24), 443, 443, 1024, 65535,
      FW_OUTSIDE_PORT, IPPROTO_NUM_TCP, FW_ACCEPT, 0 },
    { 0, 0, FW_IP(10, 0, 1, 0), FW_MASK(24), 80, 80, 1024, 65535,
      FW_OUTSIDE_PORT, IPPROTO_NUM_TCP, FW_ACCEPT, 0 },
    { 0, 0, FW_IP(10, 0, 1, 0), FW_MASK(24), 53, 53, 1024, 65535,
      FW_OUTSIDE_PORT, IPPROTO_NUM_UDP, FW_ACCEPT, 0 },
    /* ICMP into the site (ping, unreachables). */
    { 0, 0, FW_IP(10, 0, 0, 0), FW_MASK(16), 0, 65535, 0, 65535,
      FW_OUTSIDE_PORT, IPPROTO_NUM_ICMP, FW_ACCEPT, 0 },
    /* The inside may not send to the outside from unknown addresses. */
    { 0, 0, 0, 0, 0, 65535, 0, 65535,
      FW_INSIDE_PORT, IPPROTO_NUM_UDP, FW_DROP, 0 },
    { FW_IP(10, 0, 0, 0), FW_MASK(16), 0, 0, 0, 65535, 0, 65535,
      FW_INSIDE_PORT, FW_ANY_PROTO, FW_ACCEPT, 0 },
    /* Anything else from the inside is dropped, and logged by a real site. */
    { 0, 0, 0, 0, 0, 65535, 0, 65535,
      FW_INSIDE_PORT, FW_ANY_PROTO, FW_DROP, 0 },
};

/* What a rule looks at, in host byte order. */
struct fw_match {
    uint32_t src;
    uint32_t dst;
    uint16_t sport;
    uint16_t dport;
    uint8_t in_port;
    uint8_t proto;
    uint8_t has_ports;                           /* 0: ports unknown (see above) */
};

/* The installed rules, in order; only the first fw_n_rules are used. */
static struct fw_rule fw_rules[FW_MAX_RULES];
static uint32_t fw_n_rules;

void nf_init(void)
{
    uint32_t i;

    memset(fw_rules, 0, sizeof(fw_rules));
    for (i = 0; i < FW_N_SITE_RULES && i < FW_MAX_RULES; i++) {
        fw_rules[i] = fw_site_rules[i];
    }
    fw_n_rules = i;
}

/*
 * The tests are combined with & rather than &&: every field is compared, but
 * the only branch per rule is "match or not", which keeps the per-rule cost
 * constant (and the analysis from forking on every field).
 */
static bool fw_rule_matches(const struct fw_rule *r, const struct fw_match *m)
{
    unsigned port_ok = (r->in_port == FW_ANY_PORT) | (r->in_port == m->in_port);
    unsigned proto_ok = (r->proto == FW_ANY_PROTO) | (r->proto == m->proto);
    unsigned addr_ok = ((m->src & r->src_mask) == r->src_net) & ((m->dst & r->dst_mask) == r->dst_net);
    unsigned in_ranges = (m->sport >= r->sport_lo) & (m->sport <= r->sport_hi) &
                         (m->dport >= r->dport_lo) & (m->dport <= r->dport_hi);
    /* Unknown ports only satisfy rules that do not look at them. */
    unsigned any_ports = (r->sport_lo == 0) & (r->sport_hi == 65535) &
                         (r->dport_lo == 0) & (r->dport_hi == 65535);
    unsigned ports_ok = (m->has_ports != 0) ? in_ranges : any_ports;

    return (port_ok & proto_ok & addr_ok & ports_ok) != 0;
}

/* Action of the first matching rule, FW_DROP when none matches. */
static int fw_classify(const struct fw_match *m)
{
    uint32_t i;

    /*@ pcv r "firewall rules scanned" */
    for (i = 0; i < fw_n_rules && i < FW_MAX_RULES; i++) {
        if (fw_rule_matches(&fw_rules[i], m)) {
            PC_TRACE_PCV("r", i + 1);
            PC_TRACE_OUTCOME("fw_classify", fw_rules[i].action);
            return fw_rules[i].action;
        }
    }
    PC_TRACE_PCV("r", i);
    PC_TRACE_OUTCOME("fw_classify", FW_DROP);
    return FW_DROP;
}

int nf_process(uint8_t *pkt, uint16_t len, uint16_t port, uint64_t now)
{
    struct ether_hdr *eth;
    struct ipv4_hdr *ip;
    struct fw_match m;
    uint16_t ether_type;
    uint16_t ip_len;
    uint16_t frag;

    (void)now;                                   /* stateless: time plays no part */
    if (port != FW_OUTSIDE_PORT && port != FW_INSIDE_PORT) {
        return NF_ACTION_DROP;
    }
    if (len < ETHER_HDR_LEN) {
        return NF_ACTION_DROP;
    }
    eth = (struct ether_hdr *)pkt;
    ether_type = ether_type_get(eth);
    if (ether_type == ETHER_TYPE_ARP) {
        return port == FW_OUTSIDE_PORT ? FW_INSIDE_PORT : FW_OUTSIDE_PORT;
    }
    if (ether_type != ETHER_TYPE_IPV4 || len < ETHER_HDR_LEN + IPV4_MIN_HDR_LEN) {
        return NF_ACTION_DROP;
    }

    ip = (struct ipv4_hdr *)(pkt + ETHER_HDR_LEN);
    ip_len = ipv4_hdr_len(ip);
    if (ipv4_version(ip) != IPV4_VERSION || ip_len < IPV4_MIN_HDR_LEN ||
        (uint32_t)ETHER_HDR_LEN + ip_len > len) {
        return NF_ACTION_DROP;
    }

    m.src = ntohl(ip->src_addr);
    m.dst = ntohl(ip->dst_addr);
    m.in_port = (uint8_t)port;
    m.proto = ip->next_proto_id;
    m.sport = 0;
    m.dport = 0;
    m.has_ports = 0;

    frag = ntohs(ip->fragment_offset);
    if ((frag & IPV4_FRAG_OFF_MASK) == 0 &&
        (m.proto == IPPROTO_NUM_TCP || m.proto == IPPROTO_NUM_UDP)) {
        /* First fragment or whole packet: the ports must be there. */
        const struct udp_hdr *l4 = (const struct udp_hdr *)(pkt + ETHER_HDR_LEN + ip_len);
        uint16_t l4_min = m.proto == IPPROTO_NUM_TCP ? TCP_MIN_HDR_LEN : UDP_HDR_LEN;

        if ((uint32_t)ETHER_HDR_LEN + ip_len + l4_min > len) {
            return NF_ACTION_DROP;
        }
        m.sport = ntohs(l4->src_port);           /* same offsets in TCP and UDP */
        m.dport = ntohs(l4->dst_port);
        m.has_ports = 1;
    }

    if (fw_classify(&m) != FW_ACCEPT) {
        return NF_ACTION_DROP;
    }
    return port == FW_OUTSIDE_PORT ? FW_INSIDE_PORT : FW_OUTSIDE_PORT;
}
