// Shows whether this machine is in one of its slow spells (Docs/performance.md, "W1's and W2's
// 50x is still not robust"). Prints, 40 times, how long three fixed pieces of work took:
// atomic read-modify-writes, dependent loads over 8 MB (memory latency) and multiply-adds (plain
// ALU work). In a slow spell the first two take up to ~1.6x and ~2x longer; the third does not.
//
//     cc -O2 -o /tmp/machine-noise Benchmarks/tools/machine-noise.c && /tmp/machine-noise
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double milliseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

int main(void) {
    volatile long counter = 0;
    const size_t count = 1 << 21;
    uint32_t *next = malloc(count * sizeof *next);
    if (next == NULL) return 1;
    for (size_t i = 0; i < count; i++) next[i] = (uint32_t)i;
    for (size_t i = count - 1; i > 0; i--) {  // one random cycle-ish permutation
        size_t j = (size_t)rand() % i;
        uint32_t swap = next[i];
        next[i] = next[j];
        next[j] = swap;
    }
    for (int round = 0; round < 40; round++) {
        double start = milliseconds();
        for (int i = 0; i < 2000000; i++) __atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
        double atomics = milliseconds();
        uint32_t position = 0;
        for (int i = 0; i < 200000; i++) position = next[position];
        double loads = milliseconds();
        long value = 1;
        for (long i = 0; i < 20000000; i++) value = value * 3 + i;
        double end = milliseconds();
        // The last column uses both results, so that the compiler keeps the work that made them.
        printf("atomics %5.1f ms  dependent loads %5.1f ms  multiply-adds %5.1f ms  (%ld)\n", atomics - start,
               loads - atomics, end - loads, (long)((position + (uint64_t)value) & 1));
    }
    free(next);
    return 0;
}
