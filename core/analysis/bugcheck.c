/* Names and short meanings of common bug checks, in Microsoft's bug check
 * code reference wording, plus the signatures of doc/scenarios.md §2. */
#include "core/analysis/bugcheck.h"

#include <stddef.h>

static const struct bugcheck_info table[] = {
	{ 0x0000000A, "IRQL_NOT_LESS_OR_EQUAL",
	  "kernel-mode code touched pageable or invalid memory at too high an IRQL (a driver bug)" },
	{ 0x0000001A, "MEMORY_MANAGEMENT", "a severe memory management error" },
	{ 0x0000001E, "KMODE_EXCEPTION_NOT_HANDLED",
	  "a kernel-mode program raised an exception the error handler did not catch" },
	{ 0x00000019, "BAD_POOL_HEADER", "a pool header is corrupt" },
	{ 0x00000024, "NTFS_FILE_SYSTEM", "a problem in ntfs.sys" },
	{ 0x0000002B, "PANIC_STACK_SWITCH",
	  "the kernel ran out of stack space: usually a driver using too much kernel stack" },
	{ 0x0000003B, "SYSTEM_SERVICE_EXCEPTION",
	  "an exception while executing a routine that transitions from user to kernel code" },
	{ 0x00000041, "MUST_SUCCEED_POOL_EMPTY", "a must-succeed pool allocation failed" },
	{ 0x00000050, "PAGE_FAULT_IN_NONPAGED_AREA", "invalid system memory was referenced" },
	{ 0x0000007E, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED",
	  "a system thread raised an exception the error handler did not catch" },
	{ 0x0000007F, "UNEXPECTED_KERNEL_MODE_TRAP",
	  "the CPU raised a trap the kernel did not catch (parameter 1 is the trap number)" },
	{ 0x0000008E, "KERNEL_MODE_EXCEPTION_NOT_HANDLED",
	  "a kernel-mode application raised an exception the error handler did not catch" },
	{ 0x0000009F, "DRIVER_POWER_STATE_FAILURE", "a driver is in an inconsistent power state" },
	{ 0x000000BE, "ATTEMPTED_WRITE_TO_READONLY_MEMORY", "a driver wrote to read-only memory" },
	{ 0x000000C1, "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION",
	  "a driver wrote to a part of a special pool page it was not given" },
	{ 0x000000C2, "BAD_POOL_CALLER", "a thread made a bad pool request" },
	{ 0x000000C4, "DRIVER_VERIFIER_DETECTED_VIOLATION", "Driver Verifier caught a driver error" },
	{ 0x000000C5, "DRIVER_CORRUPTED_EXPOOL",
	  "the system touched invalid memory at a high IRQL: usually a driver corrupted the pool" },
	{ 0x000000CC, "PAGE_FAULT_IN_FREED_SPECIAL_POOL",
	  "the system referenced special pool memory that was freed earlier" },
	{ 0x000000D1, "DRIVER_IRQL_NOT_LESS_OR_EQUAL",
	  "a driver touched pageable or invalid memory at too high an IRQL" },
	{ 0x000000D5, "DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL",
	  "a driver referenced special pool memory that was freed earlier" },
	{ 0x000000D6, "DRIVER_PAGE_FAULT_BEYOND_END_OF_ALLOCATION",
	  "a driver accessed memory beyond the end of its special pool allocation" },
	{ 0x000000E2, "MANUALLY_INITIATED_CRASH", "the user started the crash deliberately" },
	{ 0x000000EF, "CRITICAL_PROCESS_DIED", "a critical system process died" },
	{ 0x00000101, "CLOCK_WATCHDOG_TIMEOUT", "a processor stopped answering clock interrupts" },
	{ 0x00000133, "DPC_WATCHDOG_VIOLATION", "a DPC ran too long, or the system spent too long at DISPATCH_LEVEL" },
	{ 0x00000139, "KERNEL_SECURITY_CHECK_FAILURE", "the kernel detected corruption of a critical data structure" },
	{ 0x00000144, "BUGCODE_USB3_DRIVER", "a USB 3 driver error" },
	{ 0x00000161, "LIVE_SYSTEM_DUMP", "a live dump of a running system (no crash)" },
	{ 0x000001C8, "MANUALLY_INITIATED_POWER_BUTTON_HOLD", "the power button was held to crash the system" },
	{ 0xDEADDEAD, "MANUALLY_INITIATED_CRASH1", "the user started the crash deliberately" },
};

const struct bugcheck_info *bugcheck_lookup(uint32_t code)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].code == code)
			return &table[i];
	return NULL;
}

#define STATUS_ACCESS_VIOLATION 0xC0000005u
#define EXCEPTION_DOUBLE_FAULT 8u

const char *bugcheck_signature(uint32_t code, const uint64_t params[4])
{
	switch (code) {
	case 0x7F:
		if (params[0] == EXCEPTION_DOUBLE_FAULT)
			return "double fault (EXCEPTION_DOUBLE_FAULT): usually a kernel stack "
			       "overflow; check thread stack usage";
		return NULL;
	case 0x2B:
		return "panic stack switch: a kernel stack overflowed; check thread stack usage";
	case 0x1E:
	case 0x7E:
	case 0x8E:
		if ((uint32_t)params[0] == STATUS_ACCESS_VIOLATION)
			return "access violation (STATUS_ACCESS_VIOLATION): a bad pointer, or a "
			       "kernel stack overflow running into its guard page";
		return NULL;
	default:
		return NULL;
	}
}

