#include "common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cs_err_set(struct cs_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int cs_err_prefix(struct cs_err *err, const char *fmt, ...)
{
    if (!err)
        return CS_EINPUT;
    char head[256], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%.200s: %.300s", head, old);
    return err->code;
}

int cs_err_exit_status(int code)
{
    if (code == CS_OK)
        return 0;
    return code == CS_EUSAGE ? 2 : 1;
}

void cs_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "capsim: internal error: %s:%d: assertion '%s' failed\n", file, line, expr);
    abort();
}
