/* Writes the seed corpora of the fuzz targets for files users bring and proofs the hub serves:
 * fuzz_import (CSV check sheets, JSON questionnaires), fuzz_answers (answer files in CSV, JSON
 * and XLSX), fuzz_xlsx (workbooks: templates, one filled in by another program, and a template
 * re-zipped uncompressed so mutations reach the XML), fuzz_merkle (valid proofs of the tree
 * in fuzz_tree.h) and a questionnaire payload with topics for fuzz_payload. Made with the real
 * template writers; its output is committed under
 * fuzz/corpus/ (workbooks carry their creation time, so they differ from run to run). Run it
 * again when a format changes (built with the tests):
 *   build/tests/make_input_seeds fuzz/corpus */
#include "fuzz_small_q.h"
#include "fuzz_tree.h"
#include "tx_answer_file.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_util.h"
#include "tx_xlsx_template.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

static const char *outdir;
static int failures;

static void
write_seed(const char *target, const char *name, const void *prefix, size_t prefix_len,
           const void *data, size_t len)
{
    char dir[PATH_MAX], path[PATH_MAX];
    uint8_t *buf = malloc(prefix_len + len + 1);

    if (buf == NULL || tx_path_join(dir, sizeof dir, outdir, target) != TX_OK ||
        tx_path_join(path, sizeof path, dir, name) != TX_OK ||
        (mkdir(dir, 0755) != 0 && access(dir, F_OK) != 0)) {
        fprintf(stderr, "make_input_seeds: cannot write %s/%s\n", target, name);
        failures++;
        free(buf);
        return;
    }
    memcpy(buf, prefix, prefix_len);
    memcpy(buf + prefix_len, data, len);
    unlink(path);
    if (tx_file_create(path, buf, prefix_len + len, 0644) != TX_OK) {
        fprintf(stderr, "make_input_seeds: cannot write %s\n", path);
        failures++;
    }
    free(buf);
}

static void
seed_text(const char *target, const char *name, uint8_t selector, const char *text)
{
    write_seed(target, name, &selector, 1, text, strlen(text));
}

static const char sheet[] =
    "\xEF\xBB\xBFid,area,level,text ja,text en,weight\n"
    "R-01,ルール作り,1,保護すべき情報を台帳にしている,\"Protected information is listed, in a "
    "register\",3\n"
    "R-02,ルール作り,2,機密区分を付けている,Each item has a class,1\n"
    "P-01,実践,1,\"施錠する \"\"保管庫\"\"\",Locked storage,2\r\n";

static const char bad_sheet[] = "ID,Area,Level,Text-JA,Text_EN,Weight\n"
                                "R-01,,0,,,\n"
                                "R-01,a,x,\xff,,101\n"
                                "bad id!,a,1,t,t,1\n";

/* A topics file, a form feed, and a sheet naming its topics and built-in ones. */
static const char topics_and_sheet[] =
    "id,framework,name ja,name en\n"
    "own.bcp,own,事業継続,Business continuity\n"
    "\f"
    "id,area,level,text ja,text en,weight,topics\n"
    "R-01,ルール作り,1,機密区分を付けている,Classes are set,2,\"tics-2024.classes; own.bcp\"\n"
    "R-02,実践,1,教育している,Training,1,tics-2024.training、jama-l1.people\n"
    "R-03,実践,2,手順がある,A procedure,1,\n";

/* A questionnaire payload with topics for fuzz_payload: the kind byte, then the packed record
 * (so mutations reach Topic and Item.topics, which the decoder's topic check reads). */
