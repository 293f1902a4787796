/* Questionnaires as data: the built-in one loads and passes the codec's checks once signed;
 * scoring follows the rules held in the questionnaire (exact percentages on a small hand-made
 * one); answer files in CSV (BOM, CRLF, quoting) and JSON are read back, and every bad row
 * names its line (or entry) and item. */
#include "tx_answer_file.h"
#include "tx_csv.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_score.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Two areas, two levels, the usual four-choice scale. */
static const char small_json[] =
    "{\"id\":\"small\",\"version\":3,\"title\":{\"ja\":\"小\",\"en\":\"Small\"},"
    "\"scale\":[{\"code\":\"yes\",\"label\":{\"ja\":\"実施している\",\"en\":\"Implemented\"},"
    "\"score_permille\":1000},"
    "{\"code\":\"partly\",\"label\":{\"ja\":\"一部実施\",\"en\":\"Partly\"},\"score_permille\":500}"
    ","
    "{\"code\":\"no\",\"label\":{\"ja\":\"実施していない\",\"en\":\"Not implemented\"},"
    "\"score_permille\":0},"
    "{\"code\":\"na\",\"label\":{\"ja\":\"該当しない\",\"en\":\"Not applicable\"},"
    "\"score_permille\":0,\"not_applicable\":true}],"
    "\"levels\":[{\"level\":1,\"name\":{\"ja\":\"基本\",\"en\":\"Basic\"}},"
    "{\"level\":2,\"name\":{\"ja\":\"拡張\",\"en\":\"Extended\"}}],"
    "\"areas\":[{\"id\":\"X\",\"name\":{\"ja\":\"エックス\",\"en\":\"Ex\"}},"
    "{\"id\":\"Y\",\"name\":{\"ja\":\"ワイ\",\"en\":\"Why\"}}],"
    "\"items\":["
    "{\"id\":\"X-1\",\"area\":\"X\",\"level\":1,\"weight\":2,\"text\":{\"ja\":\"一\",\"en\":"
    "\"one\"}},"
    "{\"id\":\"X-2\",\"area\":\"X\",\"level\":1,\"weight\":1,\"text\":{\"ja\":\"二\",\"en\":"
    "\"two\"}},"
    "{\"id\":\"X-3\",\"area\":\"X\",\"level\":2,\"weight\":1,\"text\":{\"ja\":\"三\",\"en\":"
    "\"three\"}},"
    "{\"id\":\"Y-1\",\"area\":\"Y\",\"level\":2,\"weight\":3,\"text\":{\"ja\":\"四\",\"en\":"
    "\"four\"}},"
    "{\"id\":\"Y-2\",\"area\":\"Y\",\"level\":1,\"weight\":1,\"text\":{\"ja\":\"五\",\"en\":\"five,"
    " with a comma\"}},"
    "{\"id\":\"Y-3\",\"area\":\"Y\",\"level\":1,\"weight\":2,\"text\":{\"ja\":\"六\",\"en\":\"six "
    "\\\"quoted\\\"\"}}"
    "]}";

static tx_questionnaire_pb *
small(void)
{
    tx_questionnaire_pb *q = NULL;
    int rc = tx_questionnaire_parse(small_json, strlen(small_json), "small", &q);

    if (rc != TX_OK) {
        fail_msg("%s", tx_fail_msg());
    }
    return q;
}

static void
test_builtin_loads_and_packs(void **state)
{
    tx_questionnaire_pb *q = NULL;
    tx_identity *id = NULL;
    tx_envelope_pb *env = NULL;
    ProtobufCMessage *msg = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    (void)state;

    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &q), TX_OK);
    assert_string_equal(q->id, "tics-selfcheck");
    assert_int_equal(q->n_areas, 8);
    assert_true(q->n_items >= 8);
    for (size_t a = 0; a < q->n_areas; a++) {
        size_t items = 0;
        for (size_t i = 0; i < q->n_items; i++) {
            items += strcmp(q->items[i]->area, q->areas[a]->id) == 0;
        }
        assert_true(items > 0);
    }
    /* Signed, it is what the hub and every client decode with the strict codec. */
    assert_int_equal(tx_identity_generate("publisher", &id), TX_OK);
    assert_int_equal(tx_questionnaire_sign(q, id, 7, 1700000000, &buf, &len), TX_OK);
    assert_int_equal(tx_envelope_open_as(buf, len, TX_KIND_QUESTIONNAIRE, &env, &msg), TX_OK);
    assert_true(tx_questionnaire_same((tx_questionnaire_pb *)msg, q));
    assert_int_equal(((tx_questionnaire_pb *)msg)->meta->seq, 7);
    /* JSON out and back in is the same questionnaire. */
    json_t *j = tx_questionnaire_to_json(q);
    char *text = json_dumps(j, 0);
    tx_questionnaire_pb *again = NULL;
    assert_int_equal(tx_questionnaire_parse(text, strlen(text), "again", &again), TX_OK);
    assert_true(tx_questionnaire_same(q, again));
    tx_free(again);
    assert_int_equal(tx_questionnaire_builtin("no-such", &again), TX_ERR_NOT_FOUND);
    assert_null(again);
    free(text);
    json_decref(j);
    tx_free(msg);
    tx_free(env);
    free(buf);
    tx_free(q);
    tx_identity_destroy(&id);
}

