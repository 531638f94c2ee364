/*
 * main.cu - capsim-kbench: microbenchmarks of the building blocks of
 * prefill and decode on an NVIDIA GPU, one JSON line per measurement
 * (docs/kernels.md). --list works without a GPU.
 */
#include <cstdlib>
#include <cstring>

#include "kernels/kbench.cuh"

char kb_last_error[256];

static const char *const benches[][2] = {
    { "membw", "memory bandwidth: read, copy, triad from inside L2 to far beyond it" },
    { "gemm", "cuBLASLt GEMM/GEMV per math type: bf16, fp8 e4m3 (where supported), on model shapes, M = 1..8192" },
    { "dequant_gemm", "weight-only dequant GEMM (Marlin-style): fp8 and nvfp4 weights, bf16 math" },
    { "moe_gemm", "grouped expert GEMM: T tokens routed top-k over E experts" },
    { "attn_decode", "paged decode attention over bf16 and fp8 KV caches, block 16, ctx 128..131072, batch 1..256" },
    { "attn_prefill", "causal prefill attention of a chunk against a prefix" },
};

void kb_emit(kb_ctx &c, const char *bench, const char *dtype, long long m, long long n, long long k,
             long long batch, long long ctx, double time_us, double bytes, double flops,
             const char *status)
{
    struct kb_record r;
    memset(&r, 0, sizeof r);
    snprintf(r.bench, sizeof r.bench, "%s", bench);
    snprintf(r.dtype, sizeof r.dtype, "%s", dtype);
    r.m = m, r.n = n, r.k = k, r.batch = batch, r.ctx = ctx;
    r.time_us = time_us, r.bytes = bytes, r.flops = flops;
    snprintf(r.status, sizeof r.status, "%s", status);
    snprintf(r.device, sizeof r.device, "%s", c.device);
    snprintf(r.sm, sizeof r.sm, "%d.%d", c.sm_major, c.sm_minor);
    r.clock_mhz = c.clock_mhz, r.driver = c.driver, r.runtime = c.runtime;
    if (strcmp(status, "ok") != 0) {
        snprintf(r.message, sizeof r.message, "%s", kb_last_error);
        fprintf(stderr, "capsim-kbench: %s %s: %s\n", bench, dtype, kb_last_error);
    }
    kb_write_record(c.out, &r);
    fflush(c.out);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: capsim-kbench [--list] [--filter SUBSTR] [--quick] [--out FILE]\n"
               "  --list          print the benchmark names (needs no GPU)\n"
               "  --filter SUBSTR run only benchmarks whose name contains SUBSTR\n"
               "  --quick         fewer shapes and repetitions (whole suite under a minute)\n"
               "  --out FILE      write the JSON lines to FILE instead of stdout\n"
               "Feed the output to: capsim calibrate --kernels FILE --out profile.json\n");
}

int main(int argc, char **argv)
{
    kb_ctx c;
    memset(&c, 0, sizeof c);
    c.out = stdout;
    bool list = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--list"))
            list = true;
        else if (!strcmp(argv[i], "--quick"))
            c.quick = true;
        else if (!strcmp(argv[i], "--filter") && i + 1 < argc)
            c.filter = argv[++i];
        else if (!strcmp(argv[i], "--out") && i + 1 < argc) {
            c.out = fopen(argv[++i], "w");
            if (!c.out) {
                fprintf(stderr, "capsim-kbench: cannot write '%s'\n", argv[i]);
                return 1;
            }
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "capsim-kbench: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (list) {
        for (auto &b : benches)
            printf("%-14s %s\n", b[0], b[1]);
        return 0;
    }
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n == 0) {
        fprintf(stderr, "capsim-kbench: no CUDA device found (cudaGetDeviceCount: %s)\n",
                e != cudaSuccess ? cudaGetErrorString(e) : "0 devices");
        return 1;
    }
    cudaDeviceProp prop;
    cudaGetDeviceProperties(&prop, 0);
    snprintf(c.device, sizeof c.device, "%s", prop.name);
    c.sm_major = prop.major, c.sm_minor = prop.minor;
    cudaDeviceGetAttribute(&c.clock_mhz, cudaDevAttrClockRate, 0);
    c.clock_mhz /= 1000;
    cudaDriverGetVersion(&c.driver);
    cudaRuntimeGetVersion(&c.runtime);
    fprintf(stderr, "capsim-kbench: %s, sm_%d%d, %d MHz, driver %d, runtime %d\n", c.device,
            c.sm_major, c.sm_minor, c.clock_mhz, c.driver, c.runtime);
    c.flush_bytes = (size_t)prop.l2CacheSize * 4 + (64u << 20);
    if (cudaMalloc(&c.flush, c.flush_bytes) != cudaSuccess) {
        fprintf(stderr, "capsim-kbench: cannot allocate the L2 flush buffer\n");
        return 1;
    }
    auto want = [&](const char *name) { return !c.filter || strstr(name, c.filter); };
    if (want("membw"))
        kb_bench_membw(c);
    if (want("gemm") && !(c.filter && strstr(c.filter, "dequant")))
        kb_bench_gemm(c);
    if (want("dequant_gemm") || want("moe_gemm"))
        kb_bench_dequant(c);
    if (want("attn"))
        kb_bench_attention(c);
    cudaFree(c.flush);
    if (c.out != stdout)
        fclose(c.out);
    return 0;
}
