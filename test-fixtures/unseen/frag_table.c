/*
 * frag_table.c - the lookup step of IPv4 reassembly: a fragment is matched against a small table
 * of pending datagrams by (src, dst, id, proto); expired entries met during the scan are freed,
 * and a new fragment takes the first free entry.
 * Entry: int frag_find(const uint8_t *ip, uint32_t len, uint32_t now_ms); returns the entry
 * index, -2 when it is not a fragment, -3 when the table is full, -1 when malformed.
 */
#include <stdint.h>

#define FRAG_SLOTS 16
#define FRAG_TIMEOUT_MS 30000u
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff

struct frag_entry {
    uint8_t in_use;
    uint8_t proto;
    uint16_t id;
    uint32_t src, dst;
    uint32_t first_seen;
};

struct frag_entry frags[FRAG_SLOTS];
uint32_t frag_expired;

int frag_find(const uint8_t *ip, uint32_t len, uint32_t now_ms)
{
    if (len < 20 || (ip[0] & 0xf0) != 0x40)
        return -1;
    uint16_t fo = (uint16_t)(ip[6] << 8 | ip[7]);
    if (!(fo & IP_MF) && (fo & IP_OFFMASK) == 0)
        return -2;
    uint16_t id = (uint16_t)(ip[4] << 8 | ip[5]);
    uint32_t src = (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 | (uint32_t)ip[14] << 8 | ip[15];
    uint32_t dst = (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 | (uint32_t)ip[18] << 8 | ip[19];

    int free_slot = -1;
    for (int i = 0; i < FRAG_SLOTS; i++) {
        struct frag_entry *f = &frags[i];
        if (f->in_use && now_ms - f->first_seen > FRAG_TIMEOUT_MS) {
            f->in_use = 0;
            frag_expired++;
        }
        if (!f->in_use) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        if (f->id == id && f->src == src && f->dst == dst && f->proto == ip[9])
            return i;
    }
    if (free_slot < 0)
        return -3;
    struct frag_entry *n = &frags[free_slot];
    n->in_use = 1;
    n->proto = ip[9];
    n->id = id;
    n->src = src;
    n->dst = dst;
    n->first_seen = now_ms;
    return free_slot;
}
