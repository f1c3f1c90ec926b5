/*
 * driver.c - runs one NF over a classic libpcap trace, one nf_process call per packet.
 *
 * Linked with the sources of exactly one NF (they define nf_init and nf_process). Two builds:
 *
 *   -DPC_MEASURE  the measured build: every packet is bracketed by CALLGRIND_ZERO_STATS and
 *                 CALLGRIND_DUMP_STATS_AT("packet N"). Run it under
 *                 valgrind --tool=callgrind --combine-dumps=yes --collect-atstart=no
 *                 --toggle-collect=nf_process so that exactly nf_process and its callees are
 *                 counted. Before the packets it takes PC_EMPTY_MEASUREMENTS empty measurements
 *                 ("empty N": zero and dump with nothing in between), whose cost the harness
 *                 subtracts. Prints one JSON line per packet with the NF's result.
 *   -DPC_TRACE    the tracing build: prints one JSON line per packet with the NF's result, the
 *                 PCV occurrences (PC_TRACE_PCV) and the data-structure call outcomes
 *                 (PC_TRACE_OUTCOME) in program order. Never measured.
 *
 * Usage: nf_driver TRACE.pcap [PORTS]
 *   `now` is the packet's pcap timestamp in nanoseconds (microsecond files are scaled).
 *   The input port of packet i is line i (from 0) of the PORTS text file, one decimal per
 *   line; without PORTS every packet arrives on port 0.
 * Exit codes: 0 success, 2 bad arguments, 3 unreadable or malformed pcap or ports file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PC_MEASURE
#include <valgrind/callgrind.h>
#endif

#define PC_EMPTY_MEASUREMENTS 3
#define PC_MAX_PACKET 65535
#define PC_MAX_EVENTS 8192

void nf_init(void);
int nf_process(uint8_t *pkt, uint16_t len, uint16_t port, uint64_t now);

/* Zero beyond the packet: the reference interpreter also sees zeros past the packet's bytes. */
static uint8_t packet[PC_MAX_PACKET + 1];

#ifdef PC_TRACE
struct pc_event {
    const char *name;
    long value;
};

static struct pc_event pcv_events[PC_MAX_EVENTS];
static struct pc_event outcome_events[PC_MAX_EVENTS];
static unsigned n_pcv_events;
static unsigned n_outcome_events;
static unsigned long dropped_events;

void pc_trace_pcv(const char *name, long value)
{
    if (n_pcv_events < PC_MAX_EVENTS) {
        pcv_events[n_pcv_events].name = name;
        pcv_events[n_pcv_events].value = value;
        n_pcv_events++;
    } else {
        dropped_events++;
    }
}

void pc_trace_outcome(const char *call, long result)
{
    if (n_outcome_events < PC_MAX_EVENTS) {
        outcome_events[n_outcome_events].name = call;
        outcome_events[n_outcome_events].value = result;
        n_outcome_events++;
    } else {
        dropped_events++;
    }
}

static void print_events(const char *key, const struct pc_event *events, unsigned count)
{
    unsigned i;

    printf(",\"%s\":[", key);
    for (i = 0; i < count; i++) {
        /* Names are C identifiers from the sources: nothing to escape. */
        printf("%s[\"%s\",%ld]", i > 0 ? "," : "", events[i].name, events[i].value);
    }
    printf("]");
}
#endif

static void fail(int code, const char *message, const char *detail)
{
    fprintf(stderr, "nf_driver: %s%s%s\n", message, detail ? ": " : "", detail ? detail : "");
    exit(code);
}

