/* One way to show a share as a whole percentage: rounded to the nearest
 * (half up), as people read 4.6% as 5, not cut to 4. */
#ifndef KDX_PERCENT_H
#define KDX_PERCENT_H

#include <limits.h>
#include <stdint.h>

/* part as a percentage of whole, rounded; 0 when whole is 0. */
static inline unsigned percent_of(uint64_t part, uint64_t whole)
{
	if (!whole)
		return 0;
	/* A hostile dump's figures may be huge: halve both until part * 100
	 * fits (the ratio barely moves). */
	while (part > UINT64_MAX / 100) {
		part >>= 1;
		whole >>= 1;
	}
	if (!whole)
		return UINT_MAX;
	uint64_t q = part * 100 / whole, rem = part * 100 % whole;
	q += rem >= whole - rem;
	return q > UINT_MAX ? UINT_MAX : (unsigned)q;
}

#endif
