/* Campaigns: a buyer's request repeated on a period (`request --every 12m`), kept in the home
 * as campaigns/<N>.json (0600; the folder 0700), and sent when due by `ticsx campaign run`
 * (cron or a systemd timer). Running twice sends nothing new: a campaign's next date moves past
 * now with each request sent, under a lock on campaigns/lock.
 * The file (read back as outside bytes, at most TX_CAMPAIGN_FILE_MAX):
 *   {"version":1,"number":N,"questionnaire":"ID","to":["ORG",...],"depth":1,"note":"..."|null,
 *    "every":"12m","due_days":30|null,"started":T,"next":T,"stopped":false,
 *    "requests":[{"id":"64 hex","date":T}]}  (T: seconds since the epoch, UTC) */
#ifndef TX_CAMPAIGN_H
#define TX_CAMPAIGN_H

#include "tx_client.h"
#include "tx_progress.h"
#include "tx_request.h"

#include <jansson.h>
#include <stdio.h>

#define TX_CAMPAIGN_FILE_MAX (256u * 1024u)
#define TX_CAMPAIGN_MAX_TO 1000
#define TX_CAMPAIGN_MAX_REQUESTS 1000
#define TX_CAMPAIGN_MAX_NUMBER 99999

typedef struct {
    uint32_t n;
    char unit; /* 'd' days, 'm' calendar months, 'y' calendar years */
} tx_period;

typedef struct {
    uint8_t id[TX_ID_LEN];
    int64_t date;
} tx_campaign_sent;

typedef struct {
    unsigned number;
    char *questionnaire; /* as `request --questionnaire` takes it */
    char **to;           /* as `request --to` takes them */
    size_t n_to;
    uint32_t depth;
    char *note; /* NULL: none */
    tx_period every;
    int32_t due_days; /* each request due this many days after it is sent; 0: no due date */
    int64_t started, next;
    int stopped;
    tx_campaign_sent *sent;
    size_t n_sent;
} tx_campaign;

/* ---- the period and the file (tx_campaign_file.c; no network) ---- */

/* "12m", "6m", "1y", "90d" (also "90 d"): 1 to 3660 days, 1 to 120 months, 1 to 10 years.
 * TX_ERR_USAGE with a message otherwise. */
int tx_period_parse(const char *s, tx_period *out);

/* "12m". out needs 16 bytes. */
void tx_period_format(const tx_period *p, char *out, size_t n);

/* t moved on by the period: calendar months keep the day of the month (the last day when the
 * month is shorter), days are 86400 s each. */
int64_t tx_period_add(int64_t t, const tx_period *p);

/* Parses a campaign file's bytes (at most TX_CAMPAIGN_FILE_MAX), every field checked.
 * TX_ERR_MALFORMED or TX_ERR_TOO_LARGE with a message naming `what` (the file). Caller frees
 * *out (tx_campaign_free). */
int tx_campaign_parse(const char *what, const uint8_t *data, size_t len, tx_campaign *out);

/* The file's JSON. Caller owns. */
json_t *tx_campaign_json(const tx_campaign *c);

/* Campaign `number` from home_dir/campaigns. TX_ERR_NOT_FOUND (message set) when there is none. */
int tx_campaign_load(const char *home_dir, unsigned number, tx_campaign *out);

/* Every campaign, by number. Caller frees (tx_campaigns_free). */
int tx_campaign_list(const char *home_dir, tx_campaign **out, size_t *n);

/* Writes c to home_dir/campaigns/<number>.json (0600) atomically; a number of 0 takes the next
 * free one (set in c). The folder is made 0700. */
int tx_campaign_save(const char *home_dir, tx_campaign *c);

/* Takes (or releases, fd >= 0) the exclusive lock on home_dir/campaigns/lock. */
int tx_campaign_lock(const char *home_dir, int *fd);
void tx_campaign_unlock(int fd);

void tx_campaign_free(tx_campaign *c);
void tx_campaigns_free(tx_campaign *v, size_t n);

/* ---- sending (tx_campaign.c) ---- */

/* After `request --every`: a campaign for the request just sent (id, at `sent_at`) by
 * arguments a, due `due` (0: none). Its number is stored in *number. */
int tx_campaign_start(tx_client *c, const tx_request_args *a, const tx_period *every, int64_t due,
                      const uint8_t id[TX_ID_LEN], int64_t sent_at, unsigned *number);

/* What one run did (or, dry, would do) for one campaign. */
typedef struct {
    unsigned number;
    int sent;                   /* a request was sent (or would be, dry) */
    uint8_t request[TX_ID_LEN]; /* the request sent (not dry) */
    size_t n_suppliers;
    int64_t due; /* of that request, 0: none */
    int rc;      /* TX_OK, or why it was not sent */
    char why[256];
} tx_campaign_step;

typedef struct {
    tx_campaign_step *v;
    size_t n;
} tx_campaign_run_result;

/* Sends one request for every campaign not stopped whose next date is at or before `now`
 * (0: tx_now()) and moves its next date past now (missed periods are not made up). dry: sends
 * and writes nothing. The result lists every campaign due; the first failure is returned
 * after the others were tried. */
int tx_campaign_run(tx_client *c, int dry, int64_t now, tx_campaign_run_result *out);

void tx_campaign_run_free(tx_campaign_run_result *r);

/* The response rate of each request of c: answered and asked from p (the requests as
 * tx_progress_load read them); a request not in p counts 0 of 0. *answered and *asked
 * (may be NULL) receive the totals. */
json_t *tx_campaign_json_rates(const tx_campaign *c, const tx_progress *p, size_t *answered,
                               size_t *asked);

#endif
