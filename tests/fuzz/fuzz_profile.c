/* libFuzzer: profile text -> profile_parse_text, written back, and every
 * profile that loads runs a tiny llama-benchy batch on an MoE model with
 * MTP speculative decoding, so no accepted coefficient can stall or abort
 * the cost model (a zero efficiency once did). */
#include "fuzz_common.h"
#include "client/benchy.h"
#include "client/deploy.h"
#include "profile/profile.h"

static void fuzz_one(const char *text, const char *path)
{
    (void)path;
    struct profile p;
    struct cs_err err;
    if (profile_parse_text("fuzz.json", text, &p, &err) != CS_OK)
        return;
    FILE *f = fopen("/dev/null", "w");
    if (f) {
        profile_write(&p, f, &err);
        fclose(f);
    }
    struct deploy_args da;
    deploy_args_init(&da);
    da.model = "qwen-3.6-35b-a3b";
    da.max_model_len = 4096;
    da.num_speculative_tokens = 2;
    da.spec_mean_accepted = 1.0;
    da.profile = &p;
    struct deploy *d;
    if (deploy_new(&da, &d, &err) != CS_OK)
        return;
    struct benchy_args b;
    benchy_args_init(&b);
    b.pp = 300;
    b.tg = 4;
    b.concurrency = 2;
    b.runs = 1;
    b.latency_mode = BENCHY_LATENCY_NONE;
    struct benchy_row row;
    benchy_run(d, &b, &row, &err);
    deploy_free(d);
}
