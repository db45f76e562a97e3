/* The ground truth beside each dump, as JSON: the header facts under "info"
 * in the keys of kdx's `info` command, the teaching translations in the keys
 * of `vtop` (levels, pa, stopped_at, reason), and what the world holds.
 * 64-bit values are lowercase "0x..." strings, as in kdx's own JSON.
 * Top-level keys: generator, info, kernel, kdbg_variables, regions, kpcrs,
 * translations (kernel DTB), process_translations (with their dtb),
 * processes, threads (each with its frames), sessions, lazy_system_pde,
 * deep_stack_thread, deep_stack_frames, modules, tag_driver,
 * deep_stack_driver, mapped_files, pfn, search (the planted strings with
 * their owners, in the keys of `s`), pool, vm, and for corrupt variants
 * corruption. */
#include "tests/gen/world.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/analysis/bugcheck.h"
#include "tests/gen/world_pool.h"
#include "tests/gen/world_verifier.h"
#include "tests/gen/world_files.h"
#include "tests/gen/world_modules.h"
#include "tests/gen/world_pfn.h"
#include "tests/gen/world_procs.h"
#include "tests/gen/world_search.h"

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool has_items[JSON_MAX_DEPTH];
};

static void json_key(struct json *j, const char *key)
{
	if (j->has_items[j->depth])
		fputc(',', j->f);
	j->has_items[j->depth] = true;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
	if (key)
		fprintf(j->f, "\"%s\": ", key);
}

static void json_open(struct json *j, const char *key, char bracket)
{
	json_key(j, key);
	fputc(bracket, j->f);
	j->has_items[++j->depth] = false;
}

static void json_close(struct json *j, char bracket)
{
	bool items = j->has_items[j->depth--];
	if (items) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(bracket, j->f);
}

static void json_hex(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "\"0x%llx\"", (unsigned long long)v);
}

static void json_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

static void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

static void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

/* Strings written here are generator-chosen ASCII names (paths with
 * backslashes), never dump data. */
static void json_str(struct json *j, const char *key, const char *s)
{
	if (!s) {
		json_null(j, key);
		return;
	}
	json_key(j, key);
	fputc('"', j->f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', j->f);
		fputc(*s, j->f);
	}
	fputc('"', j->f);
}

static const char *dump_type_name(enum gen_format fmt)
{
	switch (fmt) {
	case GEN_FULL: return "full";
	case GEN_SUMMARY: return "summary";
	case GEN_TRIAGE: return "triage";
	case GEN_BITMAP_FULL: return "bitmap-full";
	case GEN_BITMAP_KERNEL: return "bitmap-kernel";
	case GEN_RDMP_KERNEL: return "rdmp-kernel";
	case GEN_RDMP_ACTIVE: return "rdmp-active";
	case GEN_RDMP_FULL: return "rdmp-full";
	default: return NULL;
	}
}

static bool is_crash_dump(enum gen_format fmt)
{
	return fmt < GEN_ELF;
}

static void write_info(struct json *j, const struct world *w, enum gen_format fmt)
{
	const struct gen_image *img = &w->img;
	json_open(j, "info", '{');
	json_str(j, "format", gen_is_kdump(fmt) ? "kdump" :
		 gen_is_elf(fmt) ? "elf" : fmt == GEN_RAW ? "raw" : "windows-crash-dump");
	if (is_crash_dump(fmt))
		json_uint(j, "dump_type", (unsigned)fmt);
	else
		json_null(j, "dump_type");
	json_str(j, "dump_type_name", dump_type_name(fmt));
	json_str(j, "machine", machine_name(img->machine));
	json_str(j, "paging", paging_desc(img->paging)->name);
	json_hex(j, "cr3", w->dtb);
	json_uint(j, "build", img->build);
	json_hex(j, "kdbg", w->kdbg_va);
	json_hex(j, "kdbg_size", w->profile->kdbg_size);
	json_uint(j, "processors", img->processors);
	json_open(j, "bugcheck", '{');
	json_hex(j, "code", img->bugcheck_code);
	const struct bugcheck_info *bi = bugcheck_lookup(img->bugcheck_code);
	json_str(j, "name", bi ? bi->name : NULL);
	json_open(j, "params", '[');
	for (int i = 0; i < 4; i++)
		json_hex(j, NULL, img->bugcheck_params[i]);
	json_close(j, ']');
	json_close(j, '}');
	json_uint(j, "physical_pages", world_physical_pages(w, fmt));
	uint64_t ram = 0;
	for (uint64_t pfn = 0; pfn < img->max_pfn; pfn++)
		ram += gen_is_ram(img, pfn);
	json_uint(j, "ram_pages", ram);
	if (gen_is_elf(fmt))
		json_uint(j, "program_headers", gen_elf_headers(img, fmt));
	else
		json_null(j, "program_headers");
	json_close(j, '}');
}

