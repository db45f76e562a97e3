/* `s`: WinDbg's memory search over any range of the dump, with the owner
 * of every hit (core/search.h, core/owner.h); -summary groups the hits by
 * owner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/analysis/owner.h"
#include "core/analysis/search.h"
#include "core/analysis/symbol.h"
#include "core/xlat/layout.h"
#include "views/commands.h"

static const struct {
	const char *flag;
	enum search_kind kind;
} kinds[] = {
	{ "-a", SEARCH_ASCII }, { "-u", SEARCH_UTF16 }, { "-b", SEARCH_BYTES },
	{ "-d", SEARCH_DWORD }, { "-q", SEARCH_QWORD }, { "-r", SEARCH_REGEX },
	{ "-ru", SEARCH_REGEX_UTF16 },
};

/* "PagedPool" = "paged-pool": letters and digits compared, case ignored. */
static bool same_name(const char *a, const char *b)
{
	for (;;) {
		while (*a == '-' || *a == '_')
			a++;
		while (*b == '-' || *b == '_')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if ((*a | 0x20) != (*b | 0x20))
			return false;
		a++;
		b++;
	}
}

static int region_range(struct dump *d, const char *name, struct search_range *r,
			struct kdx_error *err)
{
	struct region_list l;
	if (layout_build(d, &l, err) < 0)
		return -1;
	const struct region *found = NULL;
	for (size_t i = 0; i < l.count && !found; i++)
		if (same_name(l.items[i].name, name))
			found = &l.items[i];
	if (found) {
		r->start = found->start;
		r->end = found->end;
		snprintf(r->name, sizeof r->name, "%s", found->name);
	}
	region_list_free(&l);
	if (!found)
		return kdx_fail(err, "s: %s: not an address, a region of `layout`, kernel, process PID "
			       "or phys", name);
	return 0;
}

static int process_range(struct dump *d, const char *pid_text, struct search_range *r,
			 struct kdx_error *err)
{
	uint64_t pid;
	if (!parse_number(pid_text, &pid))
		return kdx_fail(err, "s: process %s: expected a PID", pid_text);
	struct process_list pl;
	if (process_list_read(d, &pl, err) < 0)
		return -1;
	const struct process *p = process_by_pid(&pl, (uint32_t)pid);
	if (p) {
		r->dtb = p->dtb;
		r->pid = p->pid;
	}
	process_list_free(&pl);
	if (!p)
		return kdx_fail(err, "s: no process with PID 0x%llx", (unsigned long long)pid);
	if (region_range(d, "user", r, err) < 0)
		return -1;
	r->process = true;
	snprintf(r->name, sizeof r->name, "process 0x%x", r->pid);
	return 0;
}

/* RANGE: ADDR L SIZE, ADDR L?SIZE, ADDR ADDR, a region, kernel, process
 * PID, phys. */
static int parse_range(struct dump *d, int argc, char **argv, int *i, struct search_range *r,
		       struct kdx_error *err)
{
	memset(r, 0, sizeof *r);
	r->space = SEARCH_VIRTUAL;
	r->dtb = d->dtb;
	const char *a = argv[*i];
	if (strcmp(a, "phys") == 0) {
		struct source *src = d->src;
		if (!src->nranges)
			return kdx_fail(err, "s: the dump holds no physical pages");
		r->space = SEARCH_PHYSICAL;
		r->end = src->ranges[src->nranges - 1].end - 1;
		snprintf(r->name, sizeof r->name, "phys");
		(*i)++;
		return 0;
	}
	if (!d->kernel)
		return kdx_fail(err, "s: no kernel page tables in this dump (s ... phys still works)");
	if (strcmp(a, "kernel") == 0) {
		layout_system_range(d, &r->start, &r->end);
		snprintf(r->name, sizeof r->name, "kernel");
		(*i)++;
		return 0;
	}
	if (strcmp(a, "process") == 0) {
		if (*i + 1 >= argc)
			return kdx_fail(err, "s: process: expected a PID");
		*i += 2;
		return process_range(d, argv[*i - 1], r, err);
	}
	if (!parse_number(a, &r->start)) {
		(*i)++;
		return region_range(d, a, r, err);
	}
	(*i)++;
	uint64_t len;
	if (*i < argc && (argv[*i][0] == 'L' || argv[*i][0] == 'l') && argv[*i][1] == '?') {
		argv[*i][1] = argv[*i][0];
		argv[*i]++;
	}
	if (*i < argc && parse_length(argc, argv, i, &len)) {
		if (!len || r->start + len - 1 < r->start)
			return kdx_fail(err, "s: length 0x%llx: empty or past the end of the address "
				       "space", (unsigned long long)len);
		r->end = r->start + len - 1;
	} else if (*i < argc && parse_number(argv[*i], &r->end)) {
		(*i)++;
		if (r->end < r->start)
			return kdx_fail(err, "s: range end 0x%llx is below its start",
					(unsigned long long)r->end);
	} else {
		return kdx_fail(err, "s: after the address: expected L SIZE or an end address");
	}
	char s[24], e[24];
	format_address(d, r->start, s, sizeof s);
	format_address(d, r->end, e, sizeof e);
	snprintf(r->name, sizeof r->name, "%s %s", s, e);
	return 0;
}

