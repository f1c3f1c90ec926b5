/* Tests arrays: a global const lookup table indexed by a masked input byte, a 2-D array, and a local array whose address is taken. */
#include <stdint.h>

#define TABLE_SIZE 16

/* Cost per traffic class; the index is always masked to TABLE_SIZE - 1. */
static const uint8_t class_cost[TABLE_SIZE] = {
    1, 2, 3, 4, 5, 6, 7, 8,
    8, 7, 6, 5, 4, 3, 2, 1
};

/* 2-D table: [direction][protocol-class]. */
static const uint16_t weight[2][4] = {
    { 10, 20, 30, 40 },
    { 15, 25, 35, 45 }
};

/* Fills the caller's array through a pointer (the address of a local array). */
static void fill(uint8_t *dst, uint8_t seed)
{
    int i;
    for (i = 0; i < 4; i++) {
        dst[i] = (uint8_t)(seed + i);
    }
}

int arrays_entry(uint8_t idx, uint8_t dir, uint8_t proto)
{
    uint8_t local[4];
    uint8_t *p = &local[0];
    int r;

    r = class_cost[idx & (TABLE_SIZE - 1)];
    r += weight[dir & 1][proto & 3];

    fill(local, idx);
    /* Read back through a pointer into the local array. */
    r += p[3] - p[0];           /* always 3 (mod-256 wrap aside) */

    /* Local 2-D array. */
    {
        int grid[2][2];
        grid[0][0] = 1;
        grid[0][1] = 2;
        grid[1][0] = 3;
        grid[1][1] = 4;
        r += grid[dir & 1][proto & 1];
    }

    return r;
}