static void write_leaf(struct json *j, const struct world_pte_meaning *m)
{
	json_open(j, "leaf", '{');
	json_str(j, "state", m->state);
	if (m->has_pfn)
		json_hex(j, "pfn", m->pfn);
	if (m->has_protection)
		json_uint(j, "protection", m->protection);
	if (m->has_pagefile) {
		json_uint(j, "pagefile_number", m->pagefile_number);
		json_hex(j, "pagefile_offset", m->pagefile_offset);
	}
	if (m->has_prototype_address)
		json_hex(j, "prototype_address", m->prototype_address);
	const struct world_proto_meaning *p = &m->prototype;
	if (p->state) {
		json_open(j, "prototype", '{');
		json_str(j, "state", p->state);
		if (p->has_pfn)
			json_hex(j, "pfn", p->pfn);
		if (p->has_protection)
			json_uint(j, "protection", p->protection);
		if (p->has_subsection_address)
			json_hex(j, "subsection_address", p->subsection_address);
		json_close(j, '}');
	}
	json_close(j, '}');
}

static void write_translation(struct json *j, const struct world *w, const struct world_xlat *x,
			      enum gen_format fmt)
{
	struct walk wk;
	world_walk_in(w, x, fmt, &wk);
	json_open(j, NULL, '{');
	json_str(j, "kind", x->kind);
	json_hex(j, "va", wk.va);
	json_hex(j, "dtb", wk.dtb);
	json_open(j, "levels", '[');
	for (int i = 0; i < wk.nlevels; i++) {
		const struct walk_level *l = &wk.level[i];
		json_open(j, NULL, '{');
		json_str(j, "level", l->name);
		json_hex(j, "table", l->table);
		json_uint(j, "index", l->index);
		json_hex(j, "entry_address", l->entry_address);
		if (l->read)
			json_hex(j, "entry", l->entry);
		else
			json_null(j, "entry");
		json_bool(j, "present", l->present);
		json_bool(j, "large", l->large);
		json_close(j, '}');
	}
	json_close(j, ']');
	if (wk.stopped_at < 0)
		json_hex(j, "pa", wk.pa);
	else
		json_null(j, "pa");
	json_hex(j, "page_size", wk.page_size);
	json_str(j, "stopped_at", wk.stopped_at < 0 ? NULL : wk.level[wk.stopped_at].name);
	json_str(j, "reason", xlat_reason_name(wk.reason));
	json_bool(j, "page_in_dump", wk.page_in_dump);
	if (wk.reason == XLAT_OK) {
		char hex[2 * sizeof x->bytes + 1];
		for (size_t i = 0; i < sizeof x->bytes; i++)
			snprintf(hex + 2 * i, 3, "%02x", x->bytes[i]);
		json_str(j, "bytes", hex);
	} else {
		json_null(j, "bytes");
	}
	write_leaf(j, &x->leaf);
	json_close(j, '}');
}

static void write_counts(struct json *j, const char *key, uint64_t allocs, uint64_t frees,
			 uint64_t bytes)
{
	json_open(j, key, '{');
	json_uint(j, "allocs", allocs);
	json_uint(j, "frees", frees);
	json_uint(j, "bytes", bytes);
	json_close(j, '}');
}

static const char *const block_states[] = { "allocated", "free", "unknown" };

static void write_block(struct json *j, const struct world_pool_block *b)
{
	char tag[5];
	world_tag_text(b->tag, tag);
	json_open(j, NULL, '{');
	json_hex(j, "address", b->address);
	json_uint(j, "size", b->size);
	if (!b->big)
		json_uint(j, "previous_size", b->previous_size);
	json_str(j, "type", b->paged ? "paged" : "nonpaged");
	json_str(j, "tag", tag);
	json_str(j, "state", block_states[b->state]);
	json_close(j, '}');
}

