/*
 * cmd_benchy.c - capsim benchy: llama-benchy 0.4.0's closed-loop suite
 * against the simulated server, loops in its order (depth, pp, tg,
 * concurrency), with its flags, their defaults (--pp 2048, --latency-mode
 * api: client/benchy.c cites the source) and its table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/server_opts.h"
#include "common/strutil.h"
#include "client/benchy.h"
#include "common/xalloc.h"
#include "report/report.h"

int cmd_benchy(int argc, char **argv)
{
    struct server_flags sf = SERVER_FLAGS_INIT;
    struct opt_list pp = { { 2048 }, 1 }, tg = { { 32 }, 1 }, depth = { { 0 }, 1 }, conc = { { 1 }, 1 };
    int64_t runs = 3;
    double delta_user = 0, delta_context = 0, ratio = 1.0;
    const char *latency = "api", *format = "md", *ignored = NULL;
    bool exit_fail = false, adapt = false;
    struct opt table[] = {
        SERVER_OPTS(sf),
        { "pp", OPT_LIST, &pp, 0, 1e7, "prompt tokens, list [2048]", false },
        { "tg", OPT_LIST, &tg, 1, 1e7, "generated tokens, list [32]", false },
        { "depth", OPT_LIST, &depth, 0, 1e7, "context tokens before the prompt, list [0]", false },
        { "concurrency", OPT_LIST, &conc, 1, 1e5, "simultaneous requests, list [1]", false },
        { "runs", OPT_INT, &runs, 1, 1000, "measured batches per point [3]", false },
        { "latency-mode", OPT_STRING, &latency, 0, 0, "api|generation|none [api]", false },
        { "format", OPT_STRING, &format, 0, 0, "md|json [md]", false },
        { "template-tokens", OPT_DOUBLE, &delta_user, 0, 1e5, "chat template tokens (llama-benchy's warm-up delta) [0]", false },
        { "context-template-tokens", OPT_DOUBLE, &delta_context, 0, 1e5, "template tokens with a system message [template-tokens]", false },
        { "prompt-token-ratio", OPT_DOUBLE, &ratio, 0.1, 10, "model tokens per GPT-2 token of the prompt text [1.0]", false },
        { "base-url", OPT_STRING, &ignored, 0, 0, "accepted and ignored (a real server's)", false },
        { "tokenizer", OPT_STRING, &ignored, 0, 0, "accepted and ignored (a real server's)", false },
        { "exit-on-first-fail", OPT_FLAG, &exit_fail, 0, 0, "accepted (nothing fails in a simulation)", false },
        { "adapt-prompt", OPT_FLAG, &adapt, 0, 0, "accepted (always on, as llama-benchy's default)", false },
    };
    const char *pos[1];
    size_t n_pos;
    struct cs_err err = { 0 };
    int status;
    if (cli_parse("benchy", "--pp N [N...] --tg N [N...] [--depth N...] [--concurrency N...]", table, CS_ARRAY_LEN(table), argc, argv, pos, 0, &n_pos,
                  &status))
        return status;
    enum benchy_latency lm;
    if (benchy_latency_parse(latency, &lm, &err)) {
        cs_err_prefix(&err, "benchy");
        return cli_fail("benchy", &err);
    }
    if (strcmp(format, "md") != 0 && strcmp(format, "json") != 0) {
        cs_err_set(&err, CS_EUSAGE, "benchy: --format: md or json (got '%s')", format);
        return cli_fail("benchy", &err);
    }
    struct deploy_args da;
    if (server_flags_deploy(&sf, &da, &err))
        return cli_fail("benchy", &err);
    struct deploy *d;
    if (deploy_new(&da, &d, &err))
        return cli_fail("benchy", &err);
    /* llama-benchy's --enable-prefix-caching is also vLLM's: the server's
     * cache is on (its default) and the client loads each context first */
    bool two = sf.prefix_caching_on && !sf.prefix_caching_off;
    size_t n = depth.n * pp.n * tg.n * conc.n * (two ? 2 : 1), k = 0;
    struct benchy_point *pts = xcalloc(n, sizeof *pts);
    int64_t max_c = 1;
    int rc = CS_OK;
    for (size_t i = 0; i < depth.n && !rc; i++)
        for (size_t j = 0; j < pp.n && !rc; j++)
            for (size_t t = 0; t < tg.n && !rc; t++)
                for (size_t c = 0; c < conc.n && !rc; c++) {
                    struct benchy_args b;
                    benchy_args_init(&b);
                    b.pp = (int64_t)pp.v[j];
                    b.tg = (int64_t)tg.v[t];
                    b.depth = (int64_t)depth.v[i];
                    b.concurrency = (int64_t)conc.v[c];
                    b.runs = runs;
                    b.latency_mode = lm;
                    b.delta_user = delta_user;
                    b.delta_context = delta_context > 0 ? delta_context : delta_user;
                    b.prompt_token_ratio = ratio;
                    b.prefix_caching = two;
                    struct benchy_point *cp = two && b.depth > 0 ? &pts[k++] : NULL;
                    struct benchy_point *p = &pts[k++];
                    p->pp = b.pp, p->tg = b.tg, p->depth = b.depth, p->concurrency = b.concurrency;
                    if (cp) {
                        *cp = *p;
                        cp->context_phase = true;
                    }
                    if (b.concurrency > max_c)
                        max_c = b.concurrency;
                    rc = benchy_run_phases(d, &b, cp ? &cp->row : NULL, &p->row, &err);
                }
    if (!rc) {
        if (strcmp(format, "json") == 0)
            rc = report_benchy_json(stdout, model_name(d->model), &d->settings, latency, two, pts,
                                    k, max_c, &err);
        else {
            server_print_settings(stdout, &d->settings);
            report_benchy_md(stdout, model_name(d->model), latency, pts, k, max_c);
        }
    }
    free(pts);
    deploy_free(d);
    return rc ? cli_fail("benchy", &err) : 0;
}