static void
expect_bad_questionnaire(const char *from, const char *to, const char *needle)
{
    char buf[sizeof small_json + 200];
    const char *at = strstr(small_json, from);
    tx_questionnaire_pb *q = NULL;

    assert_non_null(at);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - small_json), small_json, to,
             at + strlen(from));
    assert_int_equal(tx_questionnaire_parse(buf, strlen(buf), "bad", &q), TX_ERR_MALFORMED);
    assert_null(q);
    if (strstr(tx_fail_msg(), needle) == NULL) {
        fail_msg("\"%s\" does not mention \"%s\"", tx_fail_msg(), needle);
    }
}

static void
test_questionnaire_rules(void **state)
{
    (void)state;
    expect_bad_questionnaire("\"area\":\"Y\",\"level\":2", "\"area\":\"Z\",\"level\":2",
                             "items[3] (Y-1): its area");
    expect_bad_questionnaire("\"area\":\"Y\",\"level\":2", "\"area\":\"Y\",\"level\":5",
                             "its level");
    expect_bad_questionnaire("\"id\":\"X-2\"", "\"id\":\"X-1\"", "appears twice");
    expect_bad_questionnaire("\"score_permille\":500", "\"score_permille\":1500", "score_permille");
    expect_bad_questionnaire("\"version\":3", "\"version\":3,\"extra\":1", "unknown field");
    expect_bad_questionnaire("\"weight\":3", "\"weight\":\"3\"", "weight");
    expect_bad_questionnaire("{\"id\":\"small\"", "{\"id\":\"sm all\"", "\"id\"");
    expect_bad_questionnaire("\"items\":[", "\"items\":[,", "line 1");
}

/* Answers as an Assessment carries them. */
typedef struct {
    tx_answer_pb a[16];
    tx_answer_pb *p[16];
    size_t n;
} answer_set;

static void
add(answer_set *s, const char *item, const char *choice)
{
    ticsx__v1__answer__init(&s->a[s->n]);
    s->a[s->n].item = (char *)item;
    s->a[s->n].choice = (char *)choice;
    s->p[s->n] = &s->a[s->n];
    s->n++;
}

