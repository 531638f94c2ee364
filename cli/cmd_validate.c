/*
 * cmd_validate.c - capsim validate: simulate an arena folder's cases and
 * report the error per metric group.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calibrate/calibrate.h"
#include "calibrate/bands.h"
#include "calibrate/coverage.h"
#include "calibrate/field.h"
#include "calibrate/field_validate.h"
#include "calibrate/loo.h"
#include "calibrate/validate.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "common/xalloc.h"

static int64_t online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : n;
}

/* validate --field [DIR]: the third-party field set (built in, or DIR)
 * predicted with the profile. Its last lines are the summary table, which
 * is what a hook reading the tail wants. */
struct field_loo {
    bool on;
    const char *arena_dir;
    size_t iter;
    int jobs;
};

/* Leave one source out: each source with predictable figures is predicted
 * by a joint fit of the arena and the other sources, from prof (the fit's
 * start point). */
static int field_loo_run(const struct field_loo *lo, struct field_set *set, const struct profile *prof,
                         struct field_validation *v, struct cs_err *err)
{
    struct arena *a;
    int rc = arena_load(lo->arena_dir, &a, err);
    if (rc)
        return rc;
    const char **ids = xcalloc(set->n_sources + 1, sizeof *ids);
    size_t *idx = xcalloc(set->n_sources + 1, sizeof *idx);
    size_t n = 0;
    for (size_t i = 0; i < set->n_sources; i++) {
        bool any = false;
        for (size_t j = 0; j < set->sources[i].n_cases && !any; j++)
            any = field_case_predictable(&set->sources[i], &set->sources[i].cases[j]);
        if (any) {
            idx[n] = i;
            ids[n++] = set->sources[i].id;
        }
    }
    struct profile *fits = xcalloc(n ? n : 1, sizeof *fits);
    rc = loo_fit_profiles_field(a, set, ids, n, prof, lo->iter, lo->jobs, fits, err);
    for (size_t k = 0; k < n && !rc; k++) {
        struct field_validation *vk;
        if ((rc = field_validate_run(set, &fits[k], ids[k], &vk, err)))
            break;
        size_t i = idx[k];
        memcpy(v->pred[i], vk->pred[i], set->sources[i].n_cases * sizeof *v->pred[i]);
        memcpy(v->why[i], vk->why[i], set->sources[i].n_cases * sizeof *v->why[i]);
        field_validation_free(vk);
    }
    free(fits);
    free(idx);
    free(ids);
    arena_free(a);
    return rc;
}

static int validate_field(const char *dir, const struct profile *prof, const char *source,
                          bool by_source, bool quiet, const char *out_path, const struct field_loo *lo)
{
    struct cs_err err = { 0 };
    struct field_set *set;
    int rc = dir ? field_load_dir(dir, &set, &err) : field_load_builtin(&set, &err);
    if (rc)
        return cli_fail("validate", &err);
    bool known = !source;
    for (size_t i = 0; i < set->n_sources && !known; i++)
        known = strcmp(set->sources[i].id, source) == 0;
    if (!known) {
        cs_err_set(&err, CS_EUSAGE, "--source %s: no field source with this id", source);
        field_free(set);
        return cli_fail("validate", &err);
    }
    struct field_validation *v;
    if ((rc = field_validate_run(set, prof, source, &v, &err))) {
        field_free(set);
        return cli_fail("validate", &err);
    }
    if (lo->on && (rc = field_loo_run(lo, set, prof, v, &err))) {
        field_validation_free(v);
        field_free(set);
        return cli_fail("validate", &err);
    }
    if (out_path) {
        FILE *fo = fopen(out_path, "w");
        if (!fo) {
            rc = cs_err_set(&err, CS_EIO, "cannot write '%s'", out_path);
        } else {
            rc = field_write_jsonl(v, fo, &err);
            if (fclose(fo) && !rc)
                rc = cs_err_set(&err, CS_EIO, "cannot write '%s'", out_path);
        }
    }
    if (!rc && !quiet) {
        printf("capsim validate --field: %s, profile %s%s\n", dir ? dir : "built-in field set", prof->name,
               lo->on ? ", leave-one-source-out (each source predicted by a fit of the arena and the others)" : "");
        printf("Data: third-party GB10 measurements, each source cited in its file "
               "(calibrate/field/*.json)\n\n");
        field_print_unsupported(v, stdout);
        putchar('\n');
        if (by_source) {
            field_print_by_source(v, stdout);
            putchar('\n');
        }
        field_print_table(v, stdout);
    }
    field_validation_free(v);
    field_free(set);
    return rc ? cli_fail("validate", &err) : 0;
}

/* --write-bands FILE: the bands into that profile file, the rest of it
 * unchanged. In-sample bands are refused: they would be too narrow. */
