/* Fuzzes the acceptance policy's parser and its evaluation. First byte 0: the rest is a policy
 * file for tx_policy_rules_parse; what parses must spell back (tx_policy_rules_json) to JSON
 * that parses to the same policy, and its sentence must be UTF-8. First byte 1: the rest is a
 * report document (rows, tree, tiers) judged by a fixed policy of every rule; it must not
 * crash, and every row it judges gets a "policy" with a boolean "pass". */
#include "tx_error.h"
#include "tx_policy.h"
#include "tx_policy_rule.h"
#include "tx_util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char every_rule[] =
    "{\"name\": \"f\", \"credentials\": [{\"scheme\": \"tics\", \"status\": [\"valid\", "
    "\"listed\"]}, {\"scheme\": \"isms\"}], \"verified\": true, \"level\": 1, \"areas\": "
    "{\"A5\": 60}, \"overall\": 70, \"within_days\": 365, \"report_grace_days\": 30, "
    "\"sub_suppliers\": true}";

static void
round_trip(const uint8_t *data, size_t size)
{
    tx_policy_rules p, q;
    char text[4096];
    json_t *j;
    char *s;

    if (tx_policy_rules_parse("fuzz", data, size, 0, &p) != TX_OK) {
        return;
    }
    j = tx_policy_rules_json(&p);
    s = j != NULL ? json_dumps(j, 0) : NULL;
    json_decref(j);
    if (s == NULL) {
        abort();
    }
    if (tx_policy_rules_parse("back", (const uint8_t *)s, strlen(s), 0, &q) != TX_OK ||
        memcmp(&p, &q, sizeof p) != 0) {
        abort();
    }
    free(s);
    tx_policy_rules_text(&p, 1, text, sizeof text);
    if (!tx_utf8_valid(text, strlen(text))) {
        abort();
    }
}

static void
judge(const uint8_t *data, size_t size)
{
    tx_policy p = {.version = 1, .set = 1700000000};
    json_t *doc = json_loadb((const char *)data, size, 0, NULL), *rows, *row;
    size_t i;

    if (tx_policy_rules_parse("p", (const uint8_t *)every_rule, strlen(every_rule), 0, &p.rules) !=
        TX_OK) {
        abort();
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        return;
    }
    if (tx_policy_apply(doc, &p, 1780000000) == TX_OK) {
        rows = json_object_get(doc, "suppliers");
        json_array_foreach(rows, i, row)
        {
            if (json_is_object(row) &&
                !json_is_boolean(json_object_get(json_object_get(row, "policy"), "pass"))) {
                abort();
            }
        }
    }
    json_decref(doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 32768) {
        return 0;
    }
    if (data[0] == 0) {
        round_trip(data + 1, size - 1);
    } else if (data[0] == 1) {
        judge(data + 1, size - 1);
    }
    return 0;
}
