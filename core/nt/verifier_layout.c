/* The _MM_DRIVER_VERIFIER_DATA layouts, per build: small const tables
 * rather than columns of data/layouts/, because the fields are listed under
 * their PDB names and their set differs from build to build. Looked up by
 * the profile's name, so a --layout patched copy keeps its build's table;
 * win7-x64-2016 has none yet (no source cited for its layout). */
#include <string.h>

#include "core/nt/profile.h"

/* _MM_DRIVER_VERIFIER_DATA: every ULONG and ULONGLONG field, Level first,
 * as the PDB names them (Vergilius Project data, novafacing/vergilius-rs
 * headers/bindings-BUILD.h for the build in each comment). */
/* 5.1.2600.5512-x86 */
static const struct prof_verifier_field verifier_xp_x86[] = {
	{ "Level", 0x0, 4 }, { "RaiseIrqls", 0x4, 4 }, { "AcquireSpinLocks", 0x8, 4 },
	{ "SynchronizeExecutions", 0xc, 4 }, { "AllocationsAttempted", 0x10, 4 },
	{ "AllocationsSucceeded", 0x14, 4 }, { "AllocationsSucceededSpecialPool", 0x18, 4 },
	{ "AllocationsWithNoTag", 0x1c, 4 }, { "TrimRequests", 0x20, 4 }, { "Trims", 0x24, 4 },
	{ "AllocationsFailed", 0x28, 4 }, { "AllocationsFailedDeliberately", 0x2c, 4 },
	{ "Loads", 0x30, 4 }, { "Unloads", 0x34, 4 }, { "UnTrackedPool", 0x38, 4 },
	{ "UserTrims", 0x3c, 4 }, { "CurrentPagedPoolAllocations", 0x40, 4 },
	{ "CurrentNonPagedPoolAllocations", 0x44, 4 }, { "PeakPagedPoolAllocations", 0x48, 4 },
	{ "PeakNonPagedPoolAllocations", 0x4c, 4 }, { "PagedBytes", 0x50, 4 },
	{ "NonPagedBytes", 0x54, 4 }, { "PeakPagedBytes", 0x58, 4 }, { "PeakNonPagedBytes", 0x5c, 4 },
	{ "BurstAllocationsFailedDeliberately", 0x60, 4 }, { "SessionTrims", 0x64, 4 },
	{ NULL, 0, 0 },
};
/* 6.1.7601.17514-x86 */
static const struct prof_verifier_field verifier_7_x86[] = {
	{ "Level", 0x0, 4 }, { "RaiseIrqls", 0x4, 4 }, { "AcquireSpinLocks", 0x8, 4 },
	{ "SynchronizeExecutions", 0xc, 4 }, { "AllocationsAttempted", 0x10, 4 },
	{ "AllocationsSucceeded", 0x14, 4 }, { "AllocationsSucceededSpecialPool", 0x18, 4 },
	{ "AllocationsWithNoTag", 0x1c, 4 }, { "TrimRequests", 0x20, 4 }, { "Trims", 0x24, 4 },
	{ "AllocationsFailed", 0x28, 4 }, { "AllocationsFailedDeliberately", 0x2c, 4 },
	{ "Loads", 0x30, 4 }, { "Unloads", 0x34, 4 }, { "UnTrackedPool", 0x38, 4 },
	{ "UserTrims", 0x3c, 4 }, { "CurrentPagedPoolAllocations", 0x40, 4 },
	{ "CurrentNonPagedPoolAllocations", 0x44, 4 }, { "PeakPagedPoolAllocations", 0x48, 4 },
	{ "PeakNonPagedPoolAllocations", 0x4c, 4 }, { "PagedBytes", 0x50, 4 },
	{ "NonPagedBytes", 0x54, 4 }, { "PeakPagedBytes", 0x58, 4 }, { "PeakNonPagedBytes", 0x5c, 4 },
	{ "BurstAllocationsFailedDeliberately", 0x60, 4 }, { "SessionTrims", 0x64, 4 },
	{ "OptionChanges", 0x68, 4 }, { "VerifyMode", 0x6c, 4 }, { "ActivityCounter", 0x78, 4 },
	{ "PreviousActivityCounter", 0x7c, 4 }, { "WorkerTrimRequests", 0x80, 4 },
	{ NULL, 0, 0 },
};
/* 6.1.7601.17514-x64 */
static const struct prof_verifier_field verifier_7_x64[] = {
	{ "Level", 0x0, 4 }, { "RaiseIrqls", 0x4, 4 }, { "AcquireSpinLocks", 0x8, 4 },
	{ "SynchronizeExecutions", 0xc, 4 }, { "AllocationsAttempted", 0x10, 4 },
	{ "AllocationsSucceeded", 0x14, 4 }, { "AllocationsSucceededSpecialPool", 0x18, 4 },
	{ "AllocationsWithNoTag", 0x1c, 4 }, { "TrimRequests", 0x20, 4 }, { "Trims", 0x24, 4 },
	{ "AllocationsFailed", 0x28, 4 }, { "AllocationsFailedDeliberately", 0x2c, 4 },
	{ "Loads", 0x30, 4 }, { "Unloads", 0x34, 4 }, { "UnTrackedPool", 0x38, 4 },
	{ "UserTrims", 0x3c, 4 }, { "CurrentPagedPoolAllocations", 0x40, 4 },
	{ "CurrentNonPagedPoolAllocations", 0x44, 4 }, { "PeakPagedPoolAllocations", 0x48, 4 },
	{ "PeakNonPagedPoolAllocations", 0x4c, 4 }, { "PagedBytes", 0x50, 8 },
	{ "NonPagedBytes", 0x58, 8 }, { "PeakPagedBytes", 0x60, 8 }, { "PeakNonPagedBytes", 0x68, 8 },
	{ "BurstAllocationsFailedDeliberately", 0x70, 4 }, { "SessionTrims", 0x74, 4 },
	{ "OptionChanges", 0x78, 4 }, { "VerifyMode", 0x7c, 4 }, { "ActivityCounter", 0x90, 4 },
	{ "PreviousActivityCounter", 0x94, 4 }, { "WorkerTrimRequests", 0x98, 4 },
	{ NULL, 0, 0 },
};
/* 10.0.19045.2965-x64 */
static const struct prof_verifier_field verifier_10_x64[] = {
	{ "Level", 0x0, 4 }, { "RaiseIrqls", 0x4, 4 }, { "AcquireSpinLocks", 0x8, 4 },
	{ "SynchronizeExecutions", 0xc, 4 }, { "AllocationsAttempted", 0x10, 4 },
	{ "AllocationsSucceeded", 0x14, 4 }, { "AllocationsSucceededSpecialPool", 0x18, 4 },
	{ "AllocationsWithNoTag", 0x1c, 4 }, { "TrimRequests", 0x20, 4 }, { "Trims", 0x24, 4 },
	{ "AllocationsFailed", 0x28, 4 }, { "AllocationsFailedDeliberately", 0x2c, 4 },
	{ "Loads", 0x30, 4 }, { "Unloads", 0x34, 4 }, { "UnTrackedPool", 0x38, 4 },
	{ "UserTrims", 0x3c, 4 }, { "CurrentPagedPoolAllocations", 0x40, 4 },
	{ "CurrentNonPagedPoolAllocations", 0x44, 4 }, { "PeakPagedPoolAllocations", 0x48, 4 },
	{ "PeakNonPagedPoolAllocations", 0x4c, 4 }, { "PagedBytes", 0x50, 8 },
	{ "NonPagedBytes", 0x58, 8 }, { "PeakPagedBytes", 0x60, 8 }, { "PeakNonPagedBytes", 0x68, 8 },
	{ "BurstAllocationsFailedDeliberately", 0x70, 4 }, { "SessionTrims", 0x74, 4 },
	{ "OptionChanges", 0x78, 4 }, { "VerifyMode", 0x7c, 4 }, { "ExecutePoolTypes", 0x90, 4 },
	{ "ExecutePageProtections", 0x94, 4 }, { "ExecutePageMappings", 0x98, 4 },
	{ "ExecuteWriteSections", 0x9c, 4 }, { "SectionAlignmentFailures", 0xa0, 4 },
	{ "IATInExecutableSection", 0xa4, 4 },
	{ NULL, 0, 0 },
};

static const struct {
	const char *profile;
	const struct prof_verifier_field *fields;
} verifier_layouts[] = {
	{ "xp-x86", verifier_xp_x86 },
	{ "win7-x86-pae", verifier_7_x86 },
	{ "win7-x64", verifier_7_x64 },
	{ "win10-x64", verifier_10_x64 },
};

const struct prof_verifier_field *verifier_layout(const struct profile *p)
{
	if (!p)
		return NULL;
	for (size_t i = 0; i < sizeof verifier_layouts / sizeof verifier_layouts[0]; i++)
		if (strcmp(verifier_layouts[i].profile, p->name) == 0)
			return verifier_layouts[i].fields;
	return NULL;
}
