/* A record on its way out, checked as its readers will check it (the limits table, then the
 * decoder), so nothing is signed and sent that a reader would refuse as malformed. */
#ifndef TX_OUTGOING_H
#define TX_OUTGOING_H

#include "tx_wire.h"

#include <stddef.h>
#include <stdint.h>

/* Everything a reader checks, on a record about to be signed as `kind`: every string and list
 * against its row (why names the path, e.g. "answers[11].comment is 71 680 bytes, at most
 * 65 536"), the packed size against tx_limit_payload(kind), then the reader's own decoder on
 * the packed bytes (required fields, key sizes, ...). TX_OK or the decoder's code with why. */
int tx_outgoing_check(int kind, const ProtobufCMessage *m, char *why, size_t n);

/* The same on m already packed into buf (len bytes, as tx_pack gives them), so a sender can
 * check and then sign the very bytes it packed once. */
int tx_outgoing_check_packed(int kind, const ProtobufCMessage *m, const uint8_t *buf, size_t len,
                           char *why, size_t n);

#endif
