#include "core/nt/profile.h"

#include <string.h>

#include "core/nt/kdbg.h"

/* Columns of spec/windows-structs.md: "XP SP3 x86" (5.1.2600.5512), "7 SP1
 * x86" (6.1.7601.17514; the PAE kernel differs only where §0.1 says),
 * "7 SP1 x64" (6.1.7601.17514), "10 22H2 x64" (10.0.19045.2965). */

/* §2 _KPROCESS / _EPROCESS */
static const struct prof_eprocess eprocess_xp = {
	.directory_table_base = 0x18, .kprocess_thread_list_head = 0x50,
	.user_directory_table_base = PROF_ABSENT,
	.create_time = 0x70, .exit_time = 0x78, .unique_process_id = 0x84,
	.active_process_links = 0x88, .session_process_links = 0xb4, .object_table = 0xc4,
	.token = 0xc8, .vad_root = 0x11c, .inherited_from_unique_process_id = 0x14c,
	.session = 0x170, .image_file_name = 0x174, .image_file_name_size = 16,
	.thread_list_head = 0x190, .active_threads = 0x1a0, .peb = 0x1b0, .size = 0x260,
};
static const struct prof_eprocess eprocess_7_x86 = {
	.directory_table_base = 0x18, .kprocess_thread_list_head = 0x2c,
	.user_directory_table_base = PROF_ABSENT,
	.create_time = 0xa0, .exit_time = 0xa8, .unique_process_id = 0xb4,
	.active_process_links = 0xb8, .session_process_links = 0xe4, .object_table = 0xf4,
	.token = 0xf8, .vad_root = 0x278, .inherited_from_unique_process_id = 0x140,
	.session = 0x168, .image_file_name = 0x16c, .image_file_name_size = 15,
	.thread_list_head = 0x188, .active_threads = 0x198, .peb = 0x1a8, .size = 0x2c0,
};
static const struct prof_eprocess eprocess_7_x64 = {
	.directory_table_base = 0x28, .kprocess_thread_list_head = 0x30,
	.user_directory_table_base = PROF_ABSENT,
	.create_time = 0x168, .exit_time = 0x170, .unique_process_id = 0x180,
	.active_process_links = 0x188, .session_process_links = 0x1e0, .object_table = 0x200,
	.token = 0x208, .vad_root = 0x448, .inherited_from_unique_process_id = 0x290,
	.session = 0x2d8, .image_file_name = 0x2e0, .image_file_name_size = 15,
	.thread_list_head = 0x308, .active_threads = 0x328, .peb = 0x338, .size = 0x4d0,
};
static const struct prof_eprocess eprocess_10_x64 = {
	.directory_table_base = 0x28, .kprocess_thread_list_head = 0x30,
	.user_directory_table_base = 0x388,
	.create_time = 0x468, .exit_time = 0x840, .unique_process_id = 0x440,
	.active_process_links = 0x448, .session_process_links = 0x4a0, .object_table = 0x570,
	.token = 0x4b8, .vad_root = 0x7d8, .inherited_from_unique_process_id = 0x540,
	.session = 0x558, .image_file_name = 0x5a8, .image_file_name_size = 15,
	.thread_list_head = 0x5e0, .active_threads = 0x5f0, .peb = 0x550, .size = 0xa40,
};