static void preview_text(enum search_kind kind, const struct search_hit *h, char *out)
{
	size_t n = 0;
	bool wide = kind == SEARCH_UTF16 || kind == SEARCH_REGEX_UTF16;
	for (size_t i = 0; i < h->npreview; i += wide ? 2 : 1) {
		uint8_t c = h->preview[i];
		bool high = wide && i + 1 < h->npreview && h->preview[i + 1];
		out[n++] = c >= 0x20 && c < 0x7f && !high ? (char)c : '.';
	}
	out[n] = 0;
}

static void hex_text(const struct search_hit *h, char *out)
{
	for (size_t i = 0; i < h->npreview; i++)
		sprintf(out + 3 * i, "%s%02x", i ? " " : "", h->preview[i]);
	if (!h->npreview)
		out[0] = 0;
}

/* A hit the moment it is found, for the TUI's progress display. */
struct live {
	struct dump *d;
	enum search_kind kind;
};

static void show_hit(void *ctx, const struct search_hit *h, uint64_t total_hits)
{
	(void)total_hits;
	const struct live *l = ctx;
	char a[24], pv[SEARCH_PREVIEW + 1], line[96];
	format_address(l->d, h->has_va ? h->va : h->pa, a, sizeof a);
	preview_text(l->kind, h, pv);
	snprintf(line, sizeof line, "%s%s  %s", h->has_va ? "" : "phys ", a, pv);
	progress_item(l->d->progress, line);
}

/* The owner as one line, the key it is grouped by, and its link. */
static void owner_line(struct dump *d, const struct owner *o, char *text, size_t tsize,
		       char *key, size_t ksize, char *link, size_t lsize)
{
	char tag[5], a[24];
	link[0] = 0;
	switch (o->kind) {
	case OWNER_POOL:
		pool_tag_text(o->block.tag, tag);
		format_address(d, o->block.address, a, sizeof a);
		snprintf(text, tsize, "pool '%s' %s %s (0x%llx bytes, %s)", tag,
			 o->block.big ? "big page" : "block", a, (unsigned long long)o->block.size,
			 pool_state_name(o->block.state));
		snprintf(key, ksize, "tag '%s'", tag);
		snprintf(link, lsize, "pool 0x%llx", (unsigned long long)o->block.address);
		break;
	case OWNER_MODULE: {
		char name[ADDRESS_NAME_MAX];
		address_name(d, o->module, o->module->base + (o->section ? o->section->rva : 0) +
			     o->offset, name, sizeof name);
		snprintf(text, tsize, "%.160s (%s)", name, o->section ? o->section->name : "headers");
		snprintf(key, ksize, "%.50s %s", o->module->name, o->section ? o->section->name : "");
		snprintf(link, lsize, "lm");
		break;
	}
	case OWNER_STACK:
		snprintf(text, tsize, "stack of thread 0x%x (%s, PID 0x%x)", o->thread->tid,
			 o->process->name, o->process->pid);
		snprintf(key, ksize, "stacks");
		snprintf(link, lsize, "stack 0x%llx", (unsigned long long)o->thread->ethread);
		break;
	case OWNER_PFN_DATABASE:
		snprintf(text, tsize, "PFN database, entry of PFN 0x%llx", (unsigned long long)o->pfn);
		snprintf(key, ksize, "PFN database");
		snprintf(link, lsize, "pfn 0x%llx", (unsigned long long)o->pfn);
		break;
	case OWNER_PAGE_TABLE:
		format_address(d, o->maps, a, sizeof a);
		snprintf(text, tsize, "page tables: the %s of %s", o->level, a);
		snprintf(key, ksize, "page tables");
		snprintf(link, lsize, "pte 0x%llx", (unsigned long long)o->maps);
		break;
	case OWNER_PROCESS:
		snprintf(text, tsize, "user space of %s (PID 0x%x)", o->process->name, o->process->pid);
		snprintf(key, ksize, "%s", o->process->name);
		snprintf(link, lsize, "threads 0x%x", o->process->pid);
		break;
	case OWNER_REGION:
		snprintf(text, tsize, "%s", o->region->description);
		snprintf(key, ksize, "%s", o->region->name);
		snprintf(link, lsize, "layout %s", o->region->name);
		break;
	case OWNER_PHYSICAL: {
		int n = snprintf(text, tsize, "PFN 0x%llx, %s", (unsigned long long)o->pfn,
				 o->has_list ? pfn_list_label(o->list) : "no PFN entry");
		for (size_t i = 0; i < o->nmappings && n > 0 && (size_t)n < tsize; i++) {
			format_address(d, o->mappings[i].va, a, sizeof a);
			n += snprintf(text + n, tsize - (size_t)n, "%s %s", i ? "," : ", mapped at", a);
		}
		if (!o->nmappings && n > 0 && (size_t)n < tsize)
			snprintf(text + n, tsize - (size_t)n, ", mapped by no page table");
		snprintf(key, ksize, "%s", o->has_list ? pfn_list_key(o->list) : "no PFN entry");
		snprintf(link, lsize, "pfn 0x%llx", (unsigned long long)o->pfn);
		break;
	}
	case OWNER_UNKNOWN:
		snprintf(text, tsize, "unknown");
		snprintf(key, ksize, "unknown");
		break;
	}
}

