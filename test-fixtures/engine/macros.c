/* Tests preprocessor support: object-like and function-like macros, #ifdef/#else feature selection, and #if with arithmetic. */
#include <stdint.h>

#define HDR_LEN       14
#define MAX_PAYLOAD   (1500 - 20)
#define MIN(a, b)     ((a) < (b) ? (a) : (b))
#define MAX(a, b)     ((a) > (b) ? (a) : (b))
#define IS_ODD(x)     (((x) & 1) != 0)

/* Toggle FEATURE_X with -DFEATURE_X; the default build leaves it undefined. */
/* #define FEATURE_X */

#define VERSION_MAJOR 2
#define VERSION_MINOR 5

#if (VERSION_MAJOR * 100 + VERSION_MINOR) >= 205
#  define USE_FAST_PATH 1
#elif VERSION_MAJOR == 1
#  define USE_FAST_PATH 0
#else
#  define USE_FAST_PATH 0
#endif

#ifndef BURST_SIZE
#  define BURST_SIZE 4
#endif

/* defined() combined with an integer comparison. */
#if defined(FEATURE_X) && BURST_SIZE > 2
#  define EXTRA_COST 2
#else
#  define EXTRA_COST 0
#endif

static int feature_cost(uint16_t v)
{
#ifdef FEATURE_X
    /* Feature build: extra check on odd values. */
    if (IS_ODD(v)) {
        return 7;
    }
    return 3;
#else
    /* Default build: no branch (v >> 15 is 0 or 1). */
    return 1 + (v >> 15);
#endif
}

int macros_entry(uint16_t len, uint16_t a, uint16_t b)
{
    int r;

    if (len < HDR_LEN) {
        return -1;
    }

    r = MIN(len - HDR_LEN, MAX_PAYLOAD);
    r += MAX(a, b);
    r += feature_cost(a) + EXTRA_COST;

#if USE_FAST_PATH
    r += BURST_SIZE;
#else
    r -= BURST_SIZE;
#endif

    return r;
}
