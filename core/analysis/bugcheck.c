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
	{ 0x000000C2, "BAD_POOL_CALLER", "a thread made a bad pool request" },
	{ 0x000000C4, "DRIVER_VERIFIER_DETECTED_VIOLATION", "Driver Verifier caught a driver error" },
	{ 0x000000C5, "DRIVER_CORRUPTED_EXPOOL",
	  "the system touched invalid memory at a high IRQL: usually a driver corrupted the pool" },
	{ 0x000000D1, "DRIVER_IRQL_NOT_LESS_OR_EQUAL",
	  "a driver touched pageable or invalid memory at too high an IRQL" },
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
