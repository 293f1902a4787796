/* Campaign files: the period, parsing (outside bytes: every field bounded and checked), writing
 * 0600 under a 0700 folder, listing, and the lock `campaign run` holds. */
#include "tx_campaign.h"

#include "tx_error.h"
#include "tx_json.h"
#include "tx_msg.h"
#include "tx_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* 1 January 9999: no date in a campaign is later. */
#define LAST_DATE 253370764800LL

int
tx_period_parse(const char *s, tx_period *out)
{
    char *end;
    unsigned long n;

    errno = 0;
    n = strtoul(s, &end, 10);
    while (*end == ' ') {
        end++;
    }
    if (errno == 0 && end != s && s[0] >= '0' && s[0] <= '9' && end[0] != 0 && end[1] == 0 &&
        n >= 1 &&
        ((end[0] == 'd' && n <= 3660) || (end[0] == 'm' && n <= 120) ||
         (end[0] == 'y' && n <= 10))) {
        out->n = (uint32_t)n;
        out->unit = end[0];
        return TX_OK;
    }
    return tx_fail(TX_ERR_USAGE,
                   "--every %s: give a period such as 12m (months), 1y (years) or 90d (days)", s);
}

void
tx_period_format(const tx_period *p, char *out, size_t n)
{
    snprintf(out, n, "%u%c", p->n, p->unit);
}

int64_t
tx_period_add(int64_t t, const tx_period *p)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    time_t tt = (time_t)t;
    struct tm tm;
    int months, y, m, last;

    if (p->unit == 'd') {
        return t + (int64_t)p->n * 86400;
    }
    months = (int)p->n * (p->unit == 'y' ? 12 : 1);
    gmtime_r(&tt, &tm);
    m = tm.tm_mon + months;
    y = tm.tm_year + 1900 + m / 12;
    m %= 12;
    last = mdays[m] + (m == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    tm.tm_year = y - 1900;
    tm.tm_mon = m;
    tm.tm_mday = tm.tm_mday > last ? last : tm.tm_mday;
    return (int64_t)timegm(&tm);
}

/* ---- parsing ---- */

static int
bad(const char *what, const char *field)
{
    return tx_fail(TX_ERR_MALFORMED, "%s: \"%s\" is missing or not what it should be", what, field);
}

/* A copy of the string v, UTF-8 without NUL, 1..max bytes. */
static int
copy_text(const json_t *v, size_t max, char **out)
{
    size_t len = json_string_length(v);

    *out = NULL;
    if (!json_is_string(v) || len == 0 || len > max || !tx_utf8_valid(json_string_value(v), len)) {
        return TX_ERR_MALFORMED;
    }
    *out = strdup(json_string_value(v));
    return *out != NULL ? TX_OK : TX_ERR_NOMEM;
}

/* copy_text of member `field`; NULL for a null or absent one when nullable. */
static int
get_text(const json_t *o, const char *field, size_t max, int nullable, char **out)
{
    const json_t *v = json_object_get(o, field);

    *out = NULL;
    if (nullable && (v == NULL || json_is_null(v))) {
        return TX_OK;
    }
    return copy_text(v, max, out);
}

static int
get_int(const json_t *o, const char *field, json_int_t lo, json_int_t hi, json_int_t *out)
{
    const json_t *v = json_object_get(o, field);

    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        return TX_ERR_MALFORMED;
    }
    *out = json_integer_value(v);
    return TX_OK;
}

static int
parse_to(const json_t *arr, tx_campaign *c)
{
    size_t n = json_array_size(arr);

    if (!json_is_array(arr) || n == 0 || n > TX_CAMPAIGN_MAX_TO ||
        (c->to = calloc(n, sizeof *c->to)) == NULL) {
        return TX_ERR_MALFORMED;
    }
    for (size_t i = 0; i < n; i++) {
        int rc = copy_text(json_array_get(arr, i), TX_NAME_MAX, &c->to[i]);

        if (rc != TX_OK) {
            return rc;
        }
        c->n_to++;
    }
    return TX_OK;
}

