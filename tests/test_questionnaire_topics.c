/* The built-in questionnaire's provenance and topics: it says it is TICS-aligned and unofficial
 * in both languages, every item serves a topic of the 2024 TICS criteria; a questionnaire naming
 * an unknown topic is refused by the codec and by a real hub; check sheets import topics (bad
 * ones named by line); `questionnaire show` and `list` say all this in both languages; a level's
 * share of items fully met is computed and summarised as "L1 80%". */
#include "harness.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_import.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_report_items.h"
#include "tx_score.h"
#include "tx_util.h"
#include "tx_xlsx_read.h"
#include "tx_xlsx_template.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static tx_questionnaire_pb *
builtin(void)
{
    tx_questionnaire_pb *q = NULL;

    assert_int_equal(tx_questionnaire_builtin(TX_BUILTIN_QUESTIONNAIRE, &q), TX_OK);
    return q;
}

static const tx_topic_pb *
topic_of(const tx_questionnaire_pb *q, const char *id)
{
    int t = tx_questionnaire_topic(q, id);

    return t >= 0 ? q->topics[t] : NULL;
}

static void
test_builtin_says_unofficial_and_maps_every_item(void **state)
{
    tx_questionnaire_pb *q = builtin();
    size_t tics = 0, jama = 0;
    (void)state;

    assert_true(q->version >= 2);
    assert_non_null(strstr(q->title->en, "TICS-aligned"));
    assert_non_null(strstr(q->title->en, "unofficial"));
    assert_non_null(strstr(q->title->ja, "非公式"));
    assert_null(strstr(q->title->ja, "TICS準拠"));
    assert_true(tx_questionnaire_has_provenance(q));
    assert_non_null(strstr(q->provenance->en, "ticsx project"));
    assert_non_null(strstr(q->provenance->en, "unofficial"));
    assert_non_null(strstr(q->provenance->en, "not METI's self-check list"));
    assert_non_null(strstr(q->provenance->ja, "ticsxプロジェクト"));
    assert_non_null(strstr(q->provenance->ja, "非公式"));
    assert_non_null(strstr(q->provenance->ja, "経済産業省の自己チェックリストでも"));

    /* Topics: unique ids, known frameworks, each used by some item. */
    assert_true(q->n_topics > 0);
    for (size_t t = 0; t < q->n_topics; t++) {
        int used = 0;
        for (size_t k = 0; k < t; k++) {
            assert_string_not_equal(q->topics[k]->id, q->topics[t]->id);
        }
        assert_true(strcmp(q->topics[t]->framework, "tics-2024") == 0 ||
                    strcmp(q->topics[t]->framework, "jama-l1") == 0);
        assert_true(q->topics[t]->name->ja[0] != 0 && q->topics[t]->name->en[0] != 0);
        for (size_t i = 0; i < q->n_items && !used; i++) {
            for (size_t k = 0; k < q->items[i]->n_topics; k++) {
                used |= strcmp(q->items[i]->topics[k], q->topics[t]->id) == 0;
            }
        }
        assert_true(used);
    }
    assert_non_null(topic_of(q, "tics-2024.incident"));
    assert_non_null(topic_of(q, "tics-2024.classes"));
    assert_string_equal(topic_of(q, "tics-2024.classes")->name->ja, "機密区分");

    /* Every item serves a 2024-criteria topic; the project's term is 機密区分. */
    for (size_t i = 0; i < q->n_items; i++) {
        const tx_item_pb *it = q->items[i];
        int has_tics = 0;
        for (size_t k = 0; k < it->n_topics; k++) {
            const tx_topic_pb *t = topic_of(q, it->topics[k]);
            assert_non_null(t);
            has_tics |= strcmp(t->framework, "tics-2024") == 0;
            jama += strcmp(t->framework, "jama-l1") == 0;
        }
        if (!has_tics) {
            fail_msg("item %s names no tics-2024 topic", it->id);
        }
        tics++;
        assert_null(strstr(it->text->ja, "秘密区分"));
    }
    assert_int_equal(tics, q->n_items);
    assert_true(jama > 0);
    tx_free(q);
}

