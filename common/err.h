/*
 * err.h - the one error type. Functions that can fail on user input return
 * a negative CS_E* code and fill a caller-owned struct cs_err with a
 * one-line message; main() prints it as "capsim: MESSAGE" and exits 1
 * (CS_EUSAGE: exit 2). Messages follow the form
 *     FILE: .json.path: what is wrong (got VALUE)
 * lowercase, no full stop. Error paths never allocate.
 */
#ifndef CAPSIM_COMMON_ERR_H
#define CAPSIM_COMMON_ERR_H

#include <stdarg.h>

#if defined(__GNUC__)
#define CS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define CS_NORETURN __attribute__((noreturn))
#else
#define CS_PRINTF(fmt, args)
#define CS_NORETURN
#endif

#define CS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

enum cs_status {
    CS_OK = 0,
    CS_EINPUT = -1,   /* bad input file or value: exit 1 */
    CS_EUSAGE = -2,   /* bad command line: exit 2 */
    CS_EIO = -3,      /* cannot read or write a file: exit 1 */
    CS_ENUM = -4,     /* numerical failure (fit did not converge...): exit 1 */
    CS_EMISSING = -5, /* an external tool is absent (gnuplot, a GPU): exit 1 */
};

struct cs_err {
    int code;
    char msg[512];
};

/* Set err (if non-NULL) and return code, so `return cs_err_set(...)` is one line. */
int cs_err_set(struct cs_err *err, int code, const char *fmt, ...) CS_PRINTF(3, 4);
/* Prefix the message already in err with "PREFIX: ". Returns err->code. */
int cs_err_prefix(struct cs_err *err, const char *fmt, ...) CS_PRINTF(2, 3);

/* Exit status for a code: 0, 1, or 2 for usage errors. */
int cs_err_exit_status(int code);

/* Program bugs only, never input: abort with file:line. */
CS_NORETURN void cs_assert_fail(const char *expr, const char *file, int line);
#define CS_ASSERT(x) ((x) ? (void)0 : cs_assert_fail(#x, __FILE__, __LINE__))

#endif /* CAPSIM_COMMON_ERR_H */
