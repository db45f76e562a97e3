#include "core/source/dumpfile.h"

#include "core/util/bytes.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int dump_file_open(const char *path, struct dump_file *f, struct kdx_error *err)
{
	memset(f, 0, sizeof *f);
	f->fd = -1;
	f->path = path;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return kdx_fail(err, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return kdx_fail(err, "%s: cannot stat: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return kdx_fail(err, "%s: not a regular file (%s): expected a dump file", path,
				S_ISDIR(st.st_mode) ? "a directory" :
				S_ISFIFO(st.st_mode) ? "a FIFO" :
				S_ISCHR(st.st_mode) ? "a character device" :
				S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
	}
	f->fd = fd;
	f->size = (uint64_t)st.st_size;
	if (f->size == 0)
		return 0;
	void *p = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		int e = errno;
		close(fd);
		f->fd = -1;
		return kdx_fail(err, "%s: cannot map %llu bytes: %s", path,
				(unsigned long long)f->size, strerror(e));
	}
	f->data = p;
	return 0;
}

void dump_file_close(struct dump_file *f)
{
	if (f->data)
		munmap((void *)f->data, f->size);
	if (f->fd >= 0)
		close(f->fd);
	f->data = NULL;
	f->fd = -1;
}

int dump_file_has(const struct dump_file *f, uint64_t off, uint64_t len)
{
	return off <= f->size && len <= f->size - off;
}

static uint64_t load_le(const struct dump_file *f, uint64_t off, unsigned n)
{
	return dump_file_has(f, off, n) ? le_bytes(f->data + off, n) : 0;
}

uint16_t mf_u16(const struct dump_file *f, uint64_t off) { return (uint16_t)load_le(f, off, 2); }
uint32_t mf_u32(const struct dump_file *f, uint64_t off) { return (uint32_t)load_le(f, off, 4); }
uint64_t mf_u64(const struct dump_file *f, uint64_t off) { return load_le(f, off, 8); }
