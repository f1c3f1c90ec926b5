/*
 * policer.c - per-destination traffic policer for IPv4.
 *
 * Port 0 faces the subscribers (inside), port 1 the uplink (outside).
 * Traffic from the inside is forwarded unchanged. Traffic from the outside
 * is policed per destination address: each destination has a token bucket
 * (POLICER_RATE bytes per second, bursts of POLICER_BURST bytes, counted on
 * the whole frame), and a frame that finds too little credit is dropped.
 *
 * Buckets live in a vector indexed by dchain index; the hash map takes the
 * destination (as a flow_key with only dst_ip set) to that index. The first
 * frame to a new destination allocates a full bucket; when the table is
 * full, frames to new destinations are dropped (the policer fails closed).
 * A bucket idle for POLICER_TIMEOUT, which is longer than the time that
 * refills an empty bucket, is full again, so expiring it (first thing on
 * every frame) cannot change a later verdict.
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
#include "token_bucket.h"
#include "pc_trace.h"

#define POLICER_INSIDE_PORT  0
#define POLICER_OUTSIDE_PORT 1

#define POLICER_RATE      1250000ull             /* bytes per second: 10 Mbit/s */
#define POLICER_BURST     65536ull               /* bytes */
#define POLICER_CAPACITY  (POLICER_BURST * TB_NS_PER_SECOND)
#define POLICER_FILL_TIME ((POLICER_CAPACITY + POLICER_RATE - 1) / POLICER_RATE)  /* ~52 ms */
#define POLICER_TIMEOUT   1000000000ull          /* 1 s of silence, in ns */
#define POLICER_MAX_FLOWS DCHAIN_CAPACITY

/* One destination: its map key (needed to erase it on expiry) and its bucket. */
struct policer_flow {
    struct flow_key key;
    struct token_bucket bucket;
};

/* Constant, so that it is part of the program rather than of its state. */
static const struct tb_config policer_config = {
    POLICER_RATE, POLICER_BURST, POLICER_CAPACITY, POLICER_FILL_TIME
};

static struct map dst_map;
static struct dchain dst_chain;
static struct vector dst_flows;                 /* of struct policer_flow */

void nf_init(void)
{
    map_init(&dst_map);
    dchain_init(&dst_chain);
    vector_init(&dst_flows, POLICER_MAX_FLOWS, sizeof(struct policer_flow));
}

/* Forgets every destination idle for longer than the timeout. */
static void policer_expire(uint64_t now)
{
    uint64_t min_time;
    uint32_t n;
    int32_t index;

    if (now < POLICER_TIMEOUT) {
        return;
    }
    min_time = now - POLICER_TIMEOUT;

    /*@ pcv e "expired destinations" */
    for (n = 0; n < POLICER_MAX_FLOWS; n++) {
        const struct policer_flow *f;

        if (!dchain_expire_one(&dst_chain, min_time, &index)) {
            break;
        }
        f = (const struct policer_flow *)vector_peek(&dst_flows, index);
        if (f != NULL) {
            map_erase(&dst_map, &f->key);
        }
    }
    PC_TRACE_PCV("e", n < POLICER_MAX_FLOWS ? n + 1 : n);
}

/* TB_CONFORM or TB_EXCEED for a frame of len bytes to dst (network order). */
static int policer_check(uint32_t dst, uint16_t len, uint64_t now)
{
    struct flow_key key;
    struct policer_flow *f;
    int32_t index;

    memset(&key, 0, sizeof(key));
    key.dst_ip = dst;

    if (map_get(&dst_map, &key, &index)) {
        f = (struct policer_flow *)vector_borrow(&dst_flows, index);
        if (f == NULL) {
            return TB_EXCEED;                    /* corrupt index: fail closed */
        }
        dchain_rejuvenate_index(&dst_chain, index, now);
        return tb_consume(&f->bucket, &policer_config, len, now);
    }

    if (!dchain_allocate_new_index(&dst_chain, &index, now)) {
        return TB_EXCEED;                        /* table full */
    }
    f = (struct policer_flow *)vector_borrow(&dst_flows, index);
    if (f == NULL) {
        dchain_free_index(&dst_chain, index);
        return TB_EXCEED;
    }
    if (!map_put(&dst_map, &key, index)) {
        dchain_free_index(&dst_chain, index);
        return TB_EXCEED;
    }
    f->key = key;
    tb_init(&f->bucket, &policer_config, now);
    return tb_consume(&f->bucket, &policer_config, len, now);
}

int nf_process(uint8_t *pkt, uint16_t len, uint16_t port, uint64_t now)
{
    struct ether_hdr *eth;
    struct ipv4_hdr *ip;

    policer_expire(now);

    if (port == POLICER_INSIDE_PORT) {
        return POLICER_OUTSIDE_PORT;             /* upstream traffic is not policed */
    }
    if (port != POLICER_OUTSIDE_PORT) {
        return NF_ACTION_DROP;
    }
    if (len < ETHER_HDR_LEN + IPV4_MIN_HDR_LEN) {
        return NF_ACTION_DROP;
    }
    eth = (struct ether_hdr *)pkt;
    if (ether_type_get(eth) != ETHER_TYPE_IPV4) {
        return NF_ACTION_DROP;
    }
    ip = (struct ipv4_hdr *)(pkt + ETHER_HDR_LEN);
    if (ipv4_version(ip) != IPV4_VERSION || ipv4_hdr_len(ip) < IPV4_MIN_HDR_LEN) {
        return NF_ACTION_DROP;
    }

    if (policer_check(ip->dst_addr, len, now) != TB_CONFORM) {
        return NF_ACTION_DROP;
    }
    return POLICER_INSIDE_PORT;
}