static void
test_scoring_exact(void **state)
{
    tx_questionnaire_pb *q = small();
    answer_set s = {0};
    tx_score sc;
    (void)state;

    add(&s, "X-1", "yes");
    add(&s, "X-2", "partly");
    add(&s, "X-3", "na");
    add(&s, "Y-1", "no");
    add(&s, "Y-3", "yes");
    /* Y-2 left unanswered. */
    assert_int_equal(tx_score_compute(q, s.p, s.n, &sc), TX_OK);
    assert_int_equal(sc.n_areas, 2);
    /* X: (2*1000 + 1*500) / (3*1000) = 83.33 %; X-3 is not applicable. */
    assert_true(sc.areas[0].has_score);
    assert_true(fabs(sc.areas[0].percent - 250.0 / 3.0) < 1e-9);
    assert_true(tx_score_round(sc.areas[0].percent) == 83.3);
    assert_int_equal(sc.areas[0].applicable, 2);
    assert_int_equal(sc.areas[0].answered, 3);
    /* Y: (3*0 + 2*1000) / (5*1000) = 40 %; Y-2 unanswered is left out. */
    assert_true(sc.areas[1].percent == 40.0);
    /* Overall: 4500 / 8000 = 56.25 %. */
    assert_true(sc.overall.percent == 56.25);
    assert_true(tx_score_round(sc.overall.percent) == 56.3);
    /* Level 1, Y-2 (unanswered), Y-3 applicable; X-1 and Y-3 implemented. */
    assert_int_equal(sc.n_levels, 2);
    assert_int_equal(sc.levels[0].level, 1);
    assert_int_equal(sc.levels[0].applicable, 4);
    assert_int_equal(sc.levels[0].implemented, 2);
    assert_true(sc.levels[0].share == 50.0);
    assert_false(sc.levels[0].achieved);
    /* Level 2: X-3 not applicable, Y-1 not implemented. */
    assert_int_equal(sc.levels[1].applicable, 1);
    assert_int_equal(sc.levels[1].implemented, 0);
    assert_int_equal(sc.level_achieved, 0);
    assert_int_equal(sc.n_unanswered, 1);
    assert_string_equal(sc.unanswered[0], "Y-2");
    /* The score as JSON, with the questionnaire's texts and without, member by member. */
    {
        json_t *j = tx_score_json(q, &sc), *bare = tx_score_json_bare(q, &sc);
        char *text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        char *bare_text =
            json_dumps(bare, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        assert_string_equal(text, "{\"areas\":[{\"id\":\"X\",\"name\":{\"ja\":\"エックス\",\"en\":\"Ex\"},\"score\":83.3,"
                     "\"items\":3,\"answered\":3,\"applicable\":2},{\"id\":\"Y\",\"name\":"
                     "{\"ja\":\"ワイ\",\"en\":\"Why\"},\"score\":40.0,\"items\":3,\"answered\":2,"
                     "\"applicable\":2}],\"overall\":56.3,\"levels\":[{\"level\":1,\"name\":"
                     "{\"ja\":\"基本\",\"en\":\"Basic\"},\"applicable\":4,\"implemented\":2,"
                     "\"share\":50.0,\"achieved\":false},{\"level\":2,\"name\":{\"ja\":\"拡張\","
                     "\"en\":\"Extended\"},\"applicable\":1,\"implemented\":0,\"share\":0.0,"
                     "\"achieved\":false}],\"level_achieved\":0,\"level_next\":{\"level\":1,"
                     "\"name\":{\"ja\":\"基本\",\"en\":\"Basic\"},\"share\":50.0,\"fully_met\":2,"
                     "\"applicable\":4},\"unanswered\":1,\"unanswered_items\":[\"Y-2\"]}");
        assert_string_equal(bare_text, "{\"areas\":[{\"id\":\"X\",\"score\":83.3,\"items\":3,\"answered\":3,"
                     "\"applicable\":2},{\"id\":\"Y\",\"score\":40.0,\"items\":3,\"answered\":2,"
                     "\"applicable\":2}],\"overall\":56.3,\"levels\":[{\"level\":1,"
                     "\"applicable\":4,\"implemented\":2,\"share\":50.0,\"achieved\":false},"
                     "{\"level\":2,\"applicable\":1,\"implemented\":0,\"share\":0.0,"
                     "\"achieved\":false}],\"level_achieved\":0,\"level_next\":{\"level\":1,"
                     "\"share\":50.0,\"fully_met\":2,\"applicable\":4},\"unanswered\":1,"
                     "\"unanswered_items\":[\"Y-2\"]}");
        free(text);
        free(bare_text);
        json_decref(j);
        json_decref(bare);
    }
    tx_score_free(&sc);

    /* Every level-1 item implemented, level 2 not: level 1 achieved. */
    s.n = 0;
    add(&s, "X-1", "yes");
    add(&s, "X-2", "yes");
    add(&s, "X-3", "partly");
    add(&s, "Y-1", "yes");
    add(&s, "Y-2", "yes");
    add(&s, "Y-3", "yes");
    assert_int_equal(tx_score_compute(q, s.p, s.n, &sc), TX_OK);
    assert_int_equal(sc.level_achieved, 1);
    assert_true(sc.levels[0].achieved);
    assert_false(sc.levels[1].achieved);
    assert_true(sc.levels[1].share == 50.0);
    assert_true(tx_score_round(sc.areas[0].percent) == 87.5);
    assert_true(sc.areas[1].percent == 100.0);
    tx_score_free(&sc);

    /* Not applicable items do not stand in the way of a level; an area with nothing applicable
     * has no score. */
    s.n = 0;
    add(&s, "X-1", "na");
    add(&s, "X-2", "na");
    add(&s, "X-3", "na");
    add(&s, "Y-1", "yes");
    add(&s, "Y-2", "yes");
    add(&s, "Y-3", "yes");
    assert_int_equal(tx_score_compute(q, s.p, s.n, &sc), TX_OK);
    assert_false(sc.areas[0].has_score);
    assert_int_equal(sc.level_achieved, 2);
    assert_true(sc.overall.percent == 100.0);
    tx_score_free(&sc);

    /* The same answers in reverse order score the same (each looked up by id, not position). */
    s.n = 0;
    add(&s, "Y-3", "yes");
    add(&s, "Y-1", "no");
    add(&s, "X-3", "na");
    add(&s, "X-2", "partly");
    add(&s, "X-1", "yes");
    assert_int_equal(tx_score_compute(q, s.p, s.n, &sc), TX_OK);
    assert_true(sc.areas[0].percent == 250.0 / 3.0 && sc.areas[1].percent == 40.0);
    assert_int_equal(sc.levels[0].implemented, 2);
    assert_int_equal(sc.n_unanswered, 1);
    assert_string_equal(sc.unanswered[0], "Y-2");
    tx_score_free(&sc);

    /* An item by id, its position tried first: right, wrong, past the end, unknown. */
    assert_int_equal(tx_questionnaire_item_near(q, "X-2", 1), 1);
    assert_int_equal(tx_questionnaire_item_near(q, "Y-3", 0), 5);
    assert_int_equal(tx_questionnaire_item_near(q, "X-1", 99), 0);
    assert_int_equal(tx_questionnaire_item_near(q, "X-9", 2), -1);
    /* An area by id, the previous item's area tried first: right, wrong, past the end,
     * unknown. */
    assert_int_equal(tx_questionnaire_area_near(q, "Y", 1), 1);
    assert_int_equal(tx_questionnaire_area_near(q, "Y", 0), 1);
    assert_int_equal(tx_questionnaire_area_near(q, "X", 99), 0);
    assert_int_equal(tx_questionnaire_area_near(q, "Z", 0), -1);

    /* Answers that do not fit the questionnaire are refused by name. */
    s.n = 0;
    add(&s, "X-9", "yes");
    assert_int_equal(tx_score_compute(q, s.p, s.n, &sc), TX_ERR_MALFORMED);
    assert_non_null(strstr(tx_fail_msg(), "X-9"));
    s.n = 0;
    add(&s, "X-1", "maybe");
    assert_int_equal(tx_score_compute(q, s.p, s.n, &sc), TX_ERR_MALFORMED);
    s.n = 0;
    add(&s, "X-1", "yes");
    add(&s, "X-1", "no");
    assert_int_equal(tx_score_compute(q, s.p, s.n, &sc), TX_ERR_MALFORMED);
    tx_free(q);
}

static void
test_csv_reader(void **state)
{
    static const char text[] = "\xEF\xBB\xBF"
                               "a,\"b, with comma\",c\r\n"
                               "\"multi\r\nline\",\"say \"\"hi\"\"\",\r\n"
                               "\n"
                               "last,row,no newline";
    tx_csv *csv;
    char **f;
    size_t n;
    unsigned line;
    (void)state;

    assert_int_equal(tx_csv_open(text, strlen(text), &csv), TX_OK);
    assert_int_equal(tx_csv_next(csv, &f, &n, &line), TX_OK);
    assert_int_equal(line, 1);
    assert_int_equal(n, 3);
    assert_string_equal(f[0], "a");
    assert_string_equal(f[1], "b, with comma");
    assert_int_equal(tx_csv_next(csv, &f, &n, &line), TX_OK);
    assert_int_equal(line, 2);
    assert_int_equal(n, 3);
    assert_string_equal(f[0], "multi\r\nline");
    assert_string_equal(f[1], "say \"hi\"");
    assert_string_equal(f[2], "");
    assert_int_equal(tx_csv_next(csv, &f, &n, &line), TX_OK);
    assert_int_equal(line, 4); /* the record above spanned two lines */
    assert_int_equal(n, 1);
    assert_int_equal(tx_csv_next(csv, &f, &n, &line), TX_OK);
    assert_int_equal(line, 5);
    assert_string_equal(f[2], "no newline");
    assert_int_equal(tx_csv_next(csv, &f, &n, &line), TX_ERR_NOT_FOUND);
    tx_csv_destroy(&csv);
    assert_null(csv);

    assert_int_equal(tx_csv_open("a,\"open\nstill", 13, &csv), TX_OK);
    assert_int_equal(tx_csv_next(csv, &f, &n, &line), TX_ERR_MALFORMED);
    assert_int_equal(line, 1);
    tx_csv_destroy(&csv);
    assert_int_equal(tx_csv_open("x\n\"q\"z,1\n", 9, &csv), TX_OK);
    assert_int_equal(tx_csv_next(csv, &f, &n, &line), TX_OK);
    assert_int_equal(tx_csv_next(csv, &f, &n, &line), TX_ERR_MALFORMED);
    assert_int_equal(line, 2);
    tx_csv_destroy(&csv);
}

static void
test_csv_writer_round_trip(void **state)
{
    const char *row[] = {"plain", "with, comma", "with \"quote\"", "two\nlines", " padded", ""};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tx_csv *csv;
    char **out;
    size_t n;
    unsigned line;
    (void)state;

    tx_csv_write(f, row, 6);
    fclose(f);
    assert_non_null(strstr(buf, "\r\n"));
    assert_int_equal(tx_csv_open(buf, len, &csv), TX_OK);
    assert_int_equal(tx_csv_next(csv, &out, &n, &line), TX_OK);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(out[i], row[i]);
    }
    tx_csv_destroy(&csv);
    free(buf);
}

