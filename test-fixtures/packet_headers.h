/* Minimal packed Ethernet/IPv4/TCP/UDP/ICMP header definitions and byte-order accessors used by packet_parser.c. */
#ifndef PACKET_HEADERS_H
#define PACKET_HEADERS_H

#include <stdint.h>
#include <arpa/inet.h>

/* Header lengths without options. */
#define ETH_HDR_LEN   14
#define IPV4_HDR_LEN  20
#define TCP_HDR_LEN   20
#define UDP_HDR_LEN   8
#define ICMP_HDR_LEN  8

/* Host-order EtherType values. */
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP  0x0806

/* IP protocol numbers (own names, so they cannot clash with <netinet/in.h>). */
#define L4_ICMP 1
#define L4_TCP  6
#define L4_UDP  17

/* Bits of the host-order IPv4 frag_off field. */
#define IPV4_FLAG_MF     0x2000
#define IPV4_FRAG_OFFSET 0x1FFF

/* TCP flag bits (the low byte of the flags field). */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04

/*
 * All structs are packed: packets arrive at arbitrary offsets in the mbuf and
 * the compiler must not insert padding between fields. Multi-byte fields are
 * kept in network byte order exactly as on the wire.
 */
struct __attribute__((packed)) eth_hdr {
    uint8_t  dst[6];
    uint8_t  src[6];
    uint16_t ether_type;
};

struct __attribute__((packed)) ipv4_hdr {
    uint8_t  version_ihl;     /* version in the high nibble, IHL (32-bit words) in the low */
    uint8_t  tos;
    uint16_t total_length;
    uint16_t id;
    uint16_t frag_off;
    uint8_t  ttl;
    uint8_t  proto;
    uint16_t csum;
    uint32_t src;
    uint32_t dst;
};

struct __attribute__((packed)) tcp_hdr {
    uint16_t sport;
    uint16_t dport;
    uint32_t seq;
    uint32_t ack;
    uint8_t  data_off;        /* header length (32-bit words) in the high nibble */
    uint8_t  flags;
    uint16_t window;
    uint16_t csum;
    uint16_t urg_ptr;
};

struct __attribute__((packed)) udp_hdr {
    uint16_t sport;
    uint16_t dport;
    uint16_t length;
    uint16_t csum;
};

struct __attribute__((packed)) icmp_hdr {
    uint8_t  type;
    uint8_t  code;
    uint16_t csum;
    uint32_t rest;            /* id/sequence for echo, unused otherwise */
};

/* Accessors that hide the byte-order conversion from the parsing code. */
static inline uint16_t eth_type(const struct eth_hdr *e)
{
    return ntohs(e->ether_type);
}

static inline uint8_t ipv4_version(const struct ipv4_hdr *ip)
{
    return (uint8_t)(ip->version_ihl >> 4);
}

static inline uint8_t ipv4_ihl(const struct ipv4_hdr *ip)
{
    return (uint8_t)(ip->version_ihl & 0x0F);
}

static inline uint16_t ipv4_total_len(const struct ipv4_hdr *ip)
{
    return ntohs(ip->total_length);
}

static inline uint16_t ipv4_frag(const struct ipv4_hdr *ip)
{
    return ntohs(ip->frag_off);
}

#endif /* PACKET_HEADERS_H */
