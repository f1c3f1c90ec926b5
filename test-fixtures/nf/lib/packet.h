/*
 * packet.h - minimal packet header definitions for the perfcontract NF corpus.
 *
 * DPDK-like layout: packed structs overlaid on the frame buffer, multi-byte
 * fields kept in network byte order exactly as on the wire, and small inline
 * accessors that do the byte swapping.
 */
#ifndef NF_PACKET_H
#define NF_PACKET_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <arpa/inet.h>

/* ---- Actions returned by nf_process -------------------------------------- */

/* A return value >= 0 is the output port; negative values are special. */
#define NF_ACTION_DROP  (-1)
#define NF_ACTION_FLOOD (-2)

/* ---- Header sizes --------------------------------------------------------- */

#define ETHER_HDR_LEN   14
#define ETHER_ADDR_LEN  6
#define IPV4_MIN_HDR_LEN 20
#define TCP_MIN_HDR_LEN 20
#define UDP_HDR_LEN     8

#define ETHER_TYPE_IPV4 0x0800
#define ETHER_TYPE_ARP  0x0806
#define ETHER_TYPE_VLAN 0x8100

#define IPPROTO_NUM_ICMP 1
#define IPPROTO_NUM_TCP  6
#define IPPROTO_NUM_UDP  17

#define IPV4_VERSION        4
#define IPV4_IHL_MASK       0x0F
#define IPV4_FLAG_MF        0x2000
#define IPV4_FRAG_OFF_MASK  0x1FFF

/* ---- Headers -------------------------------------------------------------- */

struct __attribute__((packed)) ether_addr {
    uint8_t addr_bytes[ETHER_ADDR_LEN];
};

struct __attribute__((packed)) ether_hdr {
    struct ether_addr d_addr;
    struct ether_addr s_addr;
    uint16_t ether_type;          /* network order */
};

struct __attribute__((packed)) ipv4_hdr {
    uint8_t  version_ihl;         /* version (high nibble), IHL in 32-bit words (low nibble) */
    uint8_t  type_of_service;
    uint16_t total_length;
    uint16_t packet_id;
    uint16_t fragment_offset;     /* flags (3 bits) + offset (13 bits) */
    uint8_t  time_to_live;
    uint8_t  next_proto_id;
    uint16_t hdr_checksum;
    uint32_t src_addr;
    uint32_t dst_addr;
};

struct __attribute__((packed)) tcp_hdr {
    uint16_t src_port;
    uint16_t dst_port;
    uint32_t sent_seq;
    uint32_t recv_ack;
    uint8_t  data_off;            /* header length in 32-bit words (high nibble) */
    uint8_t  tcp_flags;
    uint16_t rx_win;
    uint16_t cksum;
    uint16_t tcp_urp;
};

struct __attribute__((packed)) udp_hdr {
    uint16_t src_port;
    uint16_t dst_port;
    uint16_t dgram_len;
    uint16_t dgram_cksum;
};

/* ---- Accessors ------------------------------------------------------------ */

static inline uint16_t ether_type_get(const struct ether_hdr *eth)
{
    return ntohs(eth->ether_type);
}

static inline uint8_t ipv4_version(const struct ipv4_hdr *ip)
{
    return (uint8_t)(ip->version_ihl >> 4);
}

/* Header length in bytes (IHL * 4). */
static inline uint16_t ipv4_hdr_len(const struct ipv4_hdr *ip)
{
    return (uint16_t)((ip->version_ihl & IPV4_IHL_MASK) * 4);
}

static inline bool ipv4_is_fragment(const struct ipv4_hdr *ip)
{
    uint16_t frag = ntohs(ip->fragment_offset);
    return (frag & (IPV4_FLAG_MF | IPV4_FRAG_OFF_MASK)) != 0;
}

static inline bool ether_addr_is_multicast(const struct ether_addr *ea)
{
    return (ea->addr_bytes[0] & 0x01) != 0;   /* also true for broadcast */
}

static inline bool ether_addr_is_zero(const struct ether_addr *ea)
{
    return (ea->addr_bytes[0] | ea->addr_bytes[1] | ea->addr_bytes[2] |
            ea->addr_bytes[3] | ea->addr_bytes[4] | ea->addr_bytes[5]) == 0;
}

/*
 * Branch-free, as DPDK compares Ethernet addresses inline: all six bytes are read whichever
 * differs, so a comparison costs the same for every pair of addresses (a call to the C library's
 * memcmp costs more when an operand lies near the end of a page).
 */
static inline bool ether_addr_equal(const struct ether_addr *a, const struct ether_addr *b)
{
    return ((a->addr_bytes[0] ^ b->addr_bytes[0]) | (a->addr_bytes[1] ^ b->addr_bytes[1]) |
            (a->addr_bytes[2] ^ b->addr_bytes[2]) | (a->addr_bytes[3] ^ b->addr_bytes[3]) |
            (a->addr_bytes[4] ^ b->addr_bytes[4]) | (a->addr_bytes[5] ^ b->addr_bytes[5])) == 0;
}

/*
 * Incremental Internet checksum update (RFC 1624, eqn. 3):
 *     HC' = ~(~HC + ~m + m')
 * All values may be given in network order: one's-complement sums are byte
 * order independent.
 */
static inline uint16_t csum_replace2(uint16_t old_csum, uint16_t old_word, uint16_t new_word)
{
    uint32_t sum = (uint32_t)(uint16_t)~old_csum + (uint32_t)(uint16_t)~old_word + new_word;
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Same for a 32-bit field (e.g. an IPv4 address), as two 16-bit words. */
static inline uint16_t csum_replace4(uint16_t old_csum, uint32_t old_val, uint32_t new_val)
{
    uint16_t c = csum_replace2(old_csum, (uint16_t)(old_val >> 16), (uint16_t)(new_val >> 16));
    return csum_replace2(c, (uint16_t)(old_val & 0xFFFF), (uint16_t)(new_val & 0xFFFF));
}

#endif /* NF_PACKET_H */