/* §3 _KTHREAD */
static const struct prof_kthread kthread_xp = {
	.initial_stack = 0x18, .stack_limit = 0x1c, .stack_base = 0x168, .kernel_stack = 0x28,
	.large_stack = 0x142, .state = 0x2d, .wait_reason = 0x5b, .priority = 0x33,
	.apc_state_process = 0x44, .process = PROF_ABSENT, .teb = 0x20,
	.win32_thread = 0x130, .kernel_time = 0x144, .user_time = 0x148,
	.thread_list_entry = 0x1b0, .size = 0x1c0,
};
static const struct prof_kthread kthread_7_x86 = {
	.initial_stack = 0x28, .stack_limit = 0x2c, .stack_base = 0x190, .kernel_stack = 0x30,
	.large_stack = 0x1c3, .state = 0x68, .wait_reason = 0x187, .priority = 0x57,
	.apc_state_process = 0x50, .process = 0x150, .teb = 0x88,
	.win32_thread = 0x18c, .kernel_time = 0x198, .user_time = 0x1c4,
	.thread_list_entry = 0x1e0, .size = 0x200,
};
static const struct prof_kthread kthread_7_x64 = {
	.initial_stack = 0x28, .stack_limit = 0x30, .stack_base = 0x278, .kernel_stack = 0x38,
	.large_stack = 0x2d3, .state = 0x164, .wait_reason = 0x26b, .priority = 0x7b,
	.apc_state_process = 0x70, .process = 0x210, .teb = 0xb8,
	.win32_thread = 0x270, .kernel_time = 0x284, .user_time = 0x2d4,
	.thread_list_entry = 0x2f8, .size = 0x360,
};
static const struct prof_kthread kthread_10_x64 = {
	.initial_stack = 0x28, .stack_limit = 0x30, .stack_base = 0x38, .kernel_stack = 0x58,
	.large_stack = PROF_ABSENT, .state = 0x184, .wait_reason = 0x283, .priority = 0xc3,
	.apc_state_process = 0xb8, .process = 0x220, .teb = 0xf0,
	.win32_thread = 0x1c8, .kernel_time = 0x28c, .user_time = 0x2dc,
	.thread_list_entry = 0x2f8, .size = 0x430,
};

/* §3 _ETHREAD */
static const struct prof_ethread ethread_xp = {
	.create_time = 0x1c0, .exit_time = 0x1c8, .cid_unique_process = 0x1ec,
	.cid_unique_thread = 0x1f0, .threads_process = 0x220, .start_address = 0x224,
	.win32_start_address = 0x228, .thread_list_entry = 0x22c, .cross_thread_flags = 0x248,
	.size = 0x258,
};
static const struct prof_ethread ethread_7_x86 = {
	.create_time = 0x200, .exit_time = 0x208, .cid_unique_process = 0x22c,
	.cid_unique_thread = 0x230, .threads_process = PROF_ABSENT, .start_address = 0x218,
	.win32_start_address = 0x260, .thread_list_entry = 0x268, .cross_thread_flags = 0x280,
	.size = 0x2b8,
};
static const struct prof_ethread ethread_7_x64 = {
	.create_time = 0x360, .exit_time = 0x368, .cid_unique_process = 0x3b0,
	.cid_unique_thread = 0x3b8, .threads_process = PROF_ABSENT, .start_address = 0x388,
	.win32_start_address = 0x410, .thread_list_entry = 0x420, .cross_thread_flags = 0x448,
	.size = 0x498,
};
static const struct prof_ethread ethread_10_x64 = {
	.create_time = 0x430, .exit_time = 0x438, .cid_unique_process = 0x478,
	.cid_unique_thread = 0x480, .threads_process = PROF_ABSENT, .start_address = 0x450,
	.win32_start_address = 0x4d0, .thread_list_entry = 0x4e8, .cross_thread_flags = 0x510,
	.size = 0x898,
};

