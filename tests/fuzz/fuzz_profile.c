/* libFuzzer: profile text -> profile_parse_text, and written back. */
#include "fuzz_common.h"
#include "profile/profile.h"

static void fuzz_one(const char *text, const char *path)
{
    (void)path;
    struct profile p;
    struct cs_err err;
    if (profile_parse_text("fuzz.json", text, &p, &err) == CS_OK) {
        FILE *f = fopen("/dev/null", "w");
        if (f) {
            profile_write(&p, f, &err);
            fclose(f);
        }
    }
}
