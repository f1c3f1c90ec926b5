/*
 * dchain.c - double-chain index allocator (see dchain.h).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "dchain.h"
#include "pc_trace.h"

static void cell_unlink(struct dchain *c, int32_t i)
{
    int32_t prev = c->cells[i].prev;
    int32_t next = c->cells[i].next;

    c->cells[prev].next = next;
    c->cells[next].prev = prev;
}

/* Inserts i just before the sentinel head, i.e. at the tail of its list. */
static void cell_link_tail(struct dchain *c, int32_t head, int32_t i)
{
    int32_t last = c->cells[head].prev;

    c->cells[i].prev = last;
    c->cells[i].next = head;
    c->cells[last].next = i;
    c->cells[head].prev = i;
}

/* Inserts i right after the sentinel head. */
static void cell_link_head(struct dchain *c, int32_t head, int32_t i)
{
    int32_t first = c->cells[head].next;

    c->cells[i].prev = head;
    c->cells[i].next = first;
    c->cells[first].prev = i;
    c->cells[head].next = i;
}

void dchain_init(struct dchain *c)
{
    int32_t i;

    c->cells[DCHAIN_FREE_HEAD].prev = DCHAIN_FREE_HEAD;
    c->cells[DCHAIN_FREE_HEAD].next = DCHAIN_FREE_HEAD;
    c->cells[DCHAIN_ALLOC_HEAD].prev = DCHAIN_ALLOC_HEAD;
    c->cells[DCHAIN_ALLOC_HEAD].next = DCHAIN_ALLOC_HEAD;
    for (i = 0; i < DCHAIN_CAPACITY; i++) {
        cell_link_tail(c, DCHAIN_FREE_HEAD, i);
    }
    memset(c->timestamps, 0, sizeof(c->timestamps));
    c->timestamps[DCHAIN_ALLOC_HEAD] = UINT64_MAX;
    memset(c->allocated, 0, sizeof(c->allocated));
    c->n_allocated = 0;
}

bool dchain_allocate_new_index(struct dchain *c, int32_t *index, uint64_t time)
{
    int32_t i = c->cells[DCHAIN_FREE_HEAD].next;

    if (i == DCHAIN_FREE_HEAD) {
        PC_TRACE_OUTCOME("dchain_allocate_new_index", 0);
        return false;                       /* no free index left */
    }
    cell_unlink(c, i);
    cell_link_tail(c, DCHAIN_ALLOC_HEAD, i);
    c->timestamps[i] = time;
    c->allocated[i] = 1;
    c->n_allocated++;
    *index = i;
    PC_TRACE_OUTCOME("dchain_allocate_new_index", 1);
    return true;
}

bool dchain_is_index_allocated(const struct dchain *c, int32_t index)
{
    if (index < 0 || index >= DCHAIN_CAPACITY) {
        return false;
    }
    return c->allocated[index] != 0;
}

bool dchain_rejuvenate_index(struct dchain *c, int32_t index, uint64_t time)
{
    if (!dchain_is_index_allocated(c, index)) {
        PC_TRACE_OUTCOME("dchain_rejuvenate_index", 0);
        return false;
    }
    cell_unlink(c, index);
    cell_link_tail(c, DCHAIN_ALLOC_HEAD, index);
    c->timestamps[index] = time;
    PC_TRACE_OUTCOME("dchain_rejuvenate_index", 1);
    return true;
}

bool dchain_free_index(struct dchain *c, int32_t index)
{
    if (!dchain_is_index_allocated(c, index)) {
        PC_TRACE_OUTCOME("dchain_free_index", 0);
        return false;
    }
    cell_unlink(c, index);
    cell_link_head(c, DCHAIN_FREE_HEAD, index);
    c->allocated[index] = 0;
    c->n_allocated--;
    PC_TRACE_OUTCOME("dchain_free_index", 1);
    return true;
}

bool dchain_expire_one(struct dchain *c, uint64_t min_time, int32_t *index)
{
    int32_t oldest = c->cells[DCHAIN_ALLOC_HEAD].next;

    /*
     * With nothing allocated, oldest is the list's sentinel, whose timestamp is the latest
     * possible: one test stops at an empty list and at a fresh oldest entry alike.
     */
    if (c->timestamps[oldest] >= min_time) {
        PC_TRACE_OUTCOME("dchain_expire_one", 0);
        return false;
    }
    cell_unlink(c, oldest);
    cell_link_head(c, DCHAIN_FREE_HEAD, oldest);
    c->allocated[oldest] = 0;
    c->n_allocated--;
    *index = oldest;
    PC_TRACE_OUTCOME("dchain_expire_one", 1);
    return true;
}

uint32_t dchain_expire(struct dchain *c, uint64_t min_time)
{
    uint32_t count;
    int32_t index;

    /*@ pcv e "expired entries" */
    for (count = 0; count < DCHAIN_CAPACITY; count++) {
        if (!dchain_expire_one(c, min_time, &index)) {
            break;
        }
    }
    PC_TRACE_PCV("e", count < DCHAIN_CAPACITY ? count + 1 : count);
    return count;
}
