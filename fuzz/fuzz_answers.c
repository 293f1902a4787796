/* Fuzzes reading an answers file (CSV, JSON, or an XLSX workbook told apart by its zip
 * signature) against a small fixed questionnaire: the first byte's low bit is allow_missing,
 * the rest is the file. What is accepted goes into a signed assessment, so it must hold: every
 * answer names a distinct item of the questionnaire and one of its scale codes, every string
 * is valid UTF-8 without NUL and within the limits a reader applies (tx_limits), and no item is
 * missing unless allowed; a remediation plan only on an item answered short of full credit,
 * with an action within its limit and a due date; evidence names non-blank and within their
 * limit. A refused file leaves nothing behind. */
#include "fuzz_small_q.h"
#include "tx_answer_file.h"
#include "tx_codec.h"
#include "tx_error.h"
#include "tx_limits.h"
#include "tx_plan.h"
#include "tx_questionnaire.h"
#include "tx_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tx_questionnaire_pb *q;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (sodium_init() < 0) {
        return -1;
    }
    return tx_questionnaire_parse(FUZZ_SMALL_Q_JSON, strlen(FUZZ_SMALL_Q_JSON), "fuzz-q", &q) ==
                   TX_OK
               ? 0
               : -1;
}

static int
clean(const char *s)
{
    return s != NULL && tx_utf8_valid(s, strlen(s));
}

/* Within the table's row for field `field` of msg, as the reader will check it. */
static int
within(const ProtobufCMessageDescriptor *msg, const char *field, const char *s)
{
    char why[160];
    return tx_limit_check_text(tx_limit_find(msg, field, TX_LIMIT_TEXT), s, strlen(s), why,
                               sizeof why) == TX_OK;
}

/* The plan and evidence of one accepted answer hold the rules tx_plan.h states. */
static int
plan_ok(const tx_answer_pb *ans)
{
    const tx_plan_pb *p = ans->plan;

    for (size_t j = 0; j < ans->n_evidence; j++) {
        if (!clean(ans->evidence[j]) || ans->evidence[j][0] == 0 ||
            !within(&ticsx__v1__answer__descriptor, "evidence", ans->evidence[j])) {
            return 0;
        }
    }
    return p == NULL || (tx_plan_allowed(q, ans->choice) && clean(p->action) && p->action[0] != 0 &&
                         strlen(p->action) <= TX_MAX_PLAN_ACTION && p->due > 0 &&
                         p->due % 86400 == 0 && p->done % 86400 == 0);
}

static int
is_code(const char *choice)
{
    for (size_t i = 0; i < q->n_scale; i++) {
        if (strcmp(q->scale[i]->code, choice) == 0) {
            return 1;
        }
    }
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tx_answers a;
    int allow_missing;
    uint8_t seen[16] = {0};

    if (size < 1) {
        return 0;
    }
    allow_missing = data[0] & 1;
    if (tx_answers_parse((const char *)data + 1, size - 1, "fuzz", q, allow_missing, &a) != TX_OK) {
        if (a.v != NULL || a.n != 0 || a.subs != NULL || a.n_subs != 0) {
            abort();
        }
        return 0;
    }
    if (a.n > q->n_items || (!allow_missing && a.n != q->n_items)) {
        abort();
    }
    for (size_t i = 0; i < a.n; i++) {
        const tx_answer_pb *ans = a.v[i];
        int item = tx_questionnaire_item(q, ans->item);

        if (item < 0 || seen[item]++ || !is_code(ans->choice) || !clean(ans->item) ||
            !clean(ans->comment) ||
            !within(&ticsx__v1__answer__descriptor, "comment", ans->comment) || !plan_ok(ans)) {
            abort();
        }
    }
    for (size_t i = 0; i < a.n_subs; i++) {
        if (!clean(a.subs[i].name) || a.subs[i].name[0] == 0 || !clean(a.subs[i].supplies) ||
            !clean(a.subs[i].key) ||
            !within(&ticsx__v1__sub_supplier__descriptor, "name", a.subs[i].name) ||
            !within(&ticsx__v1__sub_supplier__descriptor, "supplies", a.subs[i].supplies)) {
            abort();
        }
    }
    if (memchr(a.questionnaire, 0, sizeof a.questionnaire) == NULL) {
        abort();
    }
    tx_answers_free(&a);
    return 0;
}