static int
parse(const char *text, int allow_missing, tx_answers *out)
{
    tx_questionnaire_pb *q = small();
    int rc = tx_answers_parse(text, strlen(text), "answers.csv", q, allow_missing, out);

    tx_free(q);
    return rc;
}

static void
test_answers_csv_good(void **state)
{
    /* BOM, CRLF, columns found by name, labels in both languages, a multi-line comment. */
    static const char text[] =
        "\xEF\xBB\xBFitem,area,level,weight,text_ja,text_en,answer,comment\r\n"
        "X-1,X,1,2,一,one,Implemented,\"kept in a locked cabinet, key with the manager\"\r\n"
        "X-2,X,1,1,二,two,一部実施,\"two\r\nlines, \"\"quoted\"\"\"\r\n"
        "X-3,X,2,1,三,three, NA ,\r\n"
        "Y-1,Y,2,3,四,four,no,\r\n"
        "Y-2,Y,1,1,五,\"five, with a comma\",PARTLY,\r\n"
        "Y-3,Y,1,2,六,\"six \"\"quoted\"\"\",yes,\r\n"
        ",,,,,,,\r\n";
    tx_answers a;
    (void)state;

    assert_int_equal(parse(text, 0, &a), TX_OK);
    assert_int_equal(a.n, 6);
    assert_string_equal(a.v[0]->choice, "yes");
    assert_string_equal(a.v[0]->comment, "kept in a locked cabinet, key with the manager");
    assert_string_equal(a.v[1]->choice, "partly");
    assert_string_equal(a.v[1]->comment, "two\r\nlines, \"quoted\"");
    assert_string_equal(a.v[2]->choice, "na");
    assert_string_equal(a.v[4]->choice, "partly");
    assert_string_equal(a.questionnaire, "");
    tx_answers_free(&a);
}

