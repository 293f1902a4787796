/* Campaigns sent: the first request of `request --every` starts one; `campaign run` sends the
 * requests that are due, under the campaigns' lock, so that two runs never send one twice. */
#include "tx_campaign.h"

#include "tx_error.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <stdlib.h>
#include <string.h>

/* Midnight UTC of t's day plus `days` (0: no due date): when a request sent at t is due. */
static int64_t
due_after(int64_t t, int32_t days)
{
    return days ? (t - t % 86400) + (int64_t)days * 86400 : 0;
}

static int
copy_args(tx_campaign *k, const tx_request_args *a)
{
    k->questionnaire = strdup(a->questionnaire);
    k->note = a->note != NULL && a->note[0] ? strdup(a->note) : NULL;
    k->to = calloc(a->n_to ? a->n_to : 1, sizeof *k->to);
    if (k->questionnaire == NULL || k->to == NULL || (a->note != NULL && a->note[0] && !k->note)) {
        return TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < a->n_to; i++) {
        if ((k->to[i] = strdup(a->to[i])) == NULL) {
            return TX_ERR_NOMEM;
        }
        k->n_to++;
    }
    return TX_OK;
}

int
tx_campaign_start(tx_client *c, const tx_request_args *a, const tx_period *every, int64_t due,
                  const uint8_t id[TX_ID_LEN], int64_t sent_at, unsigned *number)
{
    const char *home = tx_home_dir(tx_client_home(c));
    tx_campaign k = {0};
    int fd = -1, rc;

    k.depth = a->depth ? a->depth : 1;
    k.every = *every;
    /* Later requests are due as long after they are sent as this one is. */
    k.due_days = due ? (int32_t)((due - (sent_at - sent_at % 86400) + 86399) / 86400) : 0;
    k.due_days = due && k.due_days < 1 ? 1 : k.due_days;
    k.started = sent_at;
    k.next = tx_period_add(sent_at, every);
    if ((k.sent = calloc(1, sizeof *k.sent)) == NULL || (rc = copy_args(&k, a)) != TX_OK) {
        rc = TX_ERR_NOMEM;
        goto out;
    }
    memcpy(k.sent[0].id, id, TX_ID_LEN);
    k.sent[0].date = sent_at;
    k.n_sent = 1;
    if ((rc = tx_campaign_lock(home, &fd)) == TX_OK && (rc = tx_campaign_save(home, &k)) == TX_OK) {
        *number = k.number;
    }
out:
    tx_campaign_unlock(fd);
    tx_campaign_free(&k);
    return rc;
}

/* Sends campaign k's request now (unless dry), records it and moves its next date past now. */
static int
run_one(tx_client *c, tx_campaign *k, int dry, int64_t now, tx_campaign_step *st)
{
    tx_request_args a = {0};
    tx_request_result res = {0};
    tx_campaign_sent *v;
    int rc;

    st->number = k->number;
    st->due = due_after(now, k->due_days);
    st->n_suppliers = k->n_to;
    if (k->n_sent >= TX_CAMPAIGN_MAX_REQUESTS) {
        return tx_fail(TX_ERR_USAGE, "campaign %u has sent %d requests: start a new one", k->number,
                       TX_CAMPAIGN_MAX_REQUESTS);
    }
    if (dry) {
        st->sent = 1;
        return TX_OK;
    }
    a.questionnaire = k->questionnaire;
    a.to = (const char **)k->to;
    a.n_to = k->n_to;
    a.due = st->due;
    a.depth = k->depth;
    a.note = k->note;
    if ((rc = tx_request_send(c, &a, &res)) != TX_OK) {
        return rc;
    }
    if ((v = realloc(k->sent, (k->n_sent + 1) * sizeof *v)) == NULL) {
        return TX_ERR_NOMEM;
    }
    k->sent = v;
    memcpy(v[k->n_sent].id, res.id, TX_ID_LEN);
    v[k->n_sent++].date = now;
    while (k->next <= now) { /* missed periods are not made up: one request, then the next */
        k->next = tx_period_add(k->next, &k->every);
    }
    st->sent = 1;
    st->n_suppliers = res.n_suppliers;
    memcpy(st->request, res.id, TX_ID_LEN);
    return tx_campaign_save(tx_home_dir(tx_client_home(c)), k);
}

int
tx_campaign_run(tx_client *c, int dry, int64_t now, tx_campaign_run_result *out)
{
    const char *home = tx_home_dir(tx_client_home(c));
    tx_campaign *v = NULL;
    size_t n = 0;
    int fd = -1, rc, first = TX_OK;

    memset(out, 0, sizeof *out);
    now = now ? now : tx_now();
    if ((rc = tx_campaign_lock(home, &fd)) != TX_OK ||
        (rc = tx_campaign_list(home, &v, &n)) != TX_OK) {
        tx_campaign_unlock(fd);
        return rc;
    }
    if ((out->v = calloc(n ? n : 1, sizeof *out->v)) == NULL) {
        rc = TX_ERR_NOMEM;
    }
    for (size_t i = 0; i < n && rc == TX_OK; i++) {
        tx_campaign_step *st;

        if (v[i].stopped || v[i].next > now) {
            continue;
        }
        st = &out->v[out->n++];
        st->rc = run_one(c, &v[i], dry, now, st);
        if (st->rc == TX_ERR_NOMEM) {
            rc = st->rc;
        } else if (st->rc != TX_OK) {
            snprintf(st->why, sizeof st->why, "%s", tx_fail_msg());
            first = first == TX_OK ? st->rc : first;
            tx_fail_clear();
            if (st->rc == TX_ERR_UNREACHABLE || st->rc == TX_ERR_NET) {
                break; /* the others would wait for the same hub: they go on the next run */
            }
        }
    }
    tx_campaigns_free(v, n);
    tx_campaign_unlock(fd);
    if (rc == TX_OK && first != TX_OK) {
        for (size_t i = 0; i < out->n; i++) {
            if (out->v[i].rc != TX_OK) {
                return tx_fail(first, "campaign %u: %s", out->v[i].number, out->v[i].why);
            }
        }
    }
    return rc;
}

void
tx_campaign_run_free(tx_campaign_run_result *r)
{
    free(r->v);
    memset(r, 0, sizeof *r);
}

json_t *
tx_campaign_json_rates(const tx_campaign *c, const tx_progress *p, size_t *answered, size_t *asked)
{
    json_t *list = json_array();
    size_t sum_a = 0, sum_n = 0;

    for (size_t i = 0; i < c->n_sent; i++) {
        size_t a = 0, n = 0;

        for (size_t r = 0; p != NULL && r < p->n; r++) {
            if (memcmp(p->v[r].id, c->sent[i].id, TX_ID_LEN) == 0) {
                a = p->v[r].answered;
                n = p->v[r].n_suppliers;
            }
        }
        sum_a += a;
        sum_n += n;
        json_array_append_new(list, json_pack("{s:o,s:o,s:I,s:I}", "id",
                                              tx_json_hex(c->sent[i].id, TX_ID_LEN), "date",
                                              tx_json_date(c->sent[i].date), "answered",
                                              (json_int_t)a, "asked", (json_int_t)n));
    }
    if (answered != NULL) {
        *answered = sum_a;
    }
    if (asked != NULL) {
        *asked = sum_n;
    }
    return list;
}