static uint32_t read_u32(const uint8_t *p, int swapped)
{
    if (swapped) {
        return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    }
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

/* Reads the next port from the ports file; 0 when there is no file. */
static uint16_t next_port(FILE *ports, unsigned long index)
{
    unsigned long value;

    if (ports == NULL) {
        return 0;
    }
    if (fscanf(ports, "%lu", &value) != 1) {
        fprintf(stderr, "nf_driver: ports file: no port for packet %lu\n", index);
        exit(3);
    }
    if (value > 0xFFFF) {
        fprintf(stderr, "nf_driver: ports file: port %lu of packet %lu is out of range\n", value, index);
        exit(3);
    }
    return (uint16_t)value;
}

int main(int argc, char **argv)
{
    FILE *trace;
    FILE *ports = NULL;
    uint8_t header[24];
    uint8_t record[16];
    uint32_t magic;
    int swapped;
    int nanoseconds;
    unsigned long index = 0;
    unsigned long previous_len = PC_MAX_PACKET;

    if (argc < 2 || argc > 3) {
        fail(2, "usage: nf_driver TRACE.pcap [PORTS]", NULL);
    }
    trace = fopen(argv[1], "rb");
    if (trace == NULL) {
        fail(3, "cannot open the pcap file", argv[1]);
    }
    if (argc == 3) {
        ports = fopen(argv[2], "r");
        if (ports == NULL) {
            fail(3, "cannot open the ports file", argv[2]);
        }
    }
    if (fread(header, 1, sizeof(header), trace) != sizeof(header)) {
        fail(3, "not a pcap file (shorter than its 24-byte header)", argv[1]);
    }
    magic = read_u32(header, 0);
    if (magic == 0xA1B2C3D4u || magic == 0xA1B23C4Du) {
        swapped = 0;
    } else if (magic == 0xD4C3B2A1u || magic == 0x4D3CB2A1u) {
        swapped = 1;
        magic = read_u32(header, 1);
    } else {
        fail(3, "not a classic pcap file (unknown magic number)", argv[1]);
        return 3;
    }
    nanoseconds = magic == 0xA1B23C4Du;

    nf_init();

#ifdef PC_MEASURE
    {
        int k;

        for (k = 0; k < PC_EMPTY_MEASUREMENTS; k++) {
            char label[32];

            snprintf(label, sizeof(label), "empty %d", k);
            CALLGRIND_ZERO_STATS;
            CALLGRIND_DUMP_STATS_AT(label);
        }
    }
#endif

    for (;;) {
        size_t got = fread(record, 1, sizeof(record), trace);
        uint32_t seconds;
        uint32_t fraction;
        uint32_t captured;
        uint64_t now;
        uint16_t port;
        int result;

        if (got == 0) {
            break;
        }
        if (got != sizeof(record)) {
            fail(3, "truncated pcap record header", argv[1]);
        }
        seconds = read_u32(record, swapped);
        fraction = read_u32(record + 4, swapped);
        captured = read_u32(record + 8, swapped);
        if (captured > PC_MAX_PACKET) {
            fail(3, "packet longer than 65535 bytes", argv[1]);
        }
        memset(packet, 0, previous_len);
        if (fread(packet, 1, captured, trace) != captured) {
            fail(3, "truncated pcap packet data", argv[1]);
        }
        previous_len = captured;
        now = (uint64_t)seconds * 1000000000u + (uint64_t)fraction * (nanoseconds ? 1u : 1000u);
        port = next_port(ports, index);

#ifdef PC_MEASURE
        {
            char label[40];

            snprintf(label, sizeof(label), "packet %lu", index);
            CALLGRIND_ZERO_STATS;
            result = nf_process(packet, (uint16_t)captured, port, now);
            CALLGRIND_DUMP_STATS_AT(label);
        }
        printf("{\"index\":%lu,\"result\":%d}\n", index, result);
#else
#ifdef PC_TRACE
        n_pcv_events = 0;
        n_outcome_events = 0;
        dropped_events = 0;
#endif
        result = nf_process(packet, (uint16_t)captured, port, now);
        printf("{\"index\":%lu,\"port\":%u,\"len\":%lu,\"now\":\"%llu\",\"result\":%d", index, (unsigned)port,
               (unsigned long)captured, (unsigned long long)now, result);
#ifdef PC_TRACE
        print_events("pcvs", pcv_events, n_pcv_events);
        print_events("outcomes", outcome_events, n_outcome_events);
        if (dropped_events > 0) {
            printf(",\"droppedEvents\":%lu", dropped_events);
        }
#endif
        printf("}\n");
#endif
        index++;
    }
    fclose(trace);
    if (ports != NULL) {
        fclose(ports);
    }
    return 0;
}