/* q packed with a meta and decoded as the hub and every client decode a questionnaire. */
static int
decode(tx_questionnaire_pb *q)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    ProtobufCMessage *back = NULL;
    uint8_t *packed = NULL;
    size_t len = 0;
    int rc;

    meta.seq = 1;
    q->meta = &meta;
    assert_int_equal(tx_pack(&q->base, &packed, &len), TX_OK);
    q->meta = NULL;
    rc = tx_decode_kind(TX_KIND_QUESTIONNAIRE, packed, len, &back);
    tx_free(back);
    free(packed);
    return rc;
}

static void
test_codec_refuses_unknown_and_duplicate_topics(void **state)
{
    tx_questionnaire_pb *q = builtin();
    tx_item_pb *it = q->items[0];
    char *saved = it->topics[0], *saved_id = q->topics[1]->id;
    char nope[] = "tics-2024.nope";
    (void)state;

    assert_int_equal(decode(q), TX_OK);
    /* An item naming a topic the questionnaire does not define. */
    it->topics[0] = nope;
    assert_int_equal(decode(q), TX_ERR_MALFORMED);
    /* An item naming one topic twice. */
    it->topics[0] = it->topics[1];
    assert_int_equal(decode(q), TX_ERR_MALFORMED);
    it->topics[0] = saved;
    assert_int_equal(decode(q), TX_OK);
    /* Two topics with one id. */
    q->topics[1]->id = q->topics[0]->id;
    assert_int_equal(decode(q), TX_ERR_MALFORMED);
    q->topics[1]->id = saved_id;
    /* Item topics without any topic defined. */
    size_t n_topics = q->n_topics;
    q->n_topics = 0;
    assert_int_equal(decode(q), TX_ERR_MALFORMED);
    q->n_topics = n_topics;
    assert_int_equal(decode(q), TX_OK);
    tx_free(q);

    /* The JSON form refuses them too, naming the topic. */
    static const char bad_json[] =
        "{\"id\":\"t\",\"version\":1,\"title\":{\"en\":\"T\"},"
        "\"scale\":[{\"code\":\"yes\",\"label\":{\"en\":\"Yes\"},\"score_permille\":1000}],"
        "\"levels\":[{\"level\":1,\"name\":{\"en\":\"L1\"}}],"
        "\"areas\":[{\"id\":\"A\",\"name\":{\"en\":\"A\"}}],"
        "\"topics\":[{\"id\":\"own.a\",\"framework\":\"own\",\"name\":{\"en\":\"A\"}}],"
        "\"items\":[{\"id\":\"i1\",\"area\":\"A\",\"level\":1,\"text\":{\"en\":\"x\"},"
        "\"topics\":[\"own.b\"]}]}";
    assert_int_equal(tx_questionnaire_parse(bad_json, strlen(bad_json), "bad.json", &q),
                     TX_ERR_MALFORMED);
    assert_null(q);
    assert_non_null(strstr(tx_fail_msg(), "own.b"));
}

