/* Resolving questionnaire names to questionnaires and pinned records. */
#include "tx_qref.h"

#include "tx_error.h"
#include "tx_msg.h"
#include "tx_questionnaire.h"
#include "tx_rpc.h"
#include "tx_util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Splits "name@version" (version 0 = any). */
static void
split_version(const char *arg, char *name, size_t n, unsigned long *version)
{
    const char *at = strrchr(arg, '@');

    *version = 0;
    if (at != NULL && at[1] != 0 && strspn(at + 1, "0123456789") == strlen(at + 1)) {
        snprintf(name, n, "%.*s", (int)(at - arg), arg);
        *version = strtoul(at + 1, NULL, 10);
    } else {
        snprintf(name, n, "%s", arg);
    }
}

int
tx_qref_local(const char *arg, tx_questionnaire_pb **q)
{
    char name[128];
    unsigned long version;

    *q = NULL;
    split_version(arg, name, sizeof name, &version);
    for (size_t i = 0; tx_questionnaire_builtin_name(i) != NULL; i++) {
        if (strcmp(tx_questionnaire_builtin_name(i), name) == 0) {
            int rc = tx_questionnaire_builtin(name, q);
            if (rc == TX_OK && version != 0 && (*q)->version != version) {
                unsigned have = (*q)->version;
                tx_free(*q);
                *q = NULL;
                return tx_fail(TX_ERR_NOT_FOUND, "built-in %s is version %u: give that version",
                               name, have);
            }
            return rc;
        }
    }
    if (strchr(arg, '/') != NULL ||
        (strlen(arg) > 5 && strcmp(arg + strlen(arg) - 5, ".json") == 0)) {
        if (access(arg, F_OK) == 0) {
            return tx_questionnaire_load_file(arg, q);
        }
    }
    return TX_ERR_NOT_FOUND;
}

int
tx_qref_published(const tx_recs *questionnaires, const tx_questionnaire_pb *q)
{
    int best = -1;

    for (size_t i = 0; i < questionnaires->n; i++) {
        const tx_questionnaire_pb *p = (const tx_questionnaire_pb *)questionnaires->v[i].msg;
        if (p == NULL || strcmp(p->id, q->id) != 0 || p->version != q->version ||
            !tx_questionnaire_same(p, q)) {
            continue;
        }
        if (best < 0 || questionnaires->v[i].index < questionnaires->v[best].index) {
            best = (int)i;
        }
    }
    return best;
}

void
tx_qref_clear(tx_qref *r)
{
    tx_free(r->q);
    tx_rec_clear(&r->record);
    tx_rec_clear(&r->request);
    memset(r, 0, sizeof *r);
}

/* Moves recs->v[i] into *dst and takes its questionnaire. */
static void
take_record(tx_recs *recs, size_t i, tx_rec *dst, tx_questionnaire_pb **q)
{
    *dst = recs->v[i];
    memset(&recs->v[i], 0, sizeof recs->v[i]);
    if (q != NULL) {
        *q = (tx_questionnaire_pb *)dst->msg;
        dst->msg = NULL;
        /* Keep the record usable: decode the payload again for it. */
        tx_decode_payload(dst->env, TX_KIND_QUESTIONNAIRE, &dst->msg);
    }
}

