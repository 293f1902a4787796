/* The report's JSON writer (tx_json_write.h) writes what jansson's json_dumps writes for the
 * same value, byte for byte: tricky strings (quotes, backslashes, control characters, non-ASCII),
 * reals at the report's precision, integers, nesting with and without indentation; a string
 * that is not UTF-8 is refused as json_string refuses it. A row's answer written straight from
 * the assessment equals jansson's dump of the same object. */
#include "tx_error.h"
#include "tx_json_write.h"
#include "tx_questionnaire.h"
#include "tx_report.h"
#include "tx_report_items.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define LINE (JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))

static tx_jw jw; /* the writer every test writes through (its buffer is 64 KiB) */

/* What tx_json_write_value writes for v with flags at depth 0. Caller frees. */
static char *
written(const json_t *v, size_t flags)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    tx_jw_init(&jw, f);
    assert_int_equal(tx_json_write_value(&jw, v, flags, 0), TX_OK);
    assert_int_equal(tx_jw_flush(&jw), TX_OK);
    assert_int_equal(fclose(f), 0);
    return buf;
}

/* tx_json_write_value and json_dumps agree on v (stolen) with each of the report's flags. */
static void
same(json_t *v)
{
    const size_t flags[] = {LINE, TX_REPORT_JSON_FLAGS, JSON_INDENT(4)};

    assert_non_null(v);
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        char *want = json_dumps(v, flags[i] | JSON_ENCODE_ANY), *got = written(v, flags[i]);
        assert_non_null(want);
        assert_string_equal(got, want);
        free(want);
        free(got);
    }
    json_decref(v);
}

static const char *const tricky[] = {
    "",
    "plain",
    "\"quoted\" and \\back\\slashed\\",
    "\b\f\n\r\t",
    "\x01\x02\x1f\x7f end",
    "/slash/ stays",
    "日本語のコメント、「引用」",
    "emoji \xf0\x9f\x98\x80 and U+2028 \xe2\x80\xa8 and U+FFFF \xef\xbf\xbf",
    "é\"\\\n日",
};

static void
test_strings(void **state)
{
    char long_text[3000] = "";
    (void)state;
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
        same(json_string(tricky[i]));
        same(json_pack("{s:s}", tricky[i], tricky[i]));
    }
    /* Longer than the writer's buffer, escapes falling across its end. */
    while (strlen(long_text) + 16 < sizeof long_text) {
        strcat(long_text, "ab\"\\\x01日本\n");
    }
    same(json_string(long_text));
}

/* The writer skips plain bytes eight at a time, then one at a time: every ASCII byte, a two-byte
 * character and a byte that is not UTF-8 at every place of plain strings of 1 to 20 bytes give
 * json_dumps's text (or the refusal). */
static void
test_string_places(void **state)
{
    (void)state;
    for (size_t len = 1; len <= 20; len++) {
        for (size_t at = 0; at < len; at++) {
            char s[24];
            memset(s, 'a', len);
            s[len] = '\0';
            for (int c = 1; c < 0x80; c++) {
                s[at] = (char)c;
                same(json_string(s));
            }
            if (at + 1 < len) {
                memcpy(s + at, "\xc3\xa9", 2);
                same(json_string(s));
            }
            s[at] = (char)0xff;
            tx_jw_init(&jw, stdout);
            assert_int_equal(tx_json_write_string(&jw, s), TX_ERR_BAD_UTF8);
            assert_int_equal(jw.n, 0);
        }
    }
}

static void
test_numbers(void **state)
{
    const double reals[] = {0.1, 1e-7,      100.0,       -2.5, 1e20,     -1e-300,
                            0.0, 1.0 / 3.0, 123456789.0, 1e6,  999999.5, 2.5e-5};
    const json_int_t ints[] = {0, 1, -1, 1000, INT64_MAX, INT64_MIN};
    (void)state;

    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        same(json_real(reals[i]));
    }
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        same(json_integer(ints[i]));
    }
    /* Without a precision, jansson writes 17 digits. */
    {
        json_t *v = json_real(0.1);
        char *want = json_dumps(v, JSON_ENCODE_ANY), *got = written(v, 0);
        assert_string_equal(got, want);
        free(want);
        free(got);
        json_decref(v);
    }
}

