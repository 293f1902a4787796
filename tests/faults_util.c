/* Fault-test helpers: hubs with options, windowed submits, integrity checks, /proc. */
#include "faults_util.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_hub_admin.h"
#include "tx_store.h"
#include "tx_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

fu_rec *
fu_questionnaires(const tx_identity *id, uint64_t first_seq, size_t n)
{
    fu_rec *recs = calloc(n ? n : 1, sizeof *recs);

    assert_non_null(recs);
    for (size_t i = 0; i < n; i++) {
        recs[i].env = th_questionnaire(id, first_seq + i, &recs[i].len);
        tx_record_id(recs[i].env, recs[i].len, recs[i].id);
        recs[i].status = -1;
    }
    return recs;
}

void
fu_recs_free(fu_rec *recs, size_t n)
{
    if (recs == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        free(recs[i].env);
    }
    free(recs);
}

int
fu_send_submit(tx_conn *c, const fu_rec *rec, uint64_t *call_id)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_submit_pb submit = TICSX__V1__SUBMIT__INIT;

    submit.envelope.data = rec->env;
    submit.envelope.len = rec->len;
    call.body_case = TICSX__V1__CALL__BODY_SUBMIT;
    call.submit = &submit;
    return tx_conn_send(c, &call, call_id);
}

int
fu_submit_all(tx_conn *c, fu_rec *recs, size_t n, unsigned window, int stop_on)
{
    uint64_t *calls = calloc(n ? n : 1, sizeof *calls);
    size_t sent = 0, done = 0;
    int stop = 0;
    int rc = TX_OK;

    assert_non_null(calls);
    while (rc == TX_OK && (done < sent || (sent < n && !stop))) {
        while (!stop && sent < n && sent - done < window && rc == TX_OK) {
            rc = fu_send_submit(c, &recs[sent], &calls[sent]);
            sent += rc == TX_OK;
        }
        if (rc == TX_OK && done < sent) {
            tx_reply_pb *r = NULL;

            if ((rc = tx_conn_wait(c, calls[done], &r)) != TX_OK) {
                break;
            }
            recs[done].status = r->status;
            recs[done].index = r->receipt != NULL ? r->receipt->index : 0;
            snprintf(recs[done].message, sizeof recs[done].message, "%s", r->message);
            stop |= (int)r->status == stop_on;
            tx_free(r);
            done++;
        }
    }
    free(calls);
    return rc;
}

static void *
member_run(void *arg)
{
    fu_member *m = arg;
    tx_conn *c = NULL;

    if (tx_conn_open(m->hub->endpoint, m->hub->curve, m->id, m->timeout_ms, &c) != TX_OK) {
        atomic_fetch_add(&m->failed, 1);
        return NULL;
    }
    while (!atomic_load(&m->stop)) {
        int64_t t0 = th_now_ms();
        uint8_t *env = NULL;
        size_t len = 0;
        long long took;

        if (tx_conn_get(c, m->known, &env, &len) == TX_OK) {
            atomic_fetch_add(&m->served, 1);
        } else {
            atomic_fetch_add(&m->failed, 1);
        }
        free(env);
        took = th_now_ms() - t0;
        if (took > atomic_load(&m->worst_ms)) {
            atomic_store(&m->worst_ms, took);
        }
        usleep(m->pause_us);
    }
    tx_conn_destroy(&c);
    return NULL;
}

void
fu_member_start(fu_member *m, const th_hub *h, const tx_identity *id,
                const uint8_t known[TX_ID_LEN], int timeout_ms, unsigned pause_us)
{
    m->hub = h;
    m->id = id;
    m->known = known;
    m->timeout_ms = timeout_ms;
    m->pause_us = pause_us;
    atomic_store(&m->stop, 0);
    atomic_store(&m->served, 0);
    atomic_store(&m->failed, 0);
    atomic_store(&m->worst_ms, 0);
    assert_int_equal(pthread_create(&m->thread, NULL, member_run, m), 0);
}

