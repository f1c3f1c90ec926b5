/*
 * lb.c - Maglev-like layer-4 load balancer with direct server return.
 *
 * Clients reach the virtual address LB_VIP (TCP or UDP) through port 0. The
 * balancer picks a backend and sends the frame out of port 1 with only the
 * Ethernet addresses rewritten (the backends own the VIP too and answer the
 * clients directly, so replies never come back through the balancer).
 *
 * Backend choice: a flow (5-tuple) seen before keeps its backend while that
 * backend is alive (flow affinity, through the hash map and the flow
 * vector); a new flow, or a flow whose backend died, is placed by the Maglev
 * table on the flow hash. Flows idle for LB_FLOW_TIMEOUT are expired first
 * on every frame. When the flow table is full, new flows are still
 * forwarded by the Maglev table, only without an affinity entry.
 *
 * Liveness - the heartbeat convention. Backends send heartbeats to the
 * balancer's management port (port 2): IPv4/UDP to destination port
 * LB_HEARTBEAT_UDP_PORT, from the backend's own address, with a payload of
 * at least two bytes: the backend number (0..LB_N_BACKENDS-1) and its state
 * (1 = up, 0 = going down). Anything else arriving on port 2 is dropped, and
 * heartbeats are consumed (the balancer returns NF_ACTION_DROP for them).
 * A configured backend is presumed up until its first heartbeat; from then
 * on it is up while its heartbeats say so and arrive less than
 * LB_BACKEND_TIMEOUT apart. A heartbeat that changes the set of live
 * backends repopulates the Maglev table. A backend found timed out on the
 * packet path is only marked down there; lookups then walk past its slots
 * (Maglev's table stays as it was until the next repopulation).
 */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>

#include "packet.h"
#include "map.h"
#include "dchain.h"
#include "vector.h"
#include "maglev.h"
#include "pc_trace.h"

#define LB_CLIENT_PORT  0
#define LB_BACKEND_PORT 1
#define LB_MGMT_PORT    2

#define LB_VIP                0xC000020Au        /* 192.0.2.10, host order */
#define LB_BACKEND_NET        0x0A010000u        /* backend b is 10.1.0.(b+1) */
#define LB_N_BACKENDS         8                  /* <= MAGLEV_MAX_BACKENDS */
#define LB_HEARTBEAT_UDP_PORT 9999
#define LB_HEARTBEAT_UP       1
#define LB_HEARTBEAT_DOWN     0
#define LB_BACKEND_TIMEOUT    3000000000ull      /* 3 s without a heartbeat, in ns */
#define LB_FLOW_TIMEOUT       60000000000ull     /* 60 s idle, in ns */
#define LB_MAX_FLOWS          DCHAIN_CAPACITY

struct lb_backend {
    uint32_t ip;                                 /* network order */
    struct ether_addr mac;
    uint8_t heard;                               /* a heartbeat has arrived */
    uint8_t pad;
    uint64_t last_heartbeat;                     /* ns */
};

struct lb_flow {
    struct flow_key key;                         /* to erase it from the map on expiry */
    int32_t backend;
};

static const struct ether_addr lb_mac = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };

static struct map flow_map;                      /* 5-tuple -> flow index */
static struct dchain flow_chain;                 /* flow indices, by age */
static struct vector flows;                      /* of struct lb_flow, by flow index */
static struct vector backends;                   /* of struct lb_backend, by backend number */
static struct maglev table;

