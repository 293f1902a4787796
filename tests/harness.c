/* The test harness: temporary directories, one runner for the ticsx and ticsx-hub binaries,
 * hubs started and stopped, parties, identities and signed records. */
#include "harness.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_hub_admin.h"
#include "tx_key_proof.h"
#include "tx_util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <lmdb.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

char *
th_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    return buf;
}

void
th_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

int
th_file_holds(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    int found;

    assert_non_null(f);
    do {
        if (len == cap) {
            cap = cap ? 2 * cap : 1 << 20;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);
    found = memmem(buf, len, needle, strlen(needle)) != NULL;
    free(buf);
    return found;
}

/* ---- the client's record cache, with LMDB itself ---- */

typedef struct {
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi recs, proofs;
} th_cache;

static void
cache_begin(th_cache *c, const char *home, unsigned flags)
{
    char path[PATH_MAX + 16];

    snprintf(path, sizeof path, "%s/cache", home);
    assert_int_equal(tx_mkdir_private(path), TX_OK);
    assert_int_equal(mdb_env_create(&c->env), 0);
    assert_int_equal(mdb_env_set_maxdbs(c->env, 2), 0);
    assert_int_equal(mdb_env_set_mapsize(c->env, (size_t)1 << 30), 0);
    assert_int_equal(mdb_env_open(c->env, path, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(c->env, NULL, flags, &c->txn), 0);
    assert_int_equal(mdb_dbi_open(c->txn, "records", flags ? 0 : MDB_CREATE, &c->recs), 0);
    assert_int_equal(mdb_dbi_open(c->txn, "proofs", flags ? 0 : MDB_CREATE, &c->proofs), 0);
}

static void
cache_end(th_cache *c, int commit)
{
    if (commit) {
        assert_int_equal(mdb_txn_commit(c->txn), 0);
    } else {
        mdb_txn_abort(c->txn);
    }
    mdb_env_close(c->env);
}

static MDB_val
cache_key(const char *hex, uint8_t id[TX_ID_LEN])
{
    assert_int_equal(tx_unhex(id, TX_ID_LEN, hex), TX_OK);
    return (MDB_val){TX_ID_LEN, id};
}

int
th_cache_get(const char *home, const char *db, const char *hex, uint8_t **val, size_t *len)
{
    uint8_t id[TX_ID_LEN];
    MDB_val k = cache_key(hex, id), v;
    th_cache c;
    int rc;

    *val = NULL;
    *len = 0;
    cache_begin(&c, home, MDB_RDONLY);
    rc = mdb_get(c.txn, strcmp(db, "records") == 0 ? c.recs : c.proofs, &k, &v);
    if (rc == 0) {
        *val = malloc(v.mv_size + 1);
        assert_non_null(*val);
        memcpy(*val, v.mv_data, v.mv_size);
        (*val)[v.mv_size] = 0;
        *len = v.mv_size;
    } else {
        assert_int_equal(rc, MDB_NOTFOUND);
    }
    cache_end(&c, 0);
    return rc == 0;
}

void
th_cache_set(const char *home, const char *db, const char *hex, const void *val, size_t len)
{
    uint8_t id[TX_ID_LEN];
    MDB_val k = cache_key(hex, id), v = {len, (void *)val};
    th_cache c;

    cache_begin(&c, home, 0);
    assert_int_equal(mdb_put(c.txn, strcmp(db, "records") == 0 ? c.recs : c.proofs, &k, &v, 0), 0);
    cache_end(&c, 1);
}

int
th_cache_del(const char *home, const char *db, const char *hex)
{
    uint8_t id[TX_ID_LEN];
    MDB_val k = cache_key(hex, id);
    th_cache c;
    int rc;

    cache_begin(&c, home, 0);
    rc = mdb_del(c.txn, strcmp(db, "records") == 0 ? c.recs : c.proofs, &k, NULL);
    assert_true(rc == 0 || rc == MDB_NOTFOUND);
    cache_end(&c, 1);
    return rc == 0;
}

size_t
th_cache_count(const char *home, const char *db)
{
    char path[PATH_MAX + 16];
    MDB_stat st;
    th_cache c;

    snprintf(path, sizeof path, "%s/cache", home);
    if (access(path, F_OK) != 0) {
        return 0;
    }
    cache_begin(&c, home, MDB_RDONLY);
    assert_int_equal(mdb_stat(c.txn, strcmp(db, "records") == 0 ? c.recs : c.proofs, &st), 0);
    cache_end(&c, 0);
    return st.ms_entries;
}

size_t
th_cache_del_holding(const char *home, const char *db, const char *needle)
{
    MDB_cursor *cur;
    MDB_val k, v;
    th_cache c;
    size_t n = 0;

    cache_begin(&c, home, 0);
    assert_int_equal(mdb_cursor_open(c.txn, strcmp(db, "records") == 0 ? c.recs : c.proofs, &cur),
                     0);
    for (int op = MDB_FIRST; mdb_cursor_get(cur, &k, &v, op) == 0; op = MDB_NEXT) {
        if (memmem(v.mv_data, v.mv_size, needle, strlen(needle)) != NULL ||
            (needle[0] == 0 && v.mv_size == 0)) {
            assert_int_equal(mdb_cursor_del(cur, 0), 0);
            n++;
        }
    }
    mdb_cursor_close(cur);
    cache_end(&c, 1);
    return n;
}

size_t
th_cache_flip(const char *home, size_t min_len, size_t from_end, int restore)
{
    int status;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        MDB_env *env;
        MDB_txn *txn;
        MDB_dbi dbi;
        MDB_cursor *cur;
        MDB_val k, v;
        char path[PATH_MAX + 16];
        static uint8_t keys[250][TX_ID_LEN], *vals[250];
        static size_t lens[250];
        size_t n = 0;

        snprintf(path, sizeof path, "%s/cache", home);
        if (mdb_env_create(&env) != 0 || mdb_env_set_maxdbs(env, 2) != 0 ||
            mdb_env_open(env, path, 0, 0600) != 0 || mdb_txn_begin(env, NULL, 0, &txn) != 0 ||
            mdb_dbi_open(txn, "records", 0, &dbi) != 0 || mdb_cursor_open(txn, dbi, &cur) != 0) {
            _exit(255);
        }
        /* Changed copies are collected first and stored after the walk. */
        for (int op = MDB_FIRST; n < 250 && mdb_cursor_get(cur, &k, &v, op) == 0; op = MDB_NEXT) {
            uint8_t id[TX_ID_LEN];
            if (v.mv_size < min_len || v.mv_size <= from_end || k.mv_size != TX_ID_LEN) {
                continue;
            }
            tx_record_id(v.mv_data, v.mv_size, id);
            if ((memcmp(id, k.mv_data, TX_ID_LEN) != 0) != (restore != 0) ||
                (vals[n] = malloc(v.mv_size)) == NULL) {
                continue;
            }
            memcpy(keys[n], k.mv_data, TX_ID_LEN);
            memcpy(vals[n], v.mv_data, v.mv_size);
            vals[n][v.mv_size - from_end] ^= 0x40;
            lens[n++] = v.mv_size;
        }
        mdb_cursor_close(cur);
        for (size_t i = 0; i < n; i++) {
            MDB_val kk = {TX_ID_LEN, keys[i]}, vv = {lens[i], vals[i]};
            if (mdb_put(txn, dbi, &kk, &vv, 0) != 0) {
                _exit(254);
            }
            free(vals[i]);
        }
        _exit(mdb_txn_commit(txn) == 0 ? (int)n : 253);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_true(WEXITSTATUS(status) <= 250);
    return (size_t)WEXITSTATUS(status);
}

void
th_cache_copy(const char *from, const char *to)
{
    th_cache src, dst;
    MDB_cursor *cur;
    MDB_val k, v;

    cache_begin(&src, from, MDB_RDONLY);
    cache_begin(&dst, to, 0);
    for (int db = 0; db < 2; db++) {
        assert_int_equal(mdb_cursor_open(src.txn, db ? src.proofs : src.recs, &cur), 0);
        for (int op = MDB_FIRST; mdb_cursor_get(cur, &k, &v, op) == 0; op = MDB_NEXT) {
            assert_int_equal(mdb_put(dst.txn, db ? dst.proofs : dst.recs, &k, &v, 0), 0);
        }
        mdb_cursor_close(cur);
    }
    cache_end(&dst, 1);
    cache_end(&src, 0);
}

size_t
th_evidence_count(const char *home, const char *suffix)
{
    char dir[PATH_MAX + 16];
    struct dirent *de;
    size_t n = 0, sl = strlen(suffix);
    DIR *d;

    snprintf(dir, sizeof dir, "%s/evidence", home);
    if ((d = opendir(dir)) == NULL) {
        return 0;
    }
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        n += l > sl && strcmp(de->d_name + l - sl, suffix) == 0;
    }
    closedir(d);
    return n;
}

const char *
th_build_path(char *out, size_t n, const char *rel)
{
    const char *build = getenv("TX_BUILD_DIR");

    assert_non_null(build);
    snprintf(out, n, "%s/%s", build, rel);
    return out;
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

unsigned
th_free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

int64_t
th_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The wrapper to put in front of the program at path: $TX_TEST_CLIENT_WRAPPER for ticsx,
 * $TX_TEST_HUB_WRAPPER for ticsx-hub, else none. Borrowed, NULL when unset or empty. */
static const char *
wrapper_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash != NULL ? slash + 1 : path;
    const char *w = NULL;

    if (strcmp(name, "ticsx") == 0) {
        w = getenv("TX_TEST_CLIENT_WRAPPER");
    } else if (strcmp(name, "ticsx-hub") == 0) {
        w = getenv("TX_TEST_HUB_WRAPPER");
    }
    return w != NULL && *w != 0 ? w : NULL;
}

/* 1 when env (NULL-ended "NAME=VALUE" entries) names the language: LC_ALL, LC_MESSAGES, LANG
 * or LANGUAGE. */
static int
env_names_language(const char *const *env)
{
    static const char *const names[] = {"LC_ALL=", "LC_MESSAGES=", "LANG=", "LANGUAGE="};

    for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            if (strncmp(env[i], names[k], strlen(names[k])) == 0) {
                return 1;
            }
        }
    }
    return 0;
}

