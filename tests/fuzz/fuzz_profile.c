/* libFuzzer: profile text -> profile_parse_text (and write it back). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "profile/profile.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    gsl_set_error_handler_off();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct profile p;
    struct cs_err err;
    if (profile_parse_text("fuzz.json", text, &p, &err) == CS_OK) {
        FILE *f = fopen("/dev/null", "w");
        if (f) {
            profile_write(&p, f, &err);
            fclose(f);
        }
    }
    free(text);
    return 0;
}
