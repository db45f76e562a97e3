#include "core/nt/pdb_type.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/nt/kdbg.h"

/* _KDDEBUGGER_DATA64: its offsets are the same on every build (kdbg.h),
 * only the block's size grows; the names are wdbgexts.h's. Size 0 is the
 * PaeEnabled bit. */
#define KDBG_TYPE "_KDDEBUGGER_DATA64"
static const struct kdbg_member {
	unsigned offset, size;
	const char *name;
} kdbg_members[] = {
	{ KDBG_OWNERTAG, 4, "Header.OwnerTag" },
	{ KDBG_SIZE, 4, "Header.Size" },
	{ KDBG_KERNBASE, 8, "KernBase" },
	{ KDBG_FLAGS, 0, "PaeEnabled" },
	{ KDBG_PS_LOADED_MODULE_LIST, 8, "PsLoadedModuleList" },
	{ KDBG_PS_ACTIVE_PROCESS_HEAD, 8, "PsActiveProcessHead" },
	{ KDBG_PSP_CID_TABLE, 8, "PspCidTable" },
	{ KDBG_EXP_PAGED_POOL_DESCRIPTOR, 8, "ExpPagedPoolDescriptor" },
	{ KDBG_EXP_NUMBER_OF_PAGED_POOLS, 8, "ExpNumberOfPagedPools" },
	{ KDBG_KE_TIME_INCREMENT, 8, "KeTimeIncrement" },
	{ KDBG_KI_BUGCHECK_DATA, 8, "KiBugcheckData" },
	{ KDBG_MM_SYSTEM_CACHE_START, 8, "MmSystemCacheStart" },
	{ KDBG_MM_SYSTEM_CACHE_END, 8, "MmSystemCacheEnd" },
	{ KDBG_MM_SYSTEM_CACHE_WS, 8, "MmSystemCacheWs" },
	{ KDBG_MM_PFN_DATABASE, 8, "MmPfnDatabase" },
	{ KDBG_MM_SYSTEM_PTES_START, 8, "MmSystemPtesStart" },
	{ KDBG_MM_SYSTEM_PTES_END, 8, "MmSystemPtesEnd" },
	{ KDBG_MM_SUBSECTION_BASE, 8, "MmSubsectionBase" },
	{ KDBG_MM_NUMBER_OF_PAGING_FILES, 8, "MmNumberOfPagingFiles" },
	{ KDBG_MM_LOWEST_PHYSICAL_PAGE, 8, "MmLowestPhysicalPage" },
	{ KDBG_MM_HIGHEST_PHYSICAL_PAGE, 8, "MmHighestPhysicalPage" },
	{ KDBG_MM_NUMBER_OF_PHYSICAL_PAGES, 8, "MmNumberOfPhysicalPages" },
	{ KDBG_MM_MAXIMUM_NONPAGED_POOL_IN_BYTES, 8, "MmMaximumNonPagedPoolInBytes" },
	{ KDBG_MM_NONPAGED_SYSTEM_START, 8, "MmNonPagedSystemStart" },
	{ KDBG_MM_NONPAGED_POOL_START, 8, "MmNonPagedPoolStart" },
	{ KDBG_MM_NONPAGED_POOL_END, 8, "MmNonPagedPoolEnd" },
	{ KDBG_MM_PAGED_POOL_START, 8, "MmPagedPoolStart" },
	{ KDBG_MM_PAGED_POOL_END, 8, "MmPagedPoolEnd" },
	{ KDBG_MM_PAGED_POOL_INFORMATION, 8, "MmPagedPoolInformation" },
	{ KDBG_MM_PAGE_SIZE, 8, "MmPageSize" },
	{ KDBG_MM_SIZE_OF_PAGED_POOL_IN_BYTES, 8, "MmSizeOfPagedPoolInBytes" },
	{ KDBG_MM_TOTAL_COMMIT_LIMIT, 8, "MmTotalCommitLimit" },
	{ KDBG_MM_TOTAL_COMMITTED_PAGES, 8, "MmTotalCommittedPages" },
	{ KDBG_MM_SHARED_COMMIT, 8, "MmSharedCommit" },
	{ KDBG_MM_DRIVER_COMMIT, 8, "MmDriverCommit" },
	{ KDBG_MM_PROCESS_COMMIT, 8, "MmProcessCommit" },
	{ KDBG_MM_PAGED_POOL_COMMIT, 8, "MmPagedPoolCommit" },
	{ KDBG_MM_EXTENDED_COMMIT, 8, "MmExtendedCommit" },
	{ KDBG_MM_ZEROED_PAGE_LIST_HEAD, 8, "MmZeroedPageListHead" },
	{ KDBG_MM_FREE_PAGE_LIST_HEAD, 8, "MmFreePageListHead" },
	{ KDBG_MM_STANDBY_PAGE_LIST_HEAD, 8, "MmStandbyPageListHead" },
	{ KDBG_MM_MODIFIED_PAGE_LIST_HEAD, 8, "MmModifiedPageListHead" },
	{ KDBG_MM_MODIFIED_NO_WRITE_PAGE_LIST_HEAD, 8, "MmModifiedNoWritePageListHead" },
	{ KDBG_MM_AVAILABLE_PAGES, 8, "MmAvailablePages" },
	{ KDBG_MM_RESIDENT_AVAILABLE_PAGES, 8, "MmResidentAvailablePages" },
	{ KDBG_POOL_TRACK_TABLE, 8, "PoolTrackTable" },
	{ KDBG_NON_PAGED_POOL_DESCRIPTOR, 8, "NonPagedPoolDescriptor" },
	{ KDBG_MM_HIGHEST_USER_ADDRESS, 8, "MmHighestUserAddress" },
	{ KDBG_MM_SYSTEM_RANGE_START, 8, "MmSystemRangeStart" },
	{ KDBG_MM_USER_PROBE_ADDRESS, 8, "MmUserProbeAddress" },
	{ KDBG_NT_BUILD_LAB, 8, "NtBuildLab" },
	{ KDBG_KI_PROCESSOR_BLOCK, 8, "KiProcessorBlock" },
	{ KDBG_MM_UNLOADED_DRIVERS, 8, "MmUnloadedDrivers" },
	{ KDBG_MM_SPECIAL_POOL_TAG, 8, "MmSpecialPoolTag" },
	{ KDBG_KERNEL_VERIFIER, 8, "KernelVerifier" },
	{ KDBG_MM_VERIFIER_DATA, 8, "MmVerifierData" },
	{ KDBG_MM_ALLOCATED_NON_PAGED_POOL, 8, "MmAllocatedNonPagedPool" },
	{ KDBG_MM_PEAK_COMMITMENT, 8, "MmPeakCommitment" },
	{ KDBG_MM_TOTAL_COMMIT_LIMIT_MAXIMUM, 8, "MmTotalCommitLimitMaximum" },
	{ KDBG_CM_NT_CSD_VERSION, 8, "CmNtCSDVersion" },
	{ KDBG_MM_PHYSICAL_MEMORY_BLOCK, 8, "MmPhysicalMemoryBlock" },
	{ KDBG_MM_SESSION_BASE, 8, "MmSessionBase" },
	{ KDBG_MM_SESSION_SIZE, 8, "MmSessionSize" },
	{ KDBG_MM_SYSTEM_PARENT_TABLE_PAGE, 8, "MmSystemParentTablePage" },
	{ KDBG_MM_VIRTUAL_TRANSLATION_BASE, 8, "MmVirtualTranslationBase" },
	{ KDBG_OFFSET_KTHREAD_NEXT_PROCESSOR, 2, "OffsetKThreadNextProcessor" },
	{ KDBG_OFFSET_KTHREAD_TEB, 2, "OffsetKThreadTeb" },
	{ KDBG_OFFSET_KTHREAD_KERNEL_STACK, 2, "OffsetKThreadKernelStack" },
	{ KDBG_OFFSET_KTHREAD_INITIAL_STACK, 2, "OffsetKThreadInitialStack" },
	{ KDBG_OFFSET_KTHREAD_APC_PROCESS, 2, "OffsetKThreadApcProcess" },
	{ KDBG_OFFSET_KTHREAD_STATE, 2, "OffsetKThreadState" },
	{ KDBG_SIZE_EPROCESS, 2, "SizeEProcess" },
	{ KDBG_OFFSET_EPROCESS_PEB, 2, "OffsetEprocessPeb" },
	{ KDBG_OFFSET_EPROCESS_PARENT_CID, 2, "OffsetEprocessParentCID" },
	{ KDBG_OFFSET_EPROCESS_DIRECTORY_TABLE_BASE, 2, "OffsetEprocessDirectoryTableBase" },
	{ KDBG_SIZE_PRCB, 2, "SizePrcb" },
	{ KDBG_OFFSET_PRCB_DPC_ROUTINE, 2, "OffsetPrcbDpcRoutine" },
	{ KDBG_OFFSET_PRCB_CURRENT_THREAD, 2, "OffsetPrcbCurrentThread" },
	{ KDBG_OFFSET_PRCB_MHZ, 2, "OffsetPrcbMhz" },
	{ KDBG_OFFSET_PRCB_NUMBER, 2, "OffsetPrcbNumber" },
	{ KDBG_SIZE_ETHREAD, 2, "SizeEThread" },
	{ KDBG_MM_BAD_PAGES_DETECTED, 8, "MmBadPagesDetected" },
	{ KDBG_OFFSET_PRCB_CONTEXT, 2, "OffsetPrcbContext" },
	{ KDBG_OFFSET_KTHREAD_STACK_LIMIT, 4, "OffsetKThreadStackLimit" },
	{ KDBG_OFFSET_KTHREAD_STACK_BASE, 4, "OffsetKThreadStackBase" },
	{ KDBG_OFFSET_PRCB_DPC_STACK, 2, "OffsetPrcbDpcStack" },
	{ KDBG_PTE_BASE, 8, "PteBase" },
};