/* In a forked child: puts env into the environment and execs argv with its wrapper in front;
 * never returns. The language is never the developer's: without a language in env, children
 * run with LC_ALL=C.UTF-8 (English texts, UTF-8 output); with one, only what env says. */
static void
exec_child(const char *const *env, const char *const *argv)
{
    const char *args[MAX_ARGS];
    const char *wrapper = wrapper_of(argv[0]);
    size_t n = 0;

    unsetenv("LANGUAGE");
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    unsetenv("LANG");
    if (!env_names_language(env)) {
        putenv((char *)"LC_ALL=C.UTF-8");
    }
    for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
        putenv((char *)env[i]);
    }
    if (wrapper != NULL) {
        char *w = strdup(wrapper);
        for (char *save = NULL, *t = strtok_r(w, " ", &save); t != NULL && n < MAX_ARGS / 2;
             t = strtok_r(NULL, " ", &save)) {
            args[n++] = t;
        }
    }
    for (size_t i = 0; argv[i] != NULL && n < MAX_ARGS - 1; i++) {
        args[n++] = argv[i];
    }
    args[n] = NULL;
    execvp(args[0], (char *const *)args);
    _exit(127);
}

/* Forks and execs argv (its wrapper in front) with env added to the environment, stdin from
 * /dev/null, stdout on out_fd and stderr on err_fd (-1: the test's own). Returns the pid. */