/* §4 _KPCR / _KPRCB; DpcStack from va-and-pte §6 */
static const struct prof_kpcr kpcr_xp = {
	.self = 0x1c, .current_prcb = 0x20, .irql = 0x24, .kd_version_block = 0x34,
	.number = 0x51, .prcb = 0x120, .prcb_current_thread = 0x4, .prcb_next_thread = 0x8,
	.prcb_idle_thread = 0xc, .prcb_number = 0x10, .prcb_number_size = 1,
	.prcb_dpc_stack = 0x868, .prcb_size = 0xc50, .size = 0xd70,
};
static const struct prof_kpcr kpcr_7_x86 = {
	.self = 0x1c, .current_prcb = 0x20, .irql = 0x24, .kd_version_block = 0x34,
	.number = 0x51, .prcb = 0x120, .prcb_current_thread = 0x4, .prcb_next_thread = 0x8,
	.prcb_idle_thread = 0xc, .prcb_number = 0x3cc, .prcb_number_size = 4,
	.prcb_dpc_stack = 0x1908, .prcb_size = 0x3628, .size = 0x3748,
};
static const struct prof_kpcr kpcr_7_x64 = {
	.self = 0x18, .current_prcb = 0x20, .irql = 0x50, .kd_version_block = 0x108,
	.number = PROF_ABSENT, .prcb = 0x180, .prcb_current_thread = 0x8,
	.prcb_next_thread = 0x10, .prcb_idle_thread = 0x18, .prcb_number = 0x24,
	.prcb_number_size = 4, .prcb_dpc_stack = 0x21c0, .prcb_size = 0x4d00, .size = 0x4e80,
};
/* Prcb at 0x180 and the full sizes are single-source (structs Uncertain 1). */
static const struct prof_kpcr kpcr_10_x64 = {
	.self = 0x18, .current_prcb = 0x20, .irql = 0x50, .kd_version_block = 0x108,
	.number = PROF_ABSENT, .prcb = 0x180, .prcb_current_thread = 0x8,
	.prcb_next_thread = 0x10, .prcb_idle_thread = 0x18, .prcb_number = 0x24,
	.prcb_number_size = 4, .prcb_dpc_stack = 0x3110, .prcb_size = 0xaf00, .size = 0xb080,
};

/* §5 _LDR_DATA_TABLE_ENTRY */
static const struct prof_ldr ldr_xp = {
	.in_load_order_links = 0x0, .in_memory_order_links = 0x8,
	.in_initialization_order_links = 0x10, .dll_base = 0x18, .entry_point = 0x1c,
	.size_of_image = 0x20, .full_dll_name = 0x24, .base_dll_name = 0x2c, .flags = 0x34,
	.size = 0x50,
};
static const struct prof_ldr ldr_7_x86 = {
	.in_load_order_links = 0x0, .in_memory_order_links = 0x8,
	.in_initialization_order_links = 0x10, .dll_base = 0x18, .entry_point = 0x1c,
	.size_of_image = 0x20, .full_dll_name = 0x24, .base_dll_name = 0x2c, .flags = 0x34,
	.size = 0x78,
};
static const struct prof_ldr ldr_7_x64 = {
	.in_load_order_links = 0x0, .in_memory_order_links = 0x10,
	.in_initialization_order_links = 0x20, .dll_base = 0x30, .entry_point = 0x38,
	.size_of_image = 0x40, .full_dll_name = 0x48, .base_dll_name = 0x58, .flags = 0x68,
	.size = 0xe0,
};
static const struct prof_ldr ldr_10_x64 = {
	.in_load_order_links = 0x0, .in_memory_order_links = 0x10,
	.in_initialization_order_links = 0x20, .dll_base = 0x30, .entry_point = 0x38,
	.size_of_image = 0x40, .full_dll_name = 0x48, .base_dll_name = 0x58, .flags = 0x68,
	.size = 0x120,
};

/* §6.1 header sizes and units, §6.3 stored PoolType of allocated blocks,
 * §6.4 segment heap from 19H1 */
static const struct prof_pool pool_xp = {
	.header_size = 8, .block_unit = 8, .max_block_units = 511,
	.nonpaged_allocated = 0x05, .paged_allocated = 0x06, .paged_session_allocated = 0x26,
};
static const struct prof_pool pool_7_x86 = {
	.header_size = 8, .block_unit = 8, .max_block_units = 511,
	.nonpaged_allocated = 0x02, .paged_allocated = 0x03, .paged_session_allocated = 0x23,
};
static const struct prof_pool pool_7_x64 = {
	.header_size = 16, .block_unit = 16, .max_block_units = 255,
	.nonpaged_allocated = 0x02, .paged_allocated = 0x03, .paged_session_allocated = 0x23,
};
static const struct prof_pool pool_10_x64 = {
	.header_size = 16, .block_unit = 16, .max_block_units = 255,
	.nonpaged_allocated = 0x02, .paged_allocated = 0x03, .paged_session_allocated = 0x23,
	.segment_heap = true,
};

