/* The results tree: each figure is recorded in its JSON section and printed as it is set. A
 * figure the run could not measure is recorded as null with its reason and printed as "not
 * measured: WHY", so that no failed reading passes for a number or for a met target. */
#include "bench.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define LABEL_FMT "  %-44s "

void
tx_bench_set(json_t *section, const char *key, double v, const char *unit, const char *label)
{
    double a = fabs(v);

    /* Counts stay integers in the JSON. */
    if (v == floor(v) && a < 9e15) {
        json_object_set_new(section, key, json_integer((json_int_t)v));
    } else {
        json_object_set_new(section, key, json_real(v));
    }
    if (label == NULL) {
        return;
    }
    if (a >= 1000 || v == floor(v)) {
        printf(LABEL_FMT "%12.0f %s\n", label, v, unit);
    } else if (a >= 10) {
        printf(LABEL_FMT "%12.1f %s\n", label, v, unit);
    } else {
        printf(LABEL_FMT "%12.3f %s\n", label, v, unit);
    }
    fflush(stdout);
}

void
tx_bench_set_str(json_t *section, const char *key, const char *v, const char *label)
{
    json_object_set_new(section, key, json_string(v));
    if (label != NULL) {
        printf(LABEL_FMT "%s\n", label, v);
        fflush(stdout);
    }
}

void
tx_bench_unmeasured(json_t *section, const char *key, const char *label, const char *fmt, ...)
{
    json_t *why = json_object_get(section, "not_measured");
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (!json_is_object(why)) {
        why = json_object();
        json_object_set_new(section, "not_measured", why);
    }
    json_object_set_new(section, key, json_null());
    json_object_set_new(why, key, json_string(text));
    if (label != NULL) {
        printf(LABEL_FMT "not measured: %s\n", label, text);
        fflush(stdout);
    }
}

int
tx_bench_get(const json_t *section, const char *key, double *v)
{
    json_t *x = json_object_get(section, key);

    *v = json_is_number(x) ? json_number_value(x) : 0;
    return json_is_number(x);
}

const char *
tx_bench_why(const json_t *section, const char *key)
{
    const char *why;

    if (json_is_number(json_object_get(section, key))) {
        return NULL;
    }
    why = json_string_value(json_object_get(json_object_get(section, "not_measured"), key));
    return why != NULL ? why : "no figure";
}

void
tx_bench_set_quantile(json_t *section, const char *key, double *v, size_t n, double q,
                      const char *unit, const char *label)
{
    if (n == 0) {
        tx_bench_unmeasured(section, key, label, "no samples");
        return;
    }
    tx_bench_set(section, key, tx_bench_quantile(v, n, q), unit, label);
}

void
tx_bench_target(json_t *targets, const char *name, double value, double limit, int at_least,
                const char *unit)
{
    int met = at_least ? value >= limit : value <= limit;

    json_array_append_new(targets,
                          json_pack("{s:s,s:f,s:s,s:f,s:b}", "name", name, "value", value, "op",
                                    at_least ? ">=" : "<=", "target", limit, "met", met));
    printf(LABEL_FMT "%12.3f %s %s %-8g %s\n", name, value, unit, at_least ? ">=" : "<=", limit,
           met ? "met" : "MISSED");
    fflush(stdout);
}

void
tx_bench_target_unmeasured(json_t *targets, const char *name, double limit, int at_least,
                           const char *unit, const char *why)
{
    json_array_append_new(targets, json_pack("{s:s,s:n,s:s,s:f,s:n,s:s}", "name", name, "value",
                                             "op", at_least ? ">=" : "<=", "target", limit, "met",
                                             "not_measured", why));
    printf(LABEL_FMT "%12s %s %s %-8g not measured: %s\n", name, "-", unit,
           at_least ? ">=" : "<=", limit, why);
    fflush(stdout);
}

void
tx_bench_target_of(json_t *targets, const char *name, const json_t *section, const char *key,
                   double scale, double limit, int at_least, const char *unit)
{
    double v;

    if (tx_bench_get(section, key, &v)) {
        tx_bench_target(targets, name, v * scale, limit, at_least, unit);
    } else {
        tx_bench_target_unmeasured(targets, name, limit, at_least, unit,
                                   tx_bench_why(section, key));
    }
}
