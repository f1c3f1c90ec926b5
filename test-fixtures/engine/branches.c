/* Tests nested if/else on parameters and early returns (each return is a distinct path). */
#include <stdint.h>

/* Classifies a value into a bucket; three early returns plus a fall-through. */
static int bucket(uint32_t v)
{
    if (v == 0) {
        return 0;
    }
    if (v < 16) {
        return 1;
    }
    if (v < 256) {
        return 2;
    }
    return 3;
}

int branches_entry(uint32_t a, uint32_t b, int flag)
{
    int cost = 0;

    /* Early return before any other work. */
    if (flag < 0) {
        return -1;
    }

    if (a > b) {
        if (a - b > 100) {
            cost = 10;
        } else if (a - b > 10) {
            cost = 5;
        } else {
            cost = 1;
        }
    } else {
        if (flag) {
            /* Early return from inside a nested branch. */
            if (b == 0) {
                return -2;
            }
            cost = 20;
        } else {
            cost = 30;
        }
    }

    return cost + bucket(a);
}
