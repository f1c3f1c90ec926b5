/*
 * lpm.c - binary-trie longest-prefix match (see lpm.h).
 */
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include "lpm.h"
#include "pc_trace.h"

void lpm_init(struct lpm *t)
{
    memset(t->nodes, 0, sizeof(t->nodes));
    t->nodes[0].next_hop = LPM_NO_ROUTE;
    t->n_nodes = 1;
}

bool lpm_add(struct lpm *t, uint32_t prefix, uint8_t depth, int16_t next_hop)
{
    uint32_t node = 0;
    uint32_t level;

    if (depth > 32) {
        return false;
    }
    /*@ pcv l "prefix length steps" */
    for (level = 0; level < 32; level++) {
        uint32_t bit;
        uint32_t child;

        if (level >= depth) {
            break;
        }
        bit = (prefix >> (31 - level)) & 1u;
        child = t->nodes[node].child[bit];
        if (child == 0) {
            if (t->n_nodes >= LPM_MAX_NODES) {
                return false;
            }
            child = t->n_nodes++;
            t->nodes[child].child[0] = 0;
            t->nodes[child].child[1] = 0;
            t->nodes[child].next_hop = LPM_NO_ROUTE;
            t->nodes[node].child[bit] = (uint16_t)child;
        }
        node = child;
    }
    PC_TRACE_PCV("l", level < 32 ? level + 1 : level);
    t->nodes[node].next_hop = next_hop;
    return true;
}

int lpm_lookup(const struct lpm *t, uint32_t addr)
{
    uint32_t node = 0;
    uint32_t level;
    int best = t->nodes[0].next_hop;          /* default route, if any */

    /*@ pcv l "prefix length steps" */
    for (level = 0; level < 32; level++) {
        uint32_t bit = (addr >> (31 - level)) & 1u;
        uint32_t child = t->nodes[node].child[bit];

        if (child == 0) {
            break;                            /* no longer prefix can match */
        }
        node = child;
        if (t->nodes[node].next_hop != LPM_NO_ROUTE) {
            /*@ count r "trie steps into a node that holds a route" */
            best = t->nodes[node].next_hop;
        }
    }
    PC_TRACE_PCV("l", level < 32 ? level + 1 : level);
    PC_TRACE_OUTCOME("lpm_lookup", best);
    return best;
}