static void
seed_topics_payload(void)
{
    static const char json[] =
        "{\"id\":\"t\",\"version\":1,\"title\":{\"en\":\"T\"},"
        "\"provenance\":{\"ja\":\"非公式\",\"en\":\"Unofficial\"},"
        "\"scale\":[{\"code\":\"yes\",\"label\":{\"en\":\"Yes\"},\"score_permille\":1000}],"
        "\"levels\":[{\"level\":1,\"name\":{\"en\":\"L1\"}}],"
        "\"areas\":[{\"id\":\"A\",\"name\":{\"en\":\"A\"}}],"
        "\"topics\":[{\"id\":\"tics-2024.incident\",\"framework\":\"tics-2024\","
        "\"name\":{\"en\":\"Incidents\"}},{\"id\":\"jama-l1.incident\",\"framework\":"
        "\"jama-l1\",\"name\":{\"en\":\"Incidents\"}}],"
        "\"items\":[{\"id\":\"i1\",\"area\":\"A\",\"level\":1,\"text\":{\"en\":\"x\"},"
        "\"topics\":[\"tics-2024.incident\",\"jama-l1.incident\"]}]}";
    tx_questionnaire_pb *q = NULL;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    uint8_t kind = TX_KIND_QUESTIONNAIRE, *packed = NULL;
    size_t len = 0;

    if (tx_questionnaire_parse(json, strlen(json), "seed", &q) != TX_OK) {
        fprintf(stderr, "make_input_seeds: the topics questionnaire: %s\n", tx_fail_msg());
        failures++;
        return;
    }
    meta.seq = 1;
    q->meta = &meta;
    if (tx_pack(&q->base, &packed, &len) == TX_OK) {
        write_seed("fuzz_payload", "questionnaire-topics", &kind, 1, packed, len);
    } else {
        failures++;
    }
    q->meta = NULL;
    free(packed);
    tx_free(q);
}

static void
seed_import(void)
{
    seed_text("fuzz_import", "csv-topics", 2, topics_and_sheet);
    seed_text("fuzz_import", "csv-sheet", 0, sheet);
    seed_text("fuzz_import", "csv-bad-rows", 0, bad_sheet);
    seed_text("fuzz_import", "json-questionnaire", 1, FUZZ_SMALL_Q_JSON);
}

/* The template of q in a format, as written for suppliers. */
static char *
template_text(const tx_questionnaire_pb *q, int json, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);

    if (f == NULL || tx_answers_template(f, q, "", json) != TX_OK) {
        failures++;
    }
    if (f != NULL) {
        fclose(f);
    }
    return buf;
}

/* Re-zips a workbook with every entry stored, not deflated. Caller frees. */
static uint8_t *
stored_copy(const uint8_t *zipped, size_t len, const char *tmp, size_t *out_len)
{
    zip_error_t err;
    zip_source_t *src;
    zip_t *in, *out;
    uint8_t *result = NULL;
    int ok = 1;

    zip_error_init(&err);
    unlink(tmp);
    if ((src = zip_source_buffer_create(zipped, len, 0, &err)) == NULL ||
        (in = zip_open_from_source(src, ZIP_RDONLY, &err)) == NULL ||
        (out = zip_open(tmp, ZIP_CREATE | ZIP_EXCL, NULL)) == NULL) {
        failures++;
        return NULL;
    }
    for (zip_int64_t i = 0; ok && i < zip_get_num_entries(in, 0); i++) {
        zip_stat_t st;
        zip_file_t *zf;
        uint8_t *data;
        zip_source_t *s;
        zip_int64_t idx;

        if (zip_stat_index(in, (zip_uint64_t)i, 0, &st) != 0 ||
            (data = malloc(st.size ? st.size : 1)) == NULL ||
            (zf = zip_fopen_index(in, (zip_uint64_t)i, 0)) == NULL) {
            ok = 0;
            break;
        }
        ok = zip_fread(zf, data, st.size) == (zip_int64_t)st.size;
        zip_fclose(zf);
        if (!ok || (s = zip_source_buffer(out, data, st.size, 1)) == NULL) {
            free(data);
            ok = 0;
            break;
        }
        if ((idx = zip_file_add(out, st.name, s, 0)) < 0) {
            zip_source_free(s);
            ok = 0;
            break;
        }
        ok = zip_set_file_compression(out, (zip_uint64_t)idx, ZIP_CM_STORE, 0) == 0;
    }
    zip_close(in);
    if (!ok || zip_close(out) != 0 || tx_file_read(tmp, 1u << 24, &result, out_len) != TX_OK) {
        failures++;
        result = NULL;
    }
    unlink(tmp);
    return result;
}

/* A workbook another program wrote, answers filled in: shared strings, an empty cell,
 * Japanese labels, and a column the reader ignores holding a number. Caller frees. */
