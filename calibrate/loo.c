/*
 * loo.c - leave-one-model-out folds, in order or in child processes. A
 * child fits its fold and writes the result (status, message, profile)
 * through a pipe; the parent collects the folds in order, so what it
 * reports is the same for any job count.
 */
#include "calibrate/loo.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calibrate/calibrate.h"
#include "common/xalloc.h"

struct fold_result {
    int rc;
    struct cs_err err;
    struct profile p;
};

struct fold {
    pid_t pid;
    int fd;   /* read end of the child's pipe; -1 when not started */
};

struct loo_spec {
    const struct arena *a;
    const struct profile *start;
    bool open_loop;
    size_t max_iter;
    const struct field_set *fs;   /* non-NULL: the folds leave out field sources */
};

static int fit_fold(const struct loo_spec *sp, const char *model, struct fold_result *r)
{
    memset(r, 0, sizeof *r);
    r->p = *sp->start;
    fprintf(stderr, "loo: refit without %s\n", model);
    /* a fold leaves out a model of the arena, or a source of the field set
     * (whose folds fit the arena and every other source) */
    r->rc = sp->fs ? calibrate_joint(sp->a, NULL, sp->fs, model, sp->open_loop, &r->p, sp->max_iter, NULL, &r->err)
                   : calibrate_arena(sp->a, model, sp->open_loop, &r->p, sp->max_iter, NULL, &r->err);
    return r->rc;
}

/* Fork a child that fits fold i and writes its result to a pipe. The
 * child frees what the parent allocated here (folds, result) and its own
 * result before _exit, so leak checkers see no loss in it. */
static int start_fold(const struct loo_spec *sp, const char *const *models, size_t i,
                      struct fold *folds, struct fold_result *parent_r, struct cs_err *err)
{
    int fds[2];
    if (pipe(fds))
        return cs_err_set(err, CS_EIO, "loo: cannot create a pipe (%s)", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return cs_err_set(err, CS_EIO, "loo: cannot fork (%s)", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        free(folds);
        free(parent_r);
        struct fold_result *r = xmalloc(sizeof *r);
        fit_fold(sp, models[i], r);
        const char *b = (const char *)r;
        size_t left = sizeof *r;
        int status = 0;
        while (left) {
            ssize_t n = write(fds[1], b, left);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                status = 1;
                break;
            }
            b += n;
            left -= (size_t)n;
        }
        free(r);
        _exit(status); /* no atexit handlers, no second flush of the parent's buffers */
    }
    close(fds[1]);
    folds[i].pid = pid;
    folds[i].fd = fds[0];
    return CS_OK;
}

/* Read fold f's result, then reap the child. */
static int finish_fold(struct fold *f, const char *model, struct fold_result *r, struct cs_err *err)
{
    char *b = (char *)r;
    size_t got = 0;
    while (got < sizeof *r) {
        ssize_t n = read(f->fd, b + got, sizeof *r - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(f->fd);
    f->fd = -1;
    int status = 0;
    while (waitpid(f->pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got != sizeof *r || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return cs_err_set(err, CS_EIO, "loo: the refit without %s died before it finished", model);
    if (r->rc) {
        *err = r->err;
        return r->rc;
    }
    return CS_OK;
}

static int run_folds(const struct loo_spec *spp, const char *const *models, size_t n_models, int jobs,
                     struct profile *out, struct cs_err *err);

int loo_fit_profiles(const struct arena *a, const char *const *models, size_t n_models,
                     const struct profile *start, bool open_loop, size_t max_iter, int jobs,
                     struct profile *out, struct cs_err *err)
{
    const struct loo_spec sp = { a, start, open_loop, max_iter, NULL };
    return run_folds(&sp, models, n_models, jobs, out, err);
}

int loo_fit_profiles_field(const struct arena *a, const struct field_set *fs, const char *const *sources,
                           size_t n_sources, const struct profile *start, size_t max_iter, int jobs,
                           struct profile *out, struct cs_err *err)
{
    const struct loo_spec sp = { a, start, false, max_iter, fs };
    return run_folds(&sp, sources, n_sources, jobs, out, err);
}

static int run_folds(const struct loo_spec *spp, const char *const *models, size_t n_models, int jobs,
                     struct profile *out, struct cs_err *err)
{
    const struct loo_spec sp = *spp;
    struct fold_result *r = xmalloc(sizeof *r);
    int rc = CS_OK;
    if (jobs <= 1) {
        for (size_t i = 0; i < n_models && !rc; i++) {
            rc = fit_fold(&sp, models[i], r);
            if (rc)
                *err = r->err;
            else
                out[i] = r->p;
        }
        free(r);
        return rc;
    }
    struct fold *f = xcalloc(n_models, sizeof *f);
    for (size_t i = 0; i < n_models; i++)
        f[i].fd = -1;
    size_t next = 0;
    for (size_t i = 0; i < n_models; i++) {
        /* Keep `jobs` folds in flight; collect them in order. */
        while (next < n_models && next < i + (size_t)jobs) {
            if ((rc = start_fold(&sp, models, next, f, r, err)))
                break;
            next++;
        }
        if (rc)
            break;
        rc = finish_fold(&f[i], models[i], r, err);
        if (!rc)
            out[i] = r->p;
    }
    /* On an error, stop the folds still running. */
    for (size_t i = 0; i < next; i++)
        if (f[i].fd >= 0) {
            kill(f[i].pid, SIGTERM);
            close(f[i].fd);
            waitpid(f[i].pid, NULL, 0);
        }
    free(f);
    free(r);
    return rc;
}
