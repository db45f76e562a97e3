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

static inline uint32_t le32(const uint8_t *p) { return (uint32_t)le_bytes(p, 4); }
static inline uint64_t le64(const uint8_t *p) { return le_bytes(p, 8); }

#endif