void
fu_member_stop(fu_member *m)
{
    atomic_store(&m->stop, 1);
    pthread_join(m->thread, NULL);
}

int
fu_check_store(const char *dir, tx_store_report *r)
{
    tx_store *s = NULL;
    int rc;

    assert_int_equal(tx_store_open(dir, 0, &s), TX_OK);
    rc = tx_store_check(s, r);
    tx_store_close(&s);
    if (rc != TX_OK) {
        fprintf(stderr, "store check of %s: %s, %llu problem(s) in %llu records\n", dir,
                tx_strerror(rc), (unsigned long long)r->problems, (unsigned long long)r->records);
        for (size_t i = 0; i < r->n_notes; i++) {
            fprintf(stderr, "  %s\n", r->notes[i]);
        }
    }
    return rc;
}

uint64_t
fu_last_index(const char *dir)
{
    tx_store *s = NULL;
    uint64_t last = 0;

    assert_int_equal(tx_store_open(dir, 0, &s), TX_OK);
    assert_int_equal(tx_store_last_index(s, &last), TX_OK);
    tx_store_close(&s);
    return last;
}

int
fu_mdb_stat(const char *flags, const char *dir, char *out, size_t n)
{
    const char *bin = "/usr/bin/mdb_stat";
    int fds[2];
    size_t got = 0;
    int status = 0;
    pid_t pid;

    if (access(bin, X_OK) != 0) {
        return -1;
    }
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execl(bin, "mdb_stat", flags, dir, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        char tmp[4096];
        ssize_t r = read(fds[0], tmp, sizeof tmp);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        for (ssize_t i = 0; i < r && got + 1 < n; i++) {
            out[got++] = tmp[i];
        }
    }
    close(fds[0]);
    out[n > 0 ? got : 0] = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

long
fu_proc_fds(pid_t pid)
{
    char path[64];
    struct dirent *e;
    long n = 0;
    DIR *d;

    snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
    if ((d = opendir(path)) == NULL) {
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n;
}

long
fu_proc_rss_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    if ((f = fopen(path, "r")) == NULL) {
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) {
            break;
        }
    }
    fclose(f);
    return kb;
}

int
fu_log_has(const th_hub *h, const char *text)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int found;

    if (tx_file_read(h->log, 64u << 20, &buf, &len) != TX_OK) {
        return 0;
    }
    found = strstr((const char *)buf, text) != NULL;
    free(buf);
    return found;
}

int
fu_ping(const th_hub *h, const tx_identity *id, int timeout_ms)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_reply_pb *r = NULL;
    tx_conn *c = th_connect(h, id, timeout_ms);
    int rc;

    call.body_case = TICSX__V1__CALL__BODY_PING;
    call.ping = 1;
    rc = tx_conn_call(c, &call, &r);
    if (rc == TX_OK) {
        rc = tx_status_err(r->status);
    }
    tx_free(r);
    tx_conn_destroy(&c);
    return rc;
}

int
fu_signed_shim_on(const char *dir)
{
    char script[PATH_MAX + 16], text[PATH_MAX + 256];

    if (getenv("TX_TEST_HUB_WRAPPER") != NULL) {
        return 0;
    }
    snprintf(script, sizeof script, "%s/preload.sh", dir);
    /* The sanitizer runtime does not come first when a library is preloaded; it still works. */
    snprintf(text, sizeof text,
             "#!/bin/sh\nLD_PRELOAD=%s ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}"
             "verify_asan_link_order=0\" exec \"$@\"\n",
             TX_SYNC_SHIM);
    assert_int_equal(tx_file_replace(script, (const uint8_t *)text, strlen(text), 0755), TX_OK);
    assert_int_equal(setenv("TX_TEST_HUB_WRAPPER", script, 1), 0);
    return 1;
}

void
fu_signed_shim_off(void)
{
    unsetenv("TX_TEST_HUB_WRAPPER");
}
