/*
 * nprng.c - numpy's generators, as numpy 1.24 implements them
 * (numpy/random/src/mt19937, src/legacy/legacy-distributions.c,
 * src/pcg64, bit_generator.pyx SeedSequence, src/distributions
 * random_bounded_uint64_fill). Written from those algorithms; verified
 * bit for bit by tests/test_nprng.c.
 */
#include "client/nprng.h"

#include <math.h>

#include "common/err.h"

/* ---------------------------------------------------------------- MT19937 */

#define MT_N 624
#define MT_M 397

void np_mt19937_seed(struct np_mt19937 *s, uint32_t seed)
{
    /* np.random.seed(int) -> mt19937_seed(seed & 0xffffffff) */
    for (int i = 0; i < MT_N; i++) {
        s->key[i] = seed;
        seed = 1812433253U * (seed ^ (seed >> 30)) + (uint32_t)i + 1U;
    }
    s->pos = MT_N;
    s->has_gauss = false;
    s->gauss = 0.0;
}

void py_random_seed(struct np_mt19937 *s, uint64_t seed)
{
    /* CPython _randommodule.c random_seed -> init_by_array(key) */
    uint32_t key[2] = { (uint32_t)seed, (uint32_t)(seed >> 32) };
    int klen = key[1] ? 2 : 1;
    np_mt19937_seed(s, 19650218U);
    uint32_t *mt = s->key;
    int i = 1, j = 0;
    for (int k = MT_N > klen ? MT_N : klen; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) + key[j] + (uint32_t)j;
        i++;
        j++;
        if (i >= MT_N) {
            mt[0] = mt[MT_N - 1];
            i = 1;
        }
        if (j >= klen)
            j = 0;
    }
    for (int k = MT_N - 1; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) - (uint32_t)i;
        i++;
        if (i >= MT_N) {
            mt[0] = mt[MT_N - 1];
            i = 1;
        }
    }
    mt[0] = 0x80000000U;
    s->pos = MT_N;
}

uint32_t py_getrandbits(struct np_mt19937 *s, int k)
{
    return np_mt19937_next32(s) >> (32 - k);
}

void py_shuffle_index(struct np_mt19937 *s, size_t *v, size_t n)
{
    /* random.shuffle: for i in reversed(range(1, n)): j = _randbelow(i + 1),
     * _randbelow by rejection on getrandbits(bit_length) */
    for (size_t i = n; i-- > 1;) {
        uint32_t m = (uint32_t)(i + 1);
        int k = 0;
        while (k < 32 && (m >> k))
            k++;
        uint32_t r;
        do
            r = py_getrandbits(s, k);
        while (r >= m);
        size_t t = v[i];
        v[i] = v[r];
        v[r] = t;
    }
}

static void mt_generate(struct np_mt19937 *s)
{
    static const uint32_t mag01[2] = { 0x0U, 0x9908b0dfU };
    uint32_t y;
    int i;
    for (i = 0; i < MT_N - MT_M; i++) {
        y = (s->key[i] & 0x80000000U) | (s->key[i + 1] & 0x7fffffffU);
        s->key[i] = s->key[i + MT_M] ^ (y >> 1) ^ mag01[y & 1];
    }
    for (; i < MT_N - 1; i++) {
        y = (s->key[i] & 0x80000000U) | (s->key[i + 1] & 0x7fffffffU);
        s->key[i] = s->key[i + (MT_M - MT_N)] ^ (y >> 1) ^ mag01[y & 1];
    }
    y = (s->key[MT_N - 1] & 0x80000000U) | (s->key[0] & 0x7fffffffU);
    s->key[MT_N - 1] = s->key[MT_M - 1] ^ (y >> 1) ^ mag01[y & 1];
    s->pos = 0;
}

