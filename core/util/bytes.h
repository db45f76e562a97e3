/* Little-endian integers out of dump bytes: every Windows structure field. */
#ifndef KDX_BYTES_H
#define KDX_BYTES_H

#include <stdint.h>

/* The n-byte (n <= 8) little-endian value at p. */
static inline uint64_t le_bytes(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

#endif
