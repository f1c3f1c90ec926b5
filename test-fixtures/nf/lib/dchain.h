/*
 * dchain.h - double-chain index allocator with time-based expiry.
 *
 * Indices 0..DCHAIN_CAPACITY-1 are on exactly one of two doubly linked
 * lists threaded through the same cell array: the free list, or the
 * allocated list kept in order of last use (oldest at the head). Two extra
 * sentinel cells head the lists. Allocation and rejuvenation move an index
 * to the tail of the allocated list, so expiry only ever looks at the head.
 */
#ifndef NF_DCHAIN_H
#define NF_DCHAIN_H

#include <stdint.h>
#include <stdbool.h>

#define DCHAIN_CAPACITY  1024
#define DCHAIN_FREE_HEAD (DCHAIN_CAPACITY)       /* sentinel of the free list */
#define DCHAIN_ALLOC_HEAD (DCHAIN_CAPACITY + 1)  /* sentinel of the allocated list */
#define DCHAIN_CELLS     (DCHAIN_CAPACITY + 2)

struct dchain_cell {
    int32_t prev;
    int32_t next;
};

struct dchain {
    struct dchain_cell cells[DCHAIN_CELLS];
    /* One per cell: the allocated list's sentinel holds UINT64_MAX (see dchain_expire_one). */
    uint64_t timestamps[DCHAIN_CELLS];
    uint8_t allocated[DCHAIN_CAPACITY];
    uint32_t n_allocated;
};

void dchain_init(struct dchain *c);

/* Takes a free index, stamps it with time. Returns false if none is free. */
bool dchain_allocate_new_index(struct dchain *c, int32_t *index, uint64_t time);

/* Marks index as used at time. Returns false if index is not allocated. */
bool dchain_rejuvenate_index(struct dchain *c, int32_t index, uint64_t time);

bool dchain_is_index_allocated(const struct dchain *c, int32_t index);

/* Returns index to the free list. Returns false if it was not allocated. */
bool dchain_free_index(struct dchain *c, int32_t index);

/*
 * Frees the oldest index if its timestamp is older than min_time and
 * stores it in *index. Returns false when nothing (more) has expired.
 * For NFs that must clean up their own per-index state.
 */
bool dchain_expire_one(struct dchain *c, uint64_t min_time, int32_t *index);

/*
 * Frees every index whose timestamp is older than min_time and returns
 * how many were freed (at most DCHAIN_CAPACITY).
 */
uint32_t dchain_expire(struct dchain *c, uint64_t min_time);

#endif /* NF_DCHAIN_H */
