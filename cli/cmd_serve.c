/*
 * cmd_serve.c - capsim serve: `vllm bench serve` against the simulated
 * server. Flags are vLLM's; a command copied from a benchmark log runs
 * unchanged (server-only flags are accepted and ignored with a warning).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/server_opts.h"
#include "common/strutil.h"
#include "client/serve.h"
#include "report/report.h"

static int parse_percentiles(const char *s, struct serve_args *a, struct cs_err *err)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    a->n_pcts = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *end;
        double p = strtod(t, &end);
        if (*end || !(p > 0 && p < 100) || a->n_pcts >= METRIC_MAX_PCT)
            return cs_err_set(err, CS_EUSAGE,
                              "serve: --metric-percentiles: up to %d values in (0, 100) (got '%s')",
                              METRIC_MAX_PCT, s);
        a->pcts[a->n_pcts++] = p;
    }
    return CS_OK;
}

/* --goodput KEY:VALUE ...: vLLM's check_goodput_args (metric ttft, tpot
 * or e2el; milliseconds, not negative). */
static int parse_goodput(const struct opt_strings *words, struct metric_goodput *g,
                         struct cs_err *err)
{
    for (size_t i = 0; i < words->n; i++) {
        const char *w = words->v[i], *colon = strchr(w, ':');
        char *end = NULL;
        double ms = colon ? strtod(colon + 1, &end) : NAN;
        if (!colon || colon == w || end == colon + 1 || *end || !isfinite(ms))
            return cs_err_set(err, CS_EUSAGE, "serve: --goodput: '%s': want KEY:VALUE with a "
                              "value in ms, e.g. ttft:500", w);
        if (ms < 0)
            return cs_err_set(err, CS_EUSAGE, "serve: --goodput: '%s': the value must not be "
                              "negative", w);
        size_t len = (size_t)(colon - w);
        bool *has;
        double *value;
        if (len == 4 && strncmp(w, "ttft", 4) == 0) {
            has = &g->has_ttft;
            value = &g->ttft_ms;
        } else if (len == 4 && strncmp(w, "tpot", 4) == 0) {
            has = &g->has_tpot;
            value = &g->tpot_ms;
        } else if (len == 4 && strncmp(w, "e2el", 4) == 0) {
            has = &g->has_e2el;
            value = &g->e2el_ms;
        } else {
            return cs_err_set(err, CS_EUSAGE, "serve: --goodput: '%s': the metric must be ttft, "
                              "tpot or e2el", w);
        }
        *has = true;
        *value = ms;
    }
    return CS_OK;
}

