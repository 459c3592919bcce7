/* fuzz.h - shared by the fuzz targets of tests/fuzz.
 *
 * Each target defines LLVMFuzzerTestOneInput(): libFuzzer calls it with
 * mutated inputs in the fuzz build (scripts/fuzz, clang, -DRB_FUZZ=ON); in
 * the normal build replay_main.c calls it with every file of the seed corpus
 * and of tests/fuzz/regressions, so each crash found once stays a test.
 *
 * A target feeds the bytes to exactly the code a server (or client) runs on
 * bytes from the network, and checks invariants that must hold for any
 * input; a broken invariant calls rb_fuzz_fail(), which aborts so libFuzzer
 * (or CTest) reports it with the input that caused it.
 */
#ifndef RB_FUZZ_H
#define RB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with a message: an invariant of the decoder does not hold. */
#define rb_fuzz_fail(...)                                                    \
    do {                                                                     \
        fprintf(stderr, "fuzz invariant broken at %s:%d: ", __FILE__, __LINE__); \
        fprintf(stderr, __VA_ARGS__);                                        \
        fputc('\n', stderr);                                                 \
        abort();                                                             \
    } while (0)

#endif
