/* Inside client/exchange only: what a superseding answer does to the supply tree. The
 * superseded assessment's sub-suppliers that the new one no longer lists are named, so that
 * superseding with an answers file that lost them (an old template, a shorter list) does not
 * drop tier 2 silently. */
#ifndef TX_ANSWER_SUBS_H
#define TX_ANSWER_SUBS_H

#include "tx_answer.h"

/* Fills out->n_dropped and out->dropped with the sub-suppliers of own assessment `old` that
 * subs[0..n) does not list (the same key when both have one, else the same name, ASCII case
 * ignored). Opens `old` with the content key kept in this home. TX_ERR_NOT_FOUND when the
 * assessment or its key is not at hand (nothing filled), connection codes. */
int tx_answer_dropped_subs(tx_client *c, const uint8_t old[TX_ID_LEN],
                           tx_sub_supplier_pb *const *subs, size_t n, tx_answer_result *out);

#endif
