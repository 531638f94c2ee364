/*
 * nprng.h - numpy's random streams, reproduced so that simulated arrivals
 * and lengths match what `vllm bench serve --seed S` sent, request for
 * request:
 *  - the legacy global generator (np.random.seed(S); np.random.gamma):
 *    MT19937 seeded by init_genrand(S), 53-bit doubles, numpy's legacy
 *    standard_gamma (Marsaglia-Tsang above shape 1, Johnk-style rejection
 *    below, exponential at 1) with the legacy polar Gaussian;
 *  - np.random.default_rng(S).integers(lo, hi): PCG64 seeded through
 *    SeedSequence, with numpy's bounded-integer method (Lemire's, on
 *    buffered 32-bit halves when the range fits in 32 bits).
 * Checked bit for bit against numpy 1.24 (tests/data/nprng_golden.txt,
 * printed by scripts/gen_nprng_golden.py).
 *
 * Ownership: plain structs, caller-owned, no allocation.
 */
#ifndef CAPSIM_CLIENT_NPRNG_H
#define CAPSIM_CLIENT_NPRNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct np_mt19937 {
    uint32_t key[624];
    int pos;
    bool has_gauss;
    double gauss;
};

void np_mt19937_seed(struct np_mt19937 *s, uint32_t seed);
/* Python's random.seed(int) (init_by_array over the int's 32-bit words),
 * random.getrandbits(k <= 32) and random.shuffle(list of n). */
void py_random_seed(struct np_mt19937 *s, uint64_t seed);
uint32_t py_getrandbits(struct np_mt19937 *s, int k);
void py_shuffle_index(struct np_mt19937 *s, size_t *v, size_t n);
uint32_t np_mt19937_next32(struct np_mt19937 *s);
double np_random_sample(struct np_mt19937 *s);
/* RandomState.standard_normal(): polar Box-Muller, second value cached. */
double np_legacy_gauss(struct np_mt19937 *s);
/* RandomState.standard_exponential(): -log(1 - U). */
double np_legacy_standard_exponential(struct np_mt19937 *s);
double np_legacy_standard_gamma(struct np_mt19937 *s, double shape);
/* RandomState.gamma(shape, scale) = scale * standard_gamma(shape). */
double np_legacy_gamma(struct np_mt19937 *s, double shape, double scale);

struct np_pcg64 {
    unsigned __int128 state, inc;
    bool has_uint32;
    uint32_t uinteger;
};

void np_pcg64_seed(struct np_pcg64 *g, uint64_t seed);
uint64_t np_pcg64_next64(struct np_pcg64 *g);
uint32_t np_pcg64_next32(struct np_pcg64 *g);
/* Generator.integers(low, high) for int64: uniform on [low, high). */
int64_t np_integers(struct np_pcg64 *g, int64_t low, int64_t high);

#endif /* CAPSIM_CLIENT_NPRNG_H */