static int
by_prefix(tx_client *c, const char *arg, tx_recs *qs, tx_recs *reqs, tx_qref *out)
{
    size_t len = strlen(arg);
    tx_recs *where = NULL;
    size_t at = 0, hits = 0;
    char hex[2 * TX_ID_LEN + 1];
    int rc;

    for (int pass = 0; pass < 2; pass++) {
        tx_recs *set = pass == 0 ? qs : reqs;
        for (size_t i = 0; i < set->n; i++) {
            tx_hex(hex, set->v[i].id, TX_ID_LEN);
            if (strncasecmp(hex, arg, len) == 0) {
                where = set;
                at = i;
                hits++;
            }
        }
    }
    if (hits == 0) {
        return tx_fail(TX_ERR_NOT_FOUND,
                       "no questionnaire or request %s is visible on the hub: check the id", arg);
    }
    if (hits > 1) {
        return tx_fail(TX_ERR_USAGE, "%s is ambiguous: %zu records start with it; give more digits",
                       arg, hits);
    }
    if (where == qs) {
        take_record(qs, at, &out->record, &out->q);
        out->published = 1;
        return TX_OK;
    }
    take_record(reqs, at, &out->request, NULL);
    out->via_request = 1;
    {
        const tx_request_pb *r = (const tx_request_pb *)out->request.msg;
        tx_rec *q = tx_recs_find(qs, r->questionnaire.data);
        int kind = TX_KIND_QUESTIONNAIRE, got = TX_OK;

        if (q != NULL) {
            take_record(qs, (size_t)(q - qs->v), &out->record, &out->q);
        } else {
            const uint8_t(*id)[TX_ID_LEN] = (const uint8_t(*)[TX_ID_LEN])r->questionnaire.data;
            if ((rc = tx_rpc_get(c, 1, id, &kind, &out->record, &got)) != TX_OK) {
                return rc;
            }
            if (got != TX_OK) {
                return got;
            }
            out->q = (tx_questionnaire_pb *)out->record.msg;
            out->record.msg = NULL;
            tx_decode_payload(out->record.env, TX_KIND_QUESTIONNAIRE, &out->record.msg);
        }
        out->published = 1;
    }
    return TX_OK;
}

static int
by_name(const char *arg, tx_recs *qs, tx_qref *out)
{
    char name[128];
    unsigned long version;
    int best = -1;

    split_version(arg, name, sizeof name, &version);
    for (size_t i = 0; i < qs->n; i++) {
        const tx_questionnaire_pb *p = (const tx_questionnaire_pb *)qs->v[i].msg;
        const tx_questionnaire_pb *b =
            best >= 0 ? (const tx_questionnaire_pb *)qs->v[best].msg : NULL;
        if (strcmp(p->id, name) != 0 || (version != 0 && p->version != version)) {
            continue;
        }
        /* Newest version; among equals the first published. */
        if (b == NULL || p->version > b->version ||
            (p->version == b->version && qs->v[i].index < qs->v[best].index)) {
            best = (int)i;
        }
    }
    if (best < 0) {
        return tx_fail(TX_ERR_NOT_FOUND,
                       "no questionnaire %s: not built in, not a file, not on the hub "
                       "(ticsx questionnaire list shows what there is)",
                       arg);
    }
    take_record(qs, (size_t)best, &out->record, &out->q);
    out->published = 1;
    return TX_OK;
}

int
tx_qref_resolve(tx_client *c, const char *arg, tx_recs *profiles, tx_qref *out)
{
    int kinds[3];
    tx_recs lists[3] = {{0}};
    size_t n = 0, iq, ir = 0, ip = 0;
    int hex = tx_is_id_prefix(arg);
    tx_questionnaire_pb *local = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    rc = tx_qref_local(arg, &local);
    if (rc != TX_OK && rc != TX_ERR_NOT_FOUND) {
        return rc;
    }
    iq = n;
    kinds[n++] = TX_KIND_QUESTIONNAIRE;
    if (hex && local == NULL) {
        ir = n;
        kinds[n++] = TX_KIND_REQUEST;
    }
    if (profiles != NULL) {
        ip = n;
        kinds[n++] = TX_KIND_PROFILE;
    }
    if ((rc = tx_rpc_list(c, n, kinds, NULL, lists)) != TX_OK) {
        goto out;
    }
    if (local != NULL) {
        int at = tx_qref_published(&lists[iq], local);
        if (at >= 0) {
            take_record(&lists[iq], (size_t)at, &out->record, &out->q);
            out->published = 1;
        } else {
            out->q = local;
            local = NULL;
        }
    } else if (hex) {
        rc = by_prefix(c, arg, &lists[iq], &lists[ir], out);
    } else {
        rc = by_name(arg, &lists[iq], out);
    }
    if (rc == TX_OK && profiles != NULL) {
        *profiles = lists[ip];
        memset(&lists[ip], 0, sizeof lists[ip]);
    }
out:
    tx_free(local);
    for (size_t i = 0; i < n; i++) {
        tx_recs_clear(&lists[i]);
    }
    if (rc != TX_OK) {
        tx_qref_clear(out);
    }
    return rc;
}