/* Rows of Microsoft's bug check reference: the subcode, what it means,
 * what parameters 2 to 4 (0xC4) or 1 to 3 (0xC1) are. */
struct subcode {
	uint64_t code;
	const char *cause;
	const char *params[3];
	enum bugcheck_arg kinds[3];
};

#define V BUGCHECK_ARG_VALUE
#define P BUGCHECK_ARG_POOL
#define A BUGCHECK_ARG_ADDRESS

static const struct subcode verifier_c4[] = {
	{ 0x00, "the driver requested a zero-byte pool allocation",
	  { "current IRQL", "pool type", "number of bytes" }, { V, V, V } },
	{ 0x01, "the driver allocated paged pool at IRQL above APC_LEVEL",
	  { "current IRQL", "pool type", "size of the allocation" }, { V, V, V } },
	{ 0x02, "the driver allocated nonpaged pool at IRQL above DISPATCH_LEVEL",
	  { "current IRQL", "pool type", "size of the allocation" }, { V, V, V } },
	{ 0x10, "the driver freed an address no allocation returned",
	  { "bad address", NULL, NULL }, { A, V, V } },
	{ 0x11, "the driver freed paged pool at IRQL above APC_LEVEL",
	  { "current IRQL", "pool type", "pool address" }, { V, V, P } },
	{ 0x12, "the driver freed nonpaged pool at IRQL above DISPATCH_LEVEL",
	  { "current IRQL", "pool type", "pool address" }, { V, V, P } },
	{ 0x13, "the driver freed pool that was already freed",
	  { NULL, "pool header", "pool header contents" }, { V, P, V } },
	{ 0x14, "the driver freed pool that was already freed",
	  { NULL, "pool header", "pool header contents" }, { V, P, V } },
	{ 0x15, "the pool being freed holds an active timer",
	  { "timer entry", "pool type", "pool address being freed" }, { A, V, P } },
	{ 0x62, "a driver unloaded without freeing its pool allocations",
	  { "name of the driver", "verifier's entry for the driver",
	    "allocations not freed (paged and nonpaged)" },
	  { BUGCHECK_ARG_DRIVER_NAME, A, V } },
};

static const struct subcode special_c1[] = {
	{ 0x20, "a driver freed special pool that was not allocated",
	  { "address being freed", NULL, NULL }, { P, V, V } },
	{ 0x21, "a driver freed a bad address (the size does not match the page)",
	  { "address being freed", "bytes requested", "bytes given to the caller" }, { P, V, V } },
	{ 0x22, "a driver freed a bad address (the size does not match the page)",
	  { "address being freed", "bytes requested", "bytes given to the caller" }, { P, V, V } },
	{ 0x23, "a driver freed an address, but bytes before it in the page were overwritten",
	  { "address being freed", "address of the corrupted bytes", NULL }, { P, A, V } },
	{ 0x24, "a driver freed an address, but bytes after the end of the allocation were "
		"overwritten",
	  { "address being freed", "address of the corrupted bytes", NULL }, { P, A, V } },
	{ 0x30, "a driver allocated special pool at a bad IRQL",
	  { "current IRQL", "pool type", "number of bytes" }, { V, V, V } },
	{ 0x31, "a driver freed special pool at a bad IRQL",
	  { "current IRQL", "pool type", "address being freed" }, { V, V, P } },
};

static const struct subcode *find(const struct subcode *t, size_t n, uint64_t code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return &t[i];
	return NULL;
}

bool bugcheck_decode(uint32_t code, const uint64_t params[4], struct bugcheck_decoding *out)
{
	*out = (struct bugcheck_decoding){ 0 };
	const struct subcode *s;
	switch (code) {
	case 0xC4:
		if (!(s = find(verifier_c4, sizeof verifier_c4 / sizeof verifier_c4[0], params[0])))
			return false;
		out->cause = s->cause;
		out->params[0] = "subcode";
		for (int i = 0; i < 3; i++) {
			out->params[i + 1] = s->params[i];
			out->kinds[i + 1] = s->kinds[i];
		}
		return true;
	case 0xC1:
		if (!(s = find(special_c1, sizeof special_c1 / sizeof special_c1[0], params[3])))
			return false;
		out->cause = s->cause;
		for (int i = 0; i < 3; i++) {
			out->params[i] = s->params[i];
			out->kinds[i] = s->kinds[i];
		}
		out->params[3] = "subcode";
		return true;
	case 0xD5:
	case 0xD6:
		out->cause = code == 0xD5 ? "a driver referenced special pool memory freed earlier" :
			     "a driver accessed memory beyond the end of its allocation";
		out->params[0] = "memory referenced";
		out->kinds[0] = P;
		out->params[1] = "0: read, 1: write";
		out->params[2] = "address of the instruction that referenced it, if known";
		out->kinds[2] = A;
		return true;
	default:
		return false;
	}
}
