/*
 * test_json.c - the JSON writer every command's --json goes through: its
 * layout (the one capsim's output always had, and Python's json.dump on
 * one line), cJSON's escaping of keys and strings, and numbers kept at a
 * command's rounding or round-tripping exactly.
 */
#include "cs_test.h"

#include <cJSON.h>

#include "common/json.h"

/* Write root with json_write (block) or json_write_line into a string. */
static char *render(cJSON *root, bool block)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct cs_err err = { 0 };
    int rc = block ? json_write(f, root, &err) : json_write_line(f, root, &err);
    fclose(f);
    assert_int_equal(rc, CS_OK);
    return buf;
}

static void test_block_layout_is_the_old_printf_one(void **state)
{
    (void)state;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "scenario", "office-25");
    json_add_fixed(o, "mean", 78, 2);
    cJSON *seeds = cJSON_AddArrayToObject(o, "seeds");
    json_push_int(seeds, 0);
    json_push_int(seeds, 1);
    cJSON_AddArrayToObject(o, "slo");
    cJSON *curve = cJSON_AddArrayToObject(o, "curve");
    for (int i = 0; i < 2; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(curve, x);
        json_add_int(x, "employees", 25 * (i + 1));
        cJSON_AddBoolToObject(x, "pass", i == 0);
    }
    cJSON_AddNullToObject(o, "moe_kernel");
    char *s = render(o, true);
    assert_string_equal(s, "{\n"
                           "  \"scenario\": \"office-25\",\n"
                           "  \"mean\": 78.00,\n"
                           "  \"seeds\": [0, 1],\n"
                           "  \"slo\": [],\n"
                           "  \"curve\": [\n"
                           "    {\"employees\": 25, \"pass\": true},\n"
                           "    {\"employees\": 50, \"pass\": false}\n"
                           "  ],\n"
                           "  \"moe_kernel\": null\n"
                           "}\n");
    free(s);
}

static void test_line_is_python_json_dump(void **state)
{
    (void)state;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "date", "20260101-000000");
    cJSON_AddNullToObject(o, "label");
    cJSON *itls = cJSON_AddArrayToObject(o, "itls");
    cJSON_AddItemToArray(itls, cJSON_CreateArray());
    cJSON *one = cJSON_CreateArray();
    cJSON_AddItemToArray(itls, one);
    json_push_number(one, 0.25);
    json_push_number(one, 0.5);
    cJSON *m = cJSON_AddObjectToObject(o, "m");
    json_add_sig(m, "x", 99.27634, 6);
    char *s = render(o, false);
    assert_string_equal(s, "{\"date\": \"20260101-000000\", \"label\": null, "
                           "\"itls\": [[], [0.25, 0.5]], \"m\": {\"x\": 99.2763}}\n");
    free(s);
}

static void test_strings_and_keys_are_escaped(void **state)
{
    (void)state;
    /* A scenario or model name is the user's text; before the writer it
     * went into printf's "%s" and a quote broke the output. */
    const char *nasty = "office \"east\"\\wing\n\t\x01";
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "scenario", nasty);
    cJSON_AddStringToObject(o, "key \"q\"", "v");
    char *s = render(o, true);
    assert_non_null(strstr(s, "\"office \\\"east\\\"\\\\wing\\n\\t\\u0001\""));
    cJSON *back = cJSON_Parse(s);
    assert_non_null(back);
    assert_string_equal(cJSON_GetObjectItem(back, "scenario")->valuestring, nasty);
    assert_string_equal(cJSON_GetObjectItem(back, "key \"q\"")->valuestring, "v");
    cJSON_Delete(back);
    free(s);
}

static void test_numbers(void **state)
{
    (void)state;
    cJSON *o = cJSON_CreateObject();
    json_add_number(o, "exact", 0.1 + 0.2);
    json_add_number(o, "whole", 1215843);
    json_add_fixed(o, "fixed", 2.0 / 3.0, 4);
    json_add_fixed(o, "big", 1e20, 0);
    json_add_sig(o, "sig", 1.0 / 3.0, 6);
    json_add_int(o, "int", INT64_MAX);
    json_add_number(o, "inf", INFINITY);
    json_add_fixed(o, "nan", NAN, 2);
    json_add_sig(o, "minf", -INFINITY, 6);
    char *s = render(o, false);
    assert_string_equal(s, "{\"exact\": 0.30000000000000004, \"whole\": 1215843, "
                           "\"fixed\": 0.6667, \"big\": 100000000000000000000, "
                           "\"sig\": 0.333333, \"int\": 9223372036854775807, "
                           "\"inf\": null, \"nan\": null, \"minf\": null}\n");
    cJSON *back = cJSON_Parse(s);
    assert_non_null(back);
    assert_true(cJSON_GetObjectItem(back, "exact")->valuedouble == 0.1 + 0.2);
    cJSON_Delete(back);
    free(s);
}

static void test_nested_object_member_is_a_block(void **state)
{
    (void)state;
    cJSON *o = cJSON_CreateObject();
    cJSON *c = cJSON_AddObjectToObject(o, "coefficients");
    json_add_int(c, "a", 1);
    cJSON_AddObjectToObject(o, "empty");
    char *s = render(o, true);
    assert_string_equal(s, "{\n  \"coefficients\": {\n    \"a\": 1\n  },\n  \"empty\": {}\n}\n");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_layout_is_the_old_printf_one),
        cmocka_unit_test(test_line_is_python_json_dump),
        cmocka_unit_test(test_strings_and_keys_are_escaped),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_nested_object_member_is_a_block),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
