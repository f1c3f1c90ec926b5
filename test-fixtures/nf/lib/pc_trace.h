/* PCV and outcome tracing for the measurement harness.
 *
 * Built with -DPC_TRACE (the tracing build only), every PC_TRACE_PCV(name, value) records one
 * occurrence of the performance-critical variable `name` with its value for the current packet
 * (for a loop: its iteration count, recorded once after the loop), in program order, and every
 * PC_TRACE_OUTCOME(call, result) records the result of one data-structure call. The functions
 * are defined by the measurement driver. Without PC_TRACE (the measured build and the analysed
 * sources) the macros expand to nothing that costs. */
#ifndef PC_TRACE_H
#define PC_TRACE_H

#ifdef PC_TRACE
void pc_trace_pcv(const char *name, long value);
void pc_trace_outcome(const char *call, long result);
#define PC_TRACE_PCV(name, value) pc_trace_pcv((name), (long)(value))
#define PC_TRACE_OUTCOME(call, result) pc_trace_outcome((call), (long)(result))
#else
#define PC_TRACE_PCV(name, value) ((void)0)
#define PC_TRACE_OUTCOME(call, result) ((void)0)
#endif

#endif
