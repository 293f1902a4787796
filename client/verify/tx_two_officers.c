/* Two officers for grants to new buyers, judged from the records (tx_two_officers.h). */
#include "tx_two_officers.h"

#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_kinds.h"
#include "tx_signer.h"

#include <stdlib.h>
#include <string.h>

#define NEVER UINT64_MAX

static size_t
count(const tx_recs *r)
{
    return r != NULL ? r->n : 0;
}

/* Whether the settings of `org` stored before log index `before` ask for two officers. */
static int
on_before(const tx_recs *settings, const uint8_t org[32], uint64_t before)
{
    uint64_t best = 0;
    int on = 0;

    for (size_t i = 0; i < count(settings); i++) {
        const tx_rec *s = &settings->v[i];
        const tx_org_settings_pb *x = (const tx_org_settings_pb *)s->msg;

        if (s->kind == TX_KIND_ORG_SETTINGS && s->index < before && s->index >= best &&
            memcmp(tx_rec_signer(s), org, TX_KEY_LEN) == 0 &&
            memcmp(x->organisation.data, org, TX_KEY_LEN) == 0) {
            best = s->index;
            on = x->two_officers;
        }
    }
    return on;
}

/* Whether any setting of `org` stored before log index `before` asked for two officers. */
static int
on_ever_before(const tx_recs *settings, const uint8_t org[32], uint64_t before)
{
    for (size_t i = 0; i < count(settings); i++) {
        const tx_rec *s = &settings->v[i];
        const tx_org_settings_pb *x = (const tx_org_settings_pb *)s->msg;

        if (s->kind == TX_KIND_ORG_SETTINGS && s->index < before && x->two_officers &&
            memcmp(tx_rec_signer(s), org, TX_KEY_LEN) == 0 &&
            memcmp(x->organisation.data, org, TX_KEY_LEN) == 0) {
            return 1;
        }
    }
    return 0;
}

int
tx_two_officers_on(const tx_recs *settings, const uint8_t org[32])
{
    return on_before(settings, org, NEVER);
}

/* Whether `key` acts for `org` as an officer or admin at `at`, or is org itself. */
static int
officer_of(const tx_recs *people, const uint8_t key[32], const uint8_t org[32], int64_t at)
{
    tx_signer_info si;

    if (memcmp(key, org, TX_KEY_LEN) == 0) {
        return 1;
    }
    if (people == NULL || tx_signer_resolve(people, key, at, &si) != TX_OK) {
        return 0;
    }
    return si.acts && memcmp(si.org, org, TX_KEY_LEN) == 0 &&
           (si.role == TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_OFFICER ||
            si.role == TICSX__V1__MEMBER_ROLE__MEMBER_ROLE_ADMIN);
}

static int64_t
created(const tx_rec *r)
{
    const tx_meta_pb *m =
        *(const tx_meta_pb *const *)((const char *)r->msg + tx_kind_get(r->kind)->meta);
    return m != NULL ? m->created : 0;
}

int
tx_two_officers_valid(const tx_two_records *r, const tx_rec *grant, const uint8_t org[32],
                      const tx_rec *approval)
{
    const tx_grant_approval_pb *a = (const tx_grant_approval_pb *)approval->msg;
    const tx_grant_pb *g = (const tx_grant_pb *)grant->msg;

    return approval->kind == TX_KIND_GRANT_APPROVAL &&
           memcmp(a->grant.data, grant->id, TX_ID_LEN) == 0 &&
           memcmp(a->grantee.data, g->grantee.data, TX_KEY_LEN) == 0 &&
           memcmp(tx_rec_signer(approval), tx_rec_signer(grant), TX_KEY_LEN) != 0 &&
           approval->index > grant->index &&
           officer_of(r->people, tx_rec_signer(approval), org, created(approval));
}

