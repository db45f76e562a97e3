/* Per-build structure layouts: the one place kdx keeps the offsets of the
 * kernel structures it reads without symbols. The readers pick a profile by
 * (machine, paging mode, build); the dump generator builds its kernels from
 * the same tables, so a wrong offset shows up as a disagreement between the
 * generator's ground truth and the spec, not as two bugs that cancel.
 * Facts: spec/windows-structs.md (section named at each table in profile.c)
 * and spec/windows-va-and-pte.md. */
#ifndef KDX_PROFILE_H
#define KDX_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/xlat/paging.h"

/* Offset of a field that this build does not have. */
#define PROF_ABSENT 0xffffu

/* A bit field inside the integer that starts at offset. */
struct prof_bits {
	uint16_t offset;
	uint8_t bit, width;
};

/* _KPROCESS (at EPROCESS+0) and _EPROCESS: structs §2. */
struct prof_eprocess {
	uint16_t directory_table_base, kprocess_thread_list_head, user_directory_table_base;
	uint16_t create_time, exit_time, unique_process_id, active_process_links;
	uint16_t session_process_links, object_table, token, vad_root;
	uint16_t inherited_from_unique_process_id, session, image_file_name;
	uint16_t image_file_name_size;        /* 16 (XP) or 15 (7, 10) */
	uint16_t thread_list_head, active_threads, peb, size;
};

/* _KTHREAD (at ETHREAD+0): structs §3. */
struct prof_kthread {
	uint16_t initial_stack, stack_limit, stack_base, kernel_stack, large_stack;
	uint16_t state, wait_reason, priority, apc_state_process, process, teb;
	uint16_t win32_thread, kernel_time, user_time, thread_list_entry, size;
};

/* _ETHREAD beyond the KTHREAD: structs §3. */
struct prof_ethread {
	uint16_t create_time, exit_time, cid_unique_process, cid_unique_thread;
	uint16_t threads_process, start_address, win32_start_address;
	uint16_t thread_list_entry, cross_thread_flags, size;
};

/* _KPCR and the KPRCB embedded in it: structs §4. */
struct prof_kpcr {
	uint16_t self, current_prcb, irql, kd_version_block, number, prcb;
	uint16_t prcb_current_thread, prcb_next_thread, prcb_idle_thread;
	uint16_t prcb_number, prcb_number_size, prcb_dpc_stack;
	uint16_t prcb_size, size;
};

/* _LDR_DATA_TABLE_ENTRY: structs §5. */
struct prof_ldr {
	uint16_t in_load_order_links, in_memory_order_links, in_initialization_order_links;
	uint16_t dll_base, entry_point, size_of_image, full_dll_name, base_dll_name;
	uint16_t flags, size;
};

/* _POOL_HEADER and the PoolType encoding: structs §6.1-6.4. */
struct prof_pool {
	uint16_t header_size, block_unit, max_block_units;
	uint8_t nonpaged_allocated, paged_allocated, paged_session_allocated;
	bool segment_heap;                    /* 19H1+: blocks do not tile pages */
};

/* _POOL_TRACKER_TABLE: structs §6.5. Counter fields are counter_size bytes,
 * byte totals bytes_size bytes. */
struct prof_pool_tracker {
	uint16_t key, nonpaged_allocs, nonpaged_frees, nonpaged_bytes;
	uint16_t paged_allocs, paged_frees, paged_bytes;
	uint8_t counter_size, bytes_size;
	uint16_t size;
};

/* _POOL_TRACKER_BIG_PAGES: structs §6.7. */
struct prof_big_page {
	uint16_t va, key, number_of_pages, pool_type, number_of_bytes;
	struct prof_bits packed_pool_type;    /* 10: PoolType inside a ULONG */
	uint16_t size;
};

/* _POOL_DESCRIPTOR page counters (what !vm sums per paged pool). Not in
 * the spec: offsets from the public PDB-derived headers (ntdiff/headers,
 * Vergilius) cited in profile.c. Until 19H1 TotalPages and TotalBigPages
 * are live counts; 19H1+ keeps allocated and deallocated totals, so the
 * live count is the difference. */
