/*
 * serve.c - the open-loop client. Requests are sent at their gamma arrival
 * times (or when a --max-concurrency slot frees, in order); every chunk the
 * engine streams reaches the client after the profile's client latency.
 * Per request: send time, first chunk (TTFT: the role chunk, which vLLM
 * sends with the first token), last chunk (E2EL), chunk gaps (ITL, the
 * first gap between the role chunk and the first token chunk being 0).
 */
#include "client/serve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

void serve_args_init(struct serve_args *a)
{
    memset(a, 0, sizeof *a);
    a->dataset = DATASET_RANDOM;
    a->random = (struct workload_random_args){ 1024, 128, 0.0, 0, 0 };
    a->prefix_rep = (struct workload_prefix_repetition_args){ 256, 256, 10, 128 };
    a->num_prompts = 1000;
    a->request_rate = INFINITY;
    a->burstiness = 1.0;
    a->output_scale = 1.0;
    a->pcts[0] = 99;
    a->n_pcts = 1;
    a->percentile_metrics = SERVE_PM_DEFAULT;
}

void serve_result_release(struct serve_result *r)
{
    for (size_t i = 0; i < r->n_detail; i++)
        free(r->detail[i].itl_s);
    free(r->detail);
    r->detail = NULL;
    r->n_detail = 0;
}

struct client_req {
    double arrival, send, first, last;
    uint32_t n_prompt, n_output, n_got;
    bool rejected;
    struct pc_segment shared;   /* the prompt's shared prefix, for the prefix cache */
};

struct run {
    const struct deploy *d;
    struct sim *sim;
    struct client_req *req;
    size_t n, next_to_send;
    int64_t cap, in_flight;
    double latency;
    struct sample itl;       /* gaps of every itl_stride-th request, ms */
    bool keep_itl;
    uint64_t itl_stride;
    double itl_n, itl_mean, itl_m2; /* Welford over every gap */
    struct metric_buckets chunks; /* chunk arrivals per second, for the output-rate peak */
    struct serve_request_detail *detail; /* --save-detailed, else NULL */
    struct serve_result *res;
};

static void send_req(struct run *r, size_t i, double t)
{
    struct client_req *q = &r->req[i];
    q->send = t;
    struct sim_request s = { .id = i, .arrival_s = t, .n_prompt = q->n_prompt, .n_output = q->n_output,
                             .segs = &q->shared, .n_segs = q->shared.len ? 1 : 0 };
    sim_submit(r->sim, &s);
    r->in_flight++;
}

static void on_tokens(void *ud, uint64_t id, double t, uint32_t n)
{
    struct run *r = ud;
    struct client_req *q = &r->req[id];
    double seen = t + r->latency;
    double gap_ms;
    if (q->n_got == 0) {
        q->first = seen;
        metric_buckets_add(&r->chunks, seen); /* role chunk */
        gap_ms = 0.0;                         /* role chunk -> first token chunk */
    } else {
        gap_ms = (seen - q->last) * 1e3;
    }
    if (r->keep_itl) {
        if (id % r->itl_stride == 0)
            sample_push(&r->itl, gap_ms);
        r->itl_n += 1;
        double delta = gap_ms - r->itl_mean;
        r->itl_mean += delta / r->itl_n;
        r->itl_m2 += delta * (gap_ms - r->itl_mean);
    }
    metric_buckets_add(&r->chunks, seen);
    if (r->detail) { /* vLLM's output.itl: a gap per chunk after the first */
        struct serve_request_detail *x = &r->detail[id];
        xgrow((void **)&x->itl_s, &x->cap_itl, x->n_itl + 1, sizeof *x->itl_s);
        x->itl_s[x->n_itl++] = gap_ms / 1e3;
    }
    q->last = seen;
    q->n_got += n;
}