static pid_t
spawn(const char *const *env, const char *const *argv, int out_fd, int err_fd)
{
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);

        dup2(in, 0);
        if (out_fd >= 0) {
            dup2(out_fd, 1);
        }
        if (err_fd >= 0) {
            dup2(err_fd, 2);
        }
        exec_child(env, argv);
    }
    return pid;
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

static int
capture_file(char *path, size_t n)
{
    const char *base = getenv("TMPDIR");
    int fd;

    snprintf(path, n, "%s/ticsx-out-XXXXXX", base != NULL && *base ? base : "/tmp");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    return fd;
}

void
th_exec(th_result *r, const char *const *env, const char *const *argv)
{
    char out_path[PATH_MAX], err_path[PATH_MAX];
    int out_fd = capture_file(out_path, sizeof out_path);
    int err_fd = capture_file(err_path, sizeof err_path);
    int64_t deadline = th_now_ms() + (wrapper_of(argv[0]) != NULL ? 600000 : 120000);
    int status = 0;
    pid_t pid = spawn(env, argv, out_fd, err_fd);

    close(out_fd);
    close(err_fd);
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR)) {
            break;
        }
        if (th_now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        usleep(2000);
    }
    r->status = exit_code(status);
    r->out = th_read_file(out_path);
    r->err = th_read_file(err_path);
    unlink(out_path);
    unlink(err_path);
}

void
th_result_free(th_result *r)
{
    free(r->out);
    free(r->err);
    r->out = NULL;
    r->err = NULL;
}

void
th_expect_status(const th_result *r, int status)
{
    if (r->status != status) {
        fail_msg("exit %d, expected %d\nstdout: %s\nstderr: %s", r->status, status, r->out, r->err);
    }
}

void
th_expect_text(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL) {
        fail_msg("\"%s\" not found in:\n%s", needle, hay);
    }
}

json_t *
th_parse_json(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);

    if (j == NULL) {
        fail_msg("not JSON (%s): %s", err.text, text);
    }
    return j;
}

/* The entry of `list` whose member `key` equals v's member `key` (strings or integers). */
static const json_t *
entry_by(const json_t *list, const char *key, const json_t *v)
{
    size_t i;
    const json_t *e;

    json_array_foreach(list, i, e)
    {
        if (json_equal(json_object_get(e, key), json_object_get(v, key))) {
            return e;
        }
    }
    fail_msg("no entry with this \"%s\" in the report's questionnaire", key);
    return NULL;
}

/* A row of a format-2 document with its questionnaire's texts (q: its "questionnaires" entry). */
static void
row_v1(json_t *row, const json_t *q)
{
    json_t *rq = json_object_get(row, "questionnaire"), *items = json_array(), *e;
    size_t i;

    json_object_set(rq, "title", json_object_get(q, "title"));
    json_object_set(rq, "provenance", json_object_get(q, "provenance"));
    json_array_foreach(json_object_get(row, "areas"), i, e)
    {
        json_object_set(e, "name", json_object_get(entry_by(json_object_get(q, "areas"), "id", e),
                                                   "name"));
    }
    json_array_foreach(json_object_get(row, "levels"), i, e)
    {
        json_object_set(
            e, "name",
            json_object_get(entry_by(json_object_get(q, "levels"), "level", e), "name"));
    }
    if (json_is_object(json_object_get(row, "level_next"))) {
        e = json_object_get(row, "level_next");
        json_object_set(
            e, "name",
            json_object_get(entry_by(json_object_get(q, "levels"), "level", e), "name"));
    }
    json_array_foreach(json_object_get(row, "items"), i, e)
    {
        const json_t *it = entry_by(json_object_get(q, "items"), "id", e);
        const json_t *ans = json_object_get(e, "answer");
        const json_t *ch = NULL;
        json_t *o;
        if (json_is_string(ans)) {
            json_t *code = json_pack("{s:O}", "code", ans);
            ch = entry_by(json_object_get(q, "choices"), "code", code);
            json_decref(code);
        }
        o = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:b,s:O}", "id",
                      json_object_get(it, "id"), "area", json_object_get(it, "area"), "level",
                      json_object_get(it, "level"), "weight", json_object_get(it, "weight"),
                      "text", json_object_get(it, "text"), "topics",
                      json_object_get(it, "topics"), "answer", ans, "label",
                      ch != NULL ? json_object_get(ch, "label") : json_null(), "score_permille",
                      ch != NULL ? json_object_get(ch, "score_permille") : json_null(),
                      "not_applicable",
                      ch != NULL && json_is_true(json_object_get(ch, "not_applicable")),
                      "comment", json_object_get(e, "comment"));
        assert_non_null(o);
        json_array_append_new(items, o);
    }
    json_object_set_new(row, "items", items);
}

