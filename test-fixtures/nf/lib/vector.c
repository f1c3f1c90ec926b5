/*
 * vector.c - fixed-capacity vector of fixed-size cells (see vector.h).
 *
 * The index check compares against the compile-time VECTOR_CAPACITY as well
 * as the configured capacity, so no index can reach outside the storage even
 * if the capacity field were corrupt.
 */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "vector.h"
#include "pc_trace.h"

bool vector_init(struct vector *v, uint32_t capacity, uint32_t elem_size)
{
    v->capacity = 0;
    v->elem_size = 0;
    if (capacity == 0 || capacity > VECTOR_CAPACITY) {
        return false;
    }
    if (elem_size == 0 || elem_size > VECTOR_CELL_SIZE) {
        return false;
    }
    memset(v->cells, 0, sizeof(v->cells));
    v->capacity = capacity;
    v->elem_size = elem_size;
    return true;
}

static bool vector_index_ok(const struct vector *v, int32_t index)
{
    return index >= 0 && index < VECTOR_CAPACITY && (uint32_t)index < v->capacity;
}

void *vector_borrow(struct vector *v, int32_t index)
{
    if (!vector_index_ok(v, index)) {
        PC_TRACE_OUTCOME("vector_borrow", 0);
        return NULL;
    }
    PC_TRACE_OUTCOME("vector_borrow", 1);
    return &v->cells[index * VECTOR_CELL_WORDS];
}

const void *vector_peek(const struct vector *v, int32_t index)
{
    if (!vector_index_ok(v, index)) {
        PC_TRACE_OUTCOME("vector_peek", 0);
        return NULL;
    }
    PC_TRACE_OUTCOME("vector_peek", 1);
    return &v->cells[index * VECTOR_CELL_WORDS];
}

uint32_t vector_capacity(const struct vector *v)
{
    return v->capacity;
}