/* The first valid approval of `grant`, or NULL. */
static const tx_rec *
first_approval(const tx_two_records *r, const tx_rec *grant, const uint8_t org[32])
{
    const tx_rec *best = NULL;

    for (size_t i = 0; i < count(r->approvals); i++) {
        const tx_rec *a = &r->approvals->v[i];

        if ((best == NULL || a->index < best->index) && tx_two_officers_valid(r, grant, org, a)) {
            best = a;
        }
    }
    return best;
}

/* Whether grant h is of `org` (signed by it or by a person of it) to `grantee`. */
static int
of_org_to(const tx_two_records *r, const tx_rec *h, const uint8_t org[32],
          const uint8_t grantee[32])
{
    tx_signer_info si;

    if (h->kind != TX_KIND_GRANT ||
        memcmp(((const tx_grant_pb *)h->msg)->grantee.data, grantee, TX_KEY_LEN) != 0) {
        return 0;
    }
    if (memcmp(tx_rec_signer(h), org, TX_KEY_LEN) == 0) {
        return 1;
    }
    return r->people != NULL && tx_signer_resolve(r->people, tx_rec_signer(h), 0, &si) == TX_OK &&
           memcmp(si.org, org, TX_KEY_LEN) == 0;
}

static int
by_index(const void *a, const void *b)
{
    uint64_t x = (*(const tx_rec *const *)a)->index, y = (*(const tx_rec *const *)b)->index;

    return x < y ? -1 : x > y;
}

/* The state of grant h, judged after every earlier grant of the organisation to the same
 * grantee in log order: each was served from its own index (no second officer needed) or its
 * approval's (NEVER: waiting), and a grant is to a new buyer when none was served before it. */
static int
judge(const tx_two_records *r, const tx_rec *h, const uint8_t org[32], const tx_rec **approval)
{
    const uint8_t *grantee = ((const tx_grant_pb *)h->msg)->grantee.data;
    const tx_rec **chain = calloc(count(r->grants) + 1, sizeof *chain);
    uint64_t first_served = NEVER;
    size_t n = 0;
    int state = TX_TWO_WAITING;

    if (chain == NULL) {
        return TX_TWO_WAITING; /* judged strictly when out of memory */
    }
    for (size_t i = 0; i < count(r->grants); i++) {
        const tx_rec *e = &r->grants->v[i];

        if (e->index < h->index && of_org_to(r, e, org, grantee)) {
            chain[n++] = e;
        }
    }
    qsort(chain, n, sizeof *chain, by_index);
    chain[n++] = h;
    for (size_t i = 0; i < n; i++) {
        const tx_rec *e = chain[i], *a = NULL;
        uint64_t from = e->index;

        state = TX_TWO_NOT_NEEDED;
        if (first_served >= e->index && on_before(r->settings, org, e->index)) {
            a = first_approval(r, e, org);
            state = a != NULL ? TX_TWO_APPROVED : TX_TWO_WAITING;
            from = a != NULL ? a->index : NEVER;
        }
        if (from < first_served) {
            first_served = from;
        }
        if (approval != NULL) {
            *approval = a;
        }
    }
    free(chain);
    return state;
}

int
tx_two_officers_state(const tx_two_records *r, const tx_rec *grant, const uint8_t org[32],
                      const tx_rec **approval)
{
    if (approval != NULL) {
        *approval = NULL;
    }
    if (memcmp(((const tx_grant_pb *)grant->msg)->grantee.data, org, TX_KEY_LEN) == 0) {
        return TX_TWO_NOT_NEEDED;
    }
    /* No setting of org turned the rule on before the grant: no grant of its chain needed a
     * second officer (the judgement below would say so after a walk over every grant, which
     * made a verify of n grants take n * n steps). */
    if (!on_ever_before(r->settings, org, grant->index)) {
        return TX_TWO_NOT_NEEDED;
    }
    return judge(r, grant, org, approval);
}

const char *
tx_two_officers_label(int on)
{
    return on ? _("two officers for grants to new buyers: on")
              : _("two officers for grants to new buyers: off");
}