json_t *
th_report_v1(json_t *root)
{
    size_t d;
    json_t *doc;

    assert_int_equal(json_integer_value(json_object_get(root, "format")), 2);
    json_array_foreach(json_object_get(root, "reports"), d, doc)
    {
        const json_t *qs = json_object_get(doc, "questionnaires");
        json_t *sups = json_object_get(doc, "suppliers"), *nodes = json_object_get(doc, "nodes");
        json_t *e;
        size_t i;

        assert_int_equal(json_integer_value(json_object_get(doc, "format")), 2);
        assert_true(json_is_array(qs));
        json_array_foreach(sups, i, e)
        {
            const json_t *rq = json_object_get(e, "questionnaire");
            if (json_is_object(rq)) {
                row_v1(e, entry_by(qs, "record", rq));
            }
        }
        json_array_foreach(nodes, i, e)
        {
            const json_t *at = json_object_get(e, "row");
            if (json_is_integer(at)) {
                json_t *full = json_deep_copy(json_array_get(sups, (size_t)json_integer_value(at)));
                assert_non_null(full);
                json_object_del(e, "row");
                json_object_update(full, e);
                json_array_set_new(nodes, i, full);
            } else {
                assert_true(json_is_null(at));
                json_object_del(e, "row");
            }
        }
        json_object_del(doc, "questionnaires");
        json_object_del(doc, "format");
    }
    json_object_del(root, "format");
    return root;
}

json_t *
th_report_doc(const json_t *root)
{
    const json_t *docs = json_object_get(root, "reports");

    if (json_integer_value(json_object_get(root, "format")) == 2) {
        th_report_v1((json_t *)root);
    }

    if (json_array_size(docs) != 1) {
        fail_msg("a report of one questionnaire expected, got %zu documents",
                 json_array_size(docs));
    }
    return json_array_get(docs, 0);
}

int
th_run(char *out, size_t n, ...)
{
    const char *argv[MAX_ARGS];
    size_t k = 0;
    th_result r;
    va_list ap;

    argv[k++] = th_hub_bin();
    va_start(ap, n);
    for (const char *a = va_arg(ap, const char *); a != NULL && k < MAX_ARGS - 1;
         a = va_arg(ap, const char *)) {
        argv[k++] = a;
    }
    va_end(ap);
    argv[k] = NULL;
    th_exec(&r, NULL, argv);
    if (out != NULL && n > 0) {
        snprintf(out, n, "%s%s", r.out, r.err);
    }
    th_result_free(&r);
    return r.status;
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

int
th_hub_enroll(const char *dir, const char *profile, char *out, size_t n)
{
    char buf[2048];
    int rc = th_run(out != NULL ? out : buf, out != NULL ? n : sizeof buf, "enroll", "--data", dir,
                    profile, NULL);

    if (rc != 0 && out == NULL) {
        fprintf(stderr, "ticsx-hub enroll failed (%d): %s\n", rc, buf);
    }
    return rc;
}

/* Hubs started and not stopped yet, for th_stop_leftover_hubs. */
static pid_t live_hubs[32];

static void
forget_hub(pid_t pid)
{
    for (size_t i = 0; i < TX_ARRAY_LEN(live_hubs); i++) {
        if (live_hubs[i] == pid) {
            live_hubs[i] = 0;
        }
    }
}

static void
remember_hub(pid_t pid)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < TX_ARRAY_LEN(live_hubs); i++) {
            int status;

            if (live_hubs[i] == 0) {
                live_hubs[i] = pid;
                return;
            }
            /* Second pass: a slot whose hub the test killed and reaped itself is free. */
            if (pass == 1 && waitpid(live_hubs[i], &status, WNOHANG) != 0) {
                live_hubs[i] = pid;
                return;
            }
        }
    }
    fail_msg("more than %zu hubs running at once", TX_ARRAY_LEN(live_hubs));
}

int
th_stop_leftover_hubs(void **state)
{
    (void)state;
    for (size_t i = 0; i < TX_ARRAY_LEN(live_hubs); i++) {
        int status;

        /* Only children not reaped yet, so a pid already waited for is never signalled. */
        if (live_hubs[i] > 0 && waitpid(live_hubs[i], &status, WNOHANG) == 0) {
            kill(live_hubs[i], SIGKILL);
            waitpid(live_hubs[i], &status, 0);
        }
        live_hubs[i] = 0;
    }
    return 0;
}