static void
test_hub_refuses_unknown_topic(void **state)
{
    char *root = th_tmpdir(), dir[PATH_MAX];
    tx_identity *buyer = th_identity("Buyer Motors KK");
    tx_questionnaire_pb *q = builtin();
    char nope[] = "tics-2024.nope";
    uint8_t *env = NULL;
    size_t len = 0;
    th_hub hub;
    tx_conn *c;
    (void)state;

    th_require_hub_bin();
    snprintf(dir, sizeof dir, "%s/hub", root);
    th_hub_init(dir);
    assert_int_equal(th_enroll(dir, buyer, 1, NULL, 0), 0);
    th_hub_start(&hub, dir, NULL);
    c = th_connect(&hub, buyer, 5000);

    /* Signed without the client's own checks, as an attacker would. */
    char *saved = q->items[0]->topics[0];
    tx_meta_pb meta = TICSX__V1__META__INIT;
    meta.seq = 2;
    q->meta = &meta;
    q->items[0]->topics[0] = nope;
    assert_int_equal(tx_envelope_sign_msg(buyer, TX_KIND_QUESTIONNAIRE, &q->base, &env, &len),
                     TX_OK);
    assert_int_not_equal(th_submit_status(c, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    assert_int_equal(th_list_count(c, TX_KIND_QUESTIONNAIRE), 0);

    /* The same questionnaire with its real topics is accepted. */
    q->items[0]->topics[0] = saved;
    meta.seq = 3;
    assert_int_equal(tx_envelope_sign_msg(buyer, TX_KIND_QUESTIONNAIRE, &q->base, &env, &len),
                     TX_OK);
    assert_int_equal(th_submit_status(c, env, len, NULL), TICSX__V1__STATUS__OK);
    free(env);
    assert_int_equal(th_list_count(c, TX_KIND_QUESTIONNAIRE), 1);
    q->meta = NULL;

    tx_conn_destroy(&c);
    assert_int_equal(th_hub_stop(&hub, SIGTERM), 0);
    tx_free(q);
    tx_identity_destroy(&buyer);
    th_rmtree(root);
    free(root);
}

static const char sheet[] =
    "id,area,level,text ja,text en,weight,Topics\r\n"
    "R-01,ルール,1,機密区分を付けている,Classes are set,2,"
    "\"tics-2024.classes; own.bcp\"\r\n"
    "R-02,ルール,1,教育している,Training,1,tics-2024.training、jama-l1.people\r\n"
    "R-03,ルール,2,手順がある,A procedure,1,\r\n";

static const char topics_csv[] = "ID,Framework,Name JA,Name EN\r\n"
                                 "own.bcp,own,事業継続,Business continuity\r\n"
                                 "own.unused,own,未使用,Unused\r\n";

static void
test_import_with_topics(void **state)
{
    tx_import_opts o = {.id = "acme",
                        .version = 1,
                        .title_en = "Acme sheet",
                        .topics_buf = topics_csv,
                        .topics_len = sizeof topics_csv - 1};
    tx_import_errors errs;
    tx_questionnaire_pb *q = NULL;
    (void)state;

    assert_int_equal(tx_import_csv(sheet, sizeof sheet - 1, "s.csv", &o, &q, &errs), TX_OK);
    /* The built-in topics used (in the built-in order), then all the file's. */
    assert_int_equal(q->n_topics, 5);
    assert_string_equal(q->topics[0]->id, "tics-2024.classes");
    assert_string_equal(q->topics[0]->name->ja, "機密区分");
    assert_string_equal(q->topics[3]->id, "own.bcp");
    assert_string_equal(q->topics[3]->name->en, "Business continuity");
    assert_string_equal(q->topics[4]->id, "own.unused");
    assert_int_equal(q->items[0]->n_topics, 2);
    assert_string_equal(q->items[0]->topics[1], "own.bcp");
    assert_int_equal(q->items[1]->n_topics, 2);
    assert_string_equal(q->items[1]->topics[1], "jama-l1.people");
    assert_int_equal(q->items[2]->n_topics, 0);
    assert_int_equal(decode(q), TX_OK);
    /* The JSON form keeps them. */
    json_t *j = tx_questionnaire_to_json(q);
    char *text = json_dumps(j, 0);
    tx_questionnaire_pb *back = NULL;
    assert_int_equal(tx_questionnaire_parse(text, strlen(text), "back", &back), TX_OK);
    assert_true(tx_questionnaire_same(q, back));
    free(text);
    json_decref(j);
    tx_free(back);
    tx_free(q);

    /* Without the topics file own.bcp is unknown: the row is refused by its line. */
    o.topics_buf = NULL;
    o.topics_len = 0;
    assert_int_equal(tx_import_csv(sheet, sizeof sheet - 1, "s.csv", &o, &q, &errs),
                     TX_ERR_MALFORMED);
    assert_null(q);
    assert_int_equal(errs.total, 1);
    assert_int_equal(errs.v[0].line, 2);
    assert_int_equal(errs.v[0].in_topics, 0);
    assert_non_null(strstr(errs.v[0].what, "unknown topic \"own.bcp\""));
    tx_import_errors_free(&errs);

    /* Bad topics files: each bad row by its line, in that file. */
    static const char bad_topics[] = "id,framework,name ja,name en\n"
                                     "own.bcp,own,事業継続,\n"
                                     "own.bcp,own,二度目,Twice\n"
                                     "tics-2024.incident,own,上書き,Override\n"
                                     "own.x,bad framework,x,x\n";
    o.topics_buf = bad_topics;
    o.topics_len = sizeof bad_topics - 1;
    assert_int_equal(tx_import_csv(sheet, sizeof sheet - 1, "s.csv", &o, &q, &errs),
                     TX_ERR_MALFORMED);
    assert_int_equal(errs.total, 3);
    assert_int_equal(errs.v[0].line, 3);
    assert_int_equal(errs.v[0].in_topics, 1);
    assert_non_null(strstr(errs.v[0].what, "duplicate id (first on line 2)"));
    assert_int_equal(errs.v[1].line, 4);
    assert_non_null(strstr(errs.v[1].what, "built-in questionnaire"));
    assert_int_equal(errs.v[2].line, 5);
    assert_non_null(strstr(errs.v[2].what, "framework"));
    tx_import_errors_free(&errs);
}

static void
test_import_cli_names_bad_topics_by_line(void **state)
{
    char *root = th_tmpdir(), home[PATH_MAX], s[PATH_MAX], t[PATH_MAX], out[PATH_MAX];
    th_result r;
    (void)state;

    snprintf(home, sizeof home, "%s/home", root);
    snprintf(s, sizeof s, "%s/sheet.csv", root);
    snprintf(t, sizeof t, "%s/topics.csv", root);
    snprintf(out, sizeof out, "%s/q.json", root);
    th_party(NULL, home, "Sheet Works KK", NULL);
    th_write_file(s, "id,area,level,text ja,text en,weight,topics\n"
                     "R-01,A,1,x,x,1,tics-2024.incident\n"
                     "R-02,A,1,y,y,1,\"tics-2024.nope; tics-2024.incident tics-2024.incident\"\n");
    th_ticsx(&r, NULL, home, "questionnaire", "import", s, "--id", "mine", "--version", "1",
             "--out", out, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "line 3 (R-02): unknown topic \"tics-2024.nope\"");
    th_expect_text(r.err, "topic \"tics-2024.incident\" is named twice");
    assert_int_not_equal(access(out, F_OK), 0);
    th_result_free(&r);

    th_write_file(s, "id,area,level,text ja,text en,weight,topics\n"
                     "R-01,A,1,x,x,1,tics-2024.incident;own.a\n");
    th_write_file(t, "id,framework,name ja,name en\nown.a,own,自社,Ours\nown.a,own,b,b\n");
    th_ticsx(&r, NULL, home, "questionnaire", "import", s, "--id", "mine", "--version", "1",
             "--topics", t, "--out", out, NULL);
    th_expect_status(&r, 2);
    th_expect_text(r.err, "topics.csv line 3 (own.a): duplicate id");
    th_result_free(&r);

    th_write_file(t, "id,framework,name ja,name en\nown.a,own,自社,Ours\n");
    th_ticsx(&r, NULL, home, "questionnaire", "import", s, "--id", "mine", "--version", "1",
             "--topics", t, "--out", out, NULL);
    th_expect_status(&r, 0);
    th_result_free(&r);
    th_ticsx(&r, NULL, home, "questionnaire", "show", out, NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "-> Reporting and responding to leaks and incidents (TICS\n");
    th_expect_text(r.out, "criteria 2024); Ours (own)\n");
    th_expect_text(r.out, "provenance: not stated by the questionnaire");
    th_result_free(&r);
    th_rmtree(root);
    free(root);
}

static void
test_show_and_list_in_both_languages(void **state)
{
    char *root = th_tmpdir(), home[PATH_MAX];
    th_ticsx_opts ja = {.env = (const char *const[]){"LANG=ja_JP.UTF-8", NULL}};
    th_result r;
    json_t *j;
    (void)state;

    snprintf(home, sizeof home, "%s/home", root);
    th_party(NULL, home, "Show Works KK", NULL);

    th_ticsx(&r, NULL, home, "questionnaire", "show", "tics-selfcheck", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "self-check (TICS-aligned,\n  unofficial)");
    th_expect_text(r.out, "provenance:\n  An unofficial questionnaire written by the ticsx");
    th_expect_text(r.out, "tics-2024.classes    Confidentiality classes (TICS criteria 2024)");
    th_expect_text(r.out, "-> Confidentiality classes (TICS criteria 2024); Knowing the");
    th_result_free(&r);

    th_ticsx_with(&r, &ja, home, "questionnaire", "show", "tics-selfcheck", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "（TICSに沿った非公式版）");
    th_expect_text(r.out, "出典:\n  ticsxプロジェクトが作成した非公式の質問票です。");
    th_expect_text(r.out, "tics-2024.classes    機密区分（2024年版認証基準）");
    th_expect_text(r.out, "→ 機密区分（2024年版認証基準）、情報資産の把握（自工");
    assert_null(strstr(r.out, "秘密区分"));
    th_result_free(&r);

    /* Machine output is the same whatever the language. */
    th_ticsx_with(&r, &ja, home, "--json", "questionnaire", "show", "tics-selfcheck", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    assert_non_null(strstr(
        json_string_value(json_object_get(json_object_get(j, "provenance"), "en")), "unofficial"));
    assert_true(json_array_size(json_object_get(j, "topics")) > 10);
    json_t *t0 = json_array_get(
        json_object_get(json_array_get(json_object_get(j, "items"), 0), "topics"), 0);
    assert_string_equal(json_string_value(t0), "tics-2024.scope");
    json_decref(j);
    th_result_free(&r);

    th_ticsx(&r, NULL, home, "questionnaire", "list", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "Built-in questionnaires are TICS-aligned and unofficial");
    th_result_free(&r);
    th_ticsx_with(&r, &ja, home, "questionnaire", "list", NULL);
    th_expect_status(&r, 0);
    th_expect_text(r.out, "組み込みの質問票はTICSに沿った非公式のもの");
    th_result_free(&r);
    th_ticsx(&r, NULL, home, "--json", "questionnaire", "list", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    json_t *e = json_array_get(json_object_get(j, "questionnaires"), 0);
    assert_true(json_is_true(json_object_get(e, "builtin")));
    assert_non_null(json_object_get(json_object_get(e, "provenance"), "ja"));
    json_decref(j);
    th_result_free(&r);
    th_rmtree(root);
    free(root);
}

/* Five level-1 items, two level-2 ones. */
static const char small_q[] =
    "{\"id\":\"s\",\"version\":1,\"title\":{\"en\":\"S\"},"
    "\"scale\":[{\"code\":\"yes\",\"label\":{\"en\":\"Yes\"},\"score_permille\":1000},"
    "{\"code\":\"partly\",\"label\":{\"en\":\"Partly\"},\"score_permille\":500},"
    "{\"code\":\"na\",\"label\":{\"en\":\"NA\"},\"score_permille\":0,\"not_applicable\":true}],"
    "\"levels\":[{\"level\":1,\"name\":{\"en\":\"Basic\"}},{\"level\":2,\"name\":{\"en\":\"More\"}}"
    "],"
    "\"areas\":[{\"id\":\"A\",\"name\":{\"en\":\"A\"}}],"
    "\"topics\":[{\"id\":\"tics-2024.incident\",\"framework\":\"tics-2024\","
    "\"name\":{\"ja\":\"漏えい・事故の報告と対応\",\"en\":\"Incidents\"}}],"
    "\"items\":["
    "{\"id\":\"a\",\"area\":\"A\",\"level\":1,\"text\":{\"en\":\"a\"},"
    "\"topics\":[\"tics-2024.incident\"]},"
    "{\"id\":\"b\",\"area\":\"A\",\"level\":1,\"text\":{\"en\":\"b\"}},"
    "{\"id\":\"c\",\"area\":\"A\",\"level\":1,\"text\":{\"en\":\"c\"}},"
    "{\"id\":\"d\",\"area\":\"A\",\"level\":1,\"text\":{\"en\":\"d\"}},"
    "{\"id\":\"e\",\"area\":\"A\",\"level\":1,\"text\":{\"en\":\"e\"}},"
    "{\"id\":\"f\",\"area\":\"A\",\"level\":2,\"text\":{\"en\":\"f\"}},"
    "{\"id\":\"g\",\"area\":\"A\",\"level\":2,\"text\":{\"en\":\"g\"}}]}";

/* Scores `codes` (one per item a..g, NULL = unanswered) and returns the row JSON. */
static json_t *
score(const tx_questionnaire_pb *q, const char *const *codes, tx_score *s)
{
    tx_answer_pb a[7], *ap[7];
    size_t n = 0;

    for (size_t i = 0; i < 7; i++) {
        if (codes[i] == NULL) {
            continue;
        }
        a[n] = (tx_answer_pb)TICSX__V1__ANSWER__INIT;
        a[n].item = q->items[i]->id;
        a[n].choice = (char *)codes[i];
        ap[n] = &a[n];
        n++;
    }
    assert_int_equal(tx_score_compute(q, ap, n, s), TX_OK);
    return tx_score_json(q, s);
}

static void
test_level_share(void **state)
{
    tx_questionnaire_pb *q = NULL;
    tx_score s;
    json_t *j, *next, *lv;
    char text[32];
    (void)state;

    assert_int_equal(tx_questionnaire_parse(small_q, strlen(small_q), "small", &q), TX_OK);

    /* Four of five level-1 items fully met, one partly: no level, L1 80%. */
    j = score(q, (const char *const[]){"yes", "yes", "yes", "yes", "partly", "yes", NULL}, &s);
    assert_int_equal(json_integer_value(json_object_get(j, "level_achieved")), 0);
    lv = json_array_get(json_object_get(j, "levels"), 0);
    assert_int_equal(json_integer_value(json_object_get(lv, "implemented")), 4);
    assert_int_equal(json_integer_value(json_object_get(lv, "applicable")), 5);
    assert_true(json_real_value(json_object_get(lv, "share")) == 80.0);
    next = json_object_get(j, "level_next");
    assert_int_equal(json_integer_value(json_object_get(next, "level")), 1);
    assert_true(json_real_value(json_object_get(next, "share")) == 80.0);
    assert_int_equal(json_integer_value(json_object_get(next, "fully_met")), 4);
    assert_int_equal(tx_score_level_text(j, text, sizeof text), 1);
    assert_string_equal(text, "L1 80%");
    json_decref(j);
    tx_score_free(&s);

    /* Not applicable leaves the item out; unanswered counts as not met. */
    j = score(q, (const char *const[]){"yes", "yes", "yes", "na", NULL, "yes", NULL}, &s);
    lv = json_array_get(json_object_get(j, "levels"), 0);
    assert_int_equal(json_integer_value(json_object_get(lv, "applicable")), 4);
    assert_true(json_real_value(json_object_get(lv, "share")) == 75.0);
    assert_int_equal(tx_score_level_text(j, text, sizeof text), 1);
    assert_string_equal(text, "L1 75%");
    json_decref(j);
    tx_score_free(&s);

    /* Level 1 achieved, half of level 2. */
    j = score(q, (const char *const[]){"yes", "yes", "yes", "yes", "na", "yes", "partly"}, &s);
    assert_int_equal(json_integer_value(json_object_get(j, "level_achieved")), 1);
    assert_int_equal(tx_score_level_text(j, text, sizeof text), 1);
    assert_string_equal(text, "L1 L2 50%");
    json_decref(j);
    tx_score_free(&s);

    /* Everything: L2, nothing next. */
    j = score(q, (const char *const[]){"yes", "yes", "yes", "yes", "yes", "yes", "yes"}, &s);
    assert_true(json_is_null(json_object_get(j, "level_next")));
    assert_int_equal(tx_score_level_text(j, text, sizeof text), 1);
    assert_string_equal(text, "L2");
    json_decref(j);
    tx_score_free(&s);

    /* A row without a score shows nothing. */
    j = json_pack("{s:n,s:n}", "level_achieved", "level_next");
    assert_int_equal(tx_score_level_text(j, text, sizeof text), 0);
    assert_string_equal(text, "");
    json_decref(j);

    /* The report's items carry their topics. */
    j = tx_report_items_json(q, NULL, 0);
    json_t *t = json_array_get(json_object_get(json_array_get(j, 0), "topics"), 0);
    assert_string_equal(json_string_value(json_object_get(t, "id")), "tics-2024.incident");
    assert_string_equal(json_string_value(json_object_get(t, "framework")), "tics-2024");
    assert_string_equal(json_string_value(json_object_get(json_object_get(t, "name"), "ja")),
                        "漏えい・事故の報告と対応");
    assert_int_equal(json_array_size(json_object_get(json_array_get(j, 1), "topics")), 0);
    json_decref(j);
    tx_free(q);
}

/* The XLSX answer template shows each item's topics in a last column, after the columns the
 * reader looks for; a questionnaire without topics has no such column. */
static void
test_xlsx_template_shows_topics(void **state)
{
    char *root = th_tmpdir(), path[PATH_MAX];
    tx_questionnaire_pb *q = builtin();
    tx_xlsx_sheet ws;
    uint8_t *buf;
    size_t len;
    (void)state;

    snprintf(path, sizeof path, "%s/t.xlsx", root);
    assert_int_equal(tx_xlsx_template(path, q, 0, ""), TX_OK);
    assert_int_equal(tx_file_read(path, TX_XLSX_MAX_FILE, &buf, &len), TX_OK);
    assert_int_equal(tx_xlsx_read(buf, len, path, &ws), TX_OK);
    free(buf);
    /* topics, then the four remediation plan columns */
    assert_int_equal(ws.n_cols, 12);
    assert_string_equal(ws.cells[7], "topics");
    assert_string_equal(ws.cells[12], "A1-01");
    assert_string_equal(ws.cells[12 + 7], "Identifying the information to protect (TICS criteria "
                                          "2024)\nKnowing the information assets (JAMA/JAPIA "
                                          "Level 1)");
    tx_xlsx_sheet_free(&ws);
    unlink(path);

    /* Hidden, not dropped: the counts come back before the message is freed. */
    size_t n_topics = q->n_topics, *item_topics = calloc(q->n_items, sizeof *item_topics);
    assert_non_null(item_topics);
    q->n_topics = 0;
    for (size_t i = 0; i < q->n_items; i++) {
        item_topics[i] = q->items[i]->n_topics;
        q->items[i]->n_topics = 0;
    }
    assert_int_equal(tx_xlsx_template(path, q, 0, ""), TX_OK);
    assert_int_equal(tx_file_read(path, TX_XLSX_MAX_FILE, &buf, &len), TX_OK);
    assert_int_equal(tx_xlsx_read(buf, len, path, &ws), TX_OK);
    free(buf);
    assert_int_equal(ws.n_cols, 11);
    tx_xlsx_sheet_free(&ws);
    q->n_topics = n_topics;
    for (size_t i = 0; i < q->n_items; i++) {
        q->items[i]->n_topics = item_topics[i];
    }
    free(item_topics);
    tx_free(q);
    th_rmtree(root);
    free(root);
}

/* Through a real exchange: the report's row carries the provenance, each item its topics, and
 * the level summary a renderer shows as "L1 98%". */
static void
test_report_carries_topics_and_level_share(void **state)
{
    char buyer[PATH_MAX], sup[PATH_MAX], path[PATH_MAX + 32], request[65];
    tx_questionnaire_pb *q = builtin();
    size_t n1 = 0;
    th_world w;
    th_result r;
    json_t *j, *arr, *row, *next;
    (void)state;

    for (size_t i = 0; i < q->n_items; i++) {
        n1 += q->items[i]->level == 1;
    }
    th_world_begin(&w);
    th_world_party(&w, buyer, "buyer", "Topics Motors KK", NULL);
    th_world_party(&w, sup, "sup", "Topics Parts KK", NULL);
    th_world_start(&w);
    th_ticsx_id(request, &w.hub, buyer, "request", "--questionnaire", "tics-selfcheck", "--to",
                "Topics Parts KK", NULL);

    /* Every item fully met but the first (a level-1 item), which is partly met. */
    snprintf(path, sizeof path, "%s/answers.json", sup);
    th_ticsx_expect(0, &w.hub, sup, "questionnaire", "template", request, "--format", "json",
                    "--out", path, NULL);
    j = json_load_file(path, 0, NULL);
    assert_non_null(j);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer",
                            json_string(i == 0 ? "partly" : "yes"));
    }
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
    th_ticsx_expect(0, &w.hub, sup, "answer", request, "--file", path, NULL);
    th_ticsx_expect(0, &w.hub, buyer, "fetch", NULL);

    th_ticsx(&r, &w.hub, buyer, "--json", "report", NULL);
    th_expect_status(&r, 0);
    j = th_parse_json(r.out);
    row = json_array_get(json_object_get(th_report_doc(j), "suppliers"), 0);
    assert_non_null(row);
    assert_non_null(
        strstr(json_string_value(json_object_get(
                   json_object_get(json_object_get(row, "questionnaire"), "provenance"), "en")),
               "unofficial"));
    json_t *t0 = json_array_get(
        json_object_get(json_array_get(json_object_get(row, "items"), 0), "topics"), 0);
    assert_string_equal(json_string_value(json_object_get(t0, "id")), q->items[0]->topics[0]);
    assert_non_null(json_object_get(json_object_get(t0, "name"), "ja"));
    assert_int_equal(json_integer_value(json_object_get(row, "level_achieved")), 0);
    next = json_object_get(row, "level_next");
    assert_int_equal(json_integer_value(json_object_get(next, "level")), 1);
    assert_int_equal(json_integer_value(json_object_get(next, "fully_met")), (json_int_t)(n1 - 1));
    assert_int_equal(json_integer_value(json_object_get(next, "applicable")), (json_int_t)n1);
    char text[32], want[32];
    snprintf(want, sizeof want, "L1 %d%%", (int)(100 * (n1 - 1) / n1));
    assert_int_equal(tx_score_level_text(row, text, sizeof text), 1);
    assert_string_equal(text, want);
    json_decref(j);
    th_result_free(&r);
    tx_free(q);
    th_world_end(&w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_says_unofficial_and_maps_every_item),
        cmocka_unit_test(test_codec_refuses_unknown_and_duplicate_topics),
        cmocka_unit_test(test_hub_refuses_unknown_topic),
        cmocka_unit_test(test_import_with_topics),
        cmocka_unit_test(test_import_cli_names_bad_topics_by_line),
        cmocka_unit_test(test_show_and_list_in_both_languages),
        cmocka_unit_test(test_level_share),
        cmocka_unit_test(test_xlsx_template_shows_topics),
        cmocka_unit_test(test_report_carries_topics_and_level_share),
    };
    return cmocka_run_group_tests(tests, NULL, th_stop_leftover_hubs);
}