void nf_init(void)
{
    int32_t b;

    map_init(&flow_map);
    dchain_init(&flow_chain);
    vector_init(&flows, LB_MAX_FLOWS, sizeof(struct lb_flow));
    vector_init(&backends, MAGLEV_MAX_BACKENDS, sizeof(struct lb_backend));
    maglev_init(&table);
    for (b = 0; b < LB_N_BACKENDS; b++) {
        struct lb_backend *be = (struct lb_backend *)vector_borrow(&backends, b);

        if (be == NULL) {
            break;
        }
        be->ip = htonl(LB_BACKEND_NET + (uint32_t)b + 1);
        memset(&be->mac, 0, sizeof(be->mac));
        be->mac.addr_bytes[0] = 0x02;
        be->mac.addr_bytes[3] = 0x01;
        be->mac.addr_bytes[5] = (uint8_t)(b + 1);
        be->heard = 0;
        be->last_heartbeat = 0;
        maglev_add_backend(&table, b, LB_BACKEND_NET + (uint32_t)b + 1);
    }
    maglev_populate(&table);
}

/* Drops every flow idle for longer than the timeout. */
static void lb_expire_flows(uint64_t now)
{
    uint64_t min_time;
    uint32_t n;
    int32_t index;

    if (now < LB_FLOW_TIMEOUT) {
        return;
    }
    min_time = now - LB_FLOW_TIMEOUT;

    /*@ pcv e "expired flows" */
    for (n = 0; n < LB_MAX_FLOWS; n++) {
        const struct lb_flow *f;

        if (!dchain_expire_one(&flow_chain, min_time, &index)) {
            break;
        }
        f = (const struct lb_flow *)vector_peek(&flows, index);
        if (f != NULL) {
            map_erase(&flow_map, &f->key);
        }
    }
    PC_TRACE_PCV("e", n < LB_MAX_FLOWS ? n + 1 : n);
}

/* True if backend b has sent heartbeats and the last one is too old. */
static bool lb_backend_timed_out(const struct lb_backend *be, uint64_t now)
{
    return be->heard && now > be->last_heartbeat &&
           now - be->last_heartbeat > LB_BACKEND_TIMEOUT;
}

/*
 * True if backend b may take traffic. A backend that turns out to have timed
 * out is marked down, so that Maglev lookups walk past it from now on.
 */
static bool lb_backend_usable(int32_t b, uint64_t now)
{
    const struct lb_backend *be;

    if (b < 0 || b >= LB_N_BACKENDS || !maglev_is_up(&table, b)) {
        return false;
    }
    be = (const struct lb_backend *)vector_peek(&backends, b);
    if (be == NULL) {
        return false;
    }
    if (lb_backend_timed_out(be, now)) {
        maglev_set_up(&table, b, false);
        return false;
    }
    return true;
}

/* Maglev choice for a flow hash, skipping backends that have timed out; -1 if none is left. */
static int32_t lb_select_backend(uint32_t hash, uint64_t now)
{
    uint32_t tries;

    /*@ pcv d "backends found dead while selecting" */
    for (tries = 0; tries < LB_N_BACKENDS; tries++) {
        int32_t b = maglev_lookup(&table, hash);

        if (b == MAGLEV_NO_BACKEND) {
            PC_TRACE_PCV("d", tries + 1);
            return -1;
        }
        if (lb_backend_usable(b, now)) {
            PC_TRACE_PCV("d", tries + 1);
            return b;
        }
    }
    PC_TRACE_PCV("d", tries);
    return -1;
}

/* Applies one heartbeat (see the convention above). Always consumes the frame. */
static int lb_heartbeat(const struct ipv4_hdr *ip, const uint8_t *l4, uint16_t l4_len, uint64_t now)
{
    const struct udp_hdr *udp = (const struct udp_hdr *)l4;
    const uint8_t *payload = l4 + UDP_HDR_LEN;
    struct lb_backend *be;
    int32_t b;

    if (ip->next_proto_id != IPPROTO_NUM_UDP || l4_len < UDP_HDR_LEN + 2 ||
        ntohs(udp->dst_port) != LB_HEARTBEAT_UDP_PORT) {
        return NF_ACTION_DROP;
    }
    b = payload[0];
    if (b >= LB_N_BACKENDS || (payload[1] != LB_HEARTBEAT_UP && payload[1] != LB_HEARTBEAT_DOWN)) {
        return NF_ACTION_DROP;
    }
    be = (struct lb_backend *)vector_borrow(&backends, b);
    if (be == NULL || be->ip != ip->src_addr) {
        return NF_ACTION_DROP;                   /* not from that backend */
    }
    be->heard = 1;
    be->last_heartbeat = now;
    maglev_set_up(&table, b, payload[1] == LB_HEARTBEAT_UP);
    if (maglev_needs_population(&table)) {
        maglev_populate(&table);
    }
    return NF_ACTION_DROP;
}