static int
parse_sent(const json_t *arr, tx_campaign *c)
{
    size_t n = json_array_size(arr);

    if (!json_is_array(arr) || n > TX_CAMPAIGN_MAX_REQUESTS ||
        (c->sent = calloc(n ? n : 1, sizeof *c->sent)) == NULL) {
        return TX_ERR_MALFORMED;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(arr, i);
        const char *hex = json_string_value(json_object_get(e, "id"));
        json_int_t date;

        if (!json_is_object(e) || json_object_size(e) != 2 || hex == NULL ||
            strlen(hex) != 2 * TX_ID_LEN || tx_unhex(c->sent[i].id, TX_ID_LEN, hex) != TX_OK ||
            get_int(e, "date", 1, LAST_DATE, &date) != TX_OK) {
            return TX_ERR_MALFORMED;
        }
        c->sent[i].date = date;
        c->n_sent++;
    }
    return TX_OK;
}

/* Field by field, so that the message names the first one that is wrong. */
static int
parse_fields(const char *what, const json_t *j, tx_campaign *c)
{
    const json_t *due = json_object_get(j, "due_days");
    const char *every = json_string_value(json_object_get(j, "every"));
    json_int_t v;

    if (get_int(j, "version", 1, 1, &v) != TX_OK) {
        return bad(what, "version");
    }
    if (get_int(j, "number", 1, TX_CAMPAIGN_MAX_NUMBER, &v) != TX_OK) {
        return bad(what, "number");
    }
    c->number = (unsigned)v;
    if (get_text(j, "questionnaire", 256, 0, &c->questionnaire) != TX_OK) {
        return bad(what, "questionnaire");
    }
    if (parse_to(json_object_get(j, "to"), c) != TX_OK) {
        return bad(what, "to");
    }
    if (get_int(j, "depth", 1, 16, &v) != TX_OK) {
        return bad(what, "depth");
    }
    c->depth = (uint32_t)v;
    if (get_text(j, "note", 4096, 1, &c->note) != TX_OK) {
        return bad(what, "note");
    }
    if (every == NULL || tx_period_parse(every, &c->every) != TX_OK) {
        tx_fail_clear();
        return bad(what, "every");
    }
    if (!json_is_null(due) && get_int(j, "due_days", 1, 3660, &v) != TX_OK) {
        return bad(what, "due_days");
    }
    c->due_days = json_is_null(due) ? 0 : (int32_t)v;
    if (get_int(j, "started", 1, LAST_DATE, &v) != TX_OK) {
        return bad(what, "started");
    }
    c->started = v;
    if (get_int(j, "next", c->started, LAST_DATE, &v) != TX_OK) {
        return bad(what, "next");
    }
    c->next = v;
    if (!json_is_boolean(json_object_get(j, "stopped"))) {
        return bad(what, "stopped");
    }
    c->stopped = json_is_true(json_object_get(j, "stopped"));
    if (parse_sent(json_object_get(j, "requests"), c) != TX_OK) {
        return bad(what, "requests");
    }
    return TX_OK;
}

int
tx_campaign_parse(const char *what, const uint8_t *data, size_t len, tx_campaign *out)
{
    json_error_t err;
    json_t *j;
    int rc;

    memset(out, 0, sizeof *out);
    if (len > TX_CAMPAIGN_FILE_MAX) {
        return tx_fail(TX_ERR_TOO_LARGE, "%s: larger than %u bytes", what, TX_CAMPAIGN_FILE_MAX);
    }
    j = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(j)) {
        json_decref(j);
        return tx_fail(TX_ERR_MALFORMED, "%s: not a campaign (JSON object): %s", what, err.text);
    }
    rc = parse_fields(what, j, out);
    json_decref(j);
    if (rc != TX_OK) {
        tx_campaign_free(out);
    }
    return rc;
}