void
th_hub_start(th_hub *h, const char *dir, const th_hub_opts *opts)
{
    const th_hub_opts none = {0};
    const char *argv[MAX_ARGS];
    const char *env[2] = {NULL, NULL};
    char path[PATH_MAX + 16], now[64];
    int log_fd = -1;
    tx_pubkey pk;
    int64_t deadline;
    size_t k = 0;

    if (opts == NULL) {
        opts = &none;
    }
    memset(h, 0, sizeof *h);
    snprintf(h->dir, sizeof h->dir, "%s", dir);
    snprintf(h->key, sizeof h->key, "%s/hub.pub", dir);
    snprintf(h->log, sizeof h->log, "%s.log", dir);
    assert_int_equal(tx_pubkey_load(h->key, &pk), TX_OK);
    memcpy(h->curve, pk.curve, 32);
    snprintf(path, sizeof path, "%s/endpoint", dir);
    unlink(path);
    argv[k++] = th_hub_bin();
    argv[k++] = "run";
    argv[k++] = "--data";
    argv[k++] = dir;
    argv[k++] = "--bind";
    argv[k++] = opts->bind != NULL ? opts->bind : "tcp://127.0.0.1:*";
    argv[k++] = "--log-level";
    argv[k++] = "debug";
    for (size_t i = 0; opts->args != NULL && opts->args[i] != NULL && k < MAX_ARGS - 1; i++) {
        argv[k++] = opts->args[i];
    }
    argv[k] = NULL;
    if (opts->now != NULL) {
        snprintf(now, sizeof now, "TICSX_NOW=%s", opts->now);
        env[0] = now;
    }
    /* TX_TEST_HUB_LOG=1 shows the hub's log on the test's stderr. */
    if (getenv("TX_TEST_HUB_LOG") == NULL) {
        log_fd = open(h->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    }
    h->pid = spawn(env, argv, log_fd, log_fd);
    if (log_fd >= 0) {
        close(log_fd);
    }
    remember_hub(h->pid);
    deadline = th_now_ms() + (wrapper_of(argv[0]) != NULL ? 60000 : 20000);
    while (th_now_ms() < deadline) {
        int status;

        if (tx_hub_read_endpoint(dir, h->endpoint, sizeof h->endpoint) == TX_OK) {
            return;
        }
        if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
            fprintf(stderr, "ticsx-hub run exited early (%d); see %s\n", exit_code(status), h->log);
            forget_hub(h->pid);
            h->pid = 0;
            fail();
        }
        usleep(5000);
    }
    fprintf(stderr, "ticsx-hub run did not write %s in time; see %s\n", path, h->log);
    fail();
}

int
th_hub_try_run(const char *dir, char *out, size_t n)
{
    const char *argv[] = {th_hub_bin(),        "run",         "--data", dir, "--bind",
                          "tcp://127.0.0.1:*", "--log-level", "error",  NULL};
    char log[PATH_MAX + 8], endpoint[PATH_MAX + 16];
    int64_t until = th_now_ms() + (wrapper_of(argv[0]) != NULL ? 60000 : 10000);
    int status = 0, fd;
    ssize_t got;
    pid_t pid;

    snprintf(log, sizeof log, "%s.log", dir);
    snprintf(endpoint, sizeof endpoint, "%s/endpoint", dir);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    pid = spawn(NULL, argv, fd, fd);
    close(fd);
    for (;;) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            break;
        }
        if (access(endpoint, F_OK) == 0 || th_now_ms() > until) {
            kill(pid, SIGTERM);
            waitpid(pid, &status, 0);
            fprintf(stderr, "# ticsx-hub run served %s\n", dir);
            return -1;
        }
        usleep(20000);
    }
    fd = open(log, O_RDONLY);
    got = fd >= 0 ? read(fd, out, n - 1) : 0;
    out[got > 0 ? got : 0] = 0;
    if (fd >= 0) {
        close(fd);
    }
    return exit_code(status);
}

