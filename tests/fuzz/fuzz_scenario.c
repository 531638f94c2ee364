/* libFuzzer: scenario text -> scenario_parse. */
#include "fuzz_common.h"
#include "scenarios/scenario.h"

static void fuzz_one(const char *text, const char *path)
{
    (void)path;
    static struct scenario s;
    struct cs_err err;
    scenario_parse("fuzz.json", text, &s, &err);
}
