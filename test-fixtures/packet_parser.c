/* Example NF: a small IPv4 filter/forwarder that parses Ethernet/IPv4/L4 headers, applies a constant rule set, and decrements TTL with an incremental checksum update. */
#include <stdint.h>
#include <arpa/inet.h>
#include "packet_headers.h"

enum nf_action {
    NF_DROP = 0,   /* free the mbuf */
    NF_PASS = 1,   /* hand to the slow path / host stack unmodified */
    NF_TX   = 2    /* forward out of the egress port (TTL already decremented) */
};

/* Well-known ports the rule set cares about (host order). */
#define PORT_CHARGEN 19
#define PORT_TELNET  23
#define PORT_DNS     53
#define PORT_NTP     123

#define L4_OFF (ETH_HDR_LEN + IPV4_HDR_LEN)   /* fixed: IP options are rejected */
#define ICMP_ECHO_REPLY   0
#define ICMP_ECHO_REQUEST 8

/*
 * Incremental checksum update, RFC 1624 eqn. 3:  HC' = ~(~HC + ~m + m').
 * The one's-complement sum is byte-order independent (RFC 1071), so the
 * checksum and both 16-bit words can all be passed in network order.
 * The sum of three 16-bit values fits in 18 bits; two folds bring it to 16.
 */
static uint16_t csum_update16(uint16_t old_csum, uint16_t old_word, uint16_t new_word)
{
    uint32_t sum;

    sum = (uint32_t)(uint16_t)~old_csum + (uint32_t)(uint16_t)~old_word + new_word;
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

/*
 * Decrement TTL and patch the header checksum. TTL shares a 16-bit word with
 * the protocol field (TTL is the high byte in network order), so the old and
 * new versions of that word are what feed the incremental update.
 * The caller guarantees ttl > 1, so the decrement cannot wrap.
 */
static void ipv4_dec_ttl(struct ipv4_hdr *ip)
{
    uint16_t old_word = htons((uint16_t)((ip->ttl << 8) | ip->proto));
    uint16_t new_word;

    ip->ttl = (uint8_t)(ip->ttl - 1);
    new_word = htons((uint16_t)((ip->ttl << 8) | ip->proto));
    ip->csum = csum_update16(ip->csum, old_word, new_word);
}

/* TCP rules: telnet is blocked, SYN+FIN and SYN+RST are never legitimate. */
static enum nf_action tcp_rules(const struct tcp_hdr *tcp)
{
    uint16_t dport = ntohs(tcp->dport);

    if (dport == PORT_TELNET) {
        return NF_DROP;
    }
    if ((tcp->flags & TCPF_SYN) && (tcp->flags & (TCPF_FIN | TCPF_RST))) {
        return NF_DROP;
    }
    return NF_TX;
}

/* UDP rules: chargen is a classic amplification source; DNS and NTP go through. */
static enum nf_action udp_rules(const struct udp_hdr *udp)
{
    uint16_t sport = ntohs(udp->sport);
    uint16_t dport = ntohs(udp->dport);

    if (sport == PORT_CHARGEN) {
        return NF_DROP;
    }
    switch (dport) {
    case PORT_DNS:
    case PORT_NTP:
        return NF_TX;
    case 0:
        return NF_DROP;        /* port 0 is reserved and never valid on the wire */
    default:
        break;
    }
    /* Everything else is forwarded only from unprivileged source ports. */
    return (sport >= 1024) ? NF_TX : NF_DROP;
}

/* ICMP rules: only ping is forwarded; errors and the rest go to the slow path. */
static enum nf_action icmp_rules(const struct icmp_hdr *icmp)
{
    if (icmp->type == ICMP_ECHO_REQUEST || icmp->type == ICMP_ECHO_REPLY) {
        return icmp->code == 0 ? NF_TX : NF_DROP;
    }
    return NF_PASS;
}

int handle_packet(uint8_t *pkt, uint16_t len)
{
    const struct eth_hdr *eth;
    struct ipv4_hdr *ip;
    const uint8_t *l4;
    uint16_t ether_type;
    uint16_t ip_len;
    enum nf_action action;

    /* Runt frame: not even a full Ethernet header. */
    if (len < ETH_HDR_LEN) {
        return NF_DROP;
    }
    eth = (const struct eth_hdr *)pkt;
    ether_type = eth_type(eth);

    /* Only IPv4 is handled on the fast path; ARP must still reach the host. */
    if (ether_type != ETHERTYPE_IPV4) {
        return ether_type == ETHERTYPE_ARP ? NF_PASS : NF_DROP;
    }

    if (len < ETH_HDR_LEN + IPV4_HDR_LEN) {
        return NF_DROP;
    }
    ip = (struct ipv4_hdr *)(pkt + ETH_HDR_LEN);

    /* IHL must be exactly 5: options are rejected, so the L4 header is at a
     * fixed offset and no loop over options is needed. */
    if (ipv4_version(ip) != 4 || ipv4_ihl(ip) != 5) {
        return NF_DROP;
    }

    /* total_length must cover the IP header and fit in the frame (trailing
     * Ethernet padding is allowed, so it may be shorter than the frame). */
    ip_len = ipv4_total_len(ip);
    if (ip_len < IPV4_HDR_LEN || ip_len > len - ETH_HDR_LEN) {
        return NF_DROP;
    }

    /* Expired packets would need an ICMP Time Exceeded; we just drop them. */
    if (ip->ttl <= 1) {
        return NF_DROP;
    }

    /* Non-first fragments carry no L4 header, so ports cannot be matched. */
    if ((ipv4_frag(ip) & IPV4_FRAG_OFFSET) != 0) {
        return NF_PASS;
    }

    /* Each L4 header must fit in the frame (len) and in the datagram (ip_len),
     * so Ethernet padding is never parsed as an L4 header. */
    l4 = pkt + L4_OFF;
    switch (ip->proto) {
    case L4_TCP:
        if (len < L4_OFF + TCP_HDR_LEN || ip_len < IPV4_HDR_LEN + TCP_HDR_LEN) {
            return NF_DROP;
        }
        action = tcp_rules((const struct tcp_hdr *)l4);
        break;
    case L4_UDP:
        if (len < L4_OFF + UDP_HDR_LEN || ip_len < IPV4_HDR_LEN + UDP_HDR_LEN) {
            return NF_DROP;
        }
        action = udp_rules((const struct udp_hdr *)l4);
        break;
    case L4_ICMP:
        if (len < L4_OFF + ICMP_HDR_LEN || ip_len < IPV4_HDR_LEN + ICMP_HDR_LEN) {
            return NF_DROP;
        }
        action = icmp_rules((const struct icmp_hdr *)l4);
        break;
    default:
        /* Unknown protocols (GRE, SCTP, ...) are not routed by this NF. */
        return NF_DROP;
    }

    /* Only packets actually forwarded by this router get the TTL decrement. */
    if (action == NF_TX) {
        ipv4_dec_ttl(ip);
    }
    return action;
}