static void on_finish(void *ud, uint64_t id, double t)
{
    (void)id;
    struct run *r = ud;
    r->in_flight--; /* a --max-concurrency slot frees */
    if (r->cap > 0 && r->next_to_send < r->n) {
        size_t i = r->next_to_send++;
        double at = r->req[i].arrival > t ? r->req[i].arrival : t;
        send_req(r, i, at);
    }
}

/* The engine cannot run the request. vLLM's server refuses one whose
 * prompt + max_tokens exceeds max_model_len before it reaches the engine,
 * with HTTP 400 (vllm/entrypoints/openai/serving_engine.py,
 * OpenAIServing._validate_input), and the client counts it as failed
 * (vllm/benchmarks/lib/endpoint_request_func.py: success false, error the
 * HTTP reason): the reply comes at once and frees its slot. */
static void on_reject(void *ud, uint64_t id, double t, const char *why)
{
    (void)why;
    struct run *r = ud;
    struct client_req *q = &r->req[id];
    q->rejected = true;
    uint32_t limit = r->d->cfg.max_model_len;
    if ((uint64_t)q->n_prompt + q->n_output > limit && r->res->n_too_long++ == 0) {
        r->res->too_long_prompt = q->n_prompt;
        r->res->too_long_output = q->n_output;
    }
    on_finish(ud, id, t);
}

static int build_requests(const struct serve_args *a, struct client_req **out, size_t *n_out,
                          struct cs_err *err)
{
    struct workload_req *w = NULL;
    size_t n = (size_t)a->num_prompts;
    int rc = CS_OK;
    if (a->dataset == DATASET_TRACE) {
        if (!a->dataset_path)
            return cs_err_set(err, CS_EUSAGE, "serve: --dataset-name trace needs --dataset-path FILE.csv");
        size_t nt;
        if ((rc = workload_trace_load(a->dataset_path, &w, &nt, err)))
            return rc;
        if (nt < n || a->num_prompts <= 0)
            n = nt;
    } else {
        if (n == 0)
            return cs_err_set(err, CS_EUSAGE, "serve: --num-prompts: must be > 0");
        if (a->dataset == DATASET_PREFIX_REPETITION) {
            rc = workload_prefix_repetition(&a->prefix_rep, a->seed, n, &w, &n, err);
            if (rc)
                return rc;
        } else {
            w = xcalloc(n, sizeof *w);
        }
        if (a->dataset == DATASET_RANDOM)
            rc = workload_random(&a->random, a->seed, n, w, err);
        else if (a->dataset == DATASET_SHAREGPT)
            rc = workload_sharegpt_builtin(a->seed, n, w, err);
        double *t = xmalloc(n * sizeof *t);
        if (!rc)
            rc = workload_arrivals(a->request_rate, a->burstiness, a->seed, n, t, err);
        for (size_t i = 0; !rc && i < n; i++)
            w[i].arrival_s = t[i];
        free(t);
    }
    if (rc) {
        free(w);
        return rc;
    }
    struct client_req *q = xcalloc(n, sizeof *q);
    for (size_t i = 0; i < n; i++) {
        q[i].arrival = w[i].arrival_s;
        double p = w[i].n_prompt + a->chat_template_tokens;
        q[i].n_prompt = p < 1 ? 1 : (uint32_t)lround(p);
        double o = w[i].n_output * a->output_scale;
        q[i].n_output = o < 1 ? 1 : (uint32_t)lround(o);
        q[i].shared = (struct pc_segment){ w[i].shared_id, w[i].shared_id ? w[i].shared_len : 0 };
    }
    free(w);
    *out = q;
    *n_out = n;
    return CS_OK;
}

