/* Signing a record on its way out: the sender applies the readers' limits (tx_limits) to the
 * record first, so what the decoder on the other side would refuse is never signed or sent. */
#ifndef TX_SIGN_H
#define TX_SIGN_H

#include "tx_codec.h"
#include "tx_keys.h"

#include <stddef.h>
#include <stdint.h>

/* Packs msg once, checks those bytes with tx_outgoing_check_packed, then signs the same bytes
 * with tx_envelope_sign. `what` names the record for the message
 * ("request", "answers.csv"): on a refusal the message reads "WHAT: answers[3].comment is
 * 71 680 bytes, at most 65 536" and the code is TX_ERR_TOO_LARGE, TX_ERR_BAD_UTF8 or
 * TX_ERR_MALFORMED (exit 2); nothing is signed. Caller owns *out (free). */
int tx_sign_checked(const tx_identity *id, int kind, const ProtobufCMessage *msg, const char *what,
                    uint8_t **out, size_t *out_len);

#endif
