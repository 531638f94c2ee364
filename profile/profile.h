/*
 * profile.h - a hardware profile: the few physical numbers and fitted
 * coefficients that turn work (bytes, FLOPs) into seconds on one machine.
 *
 * A profile is a flat table of named coefficients, each with its value and
 * its provenance ("spec: GB10 product page", "fitted: capsim calibrate on
 * ../shared/arena ..."). The JSON file has the same shape:
 *     { "name": "gb10", "description": "...",
 *       "coefficients": { "mem_bw_bytes_per_s": { "value": 2.73e11, "source": "..." }, ... } }
 * Adding a coefficient is one row in the PROF_* enum and one in the table
 * in profile.c (ORDER PROF).
 *
 * Ownership: struct profile is plain data, copied by value; no pointers.
 */
#ifndef CAPSIM_PROFILE_PROFILE_H
#define CAPSIM_PROFILE_PROFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "common/err.h"

enum prof_key {
    /* Machine facts (spec sheet or research notes). */
    PROF_MEM_TOTAL_BYTES,      /* memory CUDA reports as total (vLLM's total_memory) */
    PROF_MEM_BW_BYTES_PER_S,   /* DRAM bandwidth, spec */
    PROF_PEAK_FLOPS_BF16,      /* dense tensor-core peak */
    PROF_PEAK_FLOPS_FP8,
    PROF_PEAK_FLOPS_FP4,
    PROF_GPU_SMS,              /* streaming multiprocessors (Marlin's persistent grid) */
    PROF_L2_BYTES,             /* GPU L2: a weight matrix this small is re-read from L2 */
    /* Efficiencies (fractions of the peaks above). */
    PROF_BW_EFF_WEIGHTS,       /* weight streaming in BF16 GEMV/GEMM */
    PROF_BW_EFF_KV,            /* paged-attention KV reads */
    PROF_GEMM_EFF_BF16,        /* compute-bound BF16 GEMM */
    PROF_GEMM_EFF_FP8_NATIVE,  /* CUTLASS W8A8 FP8, fraction of the FP8 peak */
    PROF_GEMM_EFF_FP8_TRITON,  /* Triton W8A8 FP8 (block-FP8 fallback, FP8 experts), of the FP8 peak */
    PROF_GEMM_EFF_FP4_NATIVE,  /* CUTLASS NVFP4 W4A4 GEMM at large shapes (kernel anchor), of the FP4 peak */
    PROF_GEMM_ANCHOR_FP8,      /* CUTLASS FP8 GEMM at large shapes (kernel anchor), of the FP8 peak */
    PROF_MARLIN_EFF,           /* compute-bound Marlin (any weight format), fraction of BF16 peak */
    PROF_MARLIN_BW_EFF,        /* weight streaming through Marlin, fraction of spec bandwidth */
    PROF_GEMV_EFF,             /* weight streaming of a one-token step, relative to a batched one */
    PROF_MOE_EFF,              /* BF16 grouped expert GEMM (prefill) relative to dense GEMM */
    PROF_MOE_BW_EFF,           /* expert weight streaming relative to its path's dense streaming */
    PROF_ATTN_PREFILL_EFF,     /* prefill attention, fraction of BF16 peak */
    PROF_RECURRENT_EFF,        /* Mamba-2 / Gated DeltaNet scans, fraction of BF16 peak */
    PROF_ATTN_HEAD_DIM_EXP,    /* attention FLOP efficiency scales as (128 / head_dim)^exp */
    PROF_MOE_ROUTING_SKEW,     /* expert popularity falls as rank^-skew; 0 = uniform routing */
    PROF_OVERLAP_EXP,          /* memory/compute overlap in a kernel: (mem^n + comp^n)^(1/n) */
    /* Overheads. */
    PROF_BLOCK_OVERHEAD_S,     /* per step and residual block (token mixer or FFN) */
    PROF_SEQ_OVERHEAD_S,       /* per request in the step */
    PROF_TOKEN_OVERHEAD_S,     /* per scheduled token (input prep, eager ops) */
    PROF_CPU_STEP_S,           /* CPU work per step that async scheduling can hide */
    PROF_CLIENT_LATENCY_S,     /* HTTP + detokenize + stream, added to what a client sees */
    PROF_FRONTEND_REQUEST_S,   /* API-server preparation per request, one at a time */
    PROF_ACTIVATION_BYTES_PER_TOKEN, /* activation peak per max_num_batched_tokens (memory) */
    PROF_NON_TORCH_BYTES,      /* non-torch memory (CUDA context, NCCL...) */
    PROF_CUDAGRAPH_BYTES,      /* CUDA-graph memory estimate taken off the KV budget */
    /* Error bands (calibrate/bands.h): measured / predicted, 10th and
     * 90th percentile of leave-one-model-out cases. */
    PROF_BAND_TTFT_LO,
    PROF_BAND_TTFT_HI,
    PROF_BAND_TPOT_LO,
    PROF_BAND_TPOT_HI,
    PROF_BAND_PRIOR_FACTOR,    /* a prediction resting on a prior: band widened by this factor each way */
    PROF_COUNT
};

/* Error bands a profile carries (calibrate/bands.h fills them). */
enum band_metric { BAND_TTFT, BAND_TPOT, BAND_COUNT };

struct profile {
    char name[64];
    char description[256];
    double v[PROF_COUNT];
    char source[PROF_COUNT][160];
};

/* The 80% interval of a predicted time v of metric m: [v lo, v hi] from
 * the profile's left-out residuals, each end moved by band_prior_factor
 * when the prediction rests on an uncalibrated prior. */
void profile_band(const struct profile *p, enum band_metric m, double v, bool on_prior, double *lo,
                  double *hi);

/* Table */
const char *profile_key_name(enum prof_key k);
/* PROF_COUNT if no key has that name. */
enum prof_key profile_key_by_name(const char *name);

/* Loading and saving */
/* The built-in profile by name ("gb10"), from profile/<name>.json compiled in. */
int profile_load_builtin(const char *name, struct profile *out, struct cs_err *err);
/* Where `capsim calibrate` fits built-in profile `name` from: its start
 * point (calibrate/start/<name>-start.json, compiled in). Fitting from
 * there with the default iterations reproduces the built-in profile, and
 * leave-one-out folds start there rather than at a fit that has seen
 * every model. */
int profile_load_fit_start(const char *name, struct profile *out, struct cs_err *err);
/* A profile file. Unknown coefficient names and missing ones are errors. */
int profile_load_file(const char *path, struct profile *out, struct cs_err *err);
int profile_parse_text(const char *name, const char *text, struct profile *out,
                       struct cs_err *err);
/* Every coefficient inside its physical range (efficiencies in
 * [1e-6, 1], bandwidths and peaks positive, exponents <= 10, times <= 60 s);
 * `what` names the source in the message. Loading checks this. */
int profile_check(const struct profile *p, const char *what, struct cs_err *err);
/* Write as JSON with keys in table order (byte-identical for equal input). */
int profile_write(const struct profile *p, FILE *f, struct cs_err *err);
/* Names of the built-in profiles, NULL-terminated, static. */
const char *const *profile_builtin_names(void);

#endif /* CAPSIM_PROFILE_PROFILE_H */