/* Whether a line's WHEN cell (doc/layouts.md) holds for p's column. */
static bool applies(const char *when, const struct profile *p)
{
	if (strcmp(when, "-") == 0)
		return true;
	if (strcmp(when, "x86") == 0)
		return p->machine == MACHINE_X86;
	if (strcmp(when, "x64") == 0)
		return p->machine == MACHINE_X64;
	if (when[0] == '<')
		return p->build < strtoul(when + 1, NULL, 10);
	if (when[0] == '>' && when[1] == '=')
		return p->build >= strtoul(when + 2, NULL, 10);
	return false;
}

static const void *table_of(const struct profile *p, const struct layout_field *f)
{
	return *(const void *const *)((const char *)p + f->table_member);
}

/* A row's value as a number: offsets and sizes (PROF_ABSENT when absent),
 * constants of every width. */
static uint64_t row_value(const struct profile *p, const struct layout_field *f)
{
	const char *at = (const char *)table_of(p, f) + f->offset;
	switch (f->kind) {
	case LAYOUT_OFF: case LAYOUT_SIZE: case LAYOUT_U16: { uint16_t v; memcpy(&v, at, 2); return v; }
	case LAYOUT_U8: return *(const uint8_t *)at;
	case LAYOUT_U32: { uint32_t v; memcpy(&v, at, 4); return v; }
	case LAYOUT_U64: { uint64_t v; memcpy(&v, at, 8); return v; }
	case LAYOUT_BOOL: return *(const bool *)at;
	case LAYOUT_BITS: { struct prof_bits b; memcpy(&b, at, sizeof b); return b.offset; }
	}
	return 0;
}