json_t *
tx_campaign_json(const tx_campaign *c)
{
    json_t *to = json_array(), *sent = json_array();
    char every[16];

    for (size_t i = 0; i < c->n_to; i++) {
        json_array_append_new(to, json_string(c->to[i]));
    }
    for (size_t i = 0; i < c->n_sent; i++) {
        json_array_append_new(sent,
                              json_pack("{s:o,s:I}", "id", tx_json_hex(c->sent[i].id, TX_ID_LEN),
                                        "date", (json_int_t)c->sent[i].date));
    }
    tx_period_format(&c->every, every, sizeof every);
    return json_pack("{s:i,s:i,s:s,s:o,s:i,s:o,s:s,s:o,s:I,s:I,s:b,s:o}", "version", 1, "number",
                     (int)c->number, "questionnaire", c->questionnaire, "to", to, "depth",
                     (int)c->depth, "note", tx_json_str(c->note), "every", every, "due_days",
                     c->due_days ? json_integer(c->due_days) : json_null(), "started",
                     (json_int_t)c->started, "next", (json_int_t)c->next, "stopped", c->stopped,
                     "requests", sent);
}

/* ---- files ---- */

static int
dir_of(const char *home_dir, char *out, size_t n)
{
    return tx_path_join(out, n, home_dir, "campaigns");
}

int
tx_campaign_load(const char *home_dir, unsigned number, tx_campaign *out)
{
    char dir[PATH_MAX], name[32], path[PATH_MAX];
    uint8_t *data = NULL;
    size_t len = 0;
    int rc;

    memset(out, 0, sizeof *out);
    snprintf(name, sizeof name, "%u.json", number);
    if ((rc = dir_of(home_dir, dir, sizeof dir)) != TX_OK ||
        (rc = tx_path_join(path, sizeof path, dir, name)) != TX_OK) {
        return rc;
    }
    /* A campaign decides whom requests go to, signed by this organisation: only its owner may
     * write it (and read it: it names suppliers). */
    if (tx_file_check_private(dir) == TX_ERR_PERM) {
        return tx_fail(TX_ERR_PERM, "%s can be opened by other users: chmod 700 %s", dir, dir);
    }
    if (tx_file_check_private(path) == TX_ERR_PERM) {
        return tx_fail(TX_ERR_PERM, "%s can be read or written by other users: chmod 600 %s", path,
                       path);
    }
    rc = tx_file_read(path, TX_CAMPAIGN_FILE_MAX, &data, &len);
    if (rc == TX_ERR_NOT_FOUND) {
        return tx_fail(rc, "no campaign %u: see ticsx campaign list", number);
    }
    if (rc != TX_OK) {
        return tx_fail(rc, "cannot read %s: %s", path, tx_strerror(rc));
    }
    if ((rc = tx_campaign_parse(path, data, len, out)) == TX_OK && out->number != number) {
        tx_campaign_free(out);
        rc = tx_fail(TX_ERR_MALFORMED, "%s: it says it is campaign %u", path, out->number);
    }
    free(data);
    return rc;
}

static int
by_number(const void *a, const void *b)
{
    unsigned x = ((const tx_campaign *)a)->number, y = ((const tx_campaign *)b)->number;

    return x < y ? -1 : x > y;
}

/* The number in a name "N.json", 0 when it is not one. */
static unsigned
number_of(const char *name)
{
    char *end;
    unsigned long n;

    if (name[0] < '1' || name[0] > '9') {
        return 0;
    }
    n = strtoul(name, &end, 10);
    return strcmp(end, ".json") == 0 && n <= TX_CAMPAIGN_MAX_NUMBER ? (unsigned)n : 0;
}

