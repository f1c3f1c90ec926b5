/*
 * lpm.h - IPv4 longest-prefix match on a binary trie.
 *
 * Nodes live in a fixed pool inside struct lpm (node 0 is the root); a
 * child index of 0 means "no child" since the root is nobody's child.
 * Lookup walks one address bit per step, at most 32 steps.
 */
#ifndef NF_LPM_H
#define NF_LPM_H

#include <stdint.h>
#include <stdbool.h>

#define LPM_MAX_NODES   4096
#define LPM_NO_ROUTE    (-1)

struct lpm_node {
    uint16_t child[2];
    int16_t next_hop;         /* LPM_NO_ROUTE when no prefix ends here */
    uint16_t pad;
};

struct lpm {
    struct lpm_node nodes[LPM_MAX_NODES];
    uint32_t n_nodes;
};

void lpm_init(struct lpm *t);

/* addr in host order. Returns false when the node pool is exhausted. */
bool lpm_add(struct lpm *t, uint32_t prefix, uint8_t depth, int16_t next_hop);

/* addr in host order. Returns the next hop of the longest match, or LPM_NO_ROUTE. */
int lpm_lookup(const struct lpm *t, uint32_t addr);

#endif /* NF_LPM_H */
