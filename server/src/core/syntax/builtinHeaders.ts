// Models of the system headers the analysis understands, written as C so the same front-end reads them.
//
// Only declarations that matter for cost are here: the integer typedefs, limits, byte-order helpers
// (given real bodies, so their cost is counted) and the memory intrinsics memcpy/memset/memcmp,
// which the engine executes directly (see the cost model).

const STDINT = `
typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long int64_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long uint64_t;
typedef long intptr_t;
typedef unsigned long uintptr_t;
typedef long intmax_t;
typedef unsigned long uintmax_t;
typedef signed char int_least8_t;
typedef short int_least16_t;
typedef int int_least32_t;
typedef long int_least64_t;
typedef unsigned char uint_least8_t;
typedef unsigned short uint_least16_t;
typedef unsigned int uint_least32_t;
typedef unsigned long uint_least64_t;
typedef signed char int_fast8_t;
typedef long int_fast16_t;
typedef long int_fast32_t;
typedef long int_fast64_t;
typedef unsigned char uint_fast8_t;
typedef unsigned long uint_fast16_t;
typedef unsigned long uint_fast32_t;
typedef unsigned long uint_fast64_t;
#define INT8_MIN (-128)
#define INT16_MIN (-32767-1)
#define INT32_MIN (-2147483647-1)
#define INT64_MIN (-9223372036854775807L-1)
#define INT8_MAX 127
#define INT16_MAX 32767
#define INT32_MAX 2147483647
#define INT64_MAX 9223372036854775807L
#define UINT8_MAX 255
#define UINT16_MAX 65535
#define UINT32_MAX 4294967295U
#define UINT64_MAX 18446744073709551615UL
#define SIZE_MAX 18446744073709551615UL
`;

const STDDEF = `
typedef unsigned long size_t;
typedef long ptrdiff_t;
#define NULL ((void *)0)
#define offsetof(type, member) __builtin_offsetof(type, member)
`;

const STDBOOL = `
#define bool _Bool
#define true 1
#define false 0
`;

const STRING = `
#include <stddef.h>
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
`;

const LIMITS = `
#define CHAR_BIT 8
#define SCHAR_MIN (-128)
#define SCHAR_MAX 127
#define UCHAR_MAX 255
#define CHAR_MIN (-128)
#define CHAR_MAX 127
#define SHRT_MIN (-32768)
#define SHRT_MAX 32767
#define USHRT_MAX 65535
#define INT_MIN (-2147483647-1)
#define INT_MAX 2147483647
#define UINT_MAX 4294967295U
#define LONG_MIN (-9223372036854775807L-1)
#define LONG_MAX 9223372036854775807L
#define ULONG_MAX 18446744073709551615UL
`;

const BYTE_ORDER = `
#include <stdint.h>
static inline uint16_t htons(uint16_t x) { return (uint16_t)((x << 8) | (x >> 8)); }
static inline uint16_t ntohs(uint16_t x) { return (uint16_t)((x << 8) | (x >> 8)); }
static inline uint32_t htonl(uint32_t x) {
  return ((x & 0xffU) << 24) | ((x & 0xff00U) << 8) | ((x >> 8) & 0xff00U) | (x >> 24);
}
static inline uint32_t ntohl(uint32_t x) {
  return ((x & 0xffU) << 24) | ((x & 0xff00U) << 8) | ((x >> 8) & 0xff00U) | (x >> 24);
}
`;

const STDLIB = `
#include <stddef.h>
void abort(void);
void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void free(void *pointer);
`;

const STDIO = `
#include <stddef.h>
int printf(const char *format, ...);
`;

const HEADERS: Record<string, string> = {
  'stdint.h': STDINT,
  'inttypes.h': '#include <stdint.h>\n',
  'stddef.h': STDDEF,
  'stdbool.h': STDBOOL,
  'string.h': STRING,
  'limits.h': LIMITS,
  'arpa/inet.h': BYTE_ORDER,
  'netinet/in.h': BYTE_ORDER,
  'endian.h': '#include <stdint.h>\n',
  'stdlib.h': STDLIB,
  'stdio.h': STDIO,
  'assert.h': '#define assert(e) ((void)0)\n',
};

/** Text of a modelled system header, or undefined when the header is not modelled. */
export function builtinHeader(name: string): string | undefined {
  return HEADERS[name];
}

/** Virtual path under which a builtin header's declarations are reported. */
export function builtinHeaderPath(name: string): string {
  return `<builtin>/${name}`;
}

/** Functions the engine and the interpreter execute directly. */
export const INTRINSICS: ReadonlySet<string> = new Set(['memcpy', 'memset', 'memcmp']);