int
th_hub_alive(th_hub *h)
{
    int status;

    if (h->pid <= 0) {
        return 0;
    }
    if (waitpid(h->pid, &status, WNOHANG) == h->pid) {
        forget_hub(h->pid);
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
    forget_hub(h->pid);
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

/* The command line and environment of a ticsx run; strings live in the struct. */
typedef struct {
    char bin[PATH_MAX], hub[300], key[PATH_MAX + 32], now[64];
    const char *env[24];
    const char *argv[MAX_ARGS];
} ticsx_cmd;

static void
ticsx_cmd_make(ticsx_cmd *c, const th_ticsx_opts *opts, const char *home, va_list ap)
{
    const th_ticsx_opts none = {0};
    size_t n = 0, e = 0;

    if (opts == NULL) {
        opts = &none;
    }
    snprintf(c->hub, sizeof c->hub, "TICSX_HUB=%s", opts->hub != NULL ? opts->hub->endpoint : "");
    snprintf(c->key, sizeof c->key, "TICSX_HUB_KEY=%s", opts->hub != NULL ? opts->hub->key : "");
    snprintf(c->now, sizeof c->now, "TICSX_NOW=%s", opts->now != NULL ? opts->now : "");
    c->env[e++] = c->hub;
    c->env[e++] = c->key;
    c->env[e++] = c->now;
    for (size_t i = 0; opts->env != NULL && opts->env[i] != NULL && e < 23; i++) {
        c->env[e++] = opts->env[i];
    }
    c->env[e] = NULL;
    c->argv[n++] = th_build_path(c->bin, sizeof c->bin, "client/ticsx");
    c->argv[n++] = "--home";
    c->argv[n++] = home;
    for (const char *a = va_arg(ap, const char *); a != NULL && n < MAX_ARGS - 1;
         a = va_arg(ap, const char *)) {
        c->argv[n++] = a;
    }
    c->argv[n] = NULL;
}

void
th_ticsx_v(th_result *r, const th_ticsx_opts *opts, const char *home, va_list ap)
{
    ticsx_cmd c;

    ticsx_cmd_make(&c, opts, home, ap);
    th_exec(r, c.env, c.argv);
}

pid_t
th_ticsx_spawn_v(const th_ticsx_opts *opts, const char *out, const char *err, const char *home,
                 va_list ap)
{
    ticsx_cmd c;
    int o, e;
    pid_t pid;

    ticsx_cmd_make(&c, opts, home, ap);
    o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    e = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(o >= 0 && e >= 0);
    pid = spawn(c.env, c.argv, o, e);
    close(o);
    close(e);
    return pid;
}

void
th_ticsx_with(th_result *r, const th_ticsx_opts *opts, const char *home, ...)
{
    va_list ap;

    va_start(ap, home);
    th_ticsx_v(r, opts, home, ap);
    va_end(ap);
}

void
th_ticsx(th_result *r, const th_hub *hub, const char *home, ...)
{
    const th_ticsx_opts opts = {.hub = hub};
    va_list ap;

    va_start(ap, home);
    th_ticsx_v(r, &opts, home, ap);
    va_end(ap);
}

void
th_ticsx_expect(int status, const th_hub *hub, const char *home, ...)
{
    const th_ticsx_opts opts = {.hub = hub};
    th_result r;
    va_list ap, args;

    va_start(ap, home);
    va_copy(args, ap);
    th_ticsx_v(&r, &opts, home, ap);
    if (r.status != status) {
        fprintf(stderr, "ticsx");
        for (const char *a = va_arg(args, const char *); a != NULL;
             a = va_arg(args, const char *)) {
            fprintf(stderr, " %s", a);
        }
        fprintf(stderr, "\n");
    }
    va_end(args);
    va_end(ap);
    th_expect_status(&r, status);
    th_result_free(&r);
}

void
th_ticsx_id(char id[65], const th_hub *hub, const char *home, ...)
{
    const th_ticsx_opts opts = {.hub = hub};
    th_result r;
    va_list ap;

    va_start(ap, home);
    th_ticsx_v(&r, &opts, home, ap);
    va_end(ap);
    th_expect_status(&r, 0);
    if (strlen(r.out) < 65 || r.out[64] != '\n') {
        fail_msg("no id in: %s\nstderr: %s", r.out, r.err);
    }
    memcpy(id, r.out, 64);
    id[64] = 0;
    th_result_free(&r);
}

void
th_party(const char *hubdir, const char *home, const char *name, const char *corp)
{
    char profile[PATH_MAX + 16];
    th_result r;

    if (corp != NULL) {
        th_ticsx(&r, NULL, home, "keygen", "--name", name, "--corporate-number", corp, NULL);
    } else {
        th_ticsx(&r, NULL, home, "keygen", "--name", name, NULL);
    }
    th_expect_status(&r, 0);
    th_expect_text(r.out, "SHA256:");
    th_result_free(&r);
    if (hubdir != NULL) {
        snprintf(profile, sizeof profile, "%s/profile.tx", home);
        assert_int_equal(th_hub_enroll(hubdir, profile, NULL, 0), 0);
    }
}

void
th_world_begin(th_world *w)
{
    memset(w, 0, sizeof *w);
    w->root = th_tmpdir();
    snprintf(w->hubdir, sizeof w->hubdir, "%s/hub", w->root);
    th_hub_init(w->hubdir);
}

char *
th_world_home(const th_world *w, char *home, const char *dir)
{
    snprintf(home, PATH_MAX, "%s/%s", w->root, dir);
    return home;
}

char *
th_world_party(const th_world *w, char *home, const char *dir, const char *name, const char *corp)
{
    th_party(w->hubdir, th_world_home(w, home, dir), name, corp);
    return home;
}

void
th_world_start(th_world *w)
{
    th_hub_start(&w->hub, w->hubdir, NULL);
}

void
th_world_certify(const th_world *w, const char *meti, const char *pinner, const char *body,
                 const char *body_name, const char *holder, const char *number, const char *issued)
{
    char path[PATH_MAX];

    snprintf(path, sizeof path, "%s/identity.pub", meti);
    th_ticsx_expect(0, &w->hub, pinner, "trust", "add", path, NULL);
    th_ticsx_expect(0, &w->hub, meti, "accredit", "--body", body_name, "--scope", "all", "--from",
                    "2024-01-01", "--until", "2099-01-01", NULL);
    th_ticsx_expect(0, &w->hub, body, "cert", "issue", "--holder", holder, "--number", number,
                    "--scope", "設計・製造部門", "--sector", "manufacturing", "--criteria", "2024",
                    "--issued", issued, NULL);
}

void
th_answers_file(const th_hub *hub, const char *home, const char *req, const char *choice,
                json_t *subs, const char *path)
{
    json_t *j, *arr;
    char *text;

    th_ticsx_expect(0, hub, home, "questionnaire", "template", req, "--format", "json", "--out",
                    path, NULL);
    text = th_read_file(path);
    j = th_parse_json(text);
    free(text);
    arr = json_object_get(j, "answers");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_object_set_new(json_array_get(arr, i), "answer", json_string(choice));
    }
    if (subs != NULL) {
        json_object_set_new(j, "suppliers", subs);
    }
    assert_int_equal(json_dump_file(j, path, 0), 0);
    json_decref(j);
}

void
th_world_end(th_world *w)
{
    if (w->hub.pid > 0) {
        assert_int_equal(th_hub_stop(&w->hub, SIGTERM), 0);
    }
    if (getenv("TX_TEST_KEEP") == NULL) {
        th_rmtree(w->root);
    } else {
        fprintf(stderr, "kept %s\n", w->root);
    }
    free(w->root);
    w->root = NULL;
}

enum { GIVEN_NOT_YET, GIVEN_UNDER_WAY, GIVEN_MADE };

int
th_given(int *step, const char *what)
{
    if (*step == GIVEN_UNDER_WAY) {
        fail_msg("%s failed in an earlier case", what);
    }
    if (*step == GIVEN_MADE) {
        return 0;
    }
    *step = GIVEN_UNDER_WAY;
    return 1;
}

void
th_given_made(int *step)
{
    *step = GIVEN_MADE;
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

/* The parts of the one-item questionnaire of the hub tests, tied together in q. */
typedef struct {
    tx_meta_pb meta;
    tx_local_text_pb text;
    tx_area_pb area;
    tx_item_pb item;
    tx_choice_pb yes;
    tx_area_pb *areas[1];
    tx_item_pb *items[1];
    tx_choice_pb *scale[1];
    tx_questionnaire_pb q;
} test_questionnaire;

static void
questionnaire_fill(test_questionnaire *t, const char *qid, uint64_t seq)
{
    *t = (test_questionnaire){
        .meta = TICSX__V1__META__INIT,
        .text = TICSX__V1__LOCAL_TEXT__INIT,
        .area = TICSX__V1__AREA__INIT,
        .item = TICSX__V1__ITEM__INIT,
        .yes = TICSX__V1__CHOICE__INIT,
        .q = TICSX__V1__QUESTIONNAIRE__INIT,
    };
    t->meta.seq = seq;
    t->meta.created = 1700000000;
    t->text.ja = "規程";
    t->text.en = "rules";
    t->area.id = "rules";
    t->area.name = &t->text;
    t->item.id = "rules-1";
    t->item.area = "rules";
    t->item.level = 1;
    t->item.text = &t->text;
    t->item.weight = 1;
    t->yes.code = "yes";
    t->yes.label = &t->text;
    t->yes.score_permille = 1000;
    t->areas[0] = &t->area;
    t->items[0] = &t->item;
    t->scale[0] = &t->yes;
    t->q.meta = &t->meta;
    t->q.id = (char *)qid;
    t->q.version = 1;
    t->q.title = &t->text;
    t->q.n_areas = 1;
    t->q.areas = t->areas;
    t->q.n_items = 1;
    t->q.items = t->items;
    t->q.n_scale = 1;
    t->q.scale = t->scale;
}

uint8_t *
th_questionnaire(const tx_identity *id, uint64_t seq, size_t *len)
{
    test_questionnaire t;
    char qid[64];

    snprintf(qid, sizeof qid, "test-q-%llu", (unsigned long long)seq);
    questionnaire_fill(&t, qid, seq);
    return sign_msg(id, TX_KIND_QUESTIONNAIRE, &t.q.base, len);
}

uint8_t *
th_questionnaire_payload(const char *qid, uint64_t seq, size_t *len)
{
    test_questionnaire t;
    uint8_t *packed;

    questionnaire_fill(&t, qid, seq);
    assert_int_equal(tx_pack(&t.q.base, &packed, len), TX_OK);
    return packed;
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

    tx_key_id_hex(id->pub.sign, key_id);
    snprintf(path, sizeof path, "%s-%s-%llu.profile.tx", dir, key_id, (unsigned long long)seq);
    env = th_profile(id, seq, &len);
    unlink(path);
    assert_int_equal(tx_file_create(path, env, len, 0600), TX_OK);
    free(env);
    return th_hub_enroll(dir, path, out != NULL ? out : buf, out != NULL ? n : sizeof buf);
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

uint8_t *
th_member(const tx_identity *org, const uint8_t named[32], uint64_t seq,
          const tx_identity *person, const uint8_t curve[32], int role, int64_t from,
          int64_t until, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_member_pb m = TICSX__V1__MEMBER_RECORD__INIT;

    meta.seq = seq;
    meta.created = 1700000000;
    m.meta = &meta;
    m.organisation = (ProtobufCBinaryData){32, (uint8_t *)named};
    m.signing_key = (ProtobufCBinaryData){32, (uint8_t *)person->pub.sign};
    m.seal_key = (ProtobufCBinaryData){32, (uint8_t *)person->pub.seal};
    m.transport_key = (ProtobufCBinaryData){32, (uint8_t *)curve};
    m.name = (char *)person->pub.name;
    m.role = role;
    m.valid_from = from;
    m.valid_until = until;
    return sign_msg(org, TX_KIND_MEMBER, &m.base, len);
}

uint8_t *
th_member_removal(const tx_identity *org, uint64_t seq, const uint8_t person[32],
                  int64_t effective, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_member_remove_pb x = TICSX__V1__MEMBER_REMOVE__INIT;

    meta.seq = seq;
    meta.created = 1700000000;
    x.meta = &meta;
    x.organisation = (ProtobufCBinaryData){32, (uint8_t *)org->pub.sign};
    x.signing_key = (ProtobufCBinaryData){32, (uint8_t *)person};
    x.effective = effective;
    return sign_msg(org, TX_KIND_MEMBER_REMOVE, &x.base, len);
}

uint8_t *
th_key_successor(const tx_identity *by, const uint8_t org[32], const uint8_t pred[32], uint64_t seq,
                 const tx_identity *succ, const tx_identity *prover, int64_t effective, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_key_successor_pb r = TICSX__V1__KEY_SUCCESSOR__INIT;
    uint8_t sig[TX_SIG_LEN];
    uint8_t *env = NULL;

    meta.seq = seq;
    meta.created = 1700000000;
    r.meta = &meta;
    r.organisation = (ProtobufCBinaryData){32, (uint8_t *)org};
    r.predecessor = (ProtobufCBinaryData){32, (uint8_t *)pred};
    r.signing_key = (ProtobufCBinaryData){32, (uint8_t *)succ->pub.sign};
    r.seal_key = (ProtobufCBinaryData){32, (uint8_t *)succ->pub.seal};
    r.transport_key = (ProtobufCBinaryData){32, (uint8_t *)succ->pub.curve};
    r.effective = effective;
    if (prover == succ) {
        assert_int_equal(tx_key_proof_sign(succ, &r, sig), TX_OK);
    } else {
        /* The forger signs the statement with its own key: not the successor's signature. */
        r.signing_key.data = (uint8_t *)prover->pub.sign;
        assert_int_equal(tx_key_proof_sign(prover, &r, sig), TX_OK);
        r.signing_key.data = (uint8_t *)succ->pub.sign;
    }
    assert_int_equal(tx_envelope_sign_msg(by, TX_KIND_KEY_SUCCESSOR, &r.base, &env, len), TX_OK);
    return env;
}

uint8_t *
th_key_revocation(const tx_identity *by, const uint8_t org[32], uint64_t seq, const uint8_t key[32],
                  int64_t from, uint64_t from_index, const char *reason, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_key_revocation_pb r = TICSX__V1__KEY_REVOCATION__INIT;

    meta.seq = seq;
    meta.created = 1700000000;
    r.meta = &meta;
    r.organisation = (ProtobufCBinaryData){32, (uint8_t *)org};
    r.key = (ProtobufCBinaryData){32, (uint8_t *)key};
    r.from = from;
    r.from_index = from_index;
    r.reason = (char *)reason;
    return sign_msg(by, TX_KIND_KEY_REVOCATION, &r.base, len);
}

uint8_t *
th_draft(const tx_identity *id, uint64_t seq, const uint8_t rid[TX_ID_LEN],
         const uint8_t qid[TX_ID_LEN], const uint8_t to[32], const char *text, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_draft_pb d = TICSX__V1__DRAFT__INIT;
    size_t n = strlen(text) + crypto_box_SEALBYTES;
    uint8_t *sealed = malloc(n), *env;

    assert_non_null(sealed);
    assert_int_equal(crypto_box_seal(sealed, (const uint8_t *)text, strlen(text), to), 0);
    meta.seq = seq;
    meta.created = time(NULL); /* within its signer's membership */
    d.meta = &meta;
    d.request = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)rid};
    d.questionnaire = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)qid};
    d.sealed = (ProtobufCBinaryData){n, sealed};
    env = sign_msg(id, TX_KIND_DRAFT, &d.base, len);
    free(sealed);
    return env;
}