/* The line naming table.field in p's column (the first that applies). */
static const struct pdb_name *line_for(const struct profile *p, const char *table, const char *field)
{
	for (const struct pdb_name *l = pdb_names; l->table; l++)
		if (strcmp(l->table, table) == 0 && strcmp(l->field, field) == 0 && applies(l->when, p))
			return l;
	return NULL;
}

/* The type's SIZE row's value in p; 0 when it has none or the build lacks it. */
static uint32_t type_size(const struct profile *p, const char *type)
{
	for (const struct pdb_name *l = pdb_names; l->table; l++) {
		if (strcmp(l->type, type) != 0 || strcmp(l->member, "SIZE") != 0 || line_for(p, l->table, l->field) != l)
			continue;
		uint64_t v = row_value(p, layout_field_named(l->table, l->field));
		return v == PROF_ABSENT ? 0 : (uint32_t)v;
	}
	return 0;
}

/* A member's size from the row's width or the line's SIZE cell. */
static uint32_t member_size(const struct profile *p, const struct pdb_name *l, const struct layout_field *f)
{
	const char *w = strcmp(l->size, "-") != 0 ? l->size : f->width;
	if (w[0] == '_')
		return type_size(p, w);
	if (strcmp(w, "ptr") == 0)
		return p->ptr_size;
	if (strcmp(w, "list") == 0)
		return 2u * p->ptr_size;
	if (strcmp(w, "ustr") == 0)
		return p->ptr_size == 8 ? 16 : 8;
	if (w[0] >= '1' && w[0] <= '9')
		return (uint32_t)strtoul(w, NULL, 10);
	const struct layout_field *row = strcmp(w, "*") != 0 && w[0] ? layout_field_named(l->table, w) : NULL;
	return row ? (uint32_t)row_value(p, row) : 0;
}

static struct pdb_member *add(struct pdb_layout *out, const char *prefix, const char *name)
{
	if (out->n == PDB_MAX_MEMBERS)
		return NULL;
	struct pdb_member *m = &out->m[out->n++];
	memset(m, 0, sizeof *m);
	snprintf(m->name, sizeof m->name, "%s%s", prefix, name);
	return m;
}