/* §6.5 _POOL_TRACKER_TABLE */
static const struct prof_pool_tracker tracker_x86 = {
	.key = 0x0, .nonpaged_allocs = 0x4, .nonpaged_frees = 0x8, .nonpaged_bytes = 0xc,
	.paged_allocs = 0x10, .paged_frees = 0x14, .paged_bytes = 0x18,
	.counter_size = 4, .bytes_size = 4, .size = 0x1c,
};
static const struct prof_pool_tracker tracker_7_x64 = {
	.key = 0x0, .nonpaged_allocs = 0x4, .nonpaged_frees = 0x8, .nonpaged_bytes = 0x10,
	.paged_allocs = 0x18, .paged_frees = 0x1c, .paged_bytes = 0x20,
	.counter_size = 4, .bytes_size = 8, .size = 0x28,
};
static const struct prof_pool_tracker tracker_10_x64 = {
	.key = 0x0, .nonpaged_allocs = 0x10, .nonpaged_frees = 0x18, .nonpaged_bytes = 0x8,
	.paged_allocs = 0x28, .paged_frees = 0x30, .paged_bytes = 0x20,
	.counter_size = 8, .bytes_size = 8, .size = 0x38,
};

/* §6.7 _POOL_TRACKER_BIG_PAGES */
static const struct prof_big_page big_page_xp = {
	.va = 0x0, .key = 0x4, .number_of_pages = 0x8, .pool_type = PROF_ABSENT,
	.number_of_bytes = PROF_ABSENT, .packed_pool_type = { PROF_ABSENT, 0, 0 }, .size = 0xc,
};
static const struct prof_big_page big_page_7_x86 = {
	.va = 0x0, .key = 0x4, .number_of_pages = PROF_ABSENT, .pool_type = 0x8,
	.number_of_bytes = 0xc, .packed_pool_type = { PROF_ABSENT, 0, 0 }, .size = 0x10,
};
static const struct prof_big_page big_page_7_x64 = {
	.va = 0x0, .key = 0x8, .number_of_pages = PROF_ABSENT, .pool_type = 0xc,
	.number_of_bytes = 0x10, .packed_pool_type = { PROF_ABSENT, 0, 0 }, .size = 0x18,
};
static const struct prof_big_page big_page_10_x64 = {
	.va = 0x0, .key = 0x8, .number_of_pages = PROF_ABSENT, .pool_type = PROF_ABSENT,
	.number_of_bytes = 0x10, .packed_pool_type = { 0xc, 8, 12 }, .size = 0x18,
};

/* _POOL_DESCRIPTOR (outside the spec): ntdiff/headers
 * WinVista_SP1/x64 and Win10_1903_19H1_18362.30/x64 _POOL_DESCRIPTOR.h,
 * Vergilius x86 _POOL_DESCRIPTOR (PoolType, PoolIndex, RunningAllocs,
 * RunningDeAllocs, then TotalPages 0x10, TotalBigPages 0x14). */
static const struct prof_pool_descriptor pool_descriptor_x86 = {
	.pages = 0x10, .big_pages = 0x14, .pages_freed = PROF_ABSENT,
	.big_pages_freed = PROF_ABSENT, .counter_size = 4, .size = 0x1030,
};
static const struct prof_pool_descriptor pool_descriptor_7_x64 = {
	.pages = 0x10, .big_pages = 0x14, .pages_freed = PROF_ABSENT,
	.big_pages_freed = PROF_ABSENT, .counter_size = 4, .size = 0x1048,
};
static const struct prof_pool_descriptor pool_descriptor_10_x64 = {
	.pages = 0x48, .big_pages = 0x50, .pages_freed = 0x88, .big_pages_freed = 0x90,
	.counter_size = 8, .size = 0x100,
};

/* §7 _MM_SESSION_SPACE; PageTables / PageDirectory from va-and-pte §5.3 */
static const struct prof_session session_xp = {
	.reference_count = 0x0, .session_id = 0x8, .process_list = 0x14,
	.paged_pool_start = 0x64, .paged_pool_end = 0x68, .page_tables = 0x40,
	.pool_track_table_expansion = PROF_ABSENT, .pool_track_table_expansion_size = PROF_ABSENT,
	.pool_track_big_pages = PROF_ABSENT, .pool_track_big_pages_size = PROF_ABSENT,
	.size = 0x1278,
};
/* PAE kernel: every field from SpecialPool (0x1f44) on moves by an unverified
 * amount (§0.1), so the tracker pointers are absent and the size is the
 * non-PAE 0x2000 plus the estimated growth of four 8-byte MMPTEs (0x14). */
