/* Making a Register record: a public list read on a date, signed by this organisation (an
 * industry association, a buyer), written to a file or submitted to the hub. The list's rows
 * come from tx_register_parse (ticsx register import). */
#ifndef TX_REGISTER_PUB_H
#define TX_REGISTER_PUB_H

#include "tx_client.h"
#include "tx_register_import.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *list;     /* "tics-certified" (default), "tics-bodies", ... */
    const char *title_ja; /* NULL: the list's default title */
    const char *title_en;
    const char *source; /* where the list was read; NULL: a default naming METI's page */
    int64_t as_of;      /* the day it was read; 0: today */
} tx_register_args;

/* True for a list name: 1 to 63 of a-z, 0-9 and '-'. */
int tx_register_list_valid(const char *list);

/* Signs a Register record of `rows` with sequence number seq and checks it with the strict
 * codec. TX_ERR_USAGE (message) for a bad argument; TX_ERR_TOO_LARGE when the record would be
 * over the envelope limit. Caller owns *env (free). */
int tx_register_sign(const tx_identity *me, uint64_t seq, const tx_register_args *a,
                     const tx_register_rows *rows, uint8_t **env, size_t *len);

/* Takes a sequence number from the home, signs, and either submits the record to the hub and
 * keeps it in the cache (publish) or only returns it. Caller owns *env (free); id gets the
 * record id. */
int tx_register_make(tx_client *c, const tx_register_args *a, const tx_register_rows *rows,
                     int publish, uint8_t **env, size_t *len, uint8_t id[TX_ID_LEN]);

#endif
