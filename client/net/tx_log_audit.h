/* `audit-log`: the whole of the hub's signed log checked against what this organisation may
 * see: every leaf hash fetched, every visible record matched against the leaf at its index,
 * and the root rebuilt and compared with the accepted checkpoint's. */
#ifndef TX_LOG_AUDIT_H
#define TX_LOG_AUDIT_H

#include "tx_client.h"

#include <stdio.h>

typedef struct {
    uint64_t size;    /* the checkpoint's */
    uint8_t root[32]; /* the checkpoint's, equal to the one rebuilt when ok */
    int64_t time;
    uint64_t checked;  /* visible records whose leaf hash matched */
    uint64_t newer;    /* visible records appended after the checkpoint, not checked */
    uint64_t mismatch; /* records whose leaf differs, or a root that differs (1) */
    int root_ok;
    char first[256]; /* the first mismatch, for the message */
} tx_log_audit_result;

/* Syncs the checkpoint (tx_log_check_sync), fetches every leaf hash of its tree, lists every
 * record the caller may see and checks each against the leaf at its index, rebuilds the root
 * and compares it. TX_OK when the audit could run (res says whether it passed). */
int tx_log_audit(tx_client *c, tx_log_audit_result *res);

/* Prints the result as text or (json) as a JSON object. */
int tx_log_audit_print(FILE *f, const tx_log_audit_result *res, int json);

#endif