static const struct prof_session session_7_x86_pae = {
	.reference_count = 0x0, .session_id = 0x8, .process_list = 0x10,
	.paged_pool_start = 0x2c, .paged_pool_end = 0x30, .page_tables = 0x1f40,
	.pool_track_table_expansion = PROF_ABSENT, .pool_track_table_expansion_size = PROF_ABSENT,
	.pool_track_big_pages = PROF_ABSENT, .pool_track_big_pages_size = PROF_ABSENT,
	.size = 0x2014,
};
static const struct prof_session session_7_x64 = {
	.reference_count = 0x0, .session_id = 0x8, .process_list = 0x10,
	.paged_pool_start = 0x40, .paged_pool_end = 0x48, .page_tables = 0x1e00,
	.pool_track_table_expansion = 0x1f30, .pool_track_table_expansion_size = 0x1f38,
	.pool_track_big_pages = 0x1f40, .pool_track_big_pages_size = 0x1f48, .size = 0x1f80,
};
static const struct prof_session session_10_x64 = {
	.reference_count = 0x0, .session_id = 0x8, .process_list = 0x10,
	.paged_pool_start = 0x38, .paged_pool_end = 0x40, .page_tables = 0x330,
	.pool_track_table_expansion = 0x3d0, .pool_track_table_expansion_size = 0x3d8,
	.pool_track_big_pages = 0x3e0, .pool_track_big_pages_size = 0x3e8, .size = 0x5000,
};

/* §8 _MMPFN; list terminators from the §8 notes */
static const struct prof_mmpfn mmpfn_xp = {
	.flink = { 0x0, 0, 32 }, .blink = { 0x8, 0, 32 }, .share_count = { 0x8, 0, 32 },
	.pte_address = 0x4,
	.reference_count = 0xe, .original_pte = 0x10, .original_pte_size = 4,
	.page_location = { 0xc, 8, 3 }, .modified = { 0xc, 0, 1 },
	.prototype_pte = { 0xc, 3, 1 }, .pte_frame = { 0x14, 0, 26 },
	.list_end = 0xffffffffu, .size = 0x18,
};
/* PAE: OriginalPte grows to 8 bytes, u4 moves from 0x14 to 0x18 (§0.1). */
static const struct prof_mmpfn mmpfn_7_x86_pae = {
	.flink = { 0x0, 0, 32 }, .blink = { 0x4, 0, 32 }, .share_count = { 0x4, 0, 32 },
	.pte_address = 0x8,
	.reference_count = 0xc, .original_pte = 0x10, .original_pte_size = 8,
	.page_location = { 0xe, 0, 3 }, .modified = { 0xe, 4, 1 },
	.prototype_pte = { 0x18, 27, 1 }, .pte_frame = { 0x18, 0, 25 },
	.list_end = 0xffffffffu, .size = 0x1c,
};
static const struct prof_mmpfn mmpfn_7_x64 = {
	.flink = { 0x0, 0, 64 }, .blink = { 0x8, 0, 64 }, .share_count = { 0x8, 0, 64 },
	.pte_address = 0x10,
	.reference_count = 0x18, .original_pte = 0x20, .original_pte_size = 8,
	.page_location = { 0x1a, 0, 3 }, .modified = { 0x1a, 4, 1 },
	.prototype_pte = { 0x28, 57, 1 }, .pte_frame = { 0x28, 0, 52 },
	.list_end = UINT64_MAX, .size = 0x30,
};
static const struct prof_mmpfn mmpfn_10_x64 = {
	.flink = { 0x0, 0, 36 }, .blink = { 0x18, 0, 36 }, .share_count = { 0x18, 0, 62 },
	.pte_address = 0x8,
	.reference_count = 0x20, .original_pte = 0x10, .original_pte_size = 8,
	.page_location = { 0x22, 0, 3 }, .modified = { 0x22, 4, 1 },
	.prototype_pte = { 0x28, 63, 1 }, .pte_frame = { 0x28, 0, 36 },
	.list_end = 0xfffffffffull, .size = 0x30,
};