/* Backend for a client flow: its affinity entry if still usable, else a new Maglev choice. */
static int32_t lb_backend_for_flow(const struct flow_key *key, uint64_t now)
{
    uint32_t hash = flow_key_hash(key);
    struct lb_flow *f;
    int32_t index;
    int32_t b;

    if (map_get(&flow_map, key, &index)) {
        f = (struct lb_flow *)vector_borrow(&flows, index);
        if (f == NULL) {
            return -1;                           /* corrupt index */
        }
        dchain_rejuvenate_index(&flow_chain, index, now);
        if (lb_backend_usable(f->backend, now)) {
            return f->backend;
        }
        b = lb_select_backend(hash, now);        /* its backend died: re-place the flow */
        if (b >= 0) {
            f->backend = b;
        }
        return b;
    }

    b = lb_select_backend(hash, now);
    if (b < 0) {
        return -1;
    }
    if (!dchain_allocate_new_index(&flow_chain, &index, now)) {
        return b;                                /* table full: no affinity entry */
    }
    f = (struct lb_flow *)vector_borrow(&flows, index);
    if (f == NULL || !map_put(&flow_map, key, index)) {
        dchain_free_index(&flow_chain, index);
        return b;
    }
    f->key = *key;
    f->backend = b;
    return b;
}

int nf_process(uint8_t *pkt, uint16_t len, uint16_t port, uint64_t now)
{
    struct ether_hdr *eth;
    struct ipv4_hdr *ip;
    const struct udp_hdr *ports;
    const struct lb_backend *be;
    struct flow_key key;
    uint16_t ip_len;
    uint16_t l4_min;
    int32_t b;

    lb_expire_flows(now);

    if (len < ETHER_HDR_LEN + IPV4_MIN_HDR_LEN) {
        return NF_ACTION_DROP;
    }
    eth = (struct ether_hdr *)pkt;
    if (ether_type_get(eth) != ETHER_TYPE_IPV4) {
        return NF_ACTION_DROP;
    }
    ip = (struct ipv4_hdr *)(pkt + ETHER_HDR_LEN);
    ip_len = ipv4_hdr_len(ip);
    if (ipv4_version(ip) != IPV4_VERSION || ip_len < IPV4_MIN_HDR_LEN || ipv4_is_fragment(ip)) {
        return NF_ACTION_DROP;
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

    if (port == LB_MGMT_PORT) {
        return lb_heartbeat(ip, pkt + ETHER_HDR_LEN + ip_len,
                            (uint16_t)(len - ETHER_HDR_LEN - ip_len), now);
    }
    if (port != LB_CLIENT_PORT || ip->dst_addr != htonl(LB_VIP)) {
        return NF_ACTION_DROP;
    }

    ports = (const struct udp_hdr *)(pkt + ETHER_HDR_LEN + ip_len);  /* same offsets in TCP */
    memset(&key, 0, sizeof(key));
    key.src_ip = ip->src_addr;
    key.dst_ip = ip->dst_addr;
    key.src_port = ports->src_port;
    key.dst_port = ports->dst_port;
    key.proto = ip->next_proto_id;

    b = lb_backend_for_flow(&key, now);
    if (b < 0) {
        return NF_ACTION_DROP;                   /* no live backend */
    }
    be = (const struct lb_backend *)vector_peek(&backends, b);
    if (be == NULL) {
        return NF_ACTION_DROP;
    }
    eth->d_addr = be->mac;
    eth->s_addr = lb_mac;
    return LB_BACKEND_PORT;
}
