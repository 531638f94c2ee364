/*
 * cmd_calibrate.c - capsim calibrate: fit the hardware profile to an arena
 * folder and write it. Deterministic: the same arena and start profile
 * give the same file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibrate/calibrate.h"
#include "calibrate/kernels_fit.h"
#include "cli/commands.h"
#include "cli/opts.h"

int cmd_calibrate(int argc, char **argv)
{
    const char *arena_dir = "../shared/arena", *out_path = NULL, *start = NULL;
    const char *hardware = "gb10", *kernels = NULL;
    int64_t max_iter = CALIBRATE_DEFAULT_ITER;
    bool open_loop = false, field = false;
    struct opt table[] = {
        { "arena", OPT_STRING, &arena_dir, 0, 0, "arena folder to fit [../shared/arena]", false },
        { "out", OPT_STRING, &out_path, 0, 0, "write the fitted profile to FILE (else stdout)", false },
        { "profile", OPT_STRING, &start, 0, 0, "start from this profile file [the built-in start point]", false },
        { "hardware", OPT_STRING, &hardware, 0, 0, "built-in profile whose start point to fit from [gb10]", false },
        { "max-iter", OPT_INT, &max_iter, 1, 100000, "simplex iterations at most [300]", false },
        { "kernels", OPT_STRING, &kernels, 0, 0, "capsim-kbench records (JSON lines) to fit first", false },
        { "open-loop", OPT_FLAG, &open_loop, 0, 0, "also fit the open-loop tests' p50 TPOT (3x slower)", false },
        { "field", OPT_FLAG, &field, 0, 0, "also fit the third-party field set (a folder may follow) [built in]", false },
    };
    const char *pos[1];
    size_t n_pos;
    struct cs_err err = { 0 };
    int status;
    if (cli_parse("calibrate", "[--arena DIR] [--field [DIR]] [--kernels FILE.jsonl] [--out profiles/gb10.json]", table,
                  CS_ARRAY_LEN(table), argc, argv, pos, 1, &n_pos, &status))
        return status;
    if (n_pos && !field) {
        cs_err_set(&err, CS_EUSAGE, "unexpected argument '%s' (a folder follows --field only)", pos[0]);
        return cli_fail("calibrate", &err);
    }
    /* Without --profile the arena fit starts where the built-in profile's
     * own fit started, so the defaults reproduce it; the kernel fit sets
     * its efficiencies on the built-in profile itself. */
    struct profile p;
    int rc = start     ? profile_load_file(start, &p, &err)
             : kernels ? profile_load_builtin(hardware, &p, &err)
                       : profile_load_fit_start(hardware, &p, &err);
    if (rc)
        return cli_fail("calibrate", &err);
    if (kernels) {
        struct kb_record *recs;
        size_t n;
        if ((rc = kb_read_file(kernels, &recs, &n, &err)))
            return cli_fail("calibrate", &err);
        fprintf(stderr, "kernel benchmarks: %s\n", kernels);
        rc = kernels_fit(recs, n, &p, kernels, stderr, &err);
        free(recs);
        /* An efficiency above 1 means the profile's peak or bandwidth is
         * below what the GPU was measured doing: say so, not write it. */
        if (!rc)
            rc = profile_check(&p, kernels, &err);
        if (rc)
            return cli_fail("calibrate", &err);
    }
    /* With --kernels alone the arena is not used; with both, the arena fit
     * starts from the kernel-fitted profile. */
    if (!kernels || table[0].seen) {
        struct arena *a;
        if ((rc = arena_load(arena_dir, &a, &err)))
            return cli_fail("calibrate", &err);
        /* The field set joins the arena's residuals, weighted by trust and
         * repeats (calibrate/calibrate.h). */
        struct field_set *fs = NULL;
        if (field)
            rc = n_pos ? field_load_dir(pos[0], &fs, &err) : field_load_builtin(&fs, &err);
        if (!rc)
            rc = calibrate_joint(a, NULL, fs, NULL, open_loop, &p, (size_t)max_iter, stderr, &err);
        field_free(fs);
        arena_free(a);
        if (rc)
            return cli_fail("calibrate", &err);
    }
    snprintf(p.description, sizeof p.description,
             "fitted by capsim calibrate (arena %s%s%s%s); arena data: Django de Vreng, DGX Spark "
             "benchmark runs, CC-BY-4.0", arena_dir, field ? ", field set" : "", kernels ? ", kernels " : "",
             kernels ? kernels : "");
    FILE *f = out_path ? fopen(out_path, "w") : stdout;
    if (!f) {
        cs_err_set(&err, CS_EIO, "cannot write '%s'", out_path);
        return cli_fail("calibrate", &err);
    }
    rc = profile_write(&p, f, &err);
    if (out_path && fclose(f) && !rc)
        rc = cs_err_set(&err, CS_EIO, "cannot write '%s'", out_path);
    return rc ? cli_fail("calibrate", &err) : 0;
}
