/*
 * nat.c - source NAT (NAPT) for TCP and UDP over IPv4.
 *
 * Port 0 faces the internal network, port 1 the external one. An outbound
 * packet of an unknown flow allocates a flow index from the dchain; the
 * index also determines the external source port (NAT_PORT_BASE + index).
 * Both directions of the flow are entered in one hash map (internal 5-tuple
 * and external 5-tuple -> flow index). Inbound packets are only accepted for
 * known flows. Flows idle for longer than NAT_FLOW_TIMEOUT are expired at the
 * start of every packet, before the packet itself is looked at.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>

#include "packet.h"
#include "map.h"
#include "dchain.h"
#include "pc_trace.h"

#define NAT_INTERNAL_PORT 0
#define NAT_EXTERNAL_PORT 1

#define NAT_EXTERNAL_IP   0xC0000201u            /* 192.0.2.1, host order */
#define NAT_PORT_BASE     1024                   /* external ports 1024..2047 */
#define NAT_MAX_FLOWS     DCHAIN_CAPACITY
#define NAT_FLOW_TIMEOUT  10000000000ull         /* 10 s, in units of now (ns) */

struct nat_flow {
    struct flow_key internal;     /* as seen on port 0: host -> remote */
    struct flow_key external;     /* as seen on port 1: remote -> NAT address */
};

static struct map flow_map;
static struct dchain flow_chain;
static struct nat_flow flows[NAT_MAX_FLOWS];

void nf_init(void)
{
    map_init(&flow_map);
    dchain_init(&flow_chain);
    memset(flows, 0, sizeof(flows));
}

/* Drops every flow that has been idle for longer than the timeout. */
static void nat_expire_flows(uint64_t now)
{
    uint64_t min_time;
    uint32_t n;
    int32_t index;

    if (now < NAT_FLOW_TIMEOUT) {
        return;                                  /* nothing can be that old yet */
    }
    min_time = now - NAT_FLOW_TIMEOUT;

    /*@ pcv e "expired flows" */
    for (n = 0; n < NAT_MAX_FLOWS; n++) {
        if (!dchain_expire_one(&flow_chain, min_time, &index)) {
            break;
        }
        map_erase(&flow_map, &flows[index].internal);
        map_erase(&flow_map, &flows[index].external);
    }
    PC_TRACE_PCV("e", n < NAT_MAX_FLOWS ? n + 1 : n);
}

static void flow_key_from_packet(struct flow_key *key, const struct ipv4_hdr *ip,
                                 const struct udp_hdr *l4)
{
    memset(key, 0, sizeof(*key));
    key->src_ip = ip->src_addr;
    key->dst_ip = ip->dst_addr;
    key->src_port = l4->src_port;
    key->dst_port = l4->dst_port;
    key->proto = ip->next_proto_id;
}

/*
 * Patches the L4 checksum after one address and the matching port changed
 * (the pseudo-header covers the addresses). All values in network order.
 */
static void l4_checksum_update(const struct ipv4_hdr *ip, uint8_t *l4,
                               uint32_t old_addr, uint32_t new_addr,
                               uint16_t old_port, uint16_t new_port)
{
    if (ip->next_proto_id == IPPROTO_NUM_TCP) {
        struct tcp_hdr *tcp = (struct tcp_hdr *)l4;
        uint16_t c = csum_replace4(tcp->cksum, old_addr, new_addr);

        tcp->cksum = csum_replace2(c, old_port, new_port);
    } else {
        struct udp_hdr *udp = (struct udp_hdr *)l4;
        uint16_t c;

        if (udp->dgram_cksum == 0) {
            return;                              /* UDP without checksum stays so */
        }
        c = csum_replace4(udp->dgram_cksum, old_addr, new_addr);
        c = csum_replace2(c, old_port, new_port);
        udp->dgram_cksum = (c == 0) ? 0xFFFF : c; /* 0 means "no checksum" in UDP */
    }
}

