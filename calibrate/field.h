/*
 * field.h - the field set: third-party GB10 measurements, one JSON file
 * per source in calibrate/field/ (built into the binary, or read from a
 * folder), each with its citation, the box, engine and model it ran, the
 * server flags it states, and cases (one client setting each) with the
 * figures it published. The format is capsim's own, so every key is
 * checked: an unknown key, a missing citation or a figure of the wrong
 * kind is an error naming the file and the field (docs/validation.md).
 *
 * Ownership: field_load_*() return a set you free with field_free(); every
 * string in it lives until then.
 */
#ifndef CAPSIM_CALIBRATE_FIELD_H
#define CAPSIM_CALIBRATE_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Figures a source can publish, named as in the files. ORDER FM:
 * field_metric_name(). */
enum field_metric {
    FM_DECODE_TPS_PER_USER, /* one request's decode rate, mean over requests */
    FM_DECODE_TPS_TOTAL,    /* all running requests' decode rates together */
    FM_OUTPUT_TPS,          /* output tokens / benchmark duration (vllm bench serve) */
    FM_PREFILL_TPS,         /* prompt tokens / time to the first token (the batch's last) */
    FM_TTFT_MS_MEAN,
    FM_TTFT_MS_P50,
    FM_TPOT_MS_MEAN,
    FM_TPOT_MS_P50,
    FM_ITL_MS_MEAN,
    FM_ITL_MS_P50,
    FM_E2E_MS_MEAN,
    FM_GEMM_TFLOPS,         /* kernel level: capsim does not predict these */
    FM_BANDWIDTH_GBS,
    FM_COUNT
};
const char *field_metric_name(enum field_metric m);

/* How the source's client drove the server. */
enum field_client {
    FC_SERVE,  /* requests of `prompt` tokens kept `concurrency` in flight until
                * `num_requests` have run (vllm bench serve --max-concurrency,
                * atlas-bench, a sweep level) */
    FC_BURST,  /* `concurrency` requests sent at the same instant, once */
    FC_SINGLE, /* one request on an idle server */
    FC_KERNEL, /* a kernel measured alone: no server */
};

struct field_case {
    char *id;
    char *line;                 /* where in the source the figures stand */
    enum field_client client;
    int64_t prompt, output;     /* tokens per request (server-side prompt) */
    double mean_output;         /* replies as long as they ran (EOS), NaN = output */
    int64_t concurrency, num_requests;
    bool prefix_cache_hits;     /* the prompts share prefixes the cache served */
    double acceptance_length;   /* speculative tokens per step, NaN if none */
    bool acceptance_derived;    /* derived (ITL/TPOT), not stated by the source */
    int64_t repeats;            /* how many measurements each figure is over */
    double measured[FM_COUNT];  /* NaN where not published */
    double spread[FM_COUNT];    /* published spread (std or range half-width), NaN */
    char *unsupported;          /* why capsim cannot express it, "" if it can */
    /* where one source measured several settings: the case's own, else
     * ("" / -1) the source's */
    char *capsim_model, *checkpoint, *model_id;
    int64_t num_speculative_tokens;
    bool prompt_stated;         /* false: the source gives no prompt length; a short
                                 * one is assumed, so only decode figures are kept */
};

struct field_source {
    char *file;                 /* path or embedded name, for messages */
    char *id, *title, *url, *repo, *path, *commit, *licence;
    double trust;               /* 0..1, weight for a joint fit */
    char *box, *driver, *engine, *engine_version;
    char *model_id, *model_revision, *capsim_model, *checkpoint, *kernel_path;
    bool sm120_fp4_kernels;     /* the build ran NVFP4 natively (its log names a CUTLASS/FlashInfer FP4 kernel) */
    const char *model_text;     /* a field model's config.json text (built in), or NULL */
    /* server flags as stated (0 / "" where not stated: vLLM's default) */
    double gpu_memory_utilization;
    int64_t max_model_len, max_num_batched_tokens, max_num_seqs, tensor_parallel_size;
    char *kv_cache_dtype, *linear_backend, *moe_backend, *spec_method;
    int64_t num_speculative_tokens;
    int async_scheduling;       /* -1 not stated */
    int enable_prefix_caching;  /* -1 not stated */
    bool enforce_eager, force_fp8_marlin;
    char **artefacts;
    size_t n_artefacts;
    char *unsupported;          /* why no case of this source can be expressed, "" */
    struct field_case *cases;
    size_t n_cases;
};

struct field_set {
    struct field_source *sources;
    size_t n_sources;
};

/* The built-in set: the sources under calibrate/field, compiled in. */
int field_load_builtin(struct field_set **out, struct cs_err *err);
/* Every *.json in dir (not its models/ folder), sorted by name. */
int field_load_dir(const char *dir, struct field_set **out, struct cs_err *err);
/* One file's text into set (appended). `file` names it in messages. */
int field_parse(struct field_set *set, const char *file, const char *text, struct cs_err *err);
void field_free(struct field_set *set);

/* Why capsim cannot predict this case ("" if it can): the source's or the
 * case's stated reason, another engine, tensor parallelism, prefix-cache
 * hits, a kernel-level figure. */
const char *field_case_unsupported(const struct field_source *s, const struct field_case *c);

/* True if capsim can simulate the case: expressible, and a speculative
 * case has its acceptance length. */
bool field_case_predictable(const struct field_source *s, const struct field_case *c);

/* The case's settings where it overrides its source's. */
const char *field_case_model(const struct field_source *s, const struct field_case *c);
const char *field_case_checkpoint(const struct field_source *s, const struct field_case *c);
int64_t field_case_spec_tokens(const struct field_source *s, const struct field_case *c);

#endif /* CAPSIM_CALIBRATE_FIELD_H */