static void owner_object(const struct owner *o, struct dnode *row)
{
	struct dnode *j = dn_flags(dn_object(row, "owner"), DN_JSON_ONLY);
	dn_str(j, "kind", owner_kind_name(o->kind));
	char tag[5];
	switch (o->kind) {
	case OWNER_POOL:
		pool_tag_text(o->block.tag, tag);
		dn_str(j, "tag", tag);
		dn_hex(j, "block", o->block.address, 0);
		dn_uint(j, "size", o->block.size);
		dn_str(j, "state", pool_state_name(o->block.state));
		dn_str(j, "pool", pool_kind_name(o->block.kind));
		dn_bool(j, "big", o->block.big);
		break;
	case OWNER_MODULE:
		dn_str(j, "module", o->module->name);
		dn_str(j, "section", o->section ? o->section->name : NULL);
		dn_hex(j, "offset", o->offset, 0);
		dn_hex(j, "base", o->module->base, 0);
		break;
	case OWNER_STACK:
		dn_uint(j, "tid", o->thread->tid);
		dn_uint(j, "pid", o->process->pid);
		dn_str(j, "process", o->process->name);
		dn_hex(j, "thread", o->thread->ethread, 0);
		break;
	case OWNER_PFN_DATABASE:
		dn_hex(j, "pfn", o->pfn, 0);
		break;
	case OWNER_PAGE_TABLE:
		dn_str(j, "level", o->level);
		dn_hex(j, "entry", o->entry, 0);
		dn_hex(j, "maps", o->maps, 0);
		break;
	case OWNER_PROCESS:
		dn_uint(j, "pid", o->process->pid);
		dn_str(j, "process", o->process->name);
		break;
	case OWNER_REGION:
		dn_str(j, "region", o->region->name);
		break;
	case OWNER_PHYSICAL: {
		dn_hex(j, "pfn", o->pfn, 0);
		dn_str(j, "list", o->has_list ? pfn_list_key(o->list) : NULL);
		struct dnode *m = dn_array(j, "mapped_by");
		for (size_t i = 0; i < o->nmappings; i++) {
			struct dnode *e = dn_object(m, NULL);
			dn_hex(e, "va", o->mappings[i].va, 0);
			if (o->mappings[i].process)
				dn_uint(e, "pid", o->mappings[i].process->pid);
			else
				dn_null(e, "pid");
			dn_str(e, "process", o->mappings[i].process ? o->mappings[i].process->name : NULL);
			dn_str(e, "via", o->mappings[i].via);
		}
		break;
	}
	case OWNER_UNKNOWN:
		break;
	}
}

