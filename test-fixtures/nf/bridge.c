/*
 * bridge.c - MAC learning bridge.
 *
 * Every frame teaches the bridge that its source MAC lives behind the input
 * port. Frames to a learned unicast MAC go out of that port only (or are
 * filtered when that is the input port); frames to unknown, multicast or
 * broadcast MACs are flooded. Stations not heard from for BRIDGE_TIMEOUT are
 * forgotten; expiry runs first on every frame.
 *
 * The MAC table is an open-addressing hash table keyed by the 6-byte address;
 * each entry's slot in the table is separate from its dchain index, which
 * orders entries by age.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>

#include "packet.h"
#include "dchain.h"
#include "pc_trace.h"

#define BRIDGE_N_PORTS     8
#define BRIDGE_CAPACITY    DCHAIN_CAPACITY       /* stations, one dchain index each */
#define MAC_TABLE_SIZE     2048                  /* power of two, load factor <= 0.5 */
#define MAC_TABLE_MASK     (MAC_TABLE_SIZE - 1)
#define BRIDGE_TIMEOUT     300000000000ull       /* 300 s (802.1D default ageing), ns */

enum mac_slot_state {
    MAC_SLOT_EMPTY = 0,
    MAC_SLOT_USED = 1,
    MAC_SLOT_DELETED = 2
};

/* Hash table slot: the address and the dchain index of its station entry. */
struct mac_slot {
    struct ether_addr mac;
    uint8_t state;
    uint8_t pad;
    int32_t station;
};

/* Station entry, indexed by dchain index. */
struct station {
    struct ether_addr mac;
    uint16_t port;
};

static struct mac_slot mac_table[MAC_TABLE_SIZE];
static struct station stations[BRIDGE_CAPACITY];
static struct dchain station_chain;

/* Folds the address into a table position (the low bytes vary the most). */
static uint32_t mac_hash(const struct ether_addr *mac)
{
    uint32_t hi = ((uint32_t)mac->addr_bytes[0] << 8) | mac->addr_bytes[1];
    uint32_t lo = ((uint32_t)mac->addr_bytes[2] << 24) | ((uint32_t)mac->addr_bytes[3] << 16) |
                  ((uint32_t)mac->addr_bytes[4] << 8) | mac->addr_bytes[5];
    uint32_t h = lo ^ (hi * 0x9E3779B1u);

    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    return h;
}

/* Returns the slot holding mac, or -1. */
static int mac_table_find(const struct ether_addr *mac)
{
    uint32_t start = mac_hash(mac) & MAC_TABLE_MASK;
    uint32_t probes;

    /*@ pcv t "MAC table probes past deleted slots" */
    for (probes = 0; probes < MAC_TABLE_SIZE; probes++) {
        uint32_t slot = (start + probes) & MAC_TABLE_MASK;

        if (mac_table[slot].state == MAC_SLOT_EMPTY) {
            PC_TRACE_PCV("t", probes + 1);
            PC_TRACE_OUTCOME("mac_table_find", -1);
            return -1;
        }
        if (mac_table[slot].state != MAC_SLOT_USED) {
            continue;                       /* a deleted slot */
        }
        /*@ count c "MAC table probes that compared addresses (another station's)" */
        if (ether_addr_equal(&mac_table[slot].mac, mac)) {
            PC_TRACE_PCV("t", probes + 1);
            PC_TRACE_OUTCOME("mac_table_find", slot);
            return (int)slot;
        }
    }
    PC_TRACE_PCV("t", probes);
    PC_TRACE_OUTCOME("mac_table_find", -1);
    return -1;
}

/* Inserts a mac known to be absent. Returns false if the table is full. */
static bool mac_table_insert(const struct ether_addr *mac, int32_t station)
{
    uint32_t start = mac_hash(mac) & MAC_TABLE_MASK;
    uint32_t probes;

    /*@ pcv t "MAC table probes" */
    for (probes = 0; probes < MAC_TABLE_SIZE; probes++) {
        uint32_t slot = (start + probes) & MAC_TABLE_MASK;

        if (mac_table[slot].state != MAC_SLOT_USED) {
            memcpy(&mac_table[slot].mac, mac, ETHER_ADDR_LEN);
            mac_table[slot].state = MAC_SLOT_USED;
            mac_table[slot].station = station;
            PC_TRACE_PCV("t", probes + 1);
            PC_TRACE_OUTCOME("mac_table_insert", 1);
            return true;
        }
    }
    PC_TRACE_PCV("t", probes);
    PC_TRACE_OUTCOME("mac_table_insert", 0);
    return false;
}

static void mac_table_erase(const struct ether_addr *mac)
{
    int slot = mac_table_find(mac);

    if (slot >= 0) {
        mac_table[slot].state = MAC_SLOT_DELETED;
    }
}

void nf_init(void)
{
    memset(mac_table, 0, sizeof(mac_table));
    memset(stations, 0, sizeof(stations));
    dchain_init(&station_chain);
}

static void bridge_expire(uint64_t now)
{
    uint64_t min_time;
    uint32_t n;
    int32_t index;

    if (now < BRIDGE_TIMEOUT) {
        return;
    }
    min_time = now - BRIDGE_TIMEOUT;

    /*@ pcv e "expired stations" */
    for (n = 0; n < BRIDGE_CAPACITY; n++) {
        if (!dchain_expire_one(&station_chain, min_time, &index)) {
            break;
        }
        mac_table_erase(&stations[index].mac);
    }
    PC_TRACE_PCV("e", n < BRIDGE_CAPACITY ? n + 1 : n);
}

/* Learns (or refreshes) src behind in_port. A full table just stops learning. */
static void bridge_learn(const struct ether_addr *src, uint16_t in_port, uint64_t now)
{
    int slot = mac_table_find(src);
    int32_t index;

    if (slot >= 0) {
        index = mac_table[slot].station;
        dchain_rejuvenate_index(&station_chain, index, now);
        stations[index].port = in_port;          /* the station may have moved */
        return;
    }
    if (!dchain_allocate_new_index(&station_chain, &index, now)) {
        return;
    }
    if (!mac_table_insert(src, index)) {
        dchain_free_index(&station_chain, index);
        return;
    }
    memcpy(&stations[index].mac, src, ETHER_ADDR_LEN);
    stations[index].port = in_port;
}

int nf_process(uint8_t *pkt, uint16_t len, uint16_t port, uint64_t now)
{
    struct ether_hdr *eth;
    int slot;
    uint16_t out_port;

    bridge_expire(now);

    if (len < ETHER_HDR_LEN || port >= BRIDGE_N_PORTS) {
        return NF_ACTION_DROP;
    }
    eth = (struct ether_hdr *)pkt;

    /* Never learn group or all-zero source addresses. */
    if (!ether_addr_is_multicast(&eth->s_addr) && !ether_addr_is_zero(&eth->s_addr)) {
        bridge_learn(&eth->s_addr, port, now);
    }

    if (ether_addr_is_multicast(&eth->d_addr)) {
        return NF_ACTION_FLOOD;                  /* broadcast and multicast */
    }
    slot = mac_table_find(&eth->d_addr);
    if (slot < 0) {
        return NF_ACTION_FLOOD;                  /* unknown unicast */
    }
    out_port = stations[mac_table[slot].station].port;
    if (out_port == port) {
        return NF_ACTION_DROP;                   /* destination is on the input segment */
    }
    return out_port;
}
