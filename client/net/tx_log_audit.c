/* `audit-log`: every leaf hash of the hub's signed log fetched, every record this organisation
 * may see matched against the leaf at its index, and the root rebuilt. */
#include "tx_log_audit.h"

#include "tx_checkpoint.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_log_check.h"
#include "tx_merkle.h"
#include "tx_msg.h"
#include "tx_rpc.h"
#include "tx_util.h"

#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
tx_log_audit(tx_client *c, tx_log_audit_result *res)
{
    static const int kinds[] = {TX_KIND_PROFILE,       TX_KIND_QUESTIONNAIRE, TX_KIND_REQUEST,
                                TX_KIND_ASSESSMENT,    TX_KIND_GRANT,         TX_KIND_GRANT_REVOKE,
                                TX_KIND_ACCREDITATION, TX_KIND_CERTIFICATE,   TX_KIND_CERT_EVENT};
    enum { N_KINDS = sizeof kinds / sizeof kinds[0] };
    tx_recs l[N_KINDS] = {{0}};
    tx_checkpoint cp = {0};
    uint8_t(*leaves)[32] = NULL;
    uint8_t root[32];
    int rc;

    memset(res, 0, sizeof *res);
    if ((rc = tx_log_check_sync(c, &cp)) != TX_OK ||
        (rc = tx_log_check_leaves(c, cp.size, &leaves)) != TX_OK ||
        (rc = tx_rpc_list(c, N_KINDS, kinds, NULL, l)) != TX_OK) {
        goto out;
    }
    res->size = cp.size;
    res->time = cp.time;
    memcpy(res->root, cp.root, 32);
    for (size_t k = 0; k < N_KINDS; k++) {
        for (size_t i = 0; i < l[k].n; i++) {
            const tx_rec *rec = &l[k].v[i];
            uint8_t leaf[32];
            char hex[2 * TX_ID_LEN + 1];

            if (rec->index > cp.size) {
                res->newer++;
                continue;
            }
            tx_merkle_leaf_hash(rec->bytes, rec->len, leaf);
            if (rec->index == 0 || sodium_memcmp(leaf, leaves[rec->index - 1], 32) != 0) {
                if (res->mismatch++ == 0) {
                    tx_hex(hex, rec->id, TX_ID_LEN);
                    snprintf(res->first, sizeof res->first,
                             _("%s %.12s at log index %" PRIu64
                               " does not hash to the leaf the hub gave for that index"),
                             tx_kind_word(kinds[k]), hex, rec->index);
                }
                continue;
            }
            res->checked++;
        }
    }
    if (cp.hub_size > 0) {
        tx_log_check_warn_left_out(res->newer, cp.size);
    }
    tx_merkle_root(tx_merkle_node_from_leaves, leaves, cp.size, root);
    res->root_ok = sodium_memcmp(root, cp.root, 32) == 0;
    if (!res->root_ok) {
        char a[65], b[65];
        tx_hex(a, root, 32);
        tx_hex(b, cp.root, 32);
        if (res->mismatch++ == 0) {
            snprintf(res->first, sizeof res->first,
                     "the %" PRIu64 " leaf hashes rebuild root %.16s, not the signed root %.16s",
                     cp.size, a, b);
        }
    }
out:
    for (size_t k = 0; k < N_KINDS; k++) {
        tx_recs_clear(&l[k]);
    }
    free(leaves);
    tx_checkpoint_clear(&cp);
    return rc;
}

int
tx_log_audit_print(FILE *f, const tx_log_audit_result *res, int json)
{
    char hex[65], date[32];

    tx_hex(hex, res->root, 32);
    tx_checkpoint_time(res->time, date);
    if (json) {
        json_t *j =
            json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:b,s:o}", "size", (json_int_t)res->size, "root",
                      hex, "time", date, "records_checked", (json_int_t)res->checked,
                      "records_newer", (json_int_t)res->newer, "mismatches",
                      (json_int_t)res->mismatch, "ok", res->mismatch == 0 && res->root_ok,
                      "problem", res->mismatch ? json_string(res->first) : json_null());
        int rc = j != NULL ? json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : -1;
        fputc('\n', f);
        json_decref(j);
        return rc == 0 ? TX_OK : tx_fail(TX_ERR_IO, "cannot write the result: check the output");
    }
    /* TRANSLATORS: audit result; keep the three lines. */
    fprintf(f, _("log size %" PRIu64 "\nroot %s\nsigned %s\n"), res->size, hex, date);
    fprintf(f,
            res->newer ? _("records checked %" PRIu64 " (newer ones are left for the next audit)\n")
                       : _("records checked %" PRIu64 "\n"),
            res->checked);
    if (res->mismatch == 0 && res->root_ok) {
        fputs(_("ok: every record you may see is in the signed log, and the leaves rebuild its "
                "root\n"),
              f);
    }
    return TX_OK;
}