/* §9 CONTROL_AREA, SEGMENT, SUBSECTION, FILE_OBJECT */
static const struct prof_section section_xp = {
	.ca_segment = 0x0, .ca_number_of_section_references = 0xc,
	.ca_number_of_pfn_references = 0x10, .ca_number_of_mapped_views = 0x14,
	.ca_number_of_user_references = 0x1c, .ca_flags = 0x20, .ca_file_pointer = 0x24,
	.ca_size = 0x30, .ca_file_pointer_fast_ref = false,
	.seg_control_area = 0x0, .seg_total_number_of_ptes = 0x4, .seg_size_of_segment = 0x10,
	.seg_number_of_committed_pages = 0x1c, .seg_prototype_pte = 0x34, .seg_the_ptes = 0x38,
	.seg_size = 0x40,
	.sub_control_area = 0x0, .sub_subsection_base = 0x10, .sub_next_subsection = 0x1c,
	.sub_ptes_in_subsection = 0x18, .sub_starting_sector = 0x8,
	.sub_number_of_full_sectors = 0xc, .sub_size = 0x20,
	.fo_type = 0x0, .fo_device_object = 0x4, .fo_section_object_pointer = 0x14,
	.fo_file_name = 0x30, .fo_size = 0x70,
};
/* PAE: the inline ThePtes[] moves to 0x30 and SEGMENT grows to 0x38 (§0.1). */
static const struct prof_section section_7_x86_pae = {
	.ca_segment = 0x0, .ca_number_of_section_references = 0xc,
	.ca_number_of_pfn_references = 0x10, .ca_number_of_mapped_views = 0x14,
	.ca_number_of_user_references = 0x18, .ca_flags = 0x1c, .ca_file_pointer = 0x24,
	.ca_size = 0x50, .ca_file_pointer_fast_ref = true,
	.seg_control_area = 0x0, .seg_total_number_of_ptes = 0x4, .seg_size_of_segment = 0x10,
	.seg_number_of_committed_pages = 0xc, .seg_prototype_pte = 0x28, .seg_the_ptes = 0x30,
	.seg_size = 0x38,
	.sub_control_area = 0x0, .sub_subsection_base = 0x4, .sub_next_subsection = 0x8,
	.sub_ptes_in_subsection = 0xc, .sub_starting_sector = 0x18,
	.sub_number_of_full_sectors = 0x1c, .sub_size = 0x20,
	.fo_type = 0x0, .fo_device_object = 0x4, .fo_section_object_pointer = 0x14,
	.fo_file_name = 0x30, .fo_size = 0x80,
};
static const struct prof_section section_7_x64 = {
	.ca_segment = 0x0, .ca_number_of_section_references = 0x18,
	.ca_number_of_pfn_references = 0x20, .ca_number_of_mapped_views = 0x28,
	.ca_number_of_user_references = 0x30, .ca_flags = 0x38, .ca_file_pointer = 0x40,
	.ca_size = 0x80, .ca_file_pointer_fast_ref = true,
	.seg_control_area = 0x0, .seg_total_number_of_ptes = 0x8, .seg_size_of_segment = 0x18,
	.seg_number_of_committed_pages = 0x10, .seg_prototype_pte = 0x40, .seg_the_ptes = 0x48,
	.seg_size = 0x50,
	.sub_control_area = 0x0, .sub_subsection_base = 0x8, .sub_next_subsection = 0x10,
	.sub_ptes_in_subsection = 0x18, .sub_starting_sector = 0x2c,
	.sub_number_of_full_sectors = 0x30, .sub_size = 0x38,
	.fo_type = 0x0, .fo_device_object = 0x8, .fo_section_object_pointer = 0x28,
	.fo_file_name = 0x58, .fo_size = 0xd8,
};
static const struct prof_section section_10_x64 = {
	.ca_segment = 0x0, .ca_number_of_section_references = 0x18,
	.ca_number_of_pfn_references = 0x20, .ca_number_of_mapped_views = 0x28,
	.ca_number_of_user_references = 0x30, .ca_flags = 0x38, .ca_file_pointer = 0x40,
	.ca_size = 0x80, .ca_file_pointer_fast_ref = true,
	.seg_control_area = 0x0, .seg_total_number_of_ptes = 0x8, .seg_size_of_segment = 0x18,
	.seg_number_of_committed_pages = 0x10, .seg_prototype_pte = 0x40,
	.seg_the_ptes = PROF_ABSENT, .seg_size = 0x48,
	.sub_control_area = 0x0, .sub_subsection_base = 0x8, .sub_next_subsection = 0x10,
	.sub_ptes_in_subsection = 0x2c, .sub_starting_sector = 0x24,
	.sub_number_of_full_sectors = 0x28, .sub_size = 0x38,
	.fo_type = 0x0, .fo_device_object = 0x8, .fo_section_object_pointer = 0x28,
	.fo_file_name = 0x58, .fo_size = 0xd8,
};

