#include "core/nt/ustr.h"

#include <string.h>

#include "core/util/bytes.h"

bool ustr_read(struct dump *d, uint64_t va, char *out, size_t size)
{
	unsigned ps = dump_ptr_size(d);
	uint8_t us[16];
	out[0] = 0;
	if (xlat_read(d->kernel, va, us, 2u * ps, NULL) != 2u * ps)
		return false;
	size_t len = (size_t)le_bytes(us, 2) & ~(size_t)1;
	uint64_t buffer = le_bytes(us + ps, ps);
	if (len > 2 * (USTR_MAX - 1))
		len = 2 * (USTR_MAX - 1);
	uint8_t raw[2 * USTR_MAX];
	if (len && xlat_read(d->kernel, buffer, raw, len, NULL) != len)
		return false;
	size_t n = 0;
	for (size_t i = 0; i < len; i += 2) {
		unsigned c = (unsigned)le_bytes(raw + i, 2);
		char enc[3];
		size_t k;
		if (c < 0x80) {
			enc[0] = (char)c;
			k = 1;
		} else if (c < 0x800) {
			enc[0] = (char)(0xc0 | c >> 6);
			enc[1] = (char)(0x80 | (c & 0x3f));
			k = 2;
		} else if (c >= 0xd800 && c < 0xe000) {
			enc[0] = '?';
			k = 1;
		} else {
			enc[0] = (char)(0xe0 | c >> 12);
			enc[1] = (char)(0x80 | (c >> 6 & 0x3f));
			enc[2] = (char)(0x80 | (c & 0x3f));
			k = 3;
		}
		if (c == 0 || n + k >= size)
			break;
		memcpy(out + n, enc, k);
		n += k;
	}
	out[n] = 0;
	return true;
}