static int nat_outbound(struct ipv4_hdr *ip, uint8_t *l4, uint64_t now)
{
    struct udp_hdr *ports = (struct udp_hdr *)l4;   /* ports are at the same offsets in TCP */
    struct flow_key key;
    int32_t index;
    uint32_t new_addr;
    uint16_t new_port;

    flow_key_from_packet(&key, ip, ports);

    if (map_get(&flow_map, &key, &index)) {
        if (index < 0 || index >= NAT_MAX_FLOWS) {
            return NF_ACTION_DROP;               /* the map holds no such flow index */
        }
        dchain_rejuvenate_index(&flow_chain, index, now);
    } else {
        struct nat_flow *f;

        if (!dchain_allocate_new_index(&flow_chain, &index, now)) {
            return NF_ACTION_DROP;               /* flow table full */
        }
        f = &flows[index];
        f->internal = key;
        memset(&f->external, 0, sizeof(f->external));
        f->external.src_ip = key.dst_ip;
        f->external.dst_ip = htonl(NAT_EXTERNAL_IP);
        f->external.src_port = key.dst_port;
        f->external.dst_port = htons((uint16_t)(NAT_PORT_BASE + index));
        f->external.proto = key.proto;

        if (!map_put(&flow_map, &f->internal, index)) {
            dchain_free_index(&flow_chain, index);
            return NF_ACTION_DROP;
        }
        if (!map_put(&flow_map, &f->external, index)) {
            map_erase(&flow_map, &f->internal);
            dchain_free_index(&flow_chain, index);
            return NF_ACTION_DROP;
        }
    }

    new_addr = flows[index].external.dst_ip;
    new_port = flows[index].external.dst_port;
    ip->hdr_checksum = csum_replace4(ip->hdr_checksum, ip->src_addr, new_addr);
    l4_checksum_update(ip, l4, ip->src_addr, new_addr, ports->src_port, new_port);
    ip->src_addr = new_addr;
    ports->src_port = new_port;
    return NAT_EXTERNAL_PORT;
}

static int nat_inbound(struct ipv4_hdr *ip, uint8_t *l4, uint64_t now)
{
    struct udp_hdr *ports = (struct udp_hdr *)l4;
    struct flow_key key;
    int32_t index;
    uint32_t new_addr;
    uint16_t new_port;

    if (ip->dst_addr != htonl(NAT_EXTERNAL_IP)) {
        return NF_ACTION_DROP;                   /* not for us */
    }
    flow_key_from_packet(&key, ip, ports);
    if (!map_get(&flow_map, &key, &index)) {
        return NF_ACTION_DROP;                   /* unsolicited */
    }
    if (index < 0 || index >= NAT_MAX_FLOWS) {
        return NF_ACTION_DROP;                   /* the map holds no such flow index */
    }
    dchain_rejuvenate_index(&flow_chain, index, now);

    new_addr = flows[index].internal.src_ip;
    new_port = flows[index].internal.src_port;
    ip->hdr_checksum = csum_replace4(ip->hdr_checksum, ip->dst_addr, new_addr);
    l4_checksum_update(ip, l4, ip->dst_addr, new_addr, ports->dst_port, new_port);
    ip->dst_addr = new_addr;
    ports->dst_port = new_port;
    return NAT_INTERNAL_PORT;
}

int nf_process(uint8_t *pkt, uint16_t len, uint16_t port, uint64_t now)
{
    struct ether_hdr *eth;
    struct ipv4_hdr *ip;
    uint8_t *l4;
    uint16_t ip_len;
    uint16_t l4_min;

    nat_expire_flows(now);

    if (len < ETHER_HDR_LEN + IPV4_MIN_HDR_LEN) {
        return NF_ACTION_DROP;
    }
    eth = (struct ether_hdr *)pkt;
    if (ether_type_get(eth) != ETHER_TYPE_IPV4) {
        return NF_ACTION_DROP;
    }

    ip = (struct ipv4_hdr *)(pkt + ETHER_HDR_LEN);
    ip_len = ipv4_hdr_len(ip);
    if (ipv4_version(ip) != IPV4_VERSION || ip_len < IPV4_MIN_HDR_LEN) {
        return NF_ACTION_DROP;
    }
    if (ipv4_is_fragment(ip)) {
        return NF_ACTION_DROP;                   /* no reassembly: ports unknown */
    }

    if (ip->next_proto_id == IPPROTO_NUM_TCP) {
        l4_min = TCP_MIN_HDR_LEN;
    } else if (ip->next_proto_id == IPPROTO_NUM_UDP) {
        l4_min = UDP_HDR_LEN;
    } else {
        return NF_ACTION_DROP;
    }
    if ((uint32_t)ETHER_HDR_LEN + ip_len + l4_min > len) {
        return NF_ACTION_DROP;                   /* truncated */
    }
    l4 = pkt + ETHER_HDR_LEN + ip_len;

    if (port == NAT_INTERNAL_PORT) {
        return nat_outbound(ip, l4, now);
    }
    if (port == NAT_EXTERNAL_PORT) {
        return nat_inbound(ip, l4, now);
    }
    return NF_ACTION_DROP;
}