/* §10 KERNEL_STACK_SIZE, KERNEL_LARGE_STACK_SIZE, KERNEL_LARGE_STACK_COMMIT */
static const struct prof_stack stack_x86 = { 0x3000, 0xf000, 0x3000 };
static const struct prof_stack stack_x64 = { 0x6000, 0x12000, 0x6000 };

/* va-and-pte §4.1/4.2 (x86), §4.3 (7 x64), §4.4 (10 x64), self-map §3.1/3.3.
 * x86 self_map_index is the PD slot (PD[0x300]); PAE's is the slot in the
 * fourth PD (PD3[3]). KUSER_SHARED_DATA: user view 7FFE0000, kernel view
 * FFDF0000 (x86) / FFFFF780`00000000 (x64). 10's user probe address follows
 * the 8.1+ 128 TiB user space the same way as the others (highest + 1). */
static const struct prof_va va_x86 = {
	.highest_user_address = 0x7ffeffff, .user_probe_address = 0x7fff0000,
	.system_range_start = 0x80000000, .shared_user_data_user = 0x7ffe0000,
	.shared_user_data_kernel = 0xffdf0000, .self_map_index = 0x300,
};
static const struct prof_va va_pae = {
	.highest_user_address = 0x7ffeffff, .user_probe_address = 0x7fff0000,
	.system_range_start = 0x80000000, .shared_user_data_user = 0x7ffe0000,
	.shared_user_data_kernel = 0xffdf0000, .self_map_index = 3,
};
static const struct prof_va va_7_x64 = {
	.highest_user_address = 0x7fffffeffffull, .user_probe_address = 0x7ffffff0000ull,
	.system_range_start = 0xffff080000000000ull, .shared_user_data_user = 0x7ffe0000,
	.shared_user_data_kernel = 0xfffff78000000000ull, .self_map_index = 0x1ed,
};
static const struct prof_va va_10_x64 = {
	.highest_user_address = 0x7ffffffeffffull, .user_probe_address = 0x7fffffff0000ull,
	.system_range_start = 0xffff800000000000ull, .shared_user_data_user = 0x7ffe0000,
	.shared_user_data_kernel = 0xfffff78000000000ull, .self_map_randomized = true,
};