static uint8_t *
filled_workbook(const char *tmp, size_t *len)
{
    static const char *const rows[][3] = {{"item", "answer", "comment"},
                                          {"A1-01", "yes", "台帳あり"},
                                          {"A1-02", "一部実施", NULL},
                                          {"A2-01", "Not applicable", "no locks, no safes"}};
    static const char *const subs[][3] = {{"取引先名（name）", "供給品（supplies）", "key"},
                                          {"東海精密", "ブラケット", ""},
                                          {"Kobe Cast", "castings", "Kobe Cast KK"}};
    lxw_workbook *wb;
    lxw_worksheet *ws;
    uint8_t *buf = NULL;

    unlink(tmp);
    if ((wb = workbook_new(tmp)) == NULL || (ws = workbook_add_worksheet(wb, "answers")) == NULL) {
        failures++;
        return NULL;
    }
    for (lxw_row_t r = 0; r < TX_ARRAY_LEN(rows); r++) {
        for (lxw_col_t c = 0; c < 3; c++) {
            if (rows[r][c] != NULL) {
                worksheet_write_string(ws, r, c, rows[r][c], NULL);
            }
        }
    }
    worksheet_write_string(ws, 0, 3, "score", NULL);
    worksheet_write_number(ws, 1, 3, 42, NULL);
    /* The supplier's own suppliers on a sheet of their own, after an empty one. */
    if (workbook_add_worksheet(wb, "notes") == NULL ||
        (ws = workbook_add_worksheet(wb, "二次取引先")) == NULL) {
        failures++;
        workbook_close(wb);
        return NULL;
    }
    for (lxw_row_t r = 0; r < TX_ARRAY_LEN(subs); r++) {
        for (lxw_col_t c = 0; c < 3; c++) {
            worksheet_write_string(ws, r, c, subs[r][c], NULL);
        }
    }
    if (workbook_close(wb) != LXW_NO_ERROR || tx_file_read(tmp, 1u << 24, &buf, len) != TX_OK) {
        failures++;
        buf = NULL;
    }
    unlink(tmp);
    return buf;
}

static void
seed_answers(void)
{
    static const char csv[] = "item,answer,comment\n"
                              "A1-01,yes,\"台帳あり, 2024\"\n"
                              "A1-02,Partly implemented,\n"
                              "A2-01,該当しない,\"\"\"quoted\"\"\"\n";
    static const char csv_subs[] = "item,answer,comment\r\n"
                                   "A1-01,yes,\r\n"
                                   "A1-02,no,\r\n"
                                   ",,\r\n"
                                   "name,supplies,key\r\n"
                                   "東海精密,ブラケット,\r\n"
                                   "\"Kobe Cast, Ltd.\",castings,0123abcd\r\n";
    static const char json[] =
        "{\"questionnaire\":\"\",\"answers\":["
        "{\"item\":\"A1-01\",\"answer\":\"yes\",\"comment\":\"ok\"},"
        "{\"item\":\"A1-02\",\"answer\":\"no\",\"comment\":\"\"},"
        "{\"item\":\"A2-01\",\"answer\":\"na\",\"comment\":\"\"}],"
        "\"suppliers\":[{\"name\":\"Sub Works KK\",\"supplies\":\"bolts\",\"key\":\"\"}]}";
    char tmp[PATH_MAX];
    tx_questionnaire_pb *q = NULL;
    uint8_t *xlsx = NULL, *stored;
    size_t len, stored_len;
    char *text;

    if (tx_questionnaire_parse(FUZZ_SMALL_Q_JSON, strlen(FUZZ_SMALL_Q_JSON), "fuzz-q", &q) !=
        TX_OK) {
        failures++;
        return;
    }
    seed_text("fuzz_answers", "csv-filled", 0, csv);
    seed_text("fuzz_answers", "csv-subs", 0, csv_subs);
    seed_text("fuzz_answers", "json-filled", 0, json);
    if ((text = template_text(q, 0, &len)) != NULL) {
        write_seed("fuzz_answers", "csv-template", "\x01", 1, text, len);
        free(text);
    }
    if ((text = template_text(q, 1, &len)) != NULL) {
        write_seed("fuzz_answers", "json-template", "\x01", 1, text, len);
        free(text);
    }
    snprintf(tmp, sizeof tmp, "%s/.template-%ld.xlsx", outdir, (long)getpid());
    unlink(tmp);
    if (tx_xlsx_template(tmp, q, 1, "") != TX_OK ||
        tx_file_read(tmp, 1u << 24, &xlsx, &len) != TX_OK) {
        failures++;
    } else {
        write_seed("fuzz_answers", "xlsx-template", "\x01", 1, xlsx, len);
        write_seed("fuzz_xlsx", "template", "", 0, xlsx, len);
        if ((stored = stored_copy(xlsx, len, tmp, &stored_len)) != NULL) {
            write_seed("fuzz_answers", "xlsx-stored", "\x01", 1, stored, stored_len);
            write_seed("fuzz_xlsx", "stored", "", 0, stored, stored_len);
            free(stored);
        }
    }
    unlink(tmp);
    free(xlsx);
    if ((xlsx = filled_workbook(tmp, &len)) != NULL) {
        write_seed("fuzz_answers", "xlsx-filled", "", 1, xlsx, len);
        write_seed("fuzz_xlsx", "filled", "", 0, xlsx, len);
        free(xlsx);
    }
    tx_free(q);
}