int
tx_campaign_list(const char *home_dir, tx_campaign **out, size_t *n)
{
    char dir[PATH_MAX];
    struct dirent *e;
    size_t cap = 0;
    DIR *d;
    int rc = TX_OK;

    *out = NULL;
    *n = 0;
    if ((rc = dir_of(home_dir, dir, sizeof dir)) != TX_OK) {
        return rc;
    }
    if ((d = opendir(dir)) == NULL) {
        return errno == ENOENT ? TX_OK
                               : tx_fail(TX_ERR_IO, "cannot list %s: %s", dir, strerror(errno));
    }
    while (rc == TX_OK && (e = readdir(d)) != NULL) {
        unsigned number = number_of(e->d_name);

        if (number == 0) {
            continue;
        }
        if (*n == cap) {
            tx_campaign *v = realloc(*out, (cap = cap ? 2 * cap : 8) * sizeof *v);
            if (v == NULL) {
                rc = TX_ERR_NOMEM;
                break;
            }
            *out = v;
        }
        if ((rc = tx_campaign_load(home_dir, number, &(*out)[*n])) == TX_OK) {
            ++*n;
        }
    }
    closedir(d);
    if (rc != TX_OK) {
        tx_campaigns_free(*out, *n);
        *out = NULL;
        *n = 0;
        return rc;
    }
    if (*n > 1) {
        qsort(*out, *n, sizeof **out, by_number);
    }
    return TX_OK;
}

static unsigned
next_number(const char *dir)
{
    unsigned max = 0;
    struct dirent *e;
    DIR *d = opendir(dir);

    while (d != NULL && (e = readdir(d)) != NULL) {
        unsigned k = number_of(e->d_name);
        max = k > max ? k : max;
    }
    if (d != NULL) {
        closedir(d);
    }
    return max + 1;
}

int
tx_campaign_save(const char *home_dir, tx_campaign *c)
{
    char dir[PATH_MAX], name[32], path[PATH_MAX];
    json_t *j;
    char *text;
    int rc;

    if ((rc = dir_of(home_dir, dir, sizeof dir)) != TX_OK ||
        (rc = tx_mkdir_private(dir)) != TX_OK) {
        return rc;
    }
    if (c->number == 0 && (c->number = next_number(dir)) > TX_CAMPAIGN_MAX_NUMBER) {
        return tx_fail(TX_ERR_USAGE, "%s holds campaign %u already: no more numbers", dir,
                       TX_CAMPAIGN_MAX_NUMBER);
    }
    snprintf(name, sizeof name, "%u.json", c->number);
    if ((rc = tx_path_join(path, sizeof path, dir, name)) != TX_OK) {
        return rc;
    }
    j = tx_campaign_json(c);
    text = j != NULL ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(j);
    if (text == NULL) {
        return TX_ERR_NOMEM;
    }
    rc = tx_file_replace(path, text, strlen(text), 0600);
    free(text);
    return rc != TX_OK ? tx_fail(rc, "cannot write %s: %s", path, tx_strerror(rc)) : TX_OK;
}

int
tx_campaign_lock(const char *home_dir, int *fd)
{
    char dir[PATH_MAX], path[PATH_MAX];
    int rc;

    *fd = -1;
    if ((rc = dir_of(home_dir, dir, sizeof dir)) != TX_OK ||
        (rc = tx_mkdir_private(dir)) != TX_OK ||
        (rc = tx_path_join(path, sizeof path, dir, "lock")) != TX_OK) {
        return rc;
    }
    if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
        return tx_fail(TX_ERR_IO, "cannot open %s: %s", path, strerror(errno));
    }
    while (flock(*fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            rc = tx_fail(TX_ERR_IO, "cannot lock %s: %s", path, strerror(errno));
            close(*fd);
            *fd = -1;
            return rc;
        }
    }
    return TX_OK;
}

void
tx_campaign_unlock(int fd)
{
    if (fd >= 0) {
        close(fd); /* releases the flock */
    }
}

void
tx_campaign_free(tx_campaign *c)
{
    for (size_t i = 0; c->to != NULL && i < c->n_to; i++) {
        free(c->to[i]);
    }
    free(c->to);
    free(c->questionnaire);
    free(c->note);
    free(c->sent);
    memset(c, 0, sizeof *c);
}

void
tx_campaigns_free(tx_campaign *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tx_campaign_free(&v[i]);
    }
    free(v);
}