struct prof_pool_descriptor {
	uint16_t pages, big_pages;                 /* TotalPages / PagesAllocated ... */
	uint16_t pages_freed, big_pages_freed;     /* PROF_ABSENT before 19H1 */
	uint8_t counter_size;
	uint16_t size;
};

/* _MM_SESSION_SPACE: structs §7 and va-and-pte §5.3. */
struct prof_session {
	uint16_t reference_count, session_id, process_list, paged_pool_start;
	uint16_t paged_pool_end, page_tables, pool_track_table_expansion;
	uint16_t pool_track_table_expansion_size, pool_track_big_pages;
	uint16_t pool_track_big_pages_size, size;
};

/* _MMPFN: structs §8 (PAE: §0.1). */
struct prof_mmpfn {
	struct prof_bits flink, blink;        /* list links: PFNs */
	struct prof_bits share_count;         /* active pages: u2 instead of Blink */
	uint16_t pte_address, reference_count, original_pte;
	uint8_t original_pte_size;
	struct prof_bits page_location, modified, prototype_pte, pte_frame;
	uint64_t list_end;                    /* Flink/Blink list terminator */
	uint16_t size;
};

/* _CONTROL_AREA, _SEGMENT, _SUBSECTION, _FILE_OBJECT: structs §9. */
struct prof_section {
	uint16_t ca_segment, ca_number_of_section_references, ca_number_of_pfn_references;
	uint16_t ca_number_of_mapped_views, ca_number_of_user_references, ca_flags;
	uint16_t ca_file_pointer, ca_size;
	bool ca_file_pointer_fast_ref;        /* EX_FAST_REF: mask the low bits */
	uint16_t seg_control_area, seg_total_number_of_ptes, seg_size_of_segment;
	uint16_t seg_number_of_committed_pages, seg_prototype_pte, seg_the_ptes, seg_size;
	uint16_t sub_control_area, sub_subsection_base, sub_next_subsection;
	uint16_t sub_ptes_in_subsection, sub_starting_sector, sub_number_of_full_sectors;
	uint16_t sub_size;
	uint16_t fo_type, fo_device_object, fo_section_object_pointer, fo_file_name, fo_size;
};

/* Kernel stack constants: structs §10. */
struct prof_stack {
	uint32_t size, large_size, large_commit;
};

/* Fixed address-space anchors: va-and-pte §3.1 and §4. */
struct prof_va {
	uint64_t highest_user_address, user_probe_address, system_range_start;
	uint64_t shared_user_data_user, shared_user_data_kernel;
	/* x64 self-map slot; 0 when the build randomises it (va-and-pte §3.3). */
	unsigned self_map_index;
	bool self_map_randomized;
};

struct profile {
	const char *name;                     /* "win7-x64" */
	const char *description;              /* "Windows 7 SP1 x64" */
	enum machine machine;
	enum paging paging;
	uint32_t build, min_build, max_build; /* MinorVersion the profile covers */
	uint32_t kdbg_size;                   /* Header.Size of the KDBG (dump-format §8.4) */
	unsigned ptr_size;
	uint32_t major_version;               /* dump header MajorVersion: 0xF free build */
	const struct prof_eprocess *eprocess;
	const struct prof_kthread *kthread;
	const struct prof_ethread *ethread;
	const struct prof_kpcr *kpcr;
	const struct prof_ldr *ldr;
	const struct prof_pool *pool;
	const struct prof_pool_tracker *pool_tracker;
	const struct prof_big_page *big_page;
	const struct prof_pool_descriptor *pool_descriptor;
	const struct prof_session *session;
	const struct prof_mmpfn *mmpfn;
	const struct prof_section *section;
	const struct prof_stack *stack;
	const struct prof_va *va;
};

/* The profiles, in a fixed order; NULL-terminated. */
extern const struct profile *const kdx_profiles[];

const struct profile *profile_by_name(const char *name);
/* The profile covering this machine, paging mode and build; NULL if none. */
const struct profile *profile_find(enum machine m, enum paging p, uint32_t build);

/* Reads a little-endian integer of size bytes (1, 2, 4, 8) at buf + off. */
uint64_t prof_get(const uint8_t *buf, unsigned off, unsigned size);
/* The value of a bit field of the structure at buf. */
uint64_t prof_get_bits(const uint8_t *buf, struct prof_bits b);

#endif