/* The keys of kdx's verifier, and the special pool pages and the bug
 * check's driver behind `pool` and `info`. */
static void write_verifier(struct json *j, const struct world *w)
{
	const struct world_verifier *v = w->verifier;
	char tag[5];
	if (!v)   /* no _MM_DRIVER_VERIFIER_DATA layout for this build */
		return;
	json_open(j, "verifier", '{');
	json_bool(j, "active", v->active);
	json_hex(j, "data", v->data);
	json_hex(j, "level", v->level);
	json_open(j, "flags", '[');
	for (size_t i = 0; v->flag_names && v->flag_names[i]; i++)
		json_str(j, NULL, v->flag_names[i]);
	json_close(j, ']');
	json_open(j, "counters", '{');
	struct prof_verifier_field fields[PROF_VERIFIER_MAX_FIELDS];
	size_t nfields = verifier_layout(w->profile, fields);
	for (size_t i = 1; i < nfields; i++)
		json_uint(j, fields[i].name, v->values[i - 1]);
	json_close(j, '}');
	world_tag_text(v->special_pool_tag, tag);
	if (v->special_pool_tag)
		json_str(j, "special_pool_tag", tag);
	else
		json_null(j, "special_pool_tag");
	json_open(j, "special_pool", '[');
	for (size_t i = 0; i < v->nspecial; i++) {
		const struct world_special *s = &v->special[i];
		world_tag_text(s->tag, tag);
		json_open(j, NULL, '{');
		json_hex(j, "page", s->page);
		json_hex(j, "data", s->data);
		json_uint(j, "bytes", s->bytes);
		json_hex(j, "guard", s->guard);
		json_str(j, "tag", tag);
		json_hex(j, "pattern", s->pattern);
		json_bool(j, "paged", s->paged);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_str(j, "driver", v->driver);
	json_uint(j, "outstanding", v->outstanding);
	json_close(j, '}');
}

static const char *const page_kinds[] = { "classic", "lfh", "vs", "unknown" };

/* The keys of kdx's poolused, pool, poolfind and vm (issue 6); the page
 * kinds, free VS chunks, look-alikes and keys of the segment heap. */
static void write_pool(struct json *j, const struct profile *prof, const struct world_pool *p)
{
	char tag[5];
	json_open(j, "pool", '{');
	json_open(j, "tracker", '{');
	json_hex(j, "address", p->track_table);
	json_uint(j, "entries", p->track_table_entries);
	/* the build has per-processor tables; the world writes the global one only */
	json_bool(j, "per_processor_tables", prof->pool_tracker->per_processor_tables);
	json_open(j, "rows", '[');
	for (size_t i = 0; i < p->nrows; i++) {
		const struct world_tracker_row *r = &p->rows[i];
		world_tag_text(r->tag, tag);
		json_open(j, NULL, '{');
		json_str(j, "tag", tag);
		write_counts(j, "nonpaged", r->nonpaged_allocs, r->nonpaged_frees, r->nonpaged_bytes);
		write_counts(j, "paged", r->paged_allocs, r->paged_frees, r->paged_bytes);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_close(j, '}');
	json_open(j, "pages", '[');
	for (size_t i = 0; i < p->npages; i++) {
		const struct world_pool_page *pg = &p->pages[i];
		json_open(j, NULL, '{');
		json_hex(j, "address", pg->va);
		json_str(j, "kind", page_kinds[pg->kind]);
		if (pg->kind == WORLD_PAGE_LFH)
			json_uint(j, "lfh_block_size", pg->lfh_block_size);
		json_open(j, "blocks", '[');
		for (size_t k = 0; k < pg->nblocks; k++)
			write_block(j, &p->blocks[pg->first_block + k]);
		json_close(j, ']');
		if (pg->kind == WORLD_PAGE_VS) {
			json_open(j, "free_chunks", '[');
			for (size_t k = 0; k < pg->nfree; k++) {
				json_open(j, NULL, '{');
				json_hex(j, "address", p->free_chunks[pg->first_free + k].address);
				json_uint(j, "size", p->free_chunks[pg->first_free + k].size);
				json_close(j, '}');
			}
			json_close(j, ']');
		}
		json_close(j, '}');
	}
	json_close(j, ']');
	json_open(j, "big_pages", '{');
	json_hex(j, "table", p->big_table);
	json_uint(j, "entries", p->big_table_entries);
	json_open(j, "allocations", '[');
	for (size_t i = 0; i < p->nblocks; i++)
		if (p->blocks[i].big)
			write_block(j, &p->blocks[i]);
	json_close(j, ']');
	json_close(j, '}');
	if (p->segment_heap) {
		json_open(j, "segment_heap", '{');
		json_hex(j, "heap_key", p->heap_key);
		json_hex(j, "lfh_key", p->lfh_key);
		json_open(j, "lookalikes", '[');
		for (size_t i = 0; i < p->nlookalikes; i++) {
			world_tag_text(p->lookalikes[i].tag, tag);
			json_open(j, NULL, '{');
			json_hex(j, "address", p->lookalikes[i].address);
			json_str(j, "tag", tag);
			json_str(j, "kind", page_kinds[p->lookalikes[i].kind]);
			json_close(j, '}');
		}
		json_close(j, ']');
		json_close(j, '}');
	}
	if (p->paged_mapped) {   /* the whole machine's paged pool */
		json_open(j, "paged_pool", '{');
		json_uint(j, "mapped_pages", p->paged_mapped);
		json_uint(j, "pagefile_pages", p->paged_out);
		json_open(j, "fill", '{');
		json_str(j, "tag", "MmSt");
		json_uint(j, "resident_pages", p->paged_resident_fill);
		json_uint(j, "paged_out_pages", p->paged_out_fill);
		json_uint(j, "blocks", p->paged_fill_blocks);
		json_close(j, '}');
		json_close(j, '}');
	}
	world_tag_text(p->leak_tag, tag);
	json_open(j, "leak", '{');
	json_str(j, "tag", tag);
	json_uint(j, "blocks", p->leak_blocks);
	json_uint(j, "bytes", p->leak_bytes);
	json_str(j, "owner", p->leak_owner);
	json_hex(j, "points_at", p->leak_points_at);   /* the first pointer of every small block */
	json_close(j, '}');
	json_close(j, '}');
	json_open(j, "vm", '{');
	json_open(j, "figures", '[');
	for (size_t i = 0; i < p->nvm; i++) {
		json_open(j, NULL, '{');
		json_str(j, "name", p->vm[i].name);
		if (p->vm[i].has) {
			json_uint(j, "pages", p->vm[i].pages);
			json_uint(j, "kb", p->vm[i].pages * 4);
		} else {
			json_null(j, "pages");
			json_null(j, "kb");
		}
		json_close(j, '}');
	}
	json_close(j, ']');
	json_open(j, "warnings", '[');
	for (size_t i = 0; i < p->nwarnings; i++)
		json_str(j, NULL, p->warnings[i]);
	json_close(j, ']');
	json_close(j, '}');
}

static const char *const thread_states[] = {
	"Initialized", "Ready", "Running", "Standby", "Terminated", "Waiting", "Transition",
	"DeferredReady", "GateWait", "WaitingForProcessInSwap",
};

static void write_session_id(struct json *j, const char *key, uint32_t id)
{
	if (id == WORLD_NO_SESSION)
		json_null(j, key);
	else
		json_uint(j, key, id);
}

/* A thread's kernel stack frames, innermost first. */
static void write_frames(struct json *j, const char *key, const struct world_modules *M,
			 size_t first, size_t n)
{
	json_open(j, key, '[');
	for (size_t i = first; i < first + n; i++) {
		const struct world_frame *f = &M->frames[i];
		const struct world_module *m = &M->modules[f->module];
		json_open(j, NULL, '{');
		json_str(j, "module", m->name);
		json_hex(j, "function", m->functions[f->function].start);
		json_hex(j, "rip", f->rip);
		json_hex(j, "sp", f->sp);
		json_hex(j, "frame_size", f->frame_size);
		json_close(j, '}');
	}
	json_close(j, ']');
}

/* Processes in ActiveProcessLinks order, threads in each process's thread
 * list order, sessions with their members in ProcessList order. */
static void write_procs(struct json *j, const struct world_procs *P,
			const struct world_modules *M)
{
	json_open(j, "processes", '[');
	for (size_t i = 0; i < P->nprocesses; i++) {
		const struct world_process *p = &P->processes[i];
		json_open(j, NULL, '{');
		json_str(j, "name", p->name);
		json_uint(j, "pid", p->pid);
		json_uint(j, "ppid", p->ppid);
		json_hex(j, "eprocess", p->eprocess);
		json_hex(j, "directory_table_base", p->dtb_field);
		json_hex(j, "dtb", p->dtb);
		write_session_id(j, "session", p->session);
		json_hex(j, "peb", p->peb);
		json_hex(j, "create_time", p->create_time);
		json_uint(j, "threads", p->nthreads);
		json_close(j, '}');
	}
	json_close(j, ']');

	json_open(j, "threads", '[');
	for (size_t i = 0; i < P->nthreads; i++) {
		const struct world_thread *t = &P->threads[i];
		const struct world_process *owner = &P->processes[t->process];
		/* only threads a reader reaches through listed processes' rings */
		if (t->process >= P->nprocesses || i < owner->first_thread ||
		    i >= owner->first_thread + owner->nthreads)
			continue;
		json_open(j, NULL, '{');
		json_uint(j, "tid", t->tid);
		json_uint(j, "pid", t->pid);
		json_str(j, "process", P->processes[t->process].name);
		json_hex(j, "ethread", t->ethread);
		json_str(j, "state", thread_states[t->state]);
		json_uint(j, "wait_reason", t->wait_reason);
		json_uint(j, "priority", t->priority);
		json_hex(j, "stack_base", t->stack_base);
		json_hex(j, "stack_limit", t->stack_limit);
		json_hex(j, "initial_stack", t->initial_stack);
		json_hex(j, "kernel_stack", t->kernel_stack);
		json_hex(j, "stack_size", t->stack_base - t->stack_limit);
		json_hex(j, "used_bytes", t->stack_base - t->kernel_stack);
		json_uint(j, "kernel_time", t->kernel_time);
		json_uint(j, "user_time", t->user_time);
		json_hex(j, "teb", t->teb);
		json_hex(j, "start_address", t->start_address);
		json_hex(j, "win32_start_address", t->win32_start_address);
		json_hex(j, "create_time", t->create_time);
		if (t->cpu == WORLD_NO_CPU)
			json_null(j, "cpu");
		else
			json_uint(j, "cpu", (unsigned)t->cpu);
		write_frames(j, "frames", M, t->first_frame, t->nframes);
		json_close(j, '}');
	}
	json_close(j, ']');

	json_open(j, "sessions", '[');
	for (size_t i = 0; i < P->nsessions; i++) {
		const struct world_session *s = &P->sessions[i];
		json_open(j, NULL, '{');
		json_uint(j, "id", s->id);
		json_hex(j, "mm_session_space", s->mm_session_space);
		if (s->has_paged_pool) {
			json_hex(j, "paged_pool_start", s->paged_pool_start);
			json_hex(j, "paged_pool_end", s->paged_pool_end);
		} else {
			json_null(j, "paged_pool_start");
			json_null(j, "paged_pool_end");
		}
		json_hex(j, "member_dtb", s->member_dtb);
		json_open(j, "processes", '[');
		for (size_t k = 0; k < s->nmembers; k++)
			json_uint(j, NULL, P->processes[s->members[k]].pid);
		json_close(j, ']');
		json_close(j, '}');
	}
	json_close(j, ']');

	json_open(j, "lazy_system_pde", '{');
	json_uint(j, "pid", P->processes[P->lazy_process].pid);
	json_hex(j, "dtb", P->processes[P->lazy_process].dtb);
	json_hex(j, "va", P->lazy_va);
	json_uint(j, "level", (unsigned)P->lazy_level);
	json_close(j, '}');
	json_uint(j, "deep_stack_thread", P->threads[P->deep_thread].tid);
	const struct world_thread *deep = &P->threads[P->deep_thread];
	write_frames(j, "deep_stack_frames", M, deep->first_frame, deep->nframes);
}

/* Modules in PsLoadedModuleList order; exports are the named functions. */
static void write_modules(struct json *j, const struct world_modules *M)
{
	json_open(j, "modules", '[');
	for (size_t i = 0; i < M->nmodules; i++) {
		const struct world_module *m = &M->modules[i];
		json_open(j, NULL, '{');
		json_str(j, "name", m->name);
		json_str(j, "full_name", m->full_name);
		json_hex(j, "base", m->base);
		json_hex(j, "size", m->size);
		json_hex(j, "entry_point", m->entry_point);
		json_hex(j, "ldr", m->ldr);
		json_bool(j, "session_image", m->session_image);
		json_open(j, "exports", '[');
		for (size_t k = 0; k < m->nfunctions; k++)
			if (m->functions[k].name[0]) {
				json_open(j, NULL, '{');
				json_str(j, "name", m->functions[k].name);
				json_hex(j, "address", m->functions[k].start);
				json_close(j, '}');
			}
		json_close(j, ']');
		json_open(j, "functions", '[');
		for (size_t k = 0; k < m->nfunctions; k++) {
			const struct world_function *f = &m->functions[k];
			json_open(j, NULL, '{');
			json_str(j, "name", f->name[0] ? f->name : NULL);
			json_hex(j, "start", f->start);
			json_hex(j, "end", f->end);
			json_hex(j, "frame_size", f->frame_size);
			json_close(j, '}');
		}
		json_close(j, ']');
		json_close(j, '}');
	}
	json_close(j, ']');
	json_str(j, "tag_driver", M->modules[M->tag_driver].name);
	json_str(j, "deep_stack_driver", M->modules[M->deep_driver].name);
}

/* Page-list totals over the RAM pages, list heads, and the entries of the
 * pages the teaching addresses name. */
/* An owner in the keys of `s`'s JSON (views/search.c). */
static void write_plant_owner(struct json *j, const struct world *w, const struct world_plant *p)
{
	char tag[5];
	json_open(j, "owner", '{');
	switch (p->owner) {
	case PLANT_POOL: {
		const struct world_pool_block *b = &w->pool->blocks[p->index];
		world_tag_text(b->tag, tag);
		json_str(j, "kind", "pool");
		json_str(j, "tag", tag);
		json_hex(j, "block", b->address);
		json_uint(j, "size", b->size);
		json_str(j, "state", block_states[b->state]);
		json_str(j, "pool", b->paged ? "paged" : "nonpaged");
		json_bool(j, "big", b->big);
		break;
	}
	case PLANT_MODULE:
		json_str(j, "kind", "module");
		json_str(j, "module", w->modules->modules[p->index].name);
		json_str(j, "section", ".data");
		json_hex(j, "offset", p->offset);
		json_hex(j, "base", w->modules->modules[p->index].base);
		break;
	case PLANT_STACK: {
		const struct world_thread *t = &w->procs->threads[p->index];
		json_str(j, "kind", "stack");
		json_uint(j, "tid", t->tid);
		json_uint(j, "pid", t->pid);
		json_str(j, "process", w->procs->processes[t->process].name);
		json_hex(j, "thread", t->ethread);
		break;
	}
	case PLANT_PROCESS:
		json_str(j, "kind", "process");
		json_uint(j, "pid", w->procs->processes[p->index].pid);
		json_str(j, "process", w->procs->processes[p->index].name);
		break;
	case PLANT_REGION:
		json_str(j, "kind", "region");
		json_str(j, "region", p->region);
		break;
	case PLANT_PHYSICAL:
		json_str(j, "kind", "physical");
		json_hex(j, "pfn", p->pa >> KDX_PAGE_SHIFT);
		json_str(j, "list", world_page_list_names[p->list]);
		json_open(j, "mapped_by", '[');
		json_close(j, ']');
		break;
	}
	json_close(j, '}');
}

static void write_search(struct json *j, const struct world *w, enum gen_format fmt)
{
	const struct world_search *s = w->search;
	json_open(j, "search", '{');
	json_str(j, "prefix", WORLD_PLANT_PREFIX);
	json_open(j, "plants", '[');
	for (size_t i = 0; i < s->nplants; i++) {
		const struct world_plant *p = &s->plants[i];
		json_open(j, NULL, '{');
		json_str(j, "name", p->name);
		json_str(j, "encoding", p->utf16 ? "utf16" : "ascii");
		json_str(j, "text", p->text);
		json_str(j, "space", !p->has_va ? "physical" : p->kernel ? "kernel" : "process");
		if (p->has_va)
			json_hex(j, "va", p->va);
		else
			json_null(j, "va");
		if (p->owner == PLANT_PROCESS)
			json_uint(j, "pid", w->procs->processes[p->index].pid);
		else
			json_null(j, "pid");
		json_hex(j, "pa", p->pa);
		json_hex(j, "pa_end", p->pa_end);
		json_open(j, "aliases", '[');
		if (p->has_alias)
			json_hex(j, NULL, p->alias);
		json_close(j, ']');
		if (p->mapped_via)
			json_str(j, "mapped_via", p->mapped_via);
		else
			json_null(j, "mapped_via");
		json_bool(j, "straddles", (p->pa >> KDX_PAGE_SHIFT) != (p->pa_end >> KDX_PAGE_SHIFT));
		json_bool(j, "in_dump", world_page_in_dump(w, fmt, p->pa >> KDX_PAGE_SHIFT) &&
					world_page_in_dump(w, fmt, p->pa_end >> KDX_PAGE_SHIFT));
		write_plant_owner(j, w, p);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_close(j, '}');
}

static void write_pfn(struct json *j, const struct world *w)
{
	const struct world_pfn *pf = w->pfn;
	json_open(j, "pfn", '{');
	json_hex(j, "database", pf->database);
	json_hex(j, "entry_size", w->profile->mmpfn->size);
	json_open(j, "totals", '{');
	uint64_t sum = 0;
	for (int l = 0; l < WL_COUNT; l++) {
		json_uint(j, world_page_list_names[l], pf->totals[l]);
		sum += pf->totals[l];
	}
	json_close(j, '}');
	json_uint(j, "ram_pages", sum);
	json_open(j, "list_heads", '{');
	for (int l = 0; l < WL_COUNT; l++)
		if (l != WL_ACTIVE)
			json_hex(j, world_page_list_names[l], pf->list_head[l]);
	json_close(j, '}');
	json_open(j, "entries", '[');
	for (size_t i = 0; i < w->nxlat; i++) {
		const struct world_xlat *x = &w->xlat[i];
		uint64_t pfn = x->leaf.pfn;
		if (!x->leaf.has_pfn || !gen_is_ram(&w->img, pfn))
			continue;
		const struct world_pfn_entry *e = &pf->entries[pfn];
		json_open(j, NULL, '{');
		json_str(j, "kind", x->kind);
		json_hex(j, "pfn", pfn);
		json_str(j, "list", world_page_list_names[e->location]);
		json_hex(j, "pte_address", e->pte_address);
		json_hex(j, "pte_frame", e->pte_frame);
		json_bool(j, "prototype", e->prototype);
		json_hex(j, "original_pte", e->original_pte);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_close(j, '}');
}

/* Mapped files and their resident pages (valid prototype PTEs: active
 * pages; transition ones: standby pages). */
static void write_files(struct json *j, const struct world_files *F)
{
	json_open(j, "mapped_files", '[');
	for (size_t i = 0; i < F->nfiles; i++) {
		const struct world_file *f = &F->files[i];
		json_open(j, NULL, '{');
		json_str(j, "name", f->name);
		json_hex(j, "file_object", f->file_object);
		json_hex(j, "control_area", f->control_area);
		json_hex(j, "subsection", f->subsection);
		json_hex(j, "segment", f->segment);
		json_hex(j, "prototype_ptes", f->prototype_ptes);
		json_uint(j, "total_ptes", f->total_ptes);
		json_uint(j, "resident_pages", f->resident_valid + f->resident_standby);
		json_uint(j, "active_pages", f->resident_valid);
		json_uint(j, "standby_pages", f->resident_standby);
		json_close(j, '}');
	}
	json_close(j, ']');
}

/* The offsets and sizes the structures were written with, by table row
 * ("eprocess.peb"; a bit field's integer's offset); null where the build
 * has no such field. */
static void write_layout(struct json *j, const struct profile *p)
{
	json_open(j, "layout", '{');
	for (const struct layout_field *f = layout_fields; f->table; f++) {
		if (f->kind != LAYOUT_OFF && f->kind != LAYOUT_SIZE && f->kind != LAYOUT_BITS)
			continue;
		char key[96];
		snprintf(key, sizeof key, "%s.%s", f->table, f->name);
		uint16_t v = layout_field_value(p, f);
		if (f->kind == LAYOUT_BITS) {
			struct prof_bits b;
			memcpy(&b, *(const char *const *)((const char *)p + f->table_member) + f->offset, sizeof b);
			v = b.offset;
		}
		if (v == PROF_ABSENT)
			json_null(j, key);
		else
			json_hex(j, key, v);
	}
	json_close(j, '}');
}

static void write_world(struct json *j, const struct world *w, enum gen_format fmt)
{
	json_open(j, "generator", '{');
	json_str(j, "profile", w->profile->name);
	json_uint(j, "seed", w->seed);
	json_str(j, "format", world_format_name(fmt));
	json_close(j, '}');
	write_layout(j, w->profile);
	write_info(j, w, fmt);

	json_open(j, "kernel", '{');
	json_hex(j, "base", w->kernel_base);
	json_hex(j, "size", w->kernel_size);
	json_hex(j, "dtb_raw", w->img.dtb);
	json_hex(j, "pte_base", w->pte_base);
	json_hex(j, "pde_base", w->pde_base);
	json_hex(j, "self_map_index", w->self_map_index);
	json_hex(j, "ps_loaded_module_list", w->img.ps_loaded_module_list);
	json_hex(j, "ps_active_process_head", w->img.ps_active_process_head);
	json_hex(j, "pfn_database", w->img.pfn_database);
	json_close(j, '}');

	json_open(j, "kdbg_variables", '[');
	for (size_t i = 0; i < w->nkvar; i++) {
		json_open(j, NULL, '{');
		json_str(j, "name", w->kvar[i].name);
		json_hex(j, "kdbg_offset", w->kvar[i].kdbg_offset);
		json_hex(j, "address", w->kvar[i].address);
		json_hex(j, "value", w->kvar[i].value);
		json_close(j, '}');
	}
	json_close(j, ']');

	json_open(j, "regions", '[');
	for (size_t i = 0; i < w->nregion; i++) {
		json_open(j, NULL, '{');
		json_str(j, "name", w->region[i].name);
		json_hex(j, "start", w->region[i].start);
		json_hex(j, "end", w->region[i].end);
		json_close(j, '}');
	}
	json_close(j, ']');

	json_open(j, "kpcrs", '[');
	for (unsigned i = 0; i < w->img.processors; i++) {
		json_open(j, NULL, '{');
		json_uint(j, "number", i);
		json_hex(j, "kpcr", w->kpcr[i]);
		json_hex(j, "kprcb", w->kpcr[i] + w->profile->kpcr->prcb);
		json_hex(j, "dpc_stack", w->procs->dpc_stack[i]);
		json_hex(j, "dpc_stack_limit", w->procs->dpc_stack[i] - w->profile->stack->size);
		json_close(j, '}');
	}
	json_close(j, ']');

	/* A triage dump holds no memory: there is nothing to translate.
	 * "translations" use the kernel DTB (`vtop VA`), "process_translations"
	 * a process's (`vtop VA DTB`). */
	for (int own = 0; own < 2; own++) {
		json_open(j, own ? "process_translations" : "translations", '[');
		for (size_t i = 0; fmt != GEN_TRIAGE && i < w->nxlat; i++)
			if ((w->xlat[i].walk.dtb != w->dtb) == own)
				write_translation(j, w, &w->xlat[i], fmt);
		json_close(j, ']');
	}
	write_procs(j, w->procs, w->modules);
	write_modules(j, w->modules);
	write_files(j, w->files);
	write_pfn(j, w);
	write_search(j, w, fmt);
	if (w->corruption.kind) {
		json_open(j, "corruption", '{');
		json_str(j, "kind", w->corruption.kind);
		json_str(j, "field", w->corruption.field);
		json_hex(j, "address", w->corruption.address);
		json_hex(j, "value", w->corruption.value);
		if (w->corruption.reason[0]) {
			json_str(j, "reason", w->corruption.reason);
			json_bool(j, "reader_fails", w->corruption.reader_fails);
		}
		if (w->corruption.broken_page) {
			json_hex(j, "broken_page", w->corruption.broken_page);
			json_hex(j, "broken_at", w->corruption.broken_at);
		}
		if (w->corruption.tracker_read)
			json_uint(j, "tracker_read", w->corruption.tracker_read);
		json_close(j, '}');
	}
	write_pool(j, w->profile, w->pool);
	write_verifier(j, w);
}

int truth_write(const struct world *w, enum gen_format fmt, const char *path,
		struct kdx_error *err)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return kdx_fail(err, "%s: cannot create: %s", path, strerror(errno));
	struct json j = { .f = f };
	fputc('{', f);
	write_world(&j, w, fmt);
	fputs("\n}\n", f);
	if (ferror(f) | fclose(f))
		return kdx_fail(err, "%s: write failed: %s", path, strerror(errno));
	return 0;
}