/* mode | a (8 bytes LE) | b (8 bytes LE) | hashes */
static void
seed_proof(const char *name, uint8_t mode, uint64_t a, uint64_t b, const uint8_t *leaf,
           const uint8_t (*path)[32], size_t n)
{
    uint8_t buf[17 + 32 * (TX_MERKLE_MAX_PATH + 1)];
    size_t len = 17;

    buf[0] = mode;
    for (int k = 0; k < 8; k++) {
        buf[1 + k] = (uint8_t)(a >> (8 * k));
        buf[9 + k] = (uint8_t)(b >> (8 * k));
    }
    if (leaf != NULL) {
        memcpy(buf + len, leaf, 32);
        len += 32;
    }
    memcpy(buf + len, path, n * 32);
    write_seed("fuzz_merkle", name, "", 0, buf, len + n * 32);
}

static void
seed_merkle(void)
{
    static const uint64_t incl[][2] = {{0, 1}, {5, 8}, {7, 300}, {299, 300}, {100, 257}};
    static const uint64_t cons[][2] = {{1, 300}, {7, 8}, {64, 300}, {255, 256}, {6, 6}};
    static uint8_t leaves[FUZZ_LEAVES][32];
    uint8_t path[TX_MERKLE_MAX_PATH][32];
    char name[64];
    size_t n;

    fuzz_tree_leaves(leaves);
    for (size_t i = 0; i < TX_ARRAY_LEN(incl); i++) {
        if (tx_merkle_inclusion_proof(tx_merkle_node_from_leaves, leaves, incl[i][0], incl[i][1],
                                      path, &n) != TX_OK) {
            failures++;
            continue;
        }
        snprintf(name, sizeof name, "inclusion-%llu-of-%llu", (unsigned long long)incl[i][0],
                 (unsigned long long)incl[i][1]);
        seed_proof(name, 0, incl[i][0], incl[i][1], NULL, (const uint8_t(*)[32])path, n);
        snprintf(name, sizeof name, "inclusion-leaf-%llu-of-%llu", (unsigned long long)incl[i][0],
                 (unsigned long long)incl[i][1]);
        seed_proof(name, 4, incl[i][0], incl[i][1], leaves[incl[i][0]], (const uint8_t(*)[32])path,
                   n);
    }
    for (size_t i = 0; i < TX_ARRAY_LEN(cons); i++) {
        if (tx_merkle_consistency_proof(tx_merkle_node_from_leaves, leaves, cons[i][0], cons[i][1],
                                        path, &n) != TX_OK) {
            failures++;
            continue;
        }
        snprintf(name, sizeof name, "consistency-%llu-to-%llu", (unsigned long long)cons[i][0],
                 (unsigned long long)cons[i][1]);
        seed_proof(name, 1, cons[i][0], cons[i][1], NULL, (const uint8_t(*)[32])path, n);
    }
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_input_seeds DIR\n");
        return 2;
    }
    outdir = argv[1];
    if (sodium_init() < 0) {
        return 2;
    }
    seed_import();
    seed_topics_payload();
    seed_answers();
    seed_merkle();
    return failures == 0 ? 0 : 1;
}