int cmd_serve(int argc, char **argv)
{
    struct server_flags sf = { 0 };
    struct serve_args a;
    serve_args_init(&a);
    const char *dataset = "random", *percentiles = "99", *result_dir = NULL, *result_file = NULL;
    const char *format = "text", *ignored = NULL, *percentile_metrics = NULL;
    bool save = false;
    struct opt_strings goodput = { 0 };
    int64_t seeds = 1;
    double ratio = 0.0;
    struct opt table[] = {
        SERVER_OPTS(sf),
        { "dataset-name", OPT_STRING, &dataset, 0, 0, "random|sharegpt|trace [random]", false },
        { "dataset-path", OPT_STRING, &a.dataset_path, 0, 0, "trace CSV (arrived_at,num_prefill_tokens,num_decode_tokens)", false },
        { "random-input-len", OPT_INT, &a.random.input_len, 1, 1e7, "[1024]", false },
        { "random-output-len", OPT_INT, &a.random.output_len, 1, 1e7, "[128]", false },
        { "random-range-ratio", OPT_DOUBLE, &ratio, 0, 0.999999, "lengths uniform in len*(1-r)..len*(1+r) [0]", false },
        { "random-prefix-len", OPT_INT, &a.random.prefix_len, 0, 1e7, "[0]", false },
        { "num-prompts", OPT_INT, &a.num_prompts, 1, 1e8, "[1000]", false },
        { "request-rate", OPT_DOUBLE, &a.request_rate, 1e-9, INFINITY, "requests per second, inf = all at once [inf]", false },
        { "burstiness", OPT_DOUBLE, &a.burstiness, 1e-6, 1e6, "gamma shape; 1 = Poisson [1.0]", false },
        { "max-concurrency", OPT_INT, &a.max_concurrency, 1, 1e8, "requests in flight at most [none]", false },
        { "seed", OPT_INT, &a.seed, 0, 4294967295.0, "[0]", false },
        { "seeds", OPT_INT, &seeds, 1, 1000, "mean of each metric over N seeds from --seed [1]", false },
        { "chat-template-tokens", OPT_DOUBLE, &a.chat_template_tokens, 0, 1e6, "tokens the chat template adds per prompt [0]", false },
        { "metric-percentiles", OPT_STRING, &percentiles, 0, 0, "comma list [99]", false },
        { "goodput", OPT_WORDS, &goodput, 0, 0, "request goodput objectives in ms: ttft:500 tpot:50 e2el:20000", false },
        { "percentile-metrics", OPT_STRING, &percentile_metrics, 0, 0, "accepted; all four are reported", false },
        { "save-result", OPT_FLAG, &save, 0, 0, "write the JSON result to a file", false },
        { "result-dir", OPT_STRING, &result_dir, 0, 0, "[.]", false },
        { "result-filename", OPT_STRING, &result_file, 0, 0, "[capsim-MODEL-PREC-RATEqps-seedS.json]", false },
        { "format", OPT_STRING, &format, 0, 0, "text|json on stdout [text]", false },
        { "base-url", OPT_STRING, &ignored, 0, 0, "accepted and ignored (a real server's)", false },
        { "backend", OPT_STRING, &ignored, 0, 0, "accepted and ignored (a real server's)", false },
        { "endpoint", OPT_STRING, &ignored, 0, 0, "accepted and ignored (a real server's)", false },
        { "tokenizer", OPT_STRING, &ignored, 0, 0, "accepted and ignored (a real server's)", false },
        { "served-model-name", OPT_STRING, &ignored, 0, 0, "accepted and ignored (a real server's)", false },
    };
    const char *pos[1];
    size_t n_pos;
    struct cs_err err = { 0 };
    int status;
    if (cli_parse("serve", "[vllm bench serve flags] [vllm serve flags]", table, CS_ARRAY_LEN(table), argc, argv, pos, 0, &n_pos,
                  &status))
        return status;
    a.random.range_ratio = ratio;
    if (strcmp(dataset, "random") == 0)
        a.dataset = DATASET_RANDOM;
    else if (strcmp(dataset, "sharegpt") == 0)
        a.dataset = DATASET_SHAREGPT;
    else if (strcmp(dataset, "trace") == 0)
        a.dataset = DATASET_TRACE;
    else {
        cs_err_set(&err, CS_EUSAGE, "serve: --dataset-name: random, sharegpt or trace (got '%s')", dataset);
        return cli_fail("serve", &err);
    }
    if (a.dataset == DATASET_SHAREGPT && a.dataset_path) {
        cs_err_set(&err, CS_EUSAGE, "serve: --dataset-path with sharegpt: reading ShareGPT files is not "
                   "supported; omit it to use the built-in ShareGPT length model");
        return cli_fail("serve", &err);
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        cs_err_set(&err, CS_EUSAGE, "serve: --format: text or json (got '%s')", format);
        return cli_fail("serve", &err);
    }
    if (parse_percentiles(percentiles, &a, &err) || parse_goodput(&goodput, &a.goodput, &err))
        return cli_fail("serve", &err);
    struct deploy_args da;
    if (server_flags_deploy(&sf, &da, &err))
        return cli_fail("serve", &err);
    struct deploy *d;
    if (deploy_new(&da, &d, &err))
        return cli_fail("serve", &err);
    struct serve_result r;
    int rc = serve_run_seeds(d, &a, (int)seeds, &r, &err);
    if (rc) {
        deploy_free(d);
        return cli_fail("serve", &err);
    }
    struct serve_echo e = { model_hf_id(d->model)[0] ? model_hf_id(d->model) : model_name(d->model),
                            dtype_traits(d->precision)->name, d->profile.name, a.request_rate,
                            a.burstiness, a.max_concurrency, a.num_prompts, a.seed, (int)seeds,
                            &d->settings };
    if (r.overloaded)
        fprintf(stderr, "capsim: note: overloaded: %.2f req/s completed of %.2f configured; "
                        "the queue grew for the whole run, so latencies depend on --num-prompts\n",
                r.request_throughput, a.request_rate);
    if (strcmp(format, "json") == 0)
        rc = report_serve_json(stdout, &r, &a, &e, &err);
    else {
        server_print_settings(stdout, &d->settings);
        report_serve_text(stdout, &r, &a, &e);
    }
    if (!rc && save) {
        char path[1024], name[512];
        if (result_file)
            snprintf(name, sizeof name, "%s", result_file);
        else if (isfinite(a.request_rate))
            snprintf(name, sizeof name, "capsim-%s-%s-%gqps-seed%lld.json", model_name(d->model),
                     e.precision, a.request_rate, (long long)a.seed);
        else
            snprintf(name, sizeof name, "capsim-%s-%s-infqps-seed%lld.json", model_name(d->model),
                     e.precision, (long long)a.seed);
        snprintf(path, sizeof path, "%s%s%s", result_dir ? result_dir : "", result_dir ? "/" : "", name);
        FILE *f = fopen(path, "w");
        if (!f)
            rc = cs_err_set(&err, CS_EIO, "cannot write '%s'", path);
        else {
            rc = report_serve_json(f, &r, &a, &e, &err);
            if (fclose(f) && !rc)
                rc = cs_err_set(&err, CS_EIO, "cannot write '%s'", path);
        }
    }
    deploy_free(d);
    return rc ? cli_fail("serve", &err) : 0;
}