static void
expect_bad(const char *text, int allow_missing, const char *needle1, const char *needle2)
{
    tx_answers a;
    int rc = parse(text, allow_missing, &a);

    assert_int_equal(rc, TX_ERR_MALFORMED);
    assert_int_equal(a.n, 0);
    if (strstr(tx_fail_msg(), needle1) == NULL ||
        (needle2 != NULL && strstr(tx_fail_msg(), needle2) == NULL)) {
        fail_msg("\"%s\" does not mention \"%s\" and \"%s\"", tx_fail_msg(), needle1,
                 needle2 ? needle2 : "");
    }
}

static void
test_answers_csv_bad_rows(void **state)
{
    (void)state;
    expect_bad("item,answer\nX-1,yes\nX-7,no\n", 1, "line 3", "(X-7): unknown item");
    expect_bad("item,answer\nX-1,yes\nX-2,maybe\n", 1, "line 3", "(X-2): unknown answer \"maybe\"");
    expect_bad("item,answer\r\nX-1,yes\r\nX-2,no\r\nX-1,no\r\n", 1, "line 4",
               "(X-1): item appears twice (first on line 2)");
    expect_bad("item,answer,comment\nX-1,yes\n", 1, "line 2", "(X-1): 2 columns, the header has 3");
    expect_bad("item,answer\nX-1,yes,extra\n", 1, "line 2", "(X-1): 3 columns");
    /* Line numbers count the lines inside quoted fields. */
    expect_bad("item,answer,comment\nX-1,yes,\"a\nb\nc\"\nX-2,nope,\n", 1, "line 5", "(X-2)");
    /* A blank answer is an error unless missing answers are allowed... */
    expect_bad("item,answer\nX-1,yes\nX-2,\n", 0, "line 3", "(X-2): no answer");
    /* ...and so is an item the file leaves out. */
    expect_bad("item,answer\nX-1,yes\n", 0, "item X-2 and others is missing", NULL);
    expect_bad("answer,comment\nyes,\n", 1, "line 1", "item and answer");
    expect_bad("item,answer\nX-1,\"yes\n", 1, "line 2", "never closed");
    expect_bad("item,answer\nX-1,\xff\xfe\n", 1, "line 2", "UTF-8");

    tx_answers a;
    assert_int_equal(parse("item,answer\nX-1,yes\nX-2,\n", 1, &a), TX_OK);
    assert_int_equal(a.n, 1);
    tx_answers_free(&a);
}

