/*
 * cmd_serve.c - capsim serve: `vllm bench serve` against the simulated
 * server. Flags are vLLM's (vllm/benchmarks/serve.py, add_cli_args); a
 * command copied from a benchmark log runs unchanged (server-only flags
 * are accepted and ignored with a warning).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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

/* --percentile-metrics ttft,tpot,itl,e2el (serve.py: split on ","; the
 * generation default is "ttft,tpot,itl"). The client-queue metrics of
 * newer clients are not simulated: naming one is an error, not silence. */
static int parse_percentile_metrics(const char *s, unsigned *out, struct cs_err *err)
{
    static const char *const names[] = { "ttft", "tpot", "itl", "e2el" };
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    *out = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t k = 0;
        while (k < CS_ARRAY_LEN(names) && strcmp(t, names[k]) != 0)
            k++;
        if (k == CS_ARRAY_LEN(names))
            return cs_err_set(err, CS_EUSAGE, "serve: --percentile-metrics: '%s': want a comma "
                              "list of ttft, tpot, itl, e2el", t);
        *out |= 1u << k; /* SERVE_PM_TTFT.. in this order */
    }
    if (!*out)
        return cs_err_set(err, CS_EUSAGE, "serve: --percentile-metrics: empty (got '%s')", s);
    return CS_OK;
}

/* --backend (and --endpoint-type, its name until vLLM v0.11, PR #26007):
 * the request function, one of vLLM's ASYNC_REQUEST_FUNCS
 * (vllm/benchmarks/lib/endpoint_request_func.py @02cfb53). capsim
 * simulates generation, so the pooling ones are refused. */
static int check_backend(const char *flag, const char *b, struct cs_err *err)
{
    static const char *const gen[] = { "vllm", "openai", "openai-chat" };
    static const char *const other[] = { "openai-audio", "openai-embeddings",
                                         "openai-embeddings-chat", "openai-embeddings-clip",
                                         "openai-embeddings-vlm2vec", "infinity-embeddings",
                                         "infinity-embeddings-clip", "vllm-pooling",
                                         "vllm-rerank" };
    for (size_t i = 0; i < CS_ARRAY_LEN(gen); i++)
        if (strcmp(b, gen[i]) == 0)
            return CS_OK;
    for (size_t i = 0; i < CS_ARRAY_LEN(other); i++)
        if (strcmp(b, other[i]) == 0)
            return cs_err_set(err, CS_EUSAGE, "serve: --%s %s: only text generation is simulated "
                              "(vllm, openai or openai-chat)", flag, b);
    return cs_err_set(err, CS_EUSAGE, "serve: --%s: vllm, openai or openai-chat (got '%s')", flag, b);
}