uint8_t *
th_draft_decision(const tx_identity *id, uint64_t seq, const uint8_t did[TX_ID_LEN],
                  const uint8_t *aid, size_t *len)
{
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_draft_decision_pb d = TICSX__V1__DRAFT_DECISION__INIT;

    meta.seq = seq;
    meta.created = time(NULL);
    d.meta = &meta;
    d.draft = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)did};
    if (aid != NULL) {
        d.approved = 1;
        d.assessment = (ProtobufCBinaryData){TX_ID_LEN, (uint8_t *)aid};
    }
    return sign_msg(id, TX_KIND_DRAFT_DECISION, &d.base, len);
}

int
th_ping(tx_conn *c)
{
    tx_call_pb call = TICSX__V1__CALL__INIT;
    tx_reply_pb *r = NULL;
    int rc;

    call.body_case = TICSX__V1__CALL__BODY_PING;
    call.ping = 1;
    rc = tx_conn_call(c, &call, &r);
    if (rc == TX_OK) {
        rc = tx_status_err(r->status);
    }
    tx_free(r);
    return rc;
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

void
th_person(const th_hub *hub, const char *home, const char *org_home, const char *name,
          const char *role)
{
    char profile[PATH_MAX + 16], key[PATH_MAX + 16], id[65];

    snprintf(profile, sizeof profile, "%s/profile.tx", org_home);
    snprintf(key, sizeof key, "%s/identity.pub", home);
    th_ticsx_expect(0, hub, home, "keygen", "--name", name, "--member-of", profile, NULL);
    th_ticsx_id(id, hub, org_home, "member", "add", "--name", name, "--role", role, "--key", key,
                NULL);
}
