/*
 * cmd_list.c - capsim list models|precisions|profiles|scenarios.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "model/kernel_path.h"
#include "cli/opts.h"
#include "common/embedded.h"
#include "common/strutil.h"
#include "model/model.h"
#include "profile/profile.h"

static int list_models(void)
{
    printf("%-40s %-16s %9s %9s %-9s %s\n", "name", "type", "total", "active", "weights", "hugging face id");
    for (size_t i = 0; i < embedded_files_count; i++) {
        const char *p = embedded_files[i].path;
        if (!str_starts_with(p, "model/catalog/"))
            continue;
        struct model *m;
        struct cs_err err = { 0 };
        if (model_parse(p, embedded_files[i].text, &m, &err)) {
            fprintf(stderr, "capsim: %s\n", err.msg);
            return 1;
        }
        /* what --model NAME loads: model_default_precision() is the one
         * source; the id's own checkpoint is said only where it differs */
        enum dtype d = model_default_precision(m), di = d;
        struct model *mi = NULL;
        if (model_hf_id(m)[0] && model_load(model_hf_id(m), &mi, &err) == CS_OK)
            di = model_default_precision(mi);
        model_free(mi);
        char note[64] = "";
        if (di != d)
            snprintf(note, sizeof note, "  (that id loads %s weights)", dtype_traits(di)->name);
        printf("%-40s %-16s %8.2fB %8.2fB %-9s %s%s\n", model_name(m), model_type_label(m),
               model_params_total(m) / 1e9, model_params_active(m) / 1e9, dtype_traits(d)->name,
               model_hf_id(m), note);
        model_free(m);
    }
    return 0;
}

int cmd_list(int argc, char **argv)
{
    const char *pos[1];
    size_t n_pos = 0;
    bool help;
    struct opt table[] = { { "_", OPT_FLAG, &help, 0, 0, "", false } };
    struct cs_err err = { 0 };
    if (opts_parse("list", table, 0, argc, argv, pos, 1, &n_pos, &help, &err))
        return cli_fail("list", &err);
    if (help || n_pos == 0) {
        printf("usage: capsim list models|precisions|profiles|scenarios\n");
        return help ? 0 : 2;
    }
    const char *what = pos[0];
    if (strcmp(what, "models") == 0)
        return list_models();
    if (strcmp(what, "precisions") == 0) {
        /* The paths vLLM chooses by default (model/kernel_path.c); FP8 as
         * the 128x128 block-scaled checkpoints most publishers ship. */
        printf("%-8s %5s %6s %12s  %-14s %-14s\n", "name", "bits", "block", "bytes/param",
               "linears", "experts");
        for (int d = 0; d < DTYPE_COUNT; d++) {
            const struct dtype_traits *t = dtype_traits((enum dtype)d);
            enum weight_format f = kpath_weight_format((enum dtype)d, true);
            struct kpath_choice lin = { 0 }, exp = { 0 };
            struct cs_err ignore = { 0 };
            bool has_lin = kpath_choose(f, GEMM_LINEAR, NULL, &lin, &ignore) == CS_OK;
            kpath_choose(f, GEMM_EXPERTS, NULL, &exp, &ignore);
            printf("%-8s %5u %6u %12.4f  %-14s %-14s\n", t->name, t->bits, t->block, t->bytes_per_param,
                   has_lin ? kpath_name(lin.path) : "-", kpath_name(exp.path));
        }
        printf("kernel paths: vLLM's defaults on GB10 (official build); --linear-backend, --moe-backend,\n"
               "--env VLLM_TEST_FORCE_FP8_MARLIN=1 and --sm120-fp4-kernels change them (docs/model.md)\n");
        printf("kv cache: auto (model dtype, 2 bytes) or fp8 (1 byte)\n");
        return 0;
    }
    if (strcmp(what, "profiles") == 0) {
        for (const char *const *n = profile_builtin_names(); *n; n++) {
            struct profile p;
            if (profile_load_builtin(*n, &p, &err))
                return cli_fail("list", &err);
            printf("%-10s %s\n", p.name, p.description);
        }
        return 0;
    }
    if (strcmp(what, "scenarios") == 0) {
        for (size_t i = 0; i < embedded_files_count; i++)
            if (str_starts_with(embedded_files[i].path, "scenarios/"))
                printf("%s\n", embedded_files[i].path + strlen("scenarios/"));
        return 0;
    }
    static const char *const kinds[] = { "models", "precisions", "profiles", "scenarios" };
    const char *near = str_nearest(what, kinds, 4);
    cs_err_set(&err, CS_EUSAGE, "list: unknown list '%s'%s%s%s", what, near ? " (did you mean '" : "",
               near ? near : "", near ? "'?)" : "");
    return cli_fail("list", &err);
}
