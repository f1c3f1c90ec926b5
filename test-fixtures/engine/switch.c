/* Tests switch statements with fall-through, default, and break. */
#include <stdint.h>

int switch_entry(uint8_t opcode, uint8_t arg)
{
    int acc = 0;

    switch (opcode) {
    case 0:
        /* Nothing to do; break immediately. */
        break;
    case 1:
        acc += 1;
        /* fall through */
    case 2:
        acc += 2;
        /* fall through */
    case 3:
        acc += 4;
        break;
    case 4:
    case 5:
    case 6:
        /* Several labels sharing one body. */
        acc = arg;
        break;
    case 10:
        /* Nested if inside a case with an early break. */
        if (arg == 0) {
            break;
        }
        acc = 100 / arg;
        break;
    default:
        acc = -1;
        break;
    }

    /* A second switch with default in the middle and fall-through into it. */
    switch (arg & 3) {
    case 0:
        acc += 10;
        break;
    default:
        acc += 20;
        /* fall through */
    case 3:
        acc += 30;
        break;
    }

    return acc;
}
