/*
 * token_bucket.c - per-flow token bucket (see token_bucket.h).
 *
 * Overflow: capacity <= TB_MAX_BURST * 1e9 < 2^55, an elapsed time below
 * fill_time adds less than capacity + rate, and a packet costs at most
 * 65535 * 1e9 < 2^46, so no sum or product here exceeds 64 bits.
 */
#include <stdint.h>
#include <stdbool.h>

#include "token_bucket.h"
#include "pc_trace.h"

bool tb_config_init(struct tb_config *cfg, uint64_t rate, uint64_t burst)
{
    if (rate == 0 || rate > TB_MAX_RATE || burst == 0 || burst > TB_MAX_BURST) {
        return false;
    }
    cfg->rate = rate;
    cfg->burst = burst;
    cfg->capacity = burst * TB_NS_PER_SECOND;
    /* Rounded up, so that after fill_time the bucket is surely full. */
    cfg->fill_time = (cfg->capacity + rate - 1) / rate;
    return true;
}

void tb_init(struct token_bucket *tb, const struct tb_config *cfg, uint64_t now)
{
    tb->credit = cfg->capacity;
    tb->last = now;
}

int tb_consume(struct token_bucket *tb, const struct tb_config *cfg, uint32_t size, uint64_t now)
{
    uint64_t cost = (uint64_t)size * TB_NS_PER_SECOND;

    if (now > tb->last) {
        uint64_t elapsed = now - tb->last;

        if (elapsed >= cfg->fill_time) {
            tb->credit = cfg->capacity;
        } else {
            uint64_t credit = tb->credit + elapsed * cfg->rate;

            tb->credit = credit > cfg->capacity ? cfg->capacity : credit;
        }
        tb->last = now;
    }
    if (tb->credit < cost) {
        PC_TRACE_OUTCOME("tb_consume", TB_EXCEED);
        return TB_EXCEED;
    }
    tb->credit -= cost;
    PC_TRACE_OUTCOME("tb_consume", TB_CONFORM);
    return TB_CONFORM;
}