/* Whole numbers of tenths (scores are tx_score_round'ed) are written without printf: the same
 * text as json_dumps at every precision, around the edges where "%g" would switch to an exponent
 * (10^(precision - 1)), for negative values and zeros, and for reals that are not tenths. */
static void
test_tenths(void **state)
{
    const double odd[] = {0.0,  -0.0,  0.05,    -0.05,     1e-5,     72.25,
                          0.1,  -0.1,  1.0 / 3, 99999.9,   100000.0, 100000.1,
                          1e15, -1e16, 2.5e-5,  999999.95, 0.15,     1e300};
    json_t *a = json_array();
    (void)state;

    assert_non_null(a);
    for (long t = -2000000; t <= 2000000; t += 13) {
        json_array_append_new(a, json_real((double)t / 10.0));
    }
    for (int i = 0; i < 20000; i++) {
        json_array_append_new(a, json_real(round(i * 0.0137 * 10.0) / 10.0));
    }
    for (double p = 1; p <= 1e17; p *= 10) {
        const double near[] = {p, p - 0.1, p + 0.1, p - 1, p + 1, p / 3};
        for (size_t i = 0; i < sizeof near / sizeof near[0]; i++) {
            json_array_append_new(a, json_real(near[i]));
            json_array_append_new(a, json_real(-near[i]));
            json_array_append_new(a, json_real(round(near[i] * 10.0) / 10.0));
        }
    }
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        json_array_append_new(a, json_real(odd[i]));
    }
    for (int precision = 0; precision <= 17; precision++) {
        size_t flags = JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(precision);
        char *want = json_dumps(a, flags), *got = written(a, flags);
        assert_non_null(want);
        assert_string_equal(got, want);
        free(want);
        free(got);
    }
    json_decref(a);
}

static void
test_nesting(void **state)
{
    (void)state;
    same(json_pack("{s:[],s:{},s:n,s:b,s:b}", "a", "b", "c", "d", 1, "e", 0));
    same(json_pack("[[],{},[i,[i,{s:[i,{}]}]],{s:{s:{s:f}}}]", 1, 2, "x", 3, "y", "z", "w", 0.5));
    same(json_pack("{s:s,s:[{s:I,s:o},{s:s}],s:{s:n}}", "name", tricky[2], "areas", "id",
                   (json_int_t)7, "score", json_real(87.5), "id", tricky[6], "level_next", "name"));
    same(json_array());
    same(json_object());
    same(json_null());
}

/* Nested lines at a depth: as the report indents a value inside its document. */
static void
test_depth(void **state)
{
    json_t *v = json_pack("{s:[i,i],s:{}}", "a", 1, 2, "b");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    (void)state;

    tx_jw_init(&jw, f);
    assert_int_equal(tx_json_write_value(&jw, v, TX_REPORT_JSON_FLAGS, 2), TX_OK);
    assert_int_equal(tx_jw_flush(&jw), TX_OK);
    fclose(f);
    assert_string_equal(buf, "{\n      \"a\": [\n        1,\n        2\n      ],\n"
                             "      \"b\": {}\n    }");
    free(buf);
    json_decref(v);
}

/* A value many times the writer's buffer: pieces of every size fall across its end, and one
 * string alone is longer than the buffer; all as json_dumps writes them. */
