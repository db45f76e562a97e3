/* Raw flat physical images: file offset = physical address. They carry no
 * signature, so they are recognised by their conventional extensions. */
#include "core/source/source.h"

#include <string.h>
#include <strings.h>

static const char *const raw_extensions[] = { ".raw", ".mem", ".vmem", ".bin", ".img" };

static const uint8_t *raw_page(struct source *s, uint64_t pfn, uint8_t *scratch)
{
	(void)scratch;
	uint64_t off = pfn << KDX_PAGE_SHIFT;
	if (!dump_file_has(&s->file, off, KDX_PAGE_SIZE))
		return NULL;
	return s->file.data + off;
}

static const struct source_ops raw_ops = { .page = raw_page };

static int has_raw_extension(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot || strchr(dot, '/'))
		return 0;
	for (size_t i = 0; i < sizeof raw_extensions / sizeof raw_extensions[0]; i++)
		if (strcasecmp(dot, raw_extensions[i]) == 0)
			return 1;
	return 0;
}

int source_raw_probe(struct source *s, struct kdx_error *err)
{
	/* QEMU and virsh write ELF cores, makedumpfile kdump files, under any
	 * name: those signatures belong to the libkdumpfile reader. */
	const struct dump_file *f = &s->file;
	if (!has_raw_extension(s->path) ||
	    (f->size >= 4 && memcmp(f->data, "\x7f" "ELF", 4) == 0) ||
	    (f->size >= 8 && (memcmp(f->data, "KDUMP   ", 8) == 0 ||
			      memcmp(f->data, "DISKDUMP", 8) == 0)))
		return 0;
	uint64_t pages = s->file.size / KDX_PAGE_SIZE;
	if (pages == 0)
		return kdx_fail(err, "%s: offset 0x0: raw image holds %llu bytes: expected at "
				"least one 4096-byte page", s->path,
				(unsigned long long)s->file.size);
	if (s->file.size % KDX_PAGE_SIZE)
		kdx_warn(&s->warnings, "raw image size 0x%llx is not a multiple of 4096; the "
			 "last 0x%llx bytes are ignored", (unsigned long long)s->file.size,
			 (unsigned long long)(s->file.size % KDX_PAGE_SIZE));
	struct phys_range all = { 0, pages * KDX_PAGE_SIZE };
	if (source_set_ranges(s, &all, 1, err) < 0)
		return -1;
	s->ops = &raw_ops;
	s->format = "raw";
	strcpy(s->description, "raw physical memory image");
	s->facts.holds_memory = true;
	return 1;
}