/* Python's str(float) for vLLM's file name: "inf", "1.5", "2.0". */
static void py_float(char *out, size_t n, double v)
{
    if (!isfinite(v)) {
        snprintf(out, n, "%s", v > 0 ? "inf" : v < 0 ? "-inf" : "nan");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, n, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    if (!strpbrk(out, ".e"))
        strncat(out, ".0", n - strlen(out) - 1);
}

/* mkdir -p, as vLLM's os.makedirs(result_dir, exist_ok=True). */
static int make_dirs(const char *dir, struct cs_err *err)
{
    char p[1024];
    if (!dir[0])
        return CS_OK;
    snprintf(p, sizeof p, "%s", dir);
    for (char *c = p + 1;; c++) {
        bool end = *c == '\0';
        if (*c == '/' || end) {
            *c = '\0';
            if (mkdir(p, 0777) && errno != EEXIST)
                return cs_err_set(err, CS_EIO, "serve: --result-dir: cannot create '%s': %s", p,
                                  strerror(errno));
            if (end)
                return CS_OK;
            *c = '/';
        }
    }
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
    struct server_flags sf = SERVER_FLAGS_INIT;
    struct serve_args a;
    serve_args_init(&a);
    const char *dataset = "random", *percentiles = "99", *result_dir = NULL, *result_file = NULL;
    const char *format = "text", *ignored = NULL, *percentile_metrics = "ttft,tpot,itl";
    const char *backend = NULL, *endpoint_type = NULL, *label = NULL, *tokenizer = NULL;
    bool save = false, detailed = false, ignore_eos = false;
    struct opt_strings goodput = { 0 };
    int64_t seeds = 1;
    double ratio = 0.0;
    struct opt table[] = {
        SERVER_OPTS(sf),
        { "dataset-name", OPT_STRING, &dataset, 0, 0, "random|sharegpt|prefix_repetition|trace [random]", false },
        { "dataset-path", OPT_STRING, &a.dataset_path, 0, 0, "trace CSV (arrived_at,num_prefill_tokens,num_decode_tokens)", false },
        { "random-input-len", OPT_INT, &a.random.input_len, 1, 1e7, "[1024]", false },
        { "random-output-len", OPT_INT, &a.random.output_len, 1, 1e7, "[128]", false },
        { "random-range-ratio", OPT_DOUBLE, &ratio, 0, 0.999999, "lengths uniform in len*(1-r)..len*(1+r) [0]", false },
        { "random-prefix-len", OPT_INT, &a.random.prefix_len, 0, 1e7, "tokens of one prefix shared by every prompt [0]", false },
        { "prefix-repetition-prefix-len", OPT_INT, &a.prefix_rep.prefix_len, 0, 1e7, "[256]", false },
        { "prefix-repetition-suffix-len", OPT_INT, &a.prefix_rep.suffix_len, 0, 1e7, "[256]", false },
        { "prefix-repetition-num-prefixes", OPT_INT, &a.prefix_rep.num_prefixes, 1, 1e7, "[10]", false },
        { "prefix-repetition-output-len", OPT_INT, &a.prefix_rep.output_len, 1, 1e7, "[128]", false },
        { "num-prompts", OPT_INT, &a.num_prompts, 1, 1e8, "[1000]", false },
        { "request-rate", OPT_DOUBLE, &a.request_rate, 1e-9, INFINITY, "requests per second, inf = all at once [inf]", false },
        { "burstiness", OPT_DOUBLE, &a.burstiness, 1e-6, 1e6, "gamma shape; 1 = Poisson [1.0]", false },
        { "max-concurrency", OPT_INT, &a.max_concurrency, 1, 1e8, "requests in flight at most [none]", false },
        { "seed", OPT_INT, &a.seed, 0, 4294967295.0, "[0]", false },
        { "seeds", OPT_INT, &seeds, 1, 1000, "mean of each metric over N seeds from --seed [1]", false },
        { "chat-template-tokens", OPT_DOUBLE, &a.chat_template_tokens, 0, 1e6, "tokens the chat template adds per prompt [0]", false },
        { "metric-percentiles", OPT_STRING, &percentiles, 0, 0, "comma list [99]", false },
        { "goodput", OPT_WORDS, &goodput, 0, 0, "request goodput objectives in ms: ttft:500 tpot:50 e2el:20000", false },
        { "percentile-metrics", OPT_STRING, &percentile_metrics, 0, 0, "comma list of ttft,tpot,itl,e2el [ttft,tpot,itl]", false },
        { "save-result", OPT_FLAG, &save, 0, 0, "write the JSON result to a file", false },
        { "save-detailed", OPT_FLAG, &detailed, 0, 0, "with the per-request arrays (input_lens, ttfts, itls, ...)", false },
        { "result-dir", OPT_STRING, &result_dir, 0, 0, "[.]", false },
        { "result-filename", OPT_STRING, &result_file, 0, 0, "[LABEL-RATEqps[-concurrencyN]-MODEL-DATE.json]", false },
        { "label", OPT_STRING, &label, 0, 0, "the result's label and file-name prefix [the backend]", false },
        { "backend", OPT_STRING, &backend, 0, 0, "vllm|openai|openai-chat, recorded in the result [openai]", false },
        { "endpoint-type", OPT_STRING, &endpoint_type, 0, 0, "--backend's name before vLLM 0.11", false },
        { "ignore-eos", OPT_FLAG, &ignore_eos, 0, 0, "accepted: simulated replies always run to their sampled length", false },
        { "format", OPT_STRING, &format, 0, 0, "text|json on stdout [text]", false },
        { "base-url", OPT_STRING, &ignored, 0, 0, "accepted and ignored (a real server's)", false },
        { "endpoint", OPT_STRING, &ignored, 0, 0, "accepted and ignored (a real server's)", false },
        { "tokenizer", OPT_STRING, &tokenizer, 0, 0, "recorded as tokenizer_id [the model]", false },
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
    else if (strcmp(dataset, "prefix_repetition") == 0)
        a.dataset = DATASET_PREFIX_REPETITION;
    else {
        cs_err_set(&err, CS_EUSAGE, "serve: --dataset-name: random, sharegpt, prefix_repetition or trace (got '%s')", dataset);
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
    if (parse_percentiles(percentiles, &a, &err) || parse_goodput(&goodput, &a.goodput, &err) ||
        parse_percentile_metrics(percentile_metrics, &a.percentile_metrics, &err) ||
        (backend && check_backend("backend", backend, &err)) ||
        (endpoint_type && check_backend("endpoint-type", endpoint_type, &err)))
        return cli_fail("serve", &err);
    if (backend && endpoint_type && strcmp(backend, endpoint_type) != 0) {
        cs_err_set(&err, CS_EUSAGE, "serve: --backend %s and --endpoint-type %s: give one (the "
                   "second is the first's old name)", backend, endpoint_type);
        return cli_fail("serve", &err);
    }
    if (!backend)
        backend = endpoint_type ? endpoint_type : "openai"; /* serve.py's default */
    /* --ignore-eos changes nothing here: a simulated reply always runs to
     * its sampled length, which is what vLLM asks for the random dataset
     * anyway (serve.py main_async sets ignore_eos for random on an OpenAI
     * backend) and what the arena's replies did (serving-semantics 3.1). */
    (void)ignore_eos;
    if (detailed && seeds > 1) {
        cs_err_set(&err, CS_EUSAGE, "serve: --save-detailed lists one run's requests; it does not "
                   "go with --seeds %lld", (long long)seeds);
        return cli_fail("serve", &err);
    }
    a.keep_detail = detailed;
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
    const char *model_id = model_hf_id(d->model)[0] ? model_hf_id(d->model) : model_name(d->model);
    struct serve_echo e = { model_id, dtype_traits(d->precision)->name, d->profile.name,
                            a.request_rate, a.burstiness, a.max_concurrency, a.num_prompts, a.seed,
                            (int)seeds, &d->settings, backend, label, tokenizer, NULL, detailed,
                            false };
    if (r.n_too_long)
        /* vLLM's server refuses each with HTTP 400 and this message
         * (vllm/entrypoints/openai/serving_engine.py @7ded96b,
         * OpenAIServing._validate_input; newer servers word it
         * differently); its client only counts them as failed. */
        fprintf(stderr, "capsim: %lld of %lld requests failed: the server answers each with HTTP "
                        "400: This model's maximum context length is %u tokens. However, you "
                        "requested %llu tokens (%u in the messages, %u in the completion). Please "
                        "reduce the length of the messages or completion.\n",
                (long long)r.n_too_long, (long long)(r.completed + r.failed), r.max_model_len,
                (unsigned long long)r.too_long_prompt + r.too_long_output, r.too_long_prompt,
                r.too_long_output);
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
        /* vLLM's result file: its date ("%Y%m%d-%H%M%S", local time, as
         * datetime.now(); SOURCE_DATE_EPOCH pins it, UTC) in the name and
         * the JSON, on one line. stdout has no date: the same run prints
         * the same bytes. */
        char date[32], rate[48], path[1024], name[512];
        const char *epoch = getenv("SOURCE_DATE_EPOCH");
        time_t now = epoch && *epoch ? (time_t)strtoll(epoch, NULL, 10) : time(NULL);
        struct tm tm;
        if (epoch && *epoch)
            gmtime_r(&now, &tm);
        else
            localtime_r(&now, &tm);
        strftime(date, sizeof date, "%Y%m%d-%H%M%S", &tm);
        e.date = date;
        e.one_line = true;
        if (result_file) {
            snprintf(name, sizeof name, "%s", result_file);
        } else { /* serve.py: {label}-{request_rate}qps{-concurrencyN}-{base_model_id}-{date}.json */
            char conc[32] = "";
            const char *base = strrchr(model_id, '/');
            py_float(rate, sizeof rate, a.request_rate);
            if (a.max_concurrency > 0)
                snprintf(conc, sizeof conc, "-concurrency%lld", (long long)a.max_concurrency);
            snprintf(name, sizeof name, "%s-%sqps%s-%s-%s.json", label ? label : backend, rate, conc,
                     base ? base + 1 : model_id, date);
        }
        if (result_dir)
            rc = make_dirs(result_dir, &err);
        snprintf(path, sizeof path, "%s%s%s", result_dir ? result_dir : "", result_dir ? "/" : "", name);
        FILE *f = rc ? NULL : fopen(path, "w");
        if (!rc && !f)
            rc = cs_err_set(&err, CS_EIO, "serve: cannot write '%s': %s", path, strerror(errno));
        else if (f) {
            rc = report_serve_json(f, &r, &a, &e, &err);
            if (fclose(f) && !rc)
                rc = cs_err_set(&err, CS_EIO, "serve: cannot write '%s'", path);
        }
    }
    serve_result_release(&r);
    deploy_free(d);
    return rc ? cli_fail("serve", &err) : 0;
}
