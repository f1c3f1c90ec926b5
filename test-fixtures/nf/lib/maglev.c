/*
 * maglev.c - Maglev lookup table (see maglev.h).
 *
 * Tracing (PC_TRACE builds) follows the library's convention: a loop's PCV
 * value is the number of times its body was entered.
 *
 * Population keeps, per backend, the position reached in its preference list
 * (next[]) and the slot that position denotes (cursor[]), so stepping through
 * the permutation is an addition and a conditional subtraction rather than a
 * multiplication and a remainder.
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "maglev.h"
#include "pc_trace.h"

/* Two independent mixes of the backend identifier (murmur3-style finalisers). */
static uint32_t maglev_mix(uint32_t x, uint32_t seed)
{
    uint32_t h = x ^ seed;

    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

static bool maglev_backend_ok(int32_t backend)
{
    return backend >= 0 && backend < MAGLEV_MAX_BACKENDS;
}

void maglev_init(struct maglev *mt)
{
    memset(mt->owner, 0xFF, sizeof(mt->owner));  /* every slot MAGLEV_NO_BACKEND */
    memset(mt->offset, 0, sizeof(mt->offset));
    memset(mt->skip, 0, sizeof(mt->skip));
    memset(mt->configured, 0, sizeof(mt->configured));
    memset(mt->up, 0, sizeof(mt->up));
    memset(mt->in_table, 0, sizeof(mt->in_table));
    mt->n_in_table = 0;
}

bool maglev_add_backend(struct maglev *mt, int32_t backend, uint32_t id)
{
    if (!maglev_backend_ok(backend)) {
        return false;
    }
    mt->offset[backend] = (uint16_t)(maglev_mix(id, 0x5BD1E995u) % MAGLEV_TABLE_SIZE);
    mt->skip[backend] = (uint16_t)(maglev_mix(id, 0x1B873593u) % (MAGLEV_TABLE_SIZE - 1) + 1);
    mt->configured[backend] = 1;
    mt->up[backend] = 1;
    return true;
}

bool maglev_set_up(struct maglev *mt, int32_t backend, bool up)
{
    if (!maglev_backend_ok(backend) || !mt->configured[backend]) {
        return false;
    }
    mt->up[backend] = up ? 1 : 0;
    return true;
}

bool maglev_is_up(const struct maglev *mt, int32_t backend)
{
    if (!maglev_backend_ok(backend)) {
        return false;
    }
    return mt->configured[backend] && mt->up[backend];
}

bool maglev_needs_population(const struct maglev *mt)
{
    int32_t b;

    /*@ pcv c "backends compared with the last population" */
    for (b = 0; b < MAGLEV_MAX_BACKENDS; b++) {
        bool live = mt->configured[b] && mt->up[b];

        if (live != (mt->in_table[b] != 0)) {
            PC_TRACE_PCV("c", b + 1);
            return true;
        }
    }
    PC_TRACE_PCV("c", b);
    return false;
}

/*
 * Moves backend b's cursor to its next preferred slot that is still free and
 * returns that slot, or -1 if its whole permutation is taken (which cannot
 * happen while free slots remain: every permutation visits every slot).
 */
static int32_t maglev_next_free_slot(const struct maglev *mt, uint16_t *next, uint16_t *cursor,
                                     int32_t b)
{
    uint32_t steps;

    /*
     * Counted over the whole population: each backend walks its preference list at most once
     * (next[b] only grows), so all calls together try at most this many entries.
     */
    /*@ pcv k total "preference-list entries tried until a free slot" */
    /*@ bound k <= MAGLEV_MAX_BACKENDS * MAGLEV_TABLE_SIZE */
    for (steps = 0; steps < MAGLEV_TABLE_SIZE; steps++) {
        uint16_t slot = cursor[b];

        if (next[b] >= MAGLEV_TABLE_SIZE || slot >= MAGLEV_TABLE_SIZE) {
            PC_TRACE_PCV("k", steps + 1);
            return -1;
        }
        cursor[b] = (uint16_t)(slot + mt->skip[b] >= MAGLEV_TABLE_SIZE
                               ? slot + mt->skip[b] - MAGLEV_TABLE_SIZE
                               : slot + mt->skip[b]);
        next[b]++;
        if (mt->owner[slot] == MAGLEV_NO_BACKEND) {
            PC_TRACE_PCV("k", steps + 1);
            return slot;
        }
    }
    PC_TRACE_PCV("k", steps);
    return -1;
}

uint32_t maglev_populate(struct maglev *mt)
{
    uint16_t next[MAGLEV_MAX_BACKENDS];
    uint16_t cursor[MAGLEV_MAX_BACKENDS];
    uint32_t filled = 0;
    uint32_t n_live = 0;
    uint32_t rounds;
    int32_t b;

    memset(mt->owner, 0xFF, sizeof(mt->owner));
    /*@ pcv s "backends set up for population" */
    for (b = 0; b < MAGLEV_MAX_BACKENDS; b++) {
        bool live = mt->configured[b] && mt->up[b];

        mt->in_table[b] = live ? 1 : 0;
        next[b] = 0;
        cursor[b] = mt->offset[b];
        if (live) {
            n_live++;
        }
    }
    PC_TRACE_PCV("s", b);
    mt->n_in_table = n_live;
    if (n_live == 0) {
        PC_TRACE_OUTCOME("maglev_populate", 0);
        return 0;
    }

    /* Each round gives every live backend one more slot, so at most
     * MAGLEV_TABLE_SIZE rounds fill the table (one live backend). */
    /*@ pcv r "population rounds (slots per live backend)" */
    for (rounds = 0; rounds < MAGLEV_TABLE_SIZE && filled < MAGLEV_TABLE_SIZE; rounds++) {
        /*@ pcv q "backend turns in one population round" */
        for (b = 0; b < MAGLEV_MAX_BACKENDS && filled < MAGLEV_TABLE_SIZE; b++) {
            int32_t slot;

            if (!mt->in_table[b]) {
                continue;
            }
            /*@ count w "turns of backends in the table (the others are skipped)" */
            slot = maglev_next_free_slot(mt, next, cursor, b);
            if (slot < 0) {
                continue;
            }
            mt->owner[slot] = (int8_t)b;
            filled++;
        }
        PC_TRACE_PCV("q", b);
    }
    PC_TRACE_PCV("r", rounds);
    PC_TRACE_OUTCOME("maglev_populate", n_live);
    return n_live;
}

int32_t maglev_lookup(const struct maglev *mt, uint32_t hash)
{
    uint32_t start = hash % MAGLEV_TABLE_SIZE;
    uint32_t probes;

    /* The slot is derived from the loop counter (start + probes, wrapped once)
     * rather than kept in a variable of its own, so that its range follows
     * from the loop guard alone. */
    /*@ pcv p "Maglev slots probed until a backend that is up" */
    for (probes = 0; probes < MAGLEV_TABLE_SIZE; probes++) {
        uint32_t slot = start + probes;
        int32_t b;

        if (slot >= MAGLEV_TABLE_SIZE) {
            slot -= MAGLEV_TABLE_SIZE;
        }
        b = mt->owner[slot];
        if (maglev_backend_ok(b) && mt->configured[b] && mt->up[b]) {
            PC_TRACE_PCV("p", probes + 1);
            PC_TRACE_OUTCOME("maglev_lookup", b);
            return b;
        }
    }
    PC_TRACE_PCV("p", probes);
    PC_TRACE_OUTCOME("maglev_lookup", MAGLEV_NO_BACKEND);
    return MAGLEV_NO_BACKEND;
}