struct group {
	char kind[16], key[64], link[96];
	uint64_t hits;
};

static void add_group(struct group **g, size_t *n, const char *kind, const char *key,
		      const char *link)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*g)[i].kind, kind) == 0 && strcmp((*g)[i].key, key) == 0) {
			(*g)[i].hits++;
			return;
		}
	if (*n % 64 == 0) {
		struct group *m = realloc(*g, (*n + 64) * sizeof **g);
		if (!m)
			return;
		*g = m;
	}
	struct group *e = &(*g)[(*n)++];
	snprintf(e->kind, sizeof e->kind, "%s", kind);
	snprintf(e->key, sizeof e->key, "%s", key);
	snprintf(e->link, sizeof e->link, "%s", link);
	e->hits = 1;
}

static void describe(struct dump *d, const struct search_pattern *p, const struct search_range *r,
		     const struct search_result *s, const char *owner_note, struct doc *out)
{
	struct dnode *root = out->root;
	doc_set_title(out, "Search %s in %s", search_pattern_text(p), r->name);
	dn_str(root, "pattern", search_pattern_text(p));
	dn_label(dn_str(root, "engine", search_pattern_engine(p)), "matched by");
	dn_str(root, "range", r->name);
	dn_flags(dn_str(root, "space", r->space == SEARCH_PHYSICAL ? "physical" : "virtual"),
		 DN_JSON_ONLY);
	dn_label(dn_hex(root, "start", r->start, 0), "from");
	dn_label(dn_hex(root, "end", r->end, 0), "to");
	dn_label(dn_uint(root, "scanned_bytes", s->scanned_bytes), "scanned bytes");
	dn_label(dn_uint(root, "holes", s->hole_bytes), "bytes in holes");
	dn_label(dn_uint(root, "hole_runs", s->hole_runs), "holes");
	dn_label(dn_uint(root, "total_hits", s->total_hits), "hits");
	dn_role(dn_label(dn_bool(root, "limit_hit", s->limit_hit), "PCRE2 limit hit"),
		s->limit_hit ? ROLE_WARNING : ROLE_VALUE);
	dn_role(dn_bool(root, "cancelled", s->cancelled), s->cancelled ? ROLE_WARNING : ROLE_VALUE);
	if (s->limit_hit)
		dn_role(dn_strf(root, "limit", "%llu chunks hit PCRE2's match or depth limit%s",
				(unsigned long long)s->limit_chunks,
				s->stopped ? "; the search stopped there" : ", their rest not searched"),
			ROLE_WARNING);
	if (s->cut_matches)
		dn_role(dn_strf(root, "cut", "%llu matches longer than %u KiB cut",
				(unsigned long long)s->cut_matches, SEARCH_CARRY_MAX / 1024), ROLE_WARNING);
	if (s->cancelled)
		dn_role(dn_str(root, "status", "cancelled: the hits found so far"), ROLE_WARNING);
	if (s->count == SEARCH_MAX_HITS && s->total_hits > s->count)
		dn_role(dn_strf(root, "kept", "the first %zu hits are kept", s->count), ROLE_WARNING);
	if (s->note[0])
		dn_role(dn_str(root, "note", s->note), ROLE_WARNING);
	if (owner_note[0])
		dn_role(dn_label(dn_str(root, "owners_note", owner_note), "owners"), ROLE_WARNING);
	(void)d;
}

