/* Fuzzes the campaign file's parser (campaigns/N.json in the home, read back as outside bytes):
 * whatever parses must spell back (tx_campaign_json) to a document that parses to the same
 * campaign, field by field; nothing crashes, leaks or reads past the bytes given. */
#include "tx_campaign.h"
#include "tx_error.h"
#include "tx_msg.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same(const tx_campaign *a, const tx_campaign *b)
{
    if (a->number != b->number || a->depth != b->depth || a->every.n != b->every.n ||
        a->every.unit != b->every.unit || a->due_days != b->due_days || a->started != b->started ||
        a->next != b->next || a->stopped != b->stopped || a->n_to != b->n_to ||
        a->n_sent != b->n_sent || strcmp(a->questionnaire, b->questionnaire) != 0 ||
        (a->note == NULL) != (b->note == NULL) ||
        (a->note != NULL && strcmp(a->note, b->note) != 0)) {
        return 0;
    }
    for (size_t i = 0; i < a->n_to; i++) {
        if (strcmp(a->to[i], b->to[i]) != 0) {
            return 0;
        }
    }
    return a->n_sent == 0 || memcmp(a->sent, b->sent, a->n_sent * sizeof *a->sent) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tx_campaign a, b;
    json_t *j;
    char *s;

    if (tx_campaign_parse("fuzz", data, size, &a) != TX_OK) {
        tx_fail_clear();
        return 0;
    }
    j = tx_campaign_json(&a);
    s = j != NULL ? json_dumps(j, 0) : NULL;
    json_decref(j);
    if (s == NULL || tx_campaign_parse("back", (const uint8_t *)s, strlen(s), &b) != TX_OK ||
        !same(&a, &b)) {
        abort();
    }
    free(s);
    tx_campaign_free(&a);
    tx_campaign_free(&b);
    return 0;
}
