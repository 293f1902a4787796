/* JSON values every printed document spells the same way: ids and keys as lowercase hex, dates
 * as YYYY-MM-DD (null when unset), texts as {"ja","en"}. One place, so that `inbox --json`,
 * `report --json`, `cert show --json` and `share --json` agree. */
#ifndef TX_JSON_H
#define TX_JSON_H

#include "tx_codec.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The lowercase hex string of b[0..len), len at most 32 (an id or a key). Caller owns. */
json_t *tx_json_hex(const uint8_t *b, size_t len);

/* The date of t (seconds since the epoch, UTC) as "YYYY-MM-DD"; null when t is 0 (no date).
 * Caller owns. */
json_t *tx_json_date(int64_t t);

/* The string s, or null when s is NULL or empty (an unset field). Caller owns. */
json_t *tx_json_str(const char *s);

/* {"ja","en"} of a local text, both "" when t is NULL. Caller owns. */
json_t *tx_json_text(const tx_local_text_pb *t);

/* The object {names[0]: m[0], ...} of n members in that order, taking each m[i] as
 * json_object_set_new does: what json_pack("{s:o,...}") makes, without parsing a format on every
 * call. NULL, with every m[i] released, when any m[i] is NULL (a value that could not be made)
 * or a member cannot be set. */
json_t *tx_json_object_take(const char *const *names, json_t **m, size_t n);

#endif
