/* Test helpers: temp dirs, the ticsx-hub binary as a subprocess, identities, signed records. */
#include "hub_testutil.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_hub_admin.h"
#include "tx_util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include <cmocka.h>

#define MAX_ARGS 64

char *
th_tmpdir_named(const char *prefix)
{
    const char *base = getenv("TMPDIR");
    char *path = NULL;

    if (base == NULL || *base == 0) {
        base = "/tmp";
    }
    assert_true(asprintf(&path, "%s/%s-XXXXXX", base, prefix) > 0);
    assert_non_null(mkdtemp(path));
    return path;
}

char *
th_tmpdir(void)
{
    return th_tmpdir_named("ticsx-test");
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void
th_rmtree(const char *dir)
{
    if (dir != NULL) {
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    }
}

const char *
th_hub_bin(void)
{
    static char path[PATH_MAX];
    const char *build = getenv("TX_BUILD_DIR");

    if (path[0] == 0) {
        snprintf(path, sizeof path, "%s/hub/ticsx-hub", build != NULL ? build : ".");
    }
    return path;
}

int64_t
th_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Puts the optional wrapper and the ticsx-hub binary into argv; strings live in `store`.
 * Returns the number of entries used. */
static size_t
hub_argv(char **argv, char *store, size_t store_n)
{
    const char *wrapper = getenv("TX_TEST_HUB_WRAPPER");
    size_t k = 0;

    if (wrapper != NULL && *wrapper != 0) {
        snprintf(store, store_n, "%s", wrapper);
        for (char *tok = strtok(store, " "); tok != NULL && k < MAX_ARGS - 2;
             tok = strtok(NULL, " ")) {
            argv[k++] = tok;
        }
    }
    argv[k++] = (char *)th_hub_bin();
    return k;
}

/* argv for ticsx-hub with the optional wrapper in front; strings live in `store`. */
static void
build_argv(char **argv, char *store, size_t store_n, va_list ap)
{
    size_t k = hub_argv(argv, store, store_n);
    const char *a;

    while ((a = va_arg(ap, const char *)) != NULL && k < MAX_ARGS - 1) {
        argv[k++] = (char *)a;
    }
    argv[k] = NULL;
}

static int
exit_code(int status)
{
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return -1;
}

int
th_run(char *out, size_t n, ...)
{
    char *argv[MAX_ARGS];
    char store[1024];
    int fds[2];
    size_t got = 0;
    int status = 0;
    pid_t pid;
    va_list ap;

    va_start(ap, n);
    build_argv(argv, store, sizeof store, ap);
    va_end(ap);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        char tmp[512];
        ssize_t r = read(fds[0], tmp, sizeof tmp);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        for (ssize_t i = 0; i < r && out != NULL && got + 1 < n; i++) {
            out[got++] = tmp[i];
        }
    }
    close(fds[0]);
    if (out != NULL && n > 0) {
        out[got] = 0;
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return exit_code(status);
}

void
th_require_hub_bin(void)
{
    if (access(th_hub_bin(), X_OK) != 0) {
        fprintf(stderr, "%s is missing; build ticsx-hub first\n", th_hub_bin());
        fail();
    }
}

void
th_hub_init(const char *dir)
{
    char out[2048];
    int rc = th_run(out, sizeof out, "init", "--data", dir, NULL);

    if (rc != 0) {
        fprintf(stderr, "ticsx-hub init failed (%d): %s\n", rc, out);
    }
    assert_int_equal(rc, 0);
}

static int
spawn_run(th_hub *h, char **argv)
{
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        /* TX_TEST_HUB_LOG=1 shows the hub's log on the test's stderr. */
        if (getenv("TX_TEST_HUB_LOG") == NULL) {
            int fd = open(h->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
            if (fd >= 0) {
                dup2(fd, 2);
            }
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    return pid;
}

void
th_hub_start_with(th_hub *h, const char *dir, const char *const *extra)
{
    const char *run[] = {"run",         "--data", dir, "--bind", "tcp://127.0.0.1:*",
                         "--log-level", "debug"};
    char *argv[MAX_ARGS];
    char store[1024];
    char path[PATH_MAX + 16];
    tx_pubkey pk;
    int64_t deadline;
    int wrapped = getenv("TX_TEST_HUB_WRAPPER") != NULL;
    size_t k;

    memset(h, 0, sizeof *h);
    snprintf(h->dir, sizeof h->dir, "%s", dir);
    snprintf(h->log, sizeof h->log, "%s.log", dir);
    snprintf(path, sizeof path, "%s/hub.pub", dir);
    assert_int_equal(tx_pubkey_load(path, &pk), TX_OK);
    memcpy(h->curve, pk.curve, 32);
    snprintf(path, sizeof path, "%s/endpoint", dir);
    unlink(path);
    k = hub_argv(argv, store, sizeof store);
    for (size_t i = 0; i < sizeof run / sizeof run[0] && k < MAX_ARGS - 1; i++) {
        argv[k++] = (char *)run[i];
    }
    for (size_t i = 0; extra != NULL && extra[i] != NULL && k < MAX_ARGS - 1; i++) {
        argv[k++] = (char *)extra[i];
    }
    argv[k] = NULL;
    h->pid = spawn_run(h, argv);
    deadline = th_now_ms() + (wrapped ? 60000 : 20000);
    while (th_now_ms() < deadline) {
        int status;

        if (tx_hub_read_endpoint(dir, h->endpoint, sizeof h->endpoint) == TX_OK) {
            return;
        }
        if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
            fprintf(stderr, "ticsx-hub run exited early (%d); see %s\n", exit_code(status), h->log);
            h->pid = 0;
            fail();
        }
        usleep(5000);
    }
    fprintf(stderr, "ticsx-hub run did not write %s in time; see %s\n", path, h->log);
    fail();
}

void
th_hub_start(th_hub *h, const char *dir)
{
    th_hub_start_with(h, dir, NULL);
}

int
th_hub_alive(th_hub *h)
{
    int status;

    if (h->pid <= 0) {
        return 0;
    }
    if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
        h->pid = 0;
        return 0;
    }
    return 1;
}

int
th_hub_stop(th_hub *h, int sig)
{
    int64_t deadline = th_now_ms() + 30000;
    int status = 0;

    if (h->pid <= 0) {
        return -1;
    }
    kill(h->pid, sig);
    for (;;) {
        pid_t r = waitpid(h->pid, &status, WNOHANG);
        if (r == h->pid) {
            break;
        }
        if (r < 0 && errno != EINTR) {
            h->pid = 0;
            return -1;
        }
        if (th_now_ms() > deadline) {
            kill(h->pid, SIGKILL);
            waitpid(h->pid, &status, 0);
            break;
        }
        usleep(2000);
    }
    h->pid = 0;
    return exit_code(status);
}

tx_identity *
th_identity(const char *name)
{
    tx_identity *id = NULL;

    assert_int_equal(tx_identity_generate(name, &id), TX_OK);
    return id;
}

static uint8_t *
sign_msg(const tx_identity *id, int kind, const ProtobufCMessage *msg, size_t *len)
{
    uint8_t *env = NULL;

    assert_int_equal(tx_envelope_sign_msg(id, kind, msg, &env, len), TX_OK);
    return env;
}

uint8_t *
th_profile(const tx_identity *id, uint64_t seq, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_profile_pb p = TICSX__V1__ORG_PROFILE__INIT;

    meta.seq = seq;
    meta.created = 1700000000;
    p.meta = &meta;
    p.legal_name = (char *)id->pub.name;
    p.seal_key.data = (uint8_t *)id->pub.seal;
    p.seal_key.len = 32;
    p.transport_key.data = (uint8_t *)id->pub.curve;
    p.transport_key.len = 32;
    return sign_msg(id, TX_KIND_PROFILE, &p.base, len);
}

uint8_t *
th_questionnaire(const tx_identity *id, uint64_t seq, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_local_text_pb text = TICSX__V1__LOCAL_TEXT__INIT;
    tx_area_pb area = TICSX__V1__AREA__INIT;
    tx_item_pb item = TICSX__V1__ITEM__INIT;
    tx_choice_pb yes = TICSX__V1__CHOICE__INIT;
    tx_questionnaire_pb q = TICSX__V1__QUESTIONNAIRE__INIT;
    tx_area_pb *areas[] = {&area};
    tx_item_pb *items[] = {&item};
    tx_choice_pb *scale[] = {&yes};
    char qid[64];

    snprintf(qid, sizeof qid, "test-q-%llu", (unsigned long long)seq);
    meta.seq = seq;
    meta.created = 1700000000;
    text.ja = "規程";
    text.en = "rules";
    area.id = "rules";
    area.name = &text;
    item.id = "rules-1";
    item.area = "rules";
    item.level = 1;
    item.text = &text;
    item.weight = 1;
    yes.code = "yes";
    yes.label = &text;
    yes.score_permille = 1000;
    q.meta = &meta;
    q.id = qid;
    q.version = 1;
    q.title = &text;
    q.n_areas = 1;
    q.areas = areas;
    q.n_items = 1;
    q.items = items;
    q.n_scale = 1;
    q.scale = scale;
    return sign_msg(id, TX_KIND_QUESTIONNAIRE, &q.base, len);
}

uint8_t *
th_request(const tx_identity *id, uint64_t seq, const uint8_t qid[TX_ID_LEN],
           const uint8_t (*suppliers)[32], size_t n, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_request_pb r = TICSX__V1__REQUEST__INIT;
    ProtobufCBinaryData sup[16];
    uint8_t *env;

    assert_true(n <= 16);
    meta.seq = seq;
    meta.created = 1700000000;
    r.meta = &meta;
    r.questionnaire.data = (uint8_t *)qid;
    r.questionnaire.len = TX_ID_LEN;
    for (size_t i = 0; i < n; i++) {
        sup[i].data = (uint8_t *)suppliers[i];
        sup[i].len = 32;
    }
    r.n_suppliers = n;
    r.suppliers = sup;
    r.depth = 1;
    env = sign_msg(id, TX_KIND_REQUEST, &r.base, len);
    return env;
}

uint8_t *
th_sealed_with(const tx_identity *id, uint64_t seq, const uint8_t qid[TX_ID_LEN],
               const uint8_t *old, const char *secret, uint8_t *key, size_t ct_keep, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_assessment_pb a = TICSX__V1__ASSESSMENT__INIT;
    tx_answer_pb ans = TICSX__V1__ANSWER__INIT;
    tx_answer_pb *answers[] = {&ans};
    tx_sealed_pb s = TICSX__V1__SEALED_ASSESSMENT__INIT;
    uint8_t nonce[TX_NONCE_LEN];
    uint8_t *inner, *ct, *env;
    size_t inner_len, ct_len;

    meta.seq = seq;
    meta.created = 1700000000;
    a.meta = &meta;
    a.questionnaire.data = (uint8_t *)qid;
    a.questionnaire.len = TX_ID_LEN;
    ans.item = "rules-1";
    ans.choice = "yes";
    ans.comment = (char *)secret;
    a.n_answers = 1;
    a.answers = answers;
    a.as_of = 1700000000;
    inner = sign_msg(id, TX_KIND_INNER_ASSESSMENT, &a.base, &inner_len);
    assert_int_equal(tx_seal_content(inner, inner_len, qid, key, nonce, &ct, &ct_len), TX_OK);
    free(inner);
    s.meta = &meta;
    s.questionnaire.data = (uint8_t *)qid;
    s.questionnaire.len = TX_ID_LEN;
    s.nonce.data = nonce;
    s.nonce.len = sizeof nonce;
    s.ciphertext.data = ct;
    s.ciphertext.len = ct_keep != 0 && ct_keep < ct_len ? ct_keep : ct_len;
    if (old != NULL) {
        s.supersedes.data = (uint8_t *)old;
        s.supersedes.len = TX_ID_LEN;
    }
    env = sign_msg(id, TX_KIND_ASSESSMENT, &s.base, len);
    free(ct);
    return env;
}

uint8_t *
th_sealed(const tx_identity *id, uint64_t seq, const uint8_t qid[TX_ID_LEN], uint8_t *key,
          size_t *len)
{
    return th_sealed_with(id, seq, qid, NULL, "secret answer text", key, 0, len);
}

uint8_t *
th_grant(const tx_identity *id, uint64_t seq, const uint8_t aid[TX_ID_LEN],
         const tx_pubkey *grantee, const uint8_t *key, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_grant_pb g = TICSX__V1__GRANT__INIT;
    uint8_t sealed[TX_SEALED_KEY_LEN];

    assert_int_equal(tx_seal_key(key, grantee->seal, sealed), TX_OK);
    meta.seq = seq;
    meta.created = 1700000000;
    g.meta = &meta;
    g.assessment.data = (uint8_t *)aid;
    g.assessment.len = TX_ID_LEN;
    g.grantee.data = (uint8_t *)grantee->sign;
    g.grantee.len = 32;
    g.sealed_key.data = sealed;
    g.sealed_key.len = sizeof sealed;
    return sign_msg(id, TX_KIND_GRANT, &g.base, len);
}

uint8_t *
th_revoke(const tx_identity *id, uint64_t seq, const uint8_t gid[TX_ID_LEN],
          const uint8_t aid[TX_ID_LEN], const uint8_t grantee[32], size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_grant_revoke_pb r = TICSX__V1__GRANT_REVOKE__INIT;

    meta.seq = seq;
    meta.created = 1700000000;
    r.meta = &meta;
    r.grant.data = (uint8_t *)gid;
    r.grant.len = TX_ID_LEN;
    r.assessment.data = (uint8_t *)aid;
    r.assessment.len = TX_ID_LEN;
    r.grantee.data = (uint8_t *)grantee;
    r.grantee.len = 32;
    return sign_msg(id, TX_KIND_GRANT_REVOKE, &r.base, len);
}

uint8_t *
th_certificate(const tx_identity *id, uint64_t seq, const tx_identity *holder, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_certificate_pb c = TICSX__V1__CERTIFICATE__INIT;

    meta.seq = seq;
    meta.created = 1700000000;
    c.meta = &meta;
    c.number = "TICS-TEST-0001";
    c.holder_key.data = (uint8_t *)holder->pub.sign;
    c.holder_key.len = 32;
    c.holder_name = (char *)holder->pub.name;
    c.corporate_number = "8000000000001";
    c.scope = "design data";
    c.sector = "manufacturing";
    c.criteria_version = 2024;
    c.issued = 1700000000;
    c.expires = 1700000000 + 365 * 86400;
    return sign_msg(id, TX_KIND_CERTIFICATE, &c.base, len);
}

uint8_t *
th_cert_event(const tx_identity *id, uint64_t seq, const uint8_t cid[TX_ID_LEN], size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_cert_event_pb e = TICSX__V1__CERTIFICATE_EVENT__INIT;

    meta.seq = seq;
    meta.created = 1700000000;
    e.meta = &meta;
    e.certificate.data = (uint8_t *)cid;
    e.certificate.len = TX_ID_LEN;
    e.kind = TICSX__V1__CERT_EVENT_KIND__CERT_EVENT_ANNUAL_REPORT;
    e.effective = 1710000000;
    return sign_msg(id, TX_KIND_CERT_EVENT, &e.base, len);
}

uint8_t *
th_accreditation(const tx_identity *id, uint64_t seq, const tx_identity *body, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_accreditation_pb a = TICSX__V1__ACCREDITATION__INIT;
    char *scopes[] = {"all"};

    meta.seq = seq;
    meta.created = 1700000000;
    a.meta = &meta;
    a.body_key.data = (uint8_t *)body->pub.sign;
    a.body_key.len = 32;
    a.body_name = (char *)body->pub.name;
    a.n_scopes = 1;
    a.scopes = scopes;
    a.valid_from = 1600000000;
    a.valid_until = 1900000000;
    return sign_msg(id, TX_KIND_ACCREDITATION, &a.base, len);
}

int
th_enroll(const char *dir, const tx_identity *id, uint64_t seq, char *out, size_t n)
{
    char path[PATH_MAX + 64];
    char key_id[17];
    char buf[2048];
    uint8_t *env;
    size_t len;
    int rc;

    tx_key_id_hex(id->pub.sign, key_id);
    snprintf(path, sizeof path, "%s-%s-%llu.profile.tx", dir, key_id, (unsigned long long)seq);
    env = th_profile(id, seq, &len);
    unlink(path);
    assert_int_equal(tx_file_create(path, env, len, 0600), TX_OK);
    free(env);
    rc = th_run(out != NULL ? out : buf, out != NULL ? n : sizeof buf, "enroll", "--data", dir,
                path, NULL);
    return rc;
}

tx_conn *
th_connect(const th_hub *h, const tx_identity *id, int timeout_ms)
{
    tx_conn *c = NULL;

    assert_int_equal(tx_conn_open(h->endpoint, h->curve, id, timeout_ms, &c), TX_OK);
    return c;
}

tx_reply_pb *
th_submit(tx_conn *c, const uint8_t *env, size_t len)
{
    tx_reply_pb *r = NULL;

    assert_int_equal(tx_conn_submit(c, env, len, &r), TX_OK);
    return r;
}

int
th_submit_status(tx_conn *c, const uint8_t *env, size_t len, uint64_t *index)
{
    tx_reply_pb *r = th_submit(c, env, len);
    int status = r->status;

    if (index != NULL) {
        *index = r->receipt != NULL ? r->receipt->index : 0;
    }
    if (status != TICSX__V1__STATUS__OK && getenv("TX_TEST_VERBOSE") != NULL) {
        fprintf(stderr, "submit refused: %s\n", r->message);
    }
    tx_free(r);
    return status;
}

tx_reply_pb *
th_list(tx_conn *c, int kind, uint64_t after, uint32_t limit)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_list_records_pb l = TICSX__V1__LIST_RECORDS__INIT;
    tx_reply_pb *r = NULL;

    l.kind = (Ticsx__V1__Kind)kind;
    l.after = after;
    l.limit = limit;
    call.body_case = TICSX__V1__CALL__BODY_LIST;
    call.list = &l;
    assert_int_equal(tx_conn_call(c, &call, &r), TX_OK);
    return r;
}

int
th_get_status(tx_conn *c, const uint8_t id[TX_ID_LEN])
{
    uint8_t *env = NULL;
    size_t len = 0;
    int rc = tx_conn_get(c, id, &env, &len);

    free(env);
    return rc;
}

size_t
th_list_count(tx_conn *c, int kind)
{
    tx_reply_pb *r = th_list(c, kind, 0, 0);
    size_t n;

    assert_int_equal(r->status, TICSX__V1__STATUS__OK);
    n = r->n_entries;
    tx_free(r);
    return n;
}

void *
th_raw_dealer(const th_hub *h, void *ctx, const tx_identity *id, int timeout_ms)
{
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0, timeout = timeout_ms;

    assert_non_null(s);
    assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, h->curve, 32), 0);
    assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, id->pub.curve, 32), 0);
    assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, id->sec->curve, 32), 0);
    assert_int_equal(zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger), 0);
    assert_int_equal(zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout), 0);
    assert_int_equal(zmq_connect(s, h->endpoint), 0);
    return s;
}
