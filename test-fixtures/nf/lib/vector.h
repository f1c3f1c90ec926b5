/*
 * vector.h - fixed-capacity vector of fixed-size cells.
 *
 * The storage is inline in struct vector (so an NF declares the vector as a
 * file-scope global), VECTOR_CAPACITY cells of VECTOR_CELL_SIZE bytes each.
 * A vector is set up for its element type with vector_init, which checks that
 * the type fits in a cell and how many cells are used (at most
 * VECTOR_CAPACITY). Cells are accessed in place: vector_borrow returns a
 * pointer to a cell, which stays valid until the next vector_init.
 */
#ifndef NF_VECTOR_H
#define NF_VECTOR_H

#include <stdint.h>
#include <stdbool.h>

#define VECTOR_CAPACITY   1024
#define VECTOR_CELL_SIZE  32                     /* bytes, a multiple of 8 */
#define VECTOR_CELL_WORDS (VECTOR_CELL_SIZE / 8)

struct vector {
    /* uint64_t storage keeps every cell 8-byte aligned for any element type. */
    uint64_t cells[VECTOR_CAPACITY * VECTOR_CELL_WORDS];
    uint32_t capacity;                           /* cells in use, <= VECTOR_CAPACITY */
    uint32_t elem_size;                          /* size of the element type, <= VECTOR_CELL_SIZE */
};

/*
 * Zero-fills the first capacity cells. Returns false (and leaves the vector
 * empty) if capacity is 0 or above VECTOR_CAPACITY, or elem_size is 0 or
 * above VECTOR_CELL_SIZE.
 */
bool vector_init(struct vector *v, uint32_t capacity, uint32_t elem_size);

/* Pointer to cell index, or NULL if index is outside 0..capacity-1. */
void *vector_borrow(struct vector *v, int32_t index);

/* Read-only variant of vector_borrow. */
const void *vector_peek(const struct vector *v, int32_t index);

uint32_t vector_capacity(const struct vector *v);

#endif /* NF_VECTOR_H */
