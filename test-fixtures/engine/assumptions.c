// Preconditions the code cannot check: /*@ assume EXPR */ before a function or as a statement.
// Paths on which EXPR is false are outside the contract; evaluating EXPR costs nothing.
#include <stdint.h>

#define N_QUEUES 4
#define N_VLANS 16

struct queue { uint32_t depth; uint32_t drops; };

struct queue queues[N_QUEUES];
uint8_t vlan_queue[N_VLANS];   /* control plane: which queue each VLAN uses */

//@ assume q->depth <= 64
static int enqueue(struct queue *q)
{
    if (q->depth == 64) {
        q->drops++;
        return -1;
    }
    q->depth++;
    return 0;
}

/*@ assume vlan < N_VLANS */
int classify(uint16_t vlan, uint8_t prio)
{
    uint8_t qid = vlan_queue[vlan];
    /*@ assume qid < N_QUEUES || qid == 0xff */
    if (qid == 0xff)
        return -2; /* VLAN not configured */
    if (prio > 5)
        qid = 0;
    return enqueue(&queues[qid]);
}
