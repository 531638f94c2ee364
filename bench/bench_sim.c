/*
 * bench_sim.c - engine speed and memory: N requests of 1000 prompt / OUT
 * output tokens (a dense 8B-shaped model on the built-in GB10 profile)
 * arriving just faster than the engine serves them, submitted lazily so
 * the client holds nothing per request. Prints simulated requests per
 * wall-clock second and peak resident memory. Usage: bench_sim N OUT [on|off]
 * (prefix caching, default on as vLLM; the prompts are unique, so it hits
 * nothing: this measures its bookkeeping).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "client/deploy.h"

struct feed {
    struct sim *sim;
    uint64_t next, n;
    uint32_t out;
    double gap;
};

static void submit_next(struct feed *f, double now)
{
    if (f->next >= f->n)
        return;
    double t = (double)f->next * f->gap;
    struct sim_request r = { .id = f->next, .arrival_s = t > now ? t : now, .n_prompt = 1000, .n_output = f->out };
    f->next++;
    sim_submit(f->sim, &r);
}

static void on_finish(void *ud, uint64_t id, double t)
{
    (void)id;
    submit_next(ud, t);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    uint32_t out = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 200;
    bool cache = !(argc > 3 && strcmp(argv[3], "off") == 0);
    struct deploy_args a;
    deploy_args_init(&a);
    a.model = "granite-4.1-8b";
    a.kv_cache_dtype = "fp8";
    a.max_num_batched_tokens = 8192;
    a.enable_prefix_caching = cache;
    struct deploy *d;
    struct cs_err err = { 0 };
    if (deploy_new(&a, &d, &err)) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    struct feed f = { NULL, 0, n, out, 0.0 };
    struct sim_hooks h = { .ud = &f, .on_tokens = NULL, .on_finish = on_finish, .on_reject = NULL };
    f.sim = sim_new(&d->cfg, &h);
    /* keep ~max_num_seqs requests in the system: seed that many, then one per finish */
    for (uint32_t i = 0; i < d->cfg.max_num_seqs; i++)
        submit_next(&f, 0.0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sim_run(f.sim);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    const struct sim_stats *st = sim_stats(f.sim);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("prefix caching %s  requests %llu  output %u  steps %lld  simulated %.0f s  wall %.2f s  "
           "%.0f requests/s  peak RSS %ld KiB  %.1f bytes/request\n",
           cache ? "on " : "off", (unsigned long long)st->n_finished, out, (long long)st->n_steps, st->end_s, wall,
           (double)st->n_finished / wall, ru.ru_maxrss, ru.ru_maxrss * 1024.0 / (double)n);
    sim_free(f.sim);
    deploy_free(d);
    return st->n_finished == (int64_t)n ? 0 : 1;
}
