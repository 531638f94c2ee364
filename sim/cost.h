/*
 * cost.h - how long one engine step takes: the model's work
 * (model/work.h) priced with a hardware profile (profile/profile.h).
 *
 * The step time is a roofline per part (weights, KV reads, recurrent
 * state: bytes over effective bandwidth; linear layers and attention:
 * FLOPs over effective tensor throughput), combined per part by how
 * far memory and compute overlap (between their sum and their maximum),
 * plus fixed per-step, per-sequence and per-token overheads.
 * docs/model.md gives every term.
 *
 * Ownership: cost_new() copies what it needs; free with cost_free().
 * cost_step_seconds() fills a memo inside the model, so a cost model
 * serves one thread at a time.
 */
#ifndef CAPSIM_SIM_COST_H
#define CAPSIM_SIM_COST_H

#include <stdbool.h>

#include "model/work.h"
#include "profile/profile.h"

struct cost_model;

/* Per-term seconds for diagnostics and tests. */
struct cost_breakdown {
    double weights_s;     /* dense + lm_head + touched experts */
    double attention_s;   /* KV reads and attention FLOPs */
    double state_s;       /* recurrent state */
    double activations_s; /* element-wise kernels and activation quantization between GEMMs */
    double overhead_s;    /* step, sequence, token overheads */
    double gpu_s;         /* total GPU time of the step */
    double cpu_s;         /* CPU time that async scheduling may overlap */
    double step_s;        /* what the step takes on the wall clock */
};

/* Life cycle */
struct cost_model *cost_new(const struct model_work *w, const struct profile *p,
                            bool async_scheduling);
void cost_free(struct cost_model *c);

/* Wall-clock seconds of a step of this shape; bd may be NULL. */
double cost_step_seconds(struct cost_model *c, const struct step_shape *s,
                         struct cost_breakdown *bd);

/* The profile coefficients a kernel path's time rests on: its
 * compute-bound rate and its weight-streaming rate. Fills keys, returns
 * how many (at most 2). */
size_t cost_path_keys(enum kernel_path path, enum prof_key keys[2]);

/* Seconds a client adds on top of the engine (HTTP, detokenize, streaming). */
double cost_client_latency_s(const struct cost_model *c);
/* Seconds the API server spends on each request before the engine sees
 * it, one request at a time. */
double cost_frontend_s(const struct cost_model *c);

#endif /* CAPSIM_SIM_COST_H */
