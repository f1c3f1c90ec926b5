// Loops whose counter steps by a value the body reads: the least step every iteration takes
// (found by the solver) bounds the loop, with the limit the path condition allows.
#include <stdint.h>

/* TCP-style options after a fixed header: kind 1 is a one-byte NOP, others carry a length. */
int count_options(const uint8_t *hdr)
{
    uint32_t end = (hdr[0] >> 4) * 4, at = 20;
    int seen = 0;
    while (at < end) {
        uint8_t kind = hdr[at];
        if (kind == 0)
            break;
        if (kind == 1) {
            at += 1;
            continue;
        }
        uint8_t size = hdr[at + 1];
        if (size < 2)
            return -1;
        at += size;
        seen++;
    }
    return seen;
}

/* Folds a payload of at most 63 bytes four bytes at a time, counting down. */
uint32_t fold(const uint8_t *data, uint8_t len)
{
    uint32_t left = len & 63, sum = 0;
    const uint8_t *p = data;
    while (left >= 4) {
        sum += (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        p += 4;
        left -= 4;
    }
    return sum;
}

/* The same walk with pointers: a type-length list after an 8-byte header, at most 31 bytes. */
int walk_tlv(const uint8_t *pkt)
{
    const uint8_t *p = pkt + 8, *end = pkt + 8 + (pkt[0] & 31);
    int n = 0;
    while (p < end) {
        if (*p == 1) {
            p++;
            continue;
        }
        if (p[1] < 2)
            return -1;
        p += p[1];
        n++;
    }
    return n;
}

/* A record length of 0 would loop for ever: no least step, no bound. */
int skip_records(const uint8_t *buf, uint32_t total)
{
    uint32_t at = 0;
    int records = 0;
    while (at < total) {
        at += buf[at & 255];
        records++;
    }
    return records;
}