static int run_s(struct dump *d, int argc, char **argv, struct doc *out, struct kdx_error *err)
{
	uint64_t limit;
	argc = take_row_limit(d, &cmd_s, argc, argv, &limit, err);
	if (argc < 0)
		return -1;
	bool summary = false;
	char *words[64];
	int n = 0;
	for (int i = 0; i < argc && n < 64; i++)
		if (strcmp(argv[i], "-summary") == 0)
			summary = true;
		else
			words[n++] = argv[i];
	enum search_kind kind = SEARCH_BYTES;
	int i = 1;
	if (i < n && words[i][0] == '-') {
		size_t k = 0;
		while (k < sizeof kinds / sizeof kinds[0] && strcmp(kinds[k].flag, words[i]) != 0)
			k++;
		if (k == sizeof kinds / sizeof kinds[0])
			return kdx_fail(err, "s: %s: expected -a, -u, -b, -d, -q, -r or -ru", words[i]);
		kind = kinds[k].kind;
		i++;
	}
	if (i >= n)
		return arg_fail(err, &cmd_s, NULL, "a range and what to find");
	struct search_range r;
	if (parse_range(d, n, words, &i, &r, err) < 0)
		return -1;
	if (i >= n)
		return kdx_fail(err, "s: no pattern after the range");
	char value[24];
	if (kind == SEARCH_DWORD || kind == SEARCH_QWORD) {
		uint64_t v;
		if (n - i != 1 || !parse_number(words[i], &v))
			return kdx_fail(err, "s: %s: expected one number", words[i]);
		snprintf(value, sizeof value, "0x%llx", (unsigned long long)v);
		words[i] = value;
	}
	struct search_pattern *p;
	if (search_pattern_new(kind, n - i, words + i, &p, err) < 0)
		return -1;
	struct search_result s;
	struct live live = { d, kind };
	/* -summary groups every hit kept: its rows are the owners */
	int rc = search_run(d, p, &r, summary ? 0 : (size_t)limit, d->progress ? show_hit : NULL,
			    &live, &s, err);
	struct owner_index *ix = NULL;
	if (rc == 0)
		rc = owner_index_new(d, &ix, err);
	if (rc < 0) {
		search_pattern_free(p);
		search_result_free(&s);
		return -1;
	}
	describe(d, p, &r, &s, owner_index_note(ix), out);
	if (!summary && limit && limit < SEARCH_MAX_HITS)
		add_listed(out->root, s.count, (s.total_hits < SEARCH_MAX_HITS ? s.total_hits :
						SEARCH_MAX_HITS) - s.count);
	const struct process *proc = r.process ? owner_process(ix, r.pid) : NULL;
	struct dnode *hits = summary ? NULL : dn_label(dn_array(out->root, "hits"), "Hits");
	struct group *groups = NULL;
	size_t ngroups = 0;
	for (size_t k = 0; k < s.count; k++) {
		const struct search_hit *h = &s.hits[k];
		struct owner o;
		if (h->has_va)
			owner_of_va(ix, h->va, proc, &o);
		else
			owner_of_pa(ix, h->pa, &o);
		char text[192], key[64], link[96], pv[SEARCH_PREVIEW + 1], hx[3 * SEARCH_PREVIEW + 1];
		owner_line(d, &o, text, sizeof text, key, sizeof key, link, sizeof link);
		if (summary) {
			add_group(&groups, &ngroups, owner_kind_name(o.kind), key, link);
			continue;
		}
		struct dnode *row = dn_object(hits, NULL);
		if (h->has_va)
			dn_role(dn_hex(row, "va", h->va, 0), ROLE_ADDRESS);
		else
			dn_null(row, "va");
		if (h->has_pa)
			dn_hex(row, "pa", h->pa, 0);
		else
			dn_null(row, "pa");
		preview_text(kind, h, pv);
		hex_text(h, hx);
		dn_str(row, "preview", pv);
		dn_flags(dn_str(row, "bytes", hx), DN_JSON_ONLY);
		dn_flags(dn_uint(row, "length", h->length), DN_JSON_ONLY);
		dn_role(dn_str(row, "whose", text), ROLE_NAME);
		owner_object(&o, row);
		if (link[0])
			dn_link(row, "%s", link);
	}
	if (summary) {
		struct dnode *t = dn_label(dn_array(out->root, "groups"), "Hits by owner");
		for (size_t k = 0; k < ngroups; k++) {
			struct dnode *row = dn_object(t, NULL);
			dn_str(row, "kind", groups[k].kind);
			dn_role(dn_str(row, "owner", groups[k].key), ROLE_NAME);
			dn_uint(row, "hits", groups[k].hits);
			if (groups[k].link[0])
				dn_link(row, "%s", groups[k].link);
		}
		dn_sort_table(t, "hits", true);
		free(groups);
	}
	owner_index_free(ix);
	search_result_free(&s);
	search_pattern_free(p);
	return 0;
}

const struct command cmd_s = {
	.name = "s",
	.usage = "s [-a|-u|-b|-d|-q|-r|-ru] RANGE PATTERN [-summary] [-limit N]",
	.summary = "search memory for text, bytes, values or a PCRE2 pattern; every hit with "
		   "its owner",
	.windbg = "s",
	.run = run_s,
};
