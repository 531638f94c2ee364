/*
 * test_field.c - the field set (the files under calibrate/field, built in): every
 * file loads against its schema, every case can be traced to its source
 * line, and a defective file gives one line naming the file and field.
 */
#include "cs_test.h"

#include "calibrate/field.h"
#include "calibrate/field_validate.h"
#include "profile/profile.h"

static void test_builtin_set_loads_and_cites(void **state)
{
    (void)state;
    struct field_set *set = NULL;
    struct cs_err err = { 0 };
    int rc = field_load_builtin(&set, &err);
    if (rc)
        fail_msg("%s", err.msg);
    assert_true(set->n_sources >= 4);
    size_t n_cases = 0;
    for (size_t i = 0; i < set->n_sources; i++) {
        const struct field_source *s = &set->sources[i];
        /* a citation that leads back to the number */
        assert_true(strncmp(s->url, "http", 4) == 0);
        assert_true(*s->licence && *s->kernel_path && *s->engine_version);
        for (size_t j = 0; j < s->n_cases; j++) {
            const struct field_case *c = &s->cases[j];
            assert_true(*c->line);
            int figs = 0;
            for (int m = 0; m < FM_COUNT; m++)
                figs += !isnan(c->measured[m]);
            assert_true(figs > 0);
            n_cases++;
        }
    }
    assert_true(n_cases >= 20);
    assert_int_equal(field_figure_count(set) > n_cases, 1);
    field_free(set);
}

/* The folder form reads the same files as the built-in set. */
static void test_folder_equals_builtin(void **state)
{
    (void)state;
    struct field_set *a = NULL, *b = NULL;
    struct cs_err err = { 0 };
    assert_int_equal(field_load_builtin(&a, &err), CS_OK);
    if (field_load_dir("calibrate/field", &b, &err))
        fail_msg("%s", err.msg);
    /* counted before the asserts, so a failure leaks nothing under ASan */
    size_t na = a->n_sources, nb = b->n_sources, fa = field_figure_count(a), fb = field_figure_count(b);
    field_free(a);
    field_free(b);
    assert_int_equal(na, nb);
    assert_int_equal(fa, fb);
}

static void expect_error(const char *text, const char *want)
{
    struct field_set set = { 0 };
    struct cs_err err = { 0 };
    assert_int_equal(field_parse(&set, "x.json", text, &err), CS_EINPUT);
    assert_string_equal(err.msg, want);
    assert_int_equal(set.n_sources, 0);
    free(set.sources);
}

#define SRC "\"source\": {\"id\": \"s\", \"title\": \"t\", \"url\": \"https://x\", \"licence\": \"MIT\", " \
            "\"retrieved\": \"2026-12-03\"}"
#define SETUP "\"setup\": {\"box\": \"DGX Spark\", \"driver\": \"unknown\", \"engine\": \"vllm\", " \
              "\"engine_version\": \"0.23.0\", \"model_id\": \"m\", \"model_revision\": \"unknown\", " \
              "\"capsim_model\": \"qwen-3.5-9b\", \"checkpoint\": \"bf16\", \"kernel_path\": \"unknown\"}"
#define CASE(client, measured) \
    "\"cases\": [{\"id\": \"a\", \"line\": \"table 1\", \"client\": " client ", \"measured\": " measured "}]"
#define OK_CLIENT "{\"kind\": \"single\", \"prompt\": 100, \"output\": 10}"

static void test_defects_name_file_and_field(void **state)
{
    (void)state;
    expect_error("{" SRC ", " SETUP ", \"sever\": {}, " CASE(OK_CLIENT, "{\"ttft_ms_mean\": 5}") "}",
                 "x.json: .sever: unknown key (did you mean 'server'?)");
    expect_error("{" SRC ", " SETUP ", " CASE(OK_CLIENT, "{\"ttft_ms_mea\": 5}") "}",
                 "x.json: .cases[0].measured.ttft_ms_mea: unknown key (did you mean 'ttft_ms_mean'?)");
    expect_error("{" SRC ", " SETUP ", " CASE(OK_CLIENT, "{}") "}",
                 "x.json: .cases[0].measured: needs at least one figure");
    expect_error("{" SRC ", " SETUP ", " CASE("{\"kind\": \"batch\", \"prompt\": 1, \"output\": 1}",
                                             "{\"ttft_ms_mean\": 5}") "}",
                 "x.json: .cases[0].client.kind: must be serve, burst, single or kernel (got batch)");
    expect_error("{" SRC ", " SETUP ", " CASE("{\"kind\": \"single\", \"output\": 1}", "{\"ttft_ms_mean\": 5}") "}",
                 "x.json: .cases[0].client.prompt: missing (an integer is required)");
    expect_error("{" SRC ", " SETUP ", " CASE(OK_CLIENT, "{\"gemm_tflops\": 5}") "}",
                 "x.json: .cases[0].measured: kernel figures (gemm_tflops, bandwidth_gbs) go with "
                 "client kind kernel, and only there");
    expect_error("{" SRC ", " SETUP ", \"artefacts\": [\"warm\"], " CASE(OK_CLIENT, "{\"ttft_ms_mean\": 5}") "}",
                 "x.json: .artefacts: unknown artefact 'warm'");
    expect_error("{\"source\": {\"id\": \"s\", \"title\": \"t\", \"url\": \"https://x\", \"licence\": \"MIT\", "
                 "\"retrieved\": \"d\", \"repo\": \"o/r\"}, " SETUP ", " CASE(OK_CLIENT, "{\"ttft_ms_mean\": 5}") "}",
                 "x.json: .source: a repo needs its path and commit");
}

/* Every usable built-in case is simulated, and the sources capsim cannot
 * express are listed, not dropped. */
static void test_builtin_cases_predict(void **state)
{
    (void)state;
    struct field_set *set = NULL;
    struct cs_err err = { 0 };
    struct profile p;
    assert_int_equal(field_load_builtin(&set, &err), CS_OK);
    assert_int_equal(profile_load_builtin("gb10", &p, &err), CS_OK);
    struct field_validation *v = NULL;
    assert_int_equal(field_validate_run(set, &p, NULL, &v, &err), CS_OK);
    size_t predicted = 0;
    for (size_t i = 0; i < set->n_sources; i++)
        for (size_t j = 0; j < set->sources[i].n_cases; j++) {
            const char *why = v->why[i][j];
            /* a capsim failure on a stated setting is a bug to fix: it is
             * listed as one (never a zero prediction) and named here. Known
             * (2026-12-03): Nemotron-3-Super with prefix caching on never
             * schedules a 7,234-token prompt (capsim serve shows the same). */
            if (strncmp(why, "capsim:", 7) == 0)
                fprintf(stderr, "test_field: warning: %s %s: %s\n", set->sources[i].id,
                        set->sources[i].cases[j].id, why);
            predicted += !why[0];
        }
    assert_true(predicted >= 20);
    field_validation_free(v);
    field_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_set_loads_and_cites),
        cmocka_unit_test(test_folder_equals_builtin),
        cmocka_unit_test(test_defects_name_file_and_field),
        cmocka_unit_test(test_builtin_cases_predict),
    };
    return cmocka_run_group_tests_name("field", tests, NULL, NULL);
}