static const struct profile xp_x86 = {
	.name = "xp-x86", .description = "Windows XP SP3 x86 (non-PAE)",
	.machine = MACHINE_X86, .paging = PAGING_X86,
	.build = 2600, .min_build = 2600, .max_build = 2600,
	.kdbg_size = KDBG_SIZE_XP, .ptr_size = 4, .major_version = 0xf,
	.eprocess = &eprocess_xp, .kthread = &kthread_xp, .ethread = &ethread_xp,
	.kpcr = &kpcr_xp, .ldr = &ldr_xp, .pool = &pool_xp, .pool_tracker = &tracker_x86,
	.big_page = &big_page_xp, .pool_descriptor = &pool_descriptor_x86, .session = &session_xp, .mmpfn = &mmpfn_xp,
	.section = &section_xp, .stack = &stack_x86, .va = &va_x86,
};
static const struct profile win7_x86_pae = {
	.name = "win7-x86-pae", .description = "Windows 7 SP1 x86 (PAE)",
	.machine = MACHINE_X86, .paging = PAGING_PAE,
	.build = 7601, .min_build = 7600, .max_build = 7601,
	.kdbg_size = KDBG_SIZE_WIN7, .ptr_size = 4, .major_version = 0xf,
	.eprocess = &eprocess_7_x86, .kthread = &kthread_7_x86, .ethread = &ethread_7_x86,
	.kpcr = &kpcr_7_x86, .ldr = &ldr_7_x86, .pool = &pool_7_x86,
	.pool_tracker = &tracker_x86, .big_page = &big_page_7_x86, .pool_descriptor = &pool_descriptor_x86,
	.session = &session_7_x86_pae, .mmpfn = &mmpfn_7_x86_pae,
	.section = &section_7_x86_pae, .stack = &stack_x86, .va = &va_pae,
};
static const struct profile win7_x64 = {
	.name = "win7-x64", .description = "Windows 7 SP1 x64",
	.machine = MACHINE_X64, .paging = PAGING_X64,
	.build = 7601, .min_build = 7600, .max_build = 7601,
	.kdbg_size = KDBG_SIZE_WIN7, .ptr_size = 8, .major_version = 0xf,
	.eprocess = &eprocess_7_x64, .kthread = &kthread_7_x64, .ethread = &ethread_7_x64,
	.kpcr = &kpcr_7_x64, .ldr = &ldr_7_x64, .pool = &pool_7_x64,
	.pool_tracker = &tracker_7_x64, .big_page = &big_page_7_x64, .pool_descriptor = &pool_descriptor_7_x64,
	.session = &session_7_x64, .mmpfn = &mmpfn_7_x64, .section = &section_7_x64,
	.stack = &stack_x64, .va = &va_7_x64,
};
/* 2004..22H2 (19041..19045) share one kernel code base (structs §0). */
static const struct profile win10_x64 = {
	.name = "win10-x64", .description = "Windows 10 22H2 x64",
	.machine = MACHINE_X64, .paging = PAGING_X64,
	.build = 19045, .min_build = 19041, .max_build = 19045,
	.kdbg_size = KDBG_SIZE_WIN10_RS5, .ptr_size = 8, .major_version = 0xf,
	.eprocess = &eprocess_10_x64, .kthread = &kthread_10_x64, .ethread = &ethread_10_x64,
	.kpcr = &kpcr_10_x64, .ldr = &ldr_10_x64, .pool = &pool_10_x64,
	.pool_tracker = &tracker_10_x64, .big_page = &big_page_10_x64, .pool_descriptor = &pool_descriptor_10_x64,
	.session = &session_10_x64, .mmpfn = &mmpfn_10_x64, .section = &section_10_x64,
	.stack = &stack_x64, .va = &va_10_x64,
};

const struct profile *const kdx_profiles[] = { &xp_x86, &win7_x86_pae, &win7_x64, &win10_x64,
					       NULL };

const struct profile *profile_by_name(const char *name)
{
	for (const struct profile *const *p = kdx_profiles; *p; p++)
		if (strcmp((*p)->name, name) == 0)
			return *p;
	return NULL;
}

const struct profile *profile_find(enum machine m, enum paging pg, uint32_t build)
{
	for (const struct profile *const *p = kdx_profiles; *p; p++)
		if ((*p)->machine == m && (*p)->paging == pg && build >= (*p)->min_build &&
		    build <= (*p)->max_build)
			return *p;
	return NULL;
}

uint64_t prof_get(const uint8_t *buf, unsigned off, unsigned size)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)buf[off + i] << (8 * i);
	return v;
}

uint64_t prof_get_bits(const uint8_t *buf, struct prof_bits b)
{
	unsigned bytes = (b.bit + b.width + 7) / 8;
	uint64_t word = prof_get(buf, b.offset, bytes);
	uint64_t mask = b.width >= 64 ? UINT64_MAX : (1ull << b.width) - 1;
	return (word >> b.bit) & mask;
}
