/*
 * token_bucket.h - per-flow token bucket (policing).
 *
 * A bucket holds up to burst bytes of credit and gains rate bytes of credit
 * per second. A packet of size bytes conforms if the bucket holds at least
 * size bytes of credit, which it then spends; otherwise it exceeds and the
 * bucket is left as it was.
 *
 * To avoid divisions on the packet path, credit is kept in byte-nanoseconds
 * (bytes * 1e9): one nanosecond adds rate of them, one byte costs 1e9. The
 * configuration precomputes the time that refills an empty bucket, beyond
 * which the bucket is simply full.
 */
#ifndef NF_TOKEN_BUCKET_H
#define NF_TOKEN_BUCKET_H

#include <stdint.h>
#include <stdbool.h>

#define TB_NS_PER_SECOND 1000000000ull
#define TB_MAX_RATE      125000000000ull         /* 1 Tbit/s, in bytes per second */
#define TB_MAX_BURST     16777216ull             /* 16 MiB */

#define TB_CONFORM 1
#define TB_EXCEED  0

struct tb_config {
    uint64_t rate;                               /* bytes per second, 1..TB_MAX_RATE */
    uint64_t burst;                              /* bytes, 1..TB_MAX_BURST */
    uint64_t capacity;                           /* burst * 1e9: a full bucket */
    uint64_t fill_time;                          /* ns that refill an empty bucket */
};

struct token_bucket {
    uint64_t credit;                             /* byte-nanoseconds, <= capacity */
    uint64_t last;                               /* time of the last refill, ns */
};

/* Fills in the derived fields. Returns false if rate or burst is out of range. */
bool tb_config_init(struct tb_config *cfg, uint64_t rate, uint64_t burst);

/* A full bucket, as of now. */
void tb_init(struct token_bucket *tb, const struct tb_config *cfg, uint64_t now);

/*
 * Refills the bucket for the time since its last refill (a clock that went
 * backwards adds nothing), then spends size bytes if it can. Returns
 * TB_CONFORM or TB_EXCEED.
 */
int tb_consume(struct token_bucket *tb, const struct tb_config *cfg, uint32_t size, uint64_t now);

#endif /* NF_TOKEN_BUCKET_H */
