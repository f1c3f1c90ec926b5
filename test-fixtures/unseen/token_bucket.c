/*
 * token_bucket.c - a per-class token-bucket policer in integer arithmetic: tokens (bytes) refill
 * at the class's rate for the microseconds elapsed, capped at the burst size, and a packet
 * conforms when the bucket holds its length.
 * Entry: int tb_police(uint32_t cls, uint32_t pkt_len, uint64_t now_us); returns 1 (conform),
 * 0 (exceed) or -1 (unknown class).
 */
#include <stdint.h>

#define NCLASSES 32

struct tbucket {
    uint64_t tokens;       /* bytes */
    uint64_t last_us;
    uint32_t rate_bps;     /* bytes per second */
    uint32_t burst;        /* bytes */
};

struct tbucket buckets[NCLASSES];
uint64_t exceeded[NCLASSES];

int tb_police(uint32_t cls, uint32_t pkt_len, uint64_t now_us)
{
    if (cls >= NCLASSES)
        return -1;
    struct tbucket *b = &buckets[cls];
    if (b->rate_bps == 0)
        return -1;

    if (now_us > b->last_us) {
        uint64_t elapsed = now_us - b->last_us;
        /* Avoid overflow after long idle periods: a full bucket needs at most 1 s of refill. */
        if (elapsed > 1000000)
            elapsed = 1000000;
        b->tokens += elapsed * b->rate_bps / 1000000;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        b->last_us = now_us;
    }
    if (b->tokens >= pkt_len) {
        b->tokens -= pkt_len;
        return 1;
    }
    exceeded[cls]++;
    return 0;
}