static void
test_answers_json(void **state)
{
    tx_answers a;
    (void)state;

    assert_int_equal(parse("{\"questionnaire\":\"abcd\",\"answers\":["
                           "{\"item\":\"X-1\",\"answer\":\"yes\",\"comment\":\"c\"},"
                           "{\"item\":\"Y-1\",\"answer\":\"Not applicable\"},"
                           "{\"item\":\"Y-2\",\"answer\":\"\",\"comment\":\"\"}]}",
                           1, &a),
                     TX_OK);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.questionnaire, "abcd");
    assert_string_equal(a.v[1]->choice, "na");
    assert_string_equal(a.v[0]->comment, "c");
    tx_answers_free(&a);

    expect_bad("{\"answers\":[{\"item\":\"X-1\",\"answer\":\"yes\"},"
               "{\"item\":\"X-2\",\"answer\":\"sometimes\"}]}",
               1, "answers[1] (X-2): unknown answer", NULL);
    expect_bad("{\"answers\":[{\"item\":\"X-1\",\"answer\":\"yes\"},"
               "{\"item\":\"X-1\",\"answer\":\"no\"}]}",
               1, "answers[1] (X-1): item appears twice (first in answers[0])", NULL);
    expect_bad("{\"answers\":[{\"item\":\"X-1\",\"anwser\":\"yes\"}]}", 1, "answers[0]", NULL);
    expect_bad("{\"answers\":[{\"item\":\"X-1\",\"answer\":\"\"}]}", 0,
               "answers[0] (X-1): no answer", NULL);
    expect_bad("{\"answers\": [\n{\"item\": }]}", 1, "line 2", NULL);
}

static void
test_template_round_trip(void **state)
{
    tx_questionnaire_pb *q = small();
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    tx_answers a;
    (void)state;

    /* CSV: BOM and the fixed header; read back blank, it names the first blank row. */
    f = open_memstream(&buf, &len);
    assert_int_equal(tx_answers_template(f, q, "", 0), TX_OK);
    fclose(f);
    assert_memory_equal(
        buf,
        "\xEF\xBB\xBFitem,area,level,weight,text_ja,text_en,answer,comment,plan,plan_due,"
        "plan_done,evidence\r\n",
        91);
    assert_non_null(strstr(buf, "Y-2,Y,1,1,五,\"five, with a comma\",,,,,,\r\n"));
    assert_non_null(strstr(buf, "\"six \"\"quoted\"\"\""));
    assert_int_equal(tx_answers_parse(buf, len, "t.csv", q, 0, &a), TX_ERR_MALFORMED);
    assert_non_null(strstr(tx_fail_msg(), "t.csv line 2 (X-1): no answer"));
    assert_int_equal(tx_answers_parse(buf, len, "t.csv", q, 1, &a), TX_OK);
    assert_int_equal(a.n, 0);
    tx_answers_free(&a);
    free(buf);

    /* JSON carries the questionnaire record id. */
    buf = NULL;
    f = open_memstream(&buf, &len);
    assert_int_equal(tx_answers_template(f, q, "00ff", 1), TX_OK);
    fclose(f);
    assert_int_equal(tx_answers_parse(buf, len, "t.json", q, 1, &a), TX_OK);
    assert_string_equal(a.questionnaire, "00ff");
    tx_answers_free(&a);
    free(buf);
    tx_free(q);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_loads_and_packs), cmocka_unit_test(test_questionnaire_rules),
        cmocka_unit_test(test_scoring_exact),           cmocka_unit_test(test_csv_reader),
        cmocka_unit_test(test_csv_writer_round_trip),   cmocka_unit_test(test_answers_csv_good),
        cmocka_unit_test(test_answers_csv_bad_rows),    cmocka_unit_test(test_answers_json),
        cmocka_unit_test(test_template_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
