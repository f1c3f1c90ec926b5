/*
 * ring.c - moves a burst of packet handles from an RX ring to a TX ring (single producer, single
 * consumer, power-of-two rings with free-running head and tail counters): dequeue up to the burst
 * size or what is there, then enqueue what fits and count the rest as drops.
 * Entry: unsigned ring_forward(unsigned burst); returns the number of handles moved.
 */
#include <stdint.h>

#define RING_SIZE 64u
#define RING_MASK (RING_SIZE - 1)
#define MAX_BURST 32u

struct ring {
    uint32_t head; /* next slot to write */
    uint32_t tail; /* next slot to read */
    uint32_t slot[RING_SIZE];
};

struct ring rx_ring, tx_ring;
uint64_t tx_drops;

static unsigned ring_dequeue(struct ring *r, uint32_t *objs, unsigned n)
{
    uint32_t avail = r->head - r->tail;
    if (n > avail)
        n = avail;
    for (unsigned i = 0; i < n; i++)
        objs[i] = r->slot[(r->tail + i) & RING_MASK];
    r->tail += n;
    return n;
}

static unsigned ring_enqueue(struct ring *r, const uint32_t *objs, unsigned n)
{
    uint32_t free_slots = RING_SIZE - (r->head - r->tail);
    if (n > free_slots)
        n = free_slots;
    for (unsigned i = 0; i < n; i++)
        r->slot[(r->head + i) & RING_MASK] = objs[i];
    r->head += n;
    return n;
}

unsigned ring_forward(unsigned burst)
{
    uint32_t objs[MAX_BURST];
    if (burst > MAX_BURST)
        burst = MAX_BURST;
    unsigned got = ring_dequeue(&rx_ring, objs, burst);
    if (got == 0)
        return 0;
    unsigned sent = ring_enqueue(&tx_ring, objs, got);
    tx_drops += got - sent;
    return sent;
}