int serve_run(const struct deploy *d, const struct serve_args *a, struct serve_result *res,
              struct cs_err *err)
{
    memset(res, 0, sizeof *res);
    struct run r = { .d = d, .cap = a->max_concurrency, .latency = cost_client_latency_s(d->cost),
                     .keep_itl = !a->skip_itl };
    int rc = build_requests(a, &r.req, &r.n, err);
    if (rc)
        return rc;
    /* Every chunk counts from the earliest send: the earliest arrival. */
    double gaps = 0;
    r.chunks.t0 = r.n ? r.req[0].arrival : 0;
    for (size_t i = 0; i < r.n; i++) {
        r.chunks.t0 = fmin(r.chunks.t0, r.req[i].arrival);
        gaps += r.req[i].n_output;
    }
    r.itl_stride = gaps > (double)METRIC_ITL_MAX_GAPS
                       ? (uint64_t)ceil(gaps / (double)METRIC_ITL_MAX_GAPS) : 1;
    r.res = res;
    res->max_model_len = d->cfg.max_model_len;
    if (a->keep_detail)
        r.detail = xcalloc(r.n ? r.n : 1, sizeof *r.detail);
    struct sim_hooks h = { .ud = &r, .on_tokens = on_tokens, .on_finish = on_finish,
                           .on_reject = on_reject };
    r.sim = sim_new(&d->cfg, &h);
    if (r.cap > 0) {
        for (; r.next_to_send < r.n && (int64_t)r.next_to_send < r.cap; r.next_to_send++)
            send_req(&r, r.next_to_send, r.req[r.next_to_send].arrival);
    } else {
        for (; r.next_to_send < r.n; r.next_to_send++)
            send_req(&r, r.next_to_send, r.req[r.next_to_send].arrival);
    }
    sim_run(r.sim);

    /* vLLM's calculate_metrics over the requests that got a chunk. */
    struct metric_req *mr = xmalloc((r.n ? r.n : 1) * sizeof *mr);
    double ttft_max = 0;
    for (size_t i = 0; i < r.n; i++) {
        const struct client_req *q = &r.req[i];
        mr[i] = (struct metric_req){ q->send, q->first, q->last, q->n_prompt, q->n_got };
        if (q->n_got && q->first - q->send > ttft_max)
            ttft_max = q->first - q->send;
    }
    struct metric_vllm m;
    metric_vllm_compute(mr, r.n, &r.itl, &r.chunks, a->pcts, a->n_pcts, &a->goodput, &m);
    if (r.itl_stride > 1) { /* the subsample's mean and std -> the exact ones */
        m.itl_ms.mean = r.itl_mean;
        m.itl_ms.std = r.itl_n > 0 ? sqrt(r.itl_m2 / r.itl_n) : 0;
    }
    free(mr);
    if (r.detail) {
        for (size_t i = 0; i < r.n; i++) {
            const struct client_req *q = &r.req[i];
            struct serve_request_detail *x = &r.detail[i];
            x->start_s = q->send;
            x->input_len = q->n_prompt;
            x->failed = q->n_got == 0;
            x->output_len = x->failed ? 0 : q->n_got;
            x->ttft_s = x->failed ? 0 : q->first - q->send;
        }
        res->detail = r.detail;
        res->n_detail = r.n;
    }
    res->duration = m.duration;
    res->completed = m.completed;
    res->failed = m.failed;
    res->total_input_tokens = m.total_input_tokens;
    res->total_output_tokens = m.total_output_tokens;
    res->request_throughput = m.request_throughput;
    res->has_goodput = m.has_goodput;
    res->request_goodput = m.request_goodput;
    res->output_throughput = m.output_throughput;
    res->total_token_throughput = m.total_token_throughput;
    res->max_output_tokens_per_s = m.max_output_tokens_per_s;
    res->max_concurrent_requests = m.max_concurrent_requests;
    res->ttft_ms = m.ttft_ms;
    res->tpot_ms = m.tpot_ms;
    res->itl_ms = m.itl_ms;
    res->e2el_ms = m.e2el_ms;
    const struct sim_stats *st = sim_stats(r.sim);
    res->num_preemptions = st->n_preemptions;
    res->peak_running = st->peak_running;
    res->prefix_caching = d->cfg.enable_prefix_caching;
    res->prefix_cache_queries = st->prefix_cache_queries;
    res->prefix_cache_hits = st->prefix_cache_hits;
    res->kv_cache_usage_peak =
        d->cfg.kv.n_blocks ? (double)st->peak_kv_blocks_used / (double)d->cfg.kv.n_blocks : 0;
    /* Overloaded: the server finished far later than the arrivals asked
     * for, i.e. the queue grew for the whole run. */
    if (isfinite(a->request_rate) && a->max_concurrency == 0 && r.n > 1) {
        double last_arrival = r.req[r.n - 1].arrival;
        res->overloaded = res->request_throughput < 0.5 * a->request_rate ||
                          ttft_max > 0.5 * last_arrival + 30.0;
    }
    sample_release(&r.itl);
    metric_buckets_release(&r.chunks);
    free(r.req);
    sim_free(r.sim);
    return CS_OK;
}

