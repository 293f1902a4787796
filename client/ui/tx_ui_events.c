/* The event streams (Server-Sent Events) to the open pages: a list of streams, each a bounded
 * queue of formatted events. A sender never waits for a page: when a page reads too slowly its
 * oldest events are dropped. An idle stream gets a keep-alive comment every 15 s. */
#include "tx_ui_server.h"

#include "tx_error.h"
#include "tx_msg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tx_ui_stream {
    tx_ui_events *ev;
    tx_ui_stream *next;
    pthread_cond_t cv;           /* signalled when an event is queued or the list shuts down */
    char *q[TX_UI_STREAM_QUEUE]; /* formatted events, oldest at q[head] */
    size_t head, count;
    char *cur; /* the event being copied out, from cur[off] */
    size_t off;
    struct timespec last; /* when something was last copied out (CLOCK_MONOTONIC) */
};

struct tx_ui_events {
    pthread_mutex_t mu; /* guards everything here and in the streams */
    tx_ui_stream *streams;
    size_t n;
    int closed;
    char *last_hub; /* the last `hub` event, sent first to every new stream */
};

static const char keepalive[] = ": keepalive\n\n";

tx_ui_events *
tx_ui_events_new(void)
{
    tx_ui_events *ev = calloc(1, sizeof *ev);

    if (ev != NULL) {
        pthread_mutex_init(&ev->mu, NULL);
    }
    return ev;
}

void
tx_ui_events_shutdown(tx_ui_events *ev)
{
    if (ev == NULL) {
        return;
    }
    pthread_mutex_lock(&ev->mu);
    ev->closed = 1;
    for (tx_ui_stream *s = ev->streams; s != NULL; s = s->next) {
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&ev->mu);
}

void
tx_ui_events_free(tx_ui_events **ev_p)
{
    tx_ui_events *ev = *ev_p;

    if (ev == NULL) {
        return;
    }
    while (ev->streams != NULL) { /* only when a caller forgot one; never expected */
        tx_ui_stream_close(ev->streams);
    }
    free(ev->last_hub);
    pthread_mutex_destroy(&ev->mu);
    free(ev);
    *ev_p = NULL;
}

int
tx_ui_stream_open(tx_ui_events *ev, tx_ui_stream **out)
{
    tx_ui_stream *s;
    pthread_condattr_t ca;

    *out = NULL;
    pthread_mutex_lock(&ev->mu);
    if (ev->closed || ev->n >= TX_UI_STREAMS_MAX) {
        pthread_mutex_unlock(&ev->mu);
        return tx_fail(TX_ERR_BUSY, "ui: too many open pages (%d): close some and reload",
                       TX_UI_STREAMS_MAX);
    }
    if ((s = calloc(1, sizeof *s)) == NULL) {
        pthread_mutex_unlock(&ev->mu);
        return tx_fail(TX_ERR_NOMEM, "out of memory");
    }
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    s->ev = ev;
    clock_gettime(CLOCK_MONOTONIC, &s->last);
    if (ev->last_hub != NULL && (s->q[0] = strdup(ev->last_hub)) != NULL) {
        s->count = 1; /* the page learns the hub's state at once */
    }
    s->next = ev->streams;
    ev->streams = s;
    ev->n++;
    pthread_mutex_unlock(&ev->mu);
    *out = s;
    return TX_OK;
}

void
tx_ui_stream_close(tx_ui_stream *s)
{
    tx_ui_events *ev;

    if (s == NULL) {
        return;
    }
    ev = s->ev;
    pthread_mutex_lock(&ev->mu);
    for (tx_ui_stream **p = &ev->streams; *p != NULL; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            ev->n--;
            break;
        }
    }
    pthread_mutex_unlock(&ev->mu);
    for (size_t i = 0; i < s->count; i++) {
        free(s->q[(s->head + i) % TX_UI_STREAM_QUEUE]);
    }
    free(s->cur);
    pthread_cond_destroy(&s->cv);
    free(s);
}

ssize_t
tx_ui_stream_read(tx_ui_stream *s, char *buf, size_t n, int wait_ms)
{
    tx_ui_events *ev = s->ev;
    struct timespec now, deadline;
    size_t len = 0;

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += wait_ms / 1000;
    deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&ev->mu);
    while (!ev->closed && s->cur == NULL && s->count == 0) {
        if (pthread_cond_timedwait(&s->cv, &ev->mu, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    if (ev->closed) {
        pthread_mutex_unlock(&ev->mu);
        return -1;
    }
    if (s->cur == NULL && s->count > 0) {
        s->cur = s->q[s->head];
        s->off = 0;
        s->q[s->head] = NULL;
        s->head = (s->head + 1) % TX_UI_STREAM_QUEUE;
        s->count--;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (s->cur != NULL) {
        size_t left = strlen(s->cur + s->off);
        len = left < n ? left : n;
        memcpy(buf, s->cur + s->off, len);
        s->off += len;
        if (s->cur[s->off] == 0) {
            free(s->cur);
            s->cur = NULL;
        }
        s->last = now;
    } else if (now.tv_sec - s->last.tv_sec >= TX_UI_KEEPALIVE_S) {
        len = sizeof keepalive - 1 < n ? sizeof keepalive - 1 : n;
        memcpy(buf, keepalive, len);
        s->last = now;
    }
    pthread_mutex_unlock(&ev->mu);
    return (ssize_t)len;
}

void
tx_ui_event(tx_ui_app *app, const char *event, json_t *data)
{
    tx_ui_events *ev = app != NULL ? app->events : NULL;
    char *text = NULL, *msg = NULL;
    size_t len;

    if (ev == NULL || (text = json_dumps(data, JSON_COMPACT | JSON_ENSURE_ASCII)) == NULL) {
        goto out;
    }
    /* JSON_COMPACT writes no newline, so the data is one `data:` line. */
    len = strlen(event) + strlen(text) + 20;
    if ((msg = malloc(len)) == NULL) {
        goto out;
    }
    snprintf(msg, len, "event: %s\ndata: %s\n\n", event, text);
    pthread_mutex_lock(&ev->mu);
    if (strcmp(event, "hub") == 0) {
        free(ev->last_hub);
        ev->last_hub = strdup(msg);
    }
    for (tx_ui_stream *s = ev->streams; s != NULL && !ev->closed; s = s->next) {
        char *copy = strdup(msg);
        if (copy == NULL) {
            continue;
        }
        if (s->count == TX_UI_STREAM_QUEUE) { /* the page is behind: drop its oldest */
            free(s->q[s->head]);
            s->q[s->head] = NULL;
            s->head = (s->head + 1) % TX_UI_STREAM_QUEUE;
            s->count--;
        }
        s->q[(s->head + s->count) % TX_UI_STREAM_QUEUE] = copy;
        s->count++;
        pthread_cond_signal(&s->cv);
    }
    pthread_mutex_unlock(&ev->mu);
out:
    free(msg);
    free(text);
    json_decref(data);
}
