/*
 * dns_qname.c - measures the question name of a DNS query (length-prefixed labels up to the root
 * label) as a DNS filter does before hashing it: rejects compression pointers in the question,
 * labels over 63 bytes, names over 255 bytes and names that run past the packet.
 * Entry: int dns_qname_len(const uint8_t *dns, uint32_t len); dns points to the DNS header;
 * returns the name's wire length including the root label, or -1 when malformed.
 */
#include <stdint.h>

#define DNS_HDR_LEN 12
#define DNS_MAX_NAME 255
#define DNS_MAX_LABEL 63

int dns_qname_len(const uint8_t *dns, uint32_t len)
{
    if (len <= DNS_HDR_LEN)
        return -1;
    if ((dns[2] & 0x80) || (dns[4] | dns[5]) == 0) /* a response, or no question */
        return -1;

    const uint8_t *p = dns + DNS_HDR_LEN;
    const uint8_t *end = dns + len;
    uint32_t total = 0;
    while (*p != 0) {
        uint8_t l = *p;
        if (l > DNS_MAX_LABEL) /* 0xC0 pointers and the reserved 0x40/0x80 kinds */
            return -1;
        total += l + 1u;
        if (total > DNS_MAX_NAME || p + l + 1 >= end)
            return -1;
        p += l + 1;
    }
    return (int)(total + 1);
}
