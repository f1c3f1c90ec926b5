/* Tests pointers: a struct pointer parameter, pointer arithmetic over a byte buffer, casting uint8_t* to a header struct pointer, and a null check. */
#include <stdint.h>

struct counters {
    uint32_t rx;
    uint32_t bytes;
};

struct __attribute__((packed)) mini_hdr {
    uint8_t  type;
    uint8_t  flags;
    uint16_t length;
};

/* Walks a byte buffer with pointer arithmetic rather than indices. */
static uint32_t xor_bytes(const uint8_t *start, const uint8_t *end)
{
    uint32_t x = 0;
    const uint8_t *p = start;
    /* end - start is at most 4 by construction (see caller). */
    while (p < end) {
        x ^= *p;
        p++;
    }
    return x;
}

int pointers_entry(uint8_t *pkt, uint16_t len, struct counters *c)
{
    const struct mini_hdr *h;
    uint8_t *payload;

    if (c == 0) {
        return -1;             /* null check on the pointer parameter */
    }
    /* 2 pad bytes + header + 4 payload bytes must all be inside the packet. */
    if (len < 2 + sizeof(struct mini_hdr) + 4) {
        return -2;
    }

    c->rx++;
    c->bytes += len;

    /* Header sits 2 bytes into the buffer (e.g. after an alignment pad). */
    h = (const struct mini_hdr *)(pkt + 2);
    if (h->type != 0x11) {
        return 0;
    }

    payload = pkt + 2 + sizeof(*h);
    *payload = 0;                                  /* write through a derived pointer */
    return (int)xor_bytes(payload, payload + 4) + h->flags;
}
