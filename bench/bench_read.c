/* Open time and translated-read throughput of kdx's core, next to plain
 * pread of the same file, in one run: kdx-bench DUMP VA BYTES [TOTAL] reads
 * the VA range again and again until TOTAL bytes (default 256 MiB). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/dump.h"
#include "views/command.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint64_t va, bytes, total = 256ull << 20;
	if (argc < 4 || argc > 5 || !parse_number(argv[2], &va) || !parse_number(argv[3], &bytes) ||
	    bytes == 0 || (argc == 5 && !parse_number(argv[4], &total))) {
		fprintf(stderr, "usage: kdx-bench DUMP VA BYTES [TOTAL] (hex)\n");
		return 2;
	}
	enum { CHUNK = 1 << 16 };
	static unsigned char buf[CHUNK];
	double t0 = now();
	struct dump *d;
	struct kdx_error err;
	if (dump_open(argv[1], &d, &err) < 0) {
		fprintf(stderr, "kdx-bench: %s\n", err.msg);
		return 2;
	}
	double t_open = now() - t0;
	if (!d->kernel) {
		fprintf(stderr, "kdx-bench: no kernel address space\n");
		return 2;
	}
	/* Three passes: the first warms the page cache, the best of the rest counts. */
	double best_xlat = 1e9, best_pread = 1e9;
	uint64_t sum = 0, got_total = 0;
	int fd = open(argv[1], O_RDONLY);
	for (int pass = 0; pass < 3; pass++) {
		t0 = now();
		got_total = 0;
		for (uint64_t done = 0; done < total;) {
			uint64_t off = done % bytes;
			size_t n = bytes - off < CHUNK ? (size_t)(bytes - off) : CHUNK;
			if (n > total - done)
				n = (size_t)(total - done);
			got_total += xlat_read(d->kernel, va + off, buf, n, NULL);
			sum += buf[0];
			done += n;
		}
		double t = now() - t0;
		if (pass && t < best_xlat)
			best_xlat = t;
		t0 = now();
		for (uint64_t done = 0; done < total; done += CHUNK) {
			uint64_t off = done % (bytes > CHUNK ? bytes : CHUNK);
			if (pread(fd, buf, CHUNK, (off_t)off) <= 0)
				break;
			sum += buf[0];
		}
		t = now() - t0;
		if (pass && t < best_pread)
			best_pread = t;
	}
	close(fd);
	double mib = (double)total / (1 << 20);
	printf("open                 %8.3f ms\n", t_open * 1e3);
	printf("translated read      %8.1f MiB/s  (%llu of %llu bytes present)\n", mib / best_xlat,
	       (unsigned long long)got_total, (unsigned long long)total);
	printf("pread of the file    %8.1f MiB/s\n", mib / best_pread);
	printf("(checksum %llu)\n", (unsigned long long)sum);
	dump_close(d);
	return 0;
}
