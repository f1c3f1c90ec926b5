/*
 * router.c - IPv4 forwarding: header validation (RFC 1812), LPM route
 * lookup, TTL decrement with incremental checksum update, and Ethernet
 * rewrite to the next hop's MAC address.
 *
 * Routes map a prefix to an output port; each port has one neighbour
 * (point-to-point next hop) whose MAC is configured in nf_init.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>

#include "packet.h"
#include "lpm.h"
#include "pc_trace.h"

#define ROUTER_N_PORTS      4
#define IPV4_MAX_HDR_WORDS  30                   /* 60-byte header, in 16-bit words */

static struct lpm routes;
static struct ether_addr port_macs[ROUTER_N_PORTS];
static struct ether_addr neighbour_macs[ROUTER_N_PORTS];

void nf_init(void)
{
    uint16_t p;

    lpm_init(&routes);
    for (p = 0; p < ROUTER_N_PORTS; p++) {
        memset(&port_macs[p], 0, sizeof(port_macs[p]));
        port_macs[p].addr_bytes[0] = 0x02;       /* locally administered */
        port_macs[p].addr_bytes[5] = (uint8_t)(p + 1);
        memset(&neighbour_macs[p], 0, sizeof(neighbour_macs[p]));
        neighbour_macs[p].addr_bytes[0] = 0x02;
        neighbour_macs[p].addr_bytes[4] = 0x01;
        neighbour_macs[p].addr_bytes[5] = (uint8_t)(p + 1);
    }
    lpm_add(&routes, 0x0A000000u, 8, 1);         /* 10.0.0.0/8     -> port 1 */
    lpm_add(&routes, 0x0A010000u, 16, 2);        /* 10.1.0.0/16    -> port 2 */
    lpm_add(&routes, 0xC0A80000u, 16, 3);        /* 192.168.0.0/16 -> port 3 */
    lpm_add(&routes, 0x00000000u, 0, 0);         /* default        -> port 0 */
}

/* One's-complement sum over the header; 0 when the checksum is valid. */
static uint16_t ipv4_header_csum(const uint8_t *hdr, uint16_t hdr_len)
{
    uint32_t sum = 0;
    uint16_t words = (uint16_t)(hdr_len / 2);
    uint16_t i;

    /*@ pcv w "16-bit words of the IPv4 header" */
    for (i = 0; i < words && i < IPV4_MAX_HDR_WORDS; i++) {
        sum += ((uint32_t)hdr[2 * i] << 8) | hdr[2 * i + 1];
    }
    PC_TRACE_PCV("w", i);
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

static void ipv4_decrement_ttl(struct ipv4_hdr *ip)
{
    /* TTL is the high byte of the 16-bit word it shares with the protocol. */
    uint16_t old_word = htons((uint16_t)((ip->time_to_live << 8) | ip->next_proto_id));
    uint16_t new_word;

    ip->time_to_live = (uint8_t)(ip->time_to_live - 1);
    new_word = htons((uint16_t)((ip->time_to_live << 8) | ip->next_proto_id));
    ip->hdr_checksum = csum_replace2(ip->hdr_checksum, old_word, new_word);
}

int nf_process(uint8_t *pkt, uint16_t len, uint16_t port, uint64_t now)
{
    struct ether_hdr *eth;
    struct ipv4_hdr *ip;
    uint16_t hdr_len;
    uint16_t total_len;
    int out_port;

    (void)now;                                   /* stateless data path */

    if (port >= ROUTER_N_PORTS || len < ETHER_HDR_LEN + IPV4_MIN_HDR_LEN) {
        return NF_ACTION_DROP;
    }
    eth = (struct ether_hdr *)pkt;
    if (ether_type_get(eth) != ETHER_TYPE_IPV4) {
        return NF_ACTION_DROP;                   /* ARP etc. go to the control plane */
    }
    ip = (struct ipv4_hdr *)(pkt + ETHER_HDR_LEN);

    /* RFC 1812 5.2.2 sanity checks. */
    hdr_len = ipv4_hdr_len(ip);
    total_len = ntohs(ip->total_length);
    if (ipv4_version(ip) != IPV4_VERSION || hdr_len < IPV4_MIN_HDR_LEN) {
        return NF_ACTION_DROP;
    }
    if (total_len < hdr_len || (uint32_t)ETHER_HDR_LEN + total_len > len) {
        return NF_ACTION_DROP;
    }
    if (ipv4_header_csum((const uint8_t *)ip, hdr_len) != 0) {
        return NF_ACTION_DROP;
    }
    if (ip->time_to_live <= 1) {
        return NF_ACTION_DROP;                   /* would send ICMP time exceeded */
    }

    out_port = lpm_lookup(&routes, ntohl(ip->dst_addr));
    if (out_port == LPM_NO_ROUTE || out_port >= ROUTER_N_PORTS) {
        return NF_ACTION_DROP;
    }

    ipv4_decrement_ttl(ip);
    memcpy(&eth->d_addr, &neighbour_macs[out_port], ETHER_ADDR_LEN);
    memcpy(&eth->s_addr, &port_macs[out_port], ETHER_ADDR_LEN);
    return out_port;
}
