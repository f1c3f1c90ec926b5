/*
 * maglev.h - Maglev consistent-hashing lookup table.
 *
 * Each backend has a preference list over the MAGLEV_TABLE_SIZE slots: the
 * permutation offset, offset + skip, offset + 2*skip, ... (mod the table
 * size, which is prime, so every skip in 1..size-1 visits every slot once).
 * Population lets the live backends take turns claiming their next preferred
 * slot that is still free, until every slot has an owner; this spreads the
 * slots evenly and moves few of them when the set of live backends changes.
 *
 * A lookup maps a flow hash to slot hash % MAGLEV_TABLE_SIZE and returns its
 * owner. Between two populations a backend can be marked down; a lookup
 * that lands on one of its slots then walks on to the next slot whose owner
 * is up (the walk is the PCV "p").
 */
#ifndef NF_MAGLEV_H
#define NF_MAGLEV_H

#include <stdint.h>
#include <stdbool.h>

#define MAGLEV_TABLE_SIZE   1021                 /* prime */
#define MAGLEV_MAX_BACKENDS 16
#define MAGLEV_NO_BACKEND   (-1)

struct maglev {
    int8_t owner[MAGLEV_TABLE_SIZE];             /* backend of each slot, or MAGLEV_NO_BACKEND */
    uint16_t offset[MAGLEV_MAX_BACKENDS];        /* permutation start, < MAGLEV_TABLE_SIZE */
    uint16_t skip[MAGLEV_MAX_BACKENDS];          /* permutation step, 1..MAGLEV_TABLE_SIZE-1 */
    uint8_t configured[MAGLEV_MAX_BACKENDS];     /* backend slot in use */
    uint8_t up[MAGLEV_MAX_BACKENDS];             /* backend may receive traffic */
    uint8_t in_table[MAGLEV_MAX_BACKENDS];       /* backend was up at the last population */
    uint32_t n_in_table;                         /* backends in the last population */
};

/* Empty table, no backends. */
void maglev_init(struct maglev *mt);

/*
 * Configures backend (0..MAGLEV_MAX_BACKENDS-1), marked up, with the
 * permutation derived from id (any stable identifier, e.g. its IPv4
 * address). Takes effect at the next maglev_populate. Returns false for a
 * bad backend number.
 */
bool maglev_add_backend(struct maglev *mt, int32_t backend, uint32_t id);

/* Marks a configured backend up or down. Returns false for a bad backend. */
bool maglev_set_up(struct maglev *mt, int32_t backend, bool up);

bool maglev_is_up(const struct maglev *mt, int32_t backend);

/* True if the backends that are up differ from those of the last population. */
bool maglev_needs_population(const struct maglev *mt);

/*
 * Rebuilds the table over the backends that are up. Returns the number of
 * backends in the new table (0: every slot is MAGLEV_NO_BACKEND).
 */
uint32_t maglev_populate(struct maglev *mt);

/*
 * Backend for a flow hash: the owner of slot hash % MAGLEV_TABLE_SIZE, or,
 * if that backend is down, of the next slot whose owner is up. Returns
 * MAGLEV_NO_BACKEND if no slot has an owner that is up.
 */
int32_t maglev_lookup(const struct maglev *mt, uint32_t hash);

#endif /* NF_MAGLEV_H */