static void
test_buffer(void **state)
{
    json_t *arr = json_array();
    size_t big = 3 * TX_JW_BUF + 7;
    char *text = malloc(big + 1);
    (void)state;

    assert_non_null(text);
    for (size_t i = 0; i < big; i++) {
        text[i] = i % 97 == 0 ? '"' : (char)('a' + i % 26);
    }
    text[big] = 0;
    for (size_t i = 0; i < 12000; i++) {
        json_array_append_new(
            arr, json_pack("{s:s,s:i,s:f}", "t", tricky[i % 9], "n", (int)i, "r", (double)i / 7));
    }
    json_array_append_new(arr, json_string(text));
    same(arr);
    /* A piece longer than the buffer put at once, after a few bytes: in order. */
    {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        tx_jw_init(&jw, f);
        tx_jw_puts(&jw, "head ");
        tx_jw_put(&jw, text, strlen(text)); /* big, not known to the compiler */
        tx_jw_putc(&jw, '!');
        assert_int_equal(tx_jw_flush(&jw), TX_OK);
        fclose(f);
        assert_int_equal(len, 5 + big + 1);
        assert_memory_equal(buf, "head ", 5);
        assert_memory_equal(buf + 5, text, big);
        assert_int_equal(buf[len - 1], '!');
        free(buf);
    }
    free(text);
}

/* A write to the FILE that falls short is reported when the writer is flushed. */
static void
test_write_fails(void **state)
{
    FILE *f = fopen("/dev/full", "w");
    (void)state;

    if (f == NULL) {
        skip();
    }
    setvbuf(f, NULL, _IONBF, 0);
    tx_jw_init(&jw, f);
    assert_int_equal(tx_json_write_string(&jw, "lost"), TX_OK);
    assert_int_equal(tx_jw_flush(&jw), TX_ERR_IO);
    fclose(f);
}

/* Bytes that are not UTF-8 are refused, nothing written: jansson refuses to make them a
 * string at all. */
static void
test_not_utf8(void **state)
{
    const char *const bad[] = {
        "\xff",         "ok \xc3",          "\xc0\xaf",
        "\xed\xa0\x80", "\xf4\x90\x80\x80", "ab\xff then more than sixteen plain bytes"};
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_null(json_string(bad[i]));
        tx_jw_init(&jw, f);
        assert_int_equal(tx_json_write_string(&jw, bad[i]), TX_ERR_BAD_UTF8);
        assert_int_equal(tx_jw_flush(&jw), TX_OK);
        fclose(f);
        assert_int_equal(len, 0);
        free(buf);
    }
}

/* A row's answers written straight from the assessment: each the dump of
 * {"id", "answer": code|null, "comment"} (answered, unanswered, a choice the questionnaire
 * does not have, tricky comments). */
static void
test_answers(void **state)
{
    tx_questionnaire_pb *q = NULL;
    tx_answer_pb a[4], *ap[4];
    (void)state;

    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &q), TX_OK);
    assert_true(q->n_items > 5 && q->n_scale > 1);
    for (size_t k = 0; k < 4; k++) {
        a[k] = (tx_answer_pb)TICSX__V1__ANSWER__INIT;
        ap[k] = &a[k];
    }
    /* In order, out of order, a choice not in the scale, no comment. */
    a[0].item = q->items[0]->id, a[0].choice = q->scale[0]->code, a[0].comment = (char *)tricky[2];
    a[1].item = q->items[3]->id, a[1].choice = q->scale[1]->code, a[1].comment = (char *)tricky[4];
    a[2].item = q->items[1]->id, a[2].choice = "no-such-choice", a[2].comment = (char *)tricky[8];
    a[3].item = q->items[2]->id, a[3].choice = q->scale[0]->code, a[3].comment = NULL;
    for (size_t i = 0; i < 5; i++) {
        const char *code = NULL, *comment = "";
        char *buf = NULL, *want;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        json_t *v;
        for (size_t k = 0; k < 4; k++) {
            if (strcmp(a[k].item, q->items[i]->id) == 0) {
                code = strcmp(a[k].choice, "no-such-choice") != 0 ? a[k].choice : NULL;
                comment = a[k].comment != NULL ? a[k].comment : "";
            }
        }
        v = json_pack("{s:s,s:o,s:s}", "id", q->items[i]->id, "answer",
                      code != NULL ? json_string(code) : json_null(), "comment", comment);
        want = json_dumps(v, LINE);
        tx_jw_init(&jw, f);
        assert_int_equal(tx_report_answer_write(&jw, q, i, ap, 4), TX_OK);
        assert_int_equal(tx_jw_flush(&jw), TX_OK);
        fclose(f);
        assert_string_equal(buf, want);
        free(buf);
        free(want);
        json_decref(v);
    }
    tx_free(q);
}