/* Adds type's members at base under prefix; depth bounds embedding. */
static void collect(const struct profile *p, const char *type, uint32_t base, const char *prefix,
		    int depth, struct pdb_layout *out)
{
	for (const struct pdb_name *l = pdb_names; l->table; l++) {
		if (strcmp(l->type, type) != 0 || strcmp(l->member, "SIZE") == 0)
			continue;
		if (strcmp(l->table, "-") == 0) {      /* a type embedded at offset 0 */
			struct pdb_member *m = add(out, prefix, l->member);
			if (!m)
				return;
			m->embeds = l->size;
			m->origin = "pdb.tsv (embedded at 0)";
			m->offset = base;
			m->size = type_size(p, l->size);
			m->width = "*";
			if (depth < 2) {
				char sub[64];
				snprintf(sub, sizeof sub, "%s%s.", prefix, l->member);
				collect(p, l->size, base, sub, depth + 1, out);
			}
			continue;
		}
		if (line_for(p, l->table, l->field) != l)
			continue;
		const struct layout_field *f = layout_field_named(l->table, l->field);
		if (!f)
			continue;
		bool constant = strcmp(l->member, "-") == 0;
		if (constant && depth > 0)
			continue;
		struct pdb_member *m = add(out, constant ? "" : prefix, constant ? l->field : l->member);
		if (!m)
			return;
		m->field = f;
		m->width = f->width;
		if (constant) {
			m->constant = true;
			m->value = row_value(p, f);
			continue;
		}
		if (f->kind == LAYOUT_BITS) {
			struct prof_bits b;
			memcpy(&b, (const char *)table_of(p, f) + f->offset, sizeof b);
			m->absent = b.offset == PROF_ABSENT;
			m->offset = base + b.offset;
			m->bit = b.bit;
			m->bits = b.width;
			continue;
		}
		uint64_t v = row_value(p, f);
		m->absent = v == PROF_ABSENT;
		m->offset = base + (uint32_t)v;
		m->size = member_size(p, l, f);
		if (l->size[0] == '_') {
			m->embeds = l->size;
			if (!m->absent && depth < 2) {
				char sub[64];
				snprintf(sub, sizeof sub, "%s%s.", prefix, l->member);
				collect(p, l->size, m->offset, sub, depth + 1, out);
			}
		}
	}
}

/* Offset order; absent members, then constants, after the rest. */
static int rank(const struct pdb_member *m)
{
	return m->constant ? 2 : m->absent;
}

static bool before(const struct pdb_member *x, const struct pdb_member *y)
{
	if (rank(x) != rank(y))
		return rank(x) < rank(y);
	return rank(x) == 0 && x->offset < y->offset;
}

/* An insertion sort: stable, so equal offsets keep file order (a union's
 * members, an embedded type before its first member). */
static void sort_members(struct pdb_layout *l)
{
	for (size_t i = 1; i < l->n; i++) {
		struct pdb_member m = l->m[i];
		size_t j = i;
		while (j > 0 && before(&m, &l->m[j - 1])) {
			l->m[j] = l->m[j - 1];
			j--;
		}
		l->m[j] = m;
	}
}

/* The KDBG fields kdx knows; those beyond the build's block size absent. */
static void kdbg_layout(const struct profile *p, struct pdb_layout *out)
{
	out->type = KDBG_TYPE;
	out->size = p->kdbg_size;
	out->has_size = true;
	for (size_t i = 0; i < sizeof kdbg_members / sizeof kdbg_members[0]; i++) {
		const struct kdbg_member *k = &kdbg_members[i];
		struct pdb_member *m = add(out, "", k->name);
		if (!m)
			return;
		m->origin = "wdbgexts.h KDDEBUGGER_DATA64 (doc/dump-format.md §8.3)";
		m->offset = k->offset;
		m->absent = k->offset + (k->size ? k->size : 2) > p->kdbg_size;
		m->size = k->size;
		m->width = k->size == 8 ? "ptr" : k->size == 4 ? "4" : k->size == 2 ? "2" : "";
		m->bits = k->size ? 0 : 1;
	}
}

bool pdb_layout(const struct profile *p, const char *type, struct pdb_layout *out)
{
	memset(out, 0, sizeof *out);
	/* WinDbg's spellings: the kernel's module prefix, any case (nt!_EPROCESS, _eprocess). */
	if (strncasecmp(type, "nt!", 3) == 0)
		type += 3;
	const char *list[64];
	size_t n = pdb_type_list(list, 64);
	for (size_t i = 0; i < n && !out->type; i++)
		if (strcasecmp(list[i], type) == 0)
			out->type = list[i];
	if (!out->type)
		return false;
	if (strcmp(out->type, KDBG_TYPE) == 0) {
		kdbg_layout(p, out);
		sort_members(out);
		return true;
	}
	collect(p, out->type, 0, "", 0, out);
	out->size = type_size(p, out->type);
	out->has_size = out->size != 0;
	sort_members(out);
	return true;
}

size_t pdb_type_list(const char **out, size_t max)
{
	size_t n = 0;
	for (const struct pdb_name *l = pdb_names; l->table; l++) {
		size_t i = 0;
		while (i < n && strcmp(out[i], l->type) != 0)
			i++;
		if (i == n && n < max)
			out[n++] = l->type;
	}
	if (n < max)
		out[n++] = KDBG_TYPE;
	return n;
}