static void add_summary(struct metric_summary *acc, const struct metric_summary *x, double w)
{
    acc->mean += w * x->mean;
    acc->median += w * x->median;
    acc->std += w * x->std;
    for (int i = 0; i < METRIC_MAX_PCT; i++)
        acc->pct[i] += w * x->pct[i];
}

int serve_run_seeds(const struct deploy *d, const struct serve_args *a, int n_seeds,
                    struct serve_result *out, struct cs_err *err)
{
    if (n_seeds <= 1)
        return serve_run(d, a, out, err);
    struct serve_result acc;
    memset(&acc, 0, sizeof acc);
    double w = 1.0 / n_seeds, completed = 0, failed = 0, tin = 0, tout = 0, conc = 0, pre = 0;
    double too_long = 0, pcq = 0, pch = 0;
    for (int s = 0; s < n_seeds; s++) {
        struct serve_args as = *a;
        as.seed = a->seed + s;
        as.keep_detail = false; /* one run's requests only */
        struct serve_result r;
        int rc = serve_run(d, &as, &r, err);
        if (rc)
            return rc;
        acc.duration += w * r.duration;
        completed += w * r.completed;
        failed += w * r.failed;
        tin += w * r.total_input_tokens;
        tout += w * r.total_output_tokens;
        acc.request_throughput += w * r.request_throughput;
        acc.has_goodput = r.has_goodput;
        acc.request_goodput += w * r.request_goodput;
        acc.output_throughput += w * r.output_throughput;
        acc.total_token_throughput += w * r.total_token_throughput;
        acc.max_output_tokens_per_s += w * r.max_output_tokens_per_s;
        conc += w * r.max_concurrent_requests;
        pre += w * r.num_preemptions;
        pcq += w * (double)r.prefix_cache_queries;
        pch += w * (double)r.prefix_cache_hits;
        acc.prefix_caching = r.prefix_caching;
        acc.kv_cache_usage_peak += w * r.kv_cache_usage_peak;
        acc.overloaded = acc.overloaded || r.overloaded;
        too_long += w * r.n_too_long;
        if (r.n_too_long && !acc.too_long_prompt) { /* the first seed's first example */
            acc.too_long_prompt = r.too_long_prompt;
            acc.too_long_output = r.too_long_output;
        }
        acc.max_model_len = r.max_model_len;
        if (r.peak_running > acc.peak_running) /* a peak: the largest, not a mean */
            acc.peak_running = r.peak_running;
        add_summary(&acc.ttft_ms, &r.ttft_ms, w);
        add_summary(&acc.tpot_ms, &r.tpot_ms, w);
        add_summary(&acc.itl_ms, &r.itl_ms, w);
        add_summary(&acc.e2el_ms, &r.e2el_ms, w);
    }
    acc.completed = llround(completed);
    acc.failed = llround(failed);
    acc.total_input_tokens = llround(tin);
    acc.total_output_tokens = llround(tout);
    acc.max_concurrent_requests = llround(conc);
    acc.num_preemptions = llround(pre);
    acc.n_too_long = llround(too_long);
    acc.prefix_cache_queries = llround(pcq);
    acc.prefix_cache_hits = llround(pch);
    *out = acc;
    return CS_OK;
}