uint32_t np_mt19937_next32(struct np_mt19937 *s)
{
    if (s->pos == MT_N)
        mt_generate(s);
    uint32_t y = s->key[s->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680U;
    y ^= (y << 15) & 0xefc60000U;
    y ^= y >> 18;
    return y;
}

double np_random_sample(struct np_mt19937 *s)
{
    int32_t a = (int32_t)(np_mt19937_next32(s) >> 5), b = (int32_t)(np_mt19937_next32(s) >> 6);
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

double np_legacy_gauss(struct np_mt19937 *s)
{
    if (s->has_gauss) {
        s->has_gauss = false;
        return s->gauss;
    }
    double x1, x2, r2;
    do {
        x1 = 2.0 * np_random_sample(s) - 1.0;
        x2 = 2.0 * np_random_sample(s) - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = sqrt(-2.0 * log(r2) / r2);
    s->gauss = f * x1;
    s->has_gauss = true;
    return f * x2;
}

double np_legacy_standard_exponential(struct np_mt19937 *s)
{
    return -log(1.0 - np_random_sample(s));
}

double np_legacy_gamma(struct np_mt19937 *s, double shape, double scale)
{
    return scale * np_legacy_standard_gamma(s, shape);
}

double np_legacy_standard_gamma(struct np_mt19937 *s, double shape)
{
    if (shape == 1.0)
        return np_legacy_standard_exponential(s);
    if (shape == 0.0)
        return 0.0;
    if (shape < 1.0) {
        for (;;) {
            double u = np_random_sample(s);
            double v = np_legacy_standard_exponential(s);
            if (u <= 1.0 - shape) {
                double x = pow(u, 1.0 / shape);
                if (x <= v)
                    return x;
            } else {
                double y = -log((1.0 - u) / shape);
                double x = pow(1.0 - shape + shape * y, 1.0 / shape);
                if (x <= v + y)
                    return x;
            }
        }
    }
    double b = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * b);
    for (;;) {
        double x, v;
        do {
            x = np_legacy_gauss(s);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = np_random_sample(s);
        if (u < 1.0 - 0.0331 * (x * x) * (x * x))
            return b * v;
        if (log(u) < 0.5 * x * x + b * (1.0 - v + log(v)))
            return b * v;
    }
}

/* ---------------------------------------------------------------- SeedSequence */

#define SS_INIT_A 0x43b0d7e5U
#define SS_MULT_A 0x931e8875U
#define SS_INIT_B 0x8b51f9ddU
#define SS_MULT_B 0x58f38dedU
#define SS_MIX_L 0xca01f9ddU
#define SS_MIX_R 0x4973f715U
#define SS_XSHIFT 16
#define SS_POOL 4

static uint32_t ss_hashmix(uint32_t value, uint32_t *hash_const)
{
    value ^= *hash_const;
    *hash_const *= SS_MULT_A;
    value *= *hash_const;
    value ^= value >> SS_XSHIFT;
    return value;
}

static uint32_t ss_mix(uint32_t x, uint32_t y)
{
    uint32_t r = SS_MIX_L * x - SS_MIX_R * y;
    r ^= r >> SS_XSHIFT;
    return r;
}

/* SeedSequence(seed).generate_state(n64, np.uint64) for a non-negative seed. */
static void ss_generate64(uint64_t seed, uint64_t *out, int n64)
{
    uint32_t entropy[2];
    int n_ent = 0;
    /* the int as little-endian 32-bit words, at least one */
    do {
        entropy[n_ent++] = (uint32_t)seed;
        seed >>= 32;
    } while (seed && n_ent < 2);
    uint32_t pool[SS_POOL];
    uint32_t hc = SS_INIT_A;
    for (int i = 0; i < SS_POOL; i++)
        pool[i] = ss_hashmix(i < n_ent ? entropy[i] : 0U, &hc);
    for (int src = 0; src < SS_POOL; src++)
        for (int dst = 0; dst < SS_POOL; dst++)
            if (src != dst)
                pool[dst] = ss_mix(pool[dst], ss_hashmix(pool[src], &hc));
    for (int src = SS_POOL; src < n_ent; src++)
        for (int dst = 0; dst < SS_POOL; dst++)
            pool[dst] = ss_mix(pool[dst], ss_hashmix(entropy[src], &hc));
    uint32_t hb = SS_INIT_B;
    for (int i = 0; i < 2 * n64; i++) {
        uint32_t v = pool[i % SS_POOL];
        v ^= hb;
        hb *= SS_MULT_B;
        v *= hb;
        v ^= v >> SS_XSHIFT;
        if (i % 2 == 0)
            out[i / 2] = v;
        else
            out[i / 2] |= (uint64_t)v << 32;
    }
}

/* ---------------------------------------------------------------- PCG64 (XSL-RR) */

#define PCG_MULT ((((unsigned __int128)0x2360ED051FC65DA4ULL) << 64) + 0x4385DF649FCCF645ULL)

static void pcg_step(struct np_pcg64 *g)
{
    g->state = g->state * PCG_MULT + g->inc;
}

void np_pcg64_seed(struct np_pcg64 *g, uint64_t seed)
{
    uint64_t v[4];
    ss_generate64(seed, v, 4);
    unsigned __int128 initstate = ((unsigned __int128)v[0] << 64) + v[1];
    unsigned __int128 initseq = ((unsigned __int128)v[2] << 64) + v[3];
    g->state = 0;
    g->inc = (initseq << 1) | 1U;
    pcg_step(g);
    g->state += initstate;
    pcg_step(g);
    g->has_uint32 = false;
    g->uinteger = 0;
}

uint64_t np_pcg64_next64(struct np_pcg64 *g)
{
    pcg_step(g);
    uint64_t x = (uint64_t)(g->state >> 64) ^ (uint64_t)g->state;
    unsigned rot = (unsigned)(g->state >> 122);
    return (x >> rot) | (x << ((64 - rot) & 63));
}

uint32_t np_pcg64_next32(struct np_pcg64 *g)
{
    if (g->has_uint32) {
        g->has_uint32 = false;
        return g->uinteger;
    }
    uint64_t n = np_pcg64_next64(g);
    g->has_uint32 = true;
    g->uinteger = (uint32_t)(n >> 32);
    return (uint32_t)n;
}

static uint64_t bounded_lemire64(struct np_pcg64 *g, uint64_t rng)
{
    const uint64_t rng_excl = rng + 1;
    unsigned __int128 m = (unsigned __int128)np_pcg64_next64(g) * rng_excl;
    uint64_t leftover = (uint64_t)m;
    if (leftover < rng_excl) {
        const uint64_t threshold = (UINT64_MAX - rng) % rng_excl;
        while (leftover < threshold) {
            m = (unsigned __int128)np_pcg64_next64(g) * rng_excl;
            leftover = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

int64_t np_integers(struct np_pcg64 *g, int64_t low, int64_t high)
{
    CS_ASSERT(high > low);
    uint64_t rng = (uint64_t)(high - 1) - (uint64_t)low; /* inclusive range */
    if (rng == 0)
        return low;
    if (rng <= 0xFFFFFFFFULL) {
        if (rng == 0xFFFFFFFFULL)
            return low + (int64_t)np_pcg64_next32(g);
        const uint32_t rng_excl = (uint32_t)rng + 1U;
        uint64_t m = (uint64_t)np_pcg64_next32(g) * rng_excl;
        uint32_t leftover = (uint32_t)m;
        if (leftover < rng_excl) {
            const uint32_t threshold = (UINT32_MAX - (uint32_t)rng) % rng_excl;
            while (leftover < threshold) {
                m = (uint64_t)np_pcg64_next32(g) * rng_excl;
                leftover = (uint32_t)m;
            }
        }
        return low + (int64_t)(m >> 32);
    }
    if (rng == UINT64_MAX)
        return low + (int64_t)np_pcg64_next64(g);
    return low + (int64_t)bounded_lemire64(g, rng);
}
