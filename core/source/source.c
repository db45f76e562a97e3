#include "core/source/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Crash dumps are recognised by signature. Raw images have none: they are
 * taken by file extension (unless an ELF or kdump signature says otherwise)
 * before libkdumpfile, whose probe of an unknown file runs in a forked child. */
static int (*const probes[])(struct source *, struct kdx_error *) = {
	source_windmp_probe,
	source_flat_probe,
	source_raw_probe,
	source_kdump_probe,
};

int source_open(const char *path, struct source **out, struct kdx_error *err)
{
	struct source *s = calloc(1, sizeof *s);
	if (!s)
		return kdx_fail(err, "%s: out of memory", path);
	s->path = strdup(path);
	if (!s->path || dump_file_open(s->path, &s->file, err) < 0) {
		if (!s->path)
			kdx_fail(err, "%s: out of memory", path);
		free(s->path);
		free(s);
		return -1;
	}
	int r = 0;
	for (size_t i = 0; i < sizeof probes / sizeof probes[0] && r == 0; i++)
		r = probes[i](s, err);
	if (r == 0)
		kdx_fail(err, "%s: offset 0x0: unknown dump format: expected a Windows crash dump "
			 "(PAGEDUMP/PAGEDU64), an ELF core, a kdump-compressed dump (flattened or not), or a raw "
			 "image named .raw/.mem/.vmem/.bin", path);
	if (r <= 0) {
		source_close(s);   /* a failing reader leaves ops unset */
		return -1;
	}
	/* A guest's CPUs, counted one way for every form of its dump: an
	 * NT_PRSTATUS note each (QEMU adds a register note each); a kdump
	 * header's nr_cpus and libkdumpfile's count disagree between forms. */
	uint32_t cpus = s->notes.prstatus > s->notes.ncpus ? s->notes.prstatus : s->notes.ncpus;
	if (cpus)
		s->facts.processors = cpus;
	*out = s;
	return 0;
}

bool source_read_header(const char *path, struct crash_facts *facts, char *description,
			size_t size)
{
	struct source s = { .path = (char *)path };
	struct kdx_error ignored;
	if (dump_file_open(path, &s.file, &ignored) < 0)
		return false;
	bool read = source_windmp_header(&s) == 1;
	if (read) {
		*facts = s.facts;
		snprintf(description, size, "%s", s.description);
	}
	dump_file_close(&s.file);
	kdx_warnings_free(&s.warnings);
	kdx_warnings_free(&s.choices);
	return read;
}

void source_close(struct source *s)
{
	if (!s)
		return;
	if (s->ops && s->ops->close)
		s->ops->close(s);
	dump_file_close(&s->file);
	notes_free(&s->notes);
	kdx_warnings_free(&s->warnings);
	kdx_warnings_free(&s->choices);
	free(s->ranges);
	free(s->path);
	free(s);
}

int source_set_ranges(struct source *s, const struct phys_range *r, size_t n,
		      struct kdx_error *err)
{
	struct phys_range *copy = n ? malloc(n * sizeof *copy) : NULL;
	if (n && !copy)
		return kdx_fail(err, "%s: out of memory for %zu ranges", s->path, n);
	if (n)
		memcpy(copy, r, n * sizeof *copy);
	free(s->ranges);
	s->ranges = copy;
	s->nranges = n;
	s->present_pages = 0;
	for (size_t i = 0; i < n; i++)
		s->present_pages += (r[i].end - r[i].start) / KDX_PAGE_SIZE;
	return 0;
}

const uint8_t *source_page(struct source *s, uint64_t pfn, uint8_t *scratch)
{
	if (pfn > (UINT64_MAX >> KDX_PAGE_SHIFT))
		return NULL;
	return s->ops->page(s, pfn, scratch);
}

bool source_has_page(const struct source *s, uint64_t pfn)
{
	uint64_t pa = pfn << KDX_PAGE_SHIFT;
	size_t lo = 0, hi = s->nranges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pa < s->ranges[mid].start)
			hi = mid;
		else if (pa >= s->ranges[mid].end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

size_t source_read_phys(struct source *s, uint64_t pa, void *buf, size_t len)
{
	uint8_t scratch[KDX_PAGE_SIZE];
	size_t done = 0;
	while (done < len) {
		uint64_t cur = pa + done;
		if (cur < pa)
			break;
		size_t off = cur & (KDX_PAGE_SIZE - 1);
		size_t n = KDX_PAGE_SIZE - off;
		if (n > len - done)
			n = len - done;
		const uint8_t *page = source_page(s, cur >> KDX_PAGE_SHIFT, scratch);
		if (!page)
			break;
		memcpy((uint8_t *)buf + done, page + off, n);
		done += n;
	}
	return done;
}
