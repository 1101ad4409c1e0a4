/*
 * A tiny check framework for the host unit tests. A failed check prints one
 * line (file:line, the expression, got and want) and the test goes on, so one
 * run shows every failure; check_summary() prints the totals and returns the
 * exit status. Loops that check every step stop printing after
 * CHECK_MAX_PRINTED failures but keep counting.
 */
#ifndef RUMPK_TESTS_HOST_CHECK_H
#define RUMPK_TESTS_HOST_CHECK_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_MAX_PRINTED 50

static struct {
    unsigned long checks;
    unsigned long failed;
} check_state __attribute__((unused));

/* Counts one check; returns 1 when the caller should print its failure. */
static inline int check_record_(int ok)
{
    check_state.checks++;
    if (ok)
        return 0;
    check_state.failed++;
    if (check_state.failed == CHECK_MAX_PRINTED + 1)
        printf("(more failures not shown)\n");
    return check_state.failed <= CHECK_MAX_PRINTED;
}

static inline int check_true_at(const char *file, int line, const char *expr, int ok)
{
    if (check_record_(ok))
        printf("%s:%d: CHECK(%s) failed\n", file, line, expr);
    return ok;
}

static inline int check_eq_u64_at(const char *file, int line, const char *expr,
                                  uint64_t got, uint64_t want)
{
    int ok = got == want;
    if (check_record_(ok))
        printf("%s:%d: %s: got %" PRIu64 " (0x%" PRIx64 "), want %" PRIu64 " (0x%" PRIx64 ")\n",
               file, line, expr, got, got, want, want);
    return ok;
}

static inline int check_eq_i64_at(const char *file, int line, const char *expr,
                                  int64_t got, int64_t want)
{
    int ok = got == want;
    if (check_record_(ok))
        printf("%s:%d: %s: got %" PRId64 ", want %" PRId64 "\n", file, line, expr, got, want);
    return ok;
}

/* NULL is a value of its own: it equals only NULL. */
static inline int check_str_at(const char *file, int line, const char *expr,
                               const char *got, const char *want)
{
    int ok = got && want ? strcmp(got, want) == 0 : got == want;
    if (check_record_(ok))
        printf("%s:%d: %s: got %s%s%s, want %s%s%s\n", file, line, expr,
               got ? "\"" : "", got ? got : "NULL", got ? "\"" : "",
               want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
    return ok;
}

static inline int check_contains_at(const char *file, int line, const char *expr,
                                    const char *got, const char *want)
{
    int ok = got && strstr(got, want);
    if (check_record_(ok))
        printf("%s:%d: %s: got %s%s%s, want a string containing \"%s\"\n", file, line, expr,
               got ? "\"" : "", got ? got : "NULL", got ? "\"" : "", want);
    return ok;
}

/* Each returns whether the check passed, for callers that stop early. */
#define CHECK(cond) check_true_at(__FILE__, __LINE__, #cond, (cond) ? 1 : 0)
#define CHECK_EQ_U64(got, want) \
    check_eq_u64_at(__FILE__, __LINE__, #got, (uint64_t)(got), (uint64_t)(want))
#define CHECK_EQ_I64(got, want) \
    check_eq_i64_at(__FILE__, __LINE__, #got, (int64_t)(got), (int64_t)(want))
#define CHECK_STR(got, want) check_str_at(__FILE__, __LINE__, #got, (got), (want))
#define CHECK_CONTAINS(got, part) check_contains_at(__FILE__, __LINE__, #got, (got), (part))

/* Prints "NAME: N checks, M failed"; returns the exit status for main. */
static inline int check_summary(const char *name)
{
    printf("%s: %lu checks, %lu failed\n", name, check_state.checks, check_state.failed);
    return check_state.failed ? 1 : 0;
}


/* The whole file at `path` (relative to the repository root, where the tests
 * run), malloc'd, exactly its size; exits 2 when it cannot be read. */
__attribute__((unused)) static uint8_t *check_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s (run from the repository root)\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || n < 0 || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

#endif