static int store_bands(const struct band_fit b[BAND_COUNT], const char *path, const char *arena_dir,
                       bool left_out, struct cs_err *err)
{
    if (!left_out)
        return cs_err_set(err, CS_EUSAGE, "--write-bands: only from left-out predictions (--loo, or "
                                          "--predictions from a --loo run)");
    struct profile p;
    int rc = profile_load_file(path, &p, err);
    if (rc)
        return rc;
    char what[128];
    snprintf(what, sizeof what, "capsim validate --loo --bands on %s", arena_dir);
    bands_apply(b, what, &p);
    FILE *f = fopen(path, "w");
    if (!f)
        return cs_err_set(err, CS_EIO, "cannot write '%s'", path);
    rc = profile_write(&p, f, err);
    if (fclose(f) && !rc)
        rc = cs_err_set(err, CS_EIO, "cannot write '%s'", path);
    return rc;
}

int cmd_validate(int argc, char **argv)
{
    const char *arena_dir = "../shared/arena", *out_path = NULL, *profile_file = NULL;
    const char *hardware = "gb10", *model = NULL;
    int64_t seeds = 1;
    bool closed_only = false, open_only = false, quiet = false, loo = false, by_run = false;
    bool loo_open = false, field = false, by_source = false, coverage = false, bands = false;
    const char *predictions = NULL, *write_bands = NULL;
    const char *source = NULL;
    int64_t loo_iter = CALIBRATE_DEFAULT_ITER, jobs = online_cpus();
    struct opt table[] = {
        { "arena", OPT_STRING, &arena_dir, 0, 0, "arena folder [../shared/arena]", false },
        { "out", OPT_STRING, &out_path, 0, 0, "write one JSON line per case to FILE.jsonl", false },
        { "profile", OPT_STRING, &profile_file, 0, 0, "hardware profile file (with --loo: the folds' start) [built in]", false },
        { "hardware", OPT_STRING, &hardware, 0, 0, "built-in profile [gb10]", false },
        { "model", OPT_STRING, &model, 0, 0, "only the runs of this model", false },
        { "seeds", OPT_INT, &seeds, 1, 100, "open loop: mean over N seeds [1]", false },
        { "closed-only", OPT_FLAG, &closed_only, 0, 0, "only llama-benchy rows", false },
        { "open-only", OPT_FLAG, &open_only, 0, 0, "only vllm bench serve tests", false },
        { "quiet", OPT_FLAG, &quiet, 0, 0, "no error table", false },
        { "loo", OPT_FLAG, &loo, 0, 0, "leave one model out: refit without each model, then predict it (--field: one source)", false },
        { "by-run", OPT_FLAG, &by_run, 0, 0, "also a table of each run's median signed error", false },
        { "loo-iter", OPT_INT, &loo_iter, 1, 100000, "simplex iterations per refit [300, as make profile]", false },
        { "jobs", OPT_INT, &jobs, 1, 64, "--loo: refits run at once, one process each; same result [CPUs]", false },
        { "loo-open-loop", OPT_FLAG, &loo_open, 0, 0, "--loo: refits also fit open-loop p50 TPOT (as calibrate --open-loop)", false },
        { "field", OPT_FLAG, &field, 0, 0, "the third-party field set instead of the arena (a folder may follow) [built in]", false },
        { "by-source", OPT_FLAG, &by_source, 0, 0, "--field: also each source's median signed error", false },
        { "source", OPT_STRING, &source, 0, 0, "--field: only the source with this id", false },
        { "bands", OPT_FLAG, &bands, 0, 0, "80% error bands from these predictions, with their left-out coverage", false },
        { "write-bands", OPT_STRING, &write_bands, 0, 0, "--bands: store them in this profile file", false },
        { "predictions", OPT_STRING, &predictions, 0, 0, "read the predictions from a --out file instead of simulating", false },
        { "coverage", OPT_FLAG, &coverage, 0, 0, "which kernel paths and architecture kinds the arena's runs cover, and the profile's priors", false },
    };
    const char *pos[1];
    size_t n_pos;
    struct cs_err err = { 0 };
    int status;
    if (cli_parse("validate", "[--arena DIR | --field [DIR]] [--out FILE.jsonl] [options]", table, CS_ARRAY_LEN(table),
                  argc, argv, pos, 1, &n_pos, &status))
        return status;
    if (n_pos && !field) {
        cs_err_set(&err, CS_EUSAGE, "unexpected argument '%s' (a folder follows --field only)", pos[0]);
        return cli_fail("validate", &err);
    }
    if (field && loo && source) {
        cs_err_set(&err, CS_EUSAGE, "--field --loo: every source is left out in turn; drop --source");
        return cli_fail("validate", &err);
    }
    /* Leave-one-out folds start where the built-in profile's own fit
     * started, not at that fit, which has seen every model. */
    struct profile prof;
    int rc = profile_file ? profile_load_file(profile_file, &prof, &err)
             : loo        ? profile_load_fit_start(hardware, &prof, &err)
                          : profile_load_builtin(hardware, &prof, &err);
    if (rc)
        return cli_fail("validate", &err);
    if (field) {
        struct field_loo lo = { loo, arena_dir, (size_t)loo_iter, (int)jobs };
        return validate_field(n_pos ? pos[0] : NULL, &prof, source, by_source, quiet, out_path, &lo);
    }
    struct arena *a;
    if ((rc = arena_load(arena_dir, &a, &err)))
        return cli_fail("validate", &err);
    if (coverage) {
        rc = coverage_print(a, &prof, stdout, &err);
        arena_free(a);
        return rc ? cli_fail("validate", &err) : 0;
    }
    bool known = !model;
    for (size_t r = 0; r < a->n_runs && !known; r++)
        known = strcmp(a->runs[r].model, model) == 0;
    if (!known) {
        cs_err_set(&err, CS_EUSAGE, "--model %s: no run of this model in %s/runs.json", model, arena_dir);
        arena_free(a);
        return cli_fail("validate", &err);
    }
    struct validate_filter f = { .model = model, .closed = !open_only, .open = !closed_only,
                                 .seeds = (int)seeds };
    struct validation *v;
    if ((rc = validate_run(a, &prof, &f, &v, &err))) {
        arena_free(a);
        return cli_fail("validate", &err);
    }
    for (size_t r = 0; r < a->n_runs; r++)
        if (v->run_err[r].msg[0])
            fprintf(stderr, "capsim validate: warning: %s; its rows are left out\n", v->run_err[r].msg);
    if (predictions && (rc = validate_read_jsonl(v, predictions, &err))) {
        validate_free(v);
        arena_free(a);
        return cli_fail("validate", &err);
    }
    if (loo && !predictions) {
        /* Each model's cases predicted by a profile fitted without it,
         * starting from the given profile. */
        const char **models = xcalloc(a->n_runs, sizeof *models);
        size_t n_models = 0;
        for (size_t r = 0; r < a->n_runs; r++) {
            const char *m = a->runs[r].model;
            bool seen = false;
            for (size_t q = 0; q < n_models; q++)
                seen = seen || strcmp(models[q], m) == 0;
            if (!seen && (!model || strcmp(model, m) == 0))
                models[n_models++] = m;
        }
        struct profile *fits = xcalloc(n_models ? n_models : 1, sizeof *fits);
        rc = loo_fit_profiles(a, models, n_models, &prof, loo_open, (size_t)loo_iter, (int)jobs, fits, &err);
        for (size_t k = 0; k < n_models && !rc; k++) {
            const char *m = models[k];
            struct validate_filter fm = { .model = m, .closed = !open_only, .open = !closed_only,
                                          .seeds = (int)seeds };
            struct validation *vm = NULL;
            rc = validate_run(a, &fits[k], &fm, &vm, &err);
            for (size_t i = 0; !rc && i < a->n_closed; i++)
                if (strcmp(a->runs[a->closed[i].run].model, m) == 0) {
                    memcpy(v->closed[i], vm->closed[i], sizeof v->closed[i]);
                    v->closed_ok[i] = vm->closed_ok[i];
                }
            for (size_t i = 0; !rc && i < a->n_open; i++)
                if (strcmp(a->runs[a->open[i].run].model, m) == 0) {
                    memcpy(v->open[i], vm->open[i], sizeof v->open[i]);
                    v->open_ok[i] = vm->open_ok[i];
                }
            validate_free(vm);
        }
        free(fits);
        free(models);
        if (rc) {
            validate_free(v);
            arena_free(a);
            return cli_fail("validate", &err);
        }
    }
    if (out_path) {
        FILE *fo = fopen(out_path, "w");
        if (!fo) {
            cs_err_set(&err, CS_EIO, "cannot write '%s'", out_path);
            rc = CS_EIO;
        } else {
            rc = validate_write_jsonl(v, fo, &err);
            if (fclose(fo) && !rc)
                rc = cs_err_set(&err, CS_EIO, "cannot write '%s'", out_path);
        }
    }
    if (!rc && !quiet) {
        printf("capsim validate: %s, profile %s%s\n", arena_dir, prof.name,
               loo ? ", leave-one-model-out (each model predicted by a fit without it)" : "");
        printf("Data: Django de Vreng, DGX Spark benchmark runs, CC-BY-4.0\n\n");
        validate_print_table(v, stdout);
        if (by_run) {
            putchar('\n');
            validate_print_by_run(v, stdout);
        }
    }
    if (!rc && (bands || write_bands)) {
        struct band_fit b[BAND_COUNT];
        rc = bands_compute(v, b, &err);
        if (!rc)
            bands_print(b, stdout);
        if (!rc && write_bands)
            rc = store_bands(b, write_bands, arena_dir, loo || predictions, &err);
    }
    validate_free(v);
    arena_free(a);
    return rc ? cli_fail("validate", &err) : 0;
}