/* Nests `levels` empty arrays in e and closes them: its rc. */
static int
nest(tx_emit *e, int levels)
{
    tx_emit_key(e, "a");
    for (int i = 0; i < levels; i++) {
        tx_emit_array(e);
    }
    for (int i = 0; i < levels; i++) {
        tx_emit_end(e);
    }
    return e->rc;
}

/* Both back ends of tx_emit.h: the same text for a described value, a member whose json_t was
 * not made left out, and containers nested deeper than TX_EMIT_DEPTH refused (not written past
 * their stacks). */
static void
test_emit(void **state)
{
    char *text = NULL, *built;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    tx_jw *w = malloc(sizeof *w);
    tx_jw_emit je;
    tx_emit_builder b;
    json_t *o = json_object();
    (void)state;

    assert_non_null(f);
    assert_non_null(w);
    tx_jw_init(w, f);
    tx_jw_emit_init(&je, w, 1, JSON_PRESERVE_ORDER);
    tx_emit_build(&b, o);
    for (int k = 0; k < 2; k++) {
        tx_emit *e = k ? &b.e : &je.e;
        tx_emit_key(e, "s");
        tx_emit_string(e, "\"x\" 日本");
        tx_emit_key(e, "gone");
        tx_emit_json(e, NULL);
        tx_emit_key(e, "o");
        tx_emit_object(e);
        tx_emit_key(e, "t");
        tx_emit_bool(e, 1);
        tx_emit_key(e, "e");
        tx_emit_array(e);
        tx_emit_end(e);
        tx_emit_key(e, "n");
        tx_emit_null(e);
        tx_emit_end(e);
        tx_emit_key(e, "r");
        tx_emit_real(e, 72.3);
        assert_int_equal(nest(e, TX_EMIT_DEPTH - 1), TX_OK);
    }
    assert_int_equal(tx_jw_flush(w), TX_OK);
    assert_int_equal(fclose(f), 0);
    built = json_dumps(o, JSON_PRESERVE_ORDER);
    assert_non_null(built);
    /* The builder's object as json_dumps writes it, the writer's members one per line. */
    assert_string_equal(built, "{\"s\": \"\\\"x\\\" 日本\", \"o\": {\"t\": true, \"e\": [], \"n\": "
                               "null}, \"r\": 72.299999999999997, \"a\": [[[[[[[]]]]]]]}");
    assert_string_equal(text,
                        "\n  \"s\": \"\\\"x\\\" 日本\",\n  \"o\": {\"t\": true, \"e\": [], "
                        "\"n\": null},\n  \"r\": 72.299999999999997,\n  \"a\": [[[[[[[]]]]]]]");
    free(built);
    free(text);
    json_decref(o);
    /* One level too deep: refused by both. */
    f = open_memstream(&text, &len);
    assert_non_null(f);
    tx_jw_init(w, f);
    tx_jw_emit_init(&je, w, 1, JSON_PRESERVE_ORDER);
    o = json_object();
    tx_emit_build(&b, o);
    assert_int_equal(nest(&je.e, TX_EMIT_DEPTH), TX_ERR_INTERNAL);
    assert_int_equal(nest(&b.e, TX_EMIT_DEPTH), TX_ERR_INTERNAL);
    assert_int_equal(tx_jw_flush(w), TX_OK);
    assert_int_equal(fclose(f), 0);
    free(text);
    json_decref(o);
    free(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),  cmocka_unit_test(test_string_places),
        cmocka_unit_test(test_numbers),  cmocka_unit_test(test_tenths),
        cmocka_unit_test(test_nesting),  cmocka_unit_test(test_depth),
        cmocka_unit_test(test_not_utf8), cmocka_unit_test(test_answers),
        cmocka_unit_test(test_buffer),   cmocka_unit_test(test_write_fails),
        cmocka_unit_test(test_emit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
