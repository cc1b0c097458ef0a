/*
 * The worker pool: a mutex-protected FIFO of jobs and a condition variable.
 * Stopping drains the queue before the threads exit so that every FUSE
 * request handed to a job still gets its reply.
 */
#include "fs/workers.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#define WORKERS_THREADS_MAX 16

struct workers_job {
	void (*fn)(void *arg);
	void *arg;
	struct workers_job *next;
};

struct workers {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct workers_job *head, *tail;
	size_t queued;
	size_t running; /* jobs being run now */
	bool stopping;
	pthread_t threads[WORKERS_THREADS_MAX];
	size_t nthreads;
};

static void *workers_main(void *arg)
{
	struct workers *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct workers_job *j;

		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->cond, &w->lock);
		j = w->head;
		if (!j)
			break;
		w->head = j->next;
		if (!w->head)
			w->tail = NULL;
		w->queued--;
		w->running++;
		pthread_mutex_unlock(&w->lock);
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&w->lock);
		w->running--;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int workers_start(size_t nthreads, struct workers **out)
{
	struct workers *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > WORKERS_THREADS_MAX)
		nthreads = WORKERS_THREADS_MAX;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	for (size_t i = 0; i < nthreads; i++) {
		if (pthread_create(&w->threads[i], NULL, workers_main, w)) {
			workers_stop(w);
			return -EAGAIN;
		}
		w->nthreads++;
	}
	*out = w;
	return 0;
}

void workers_stop(struct workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (size_t i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int workers_submit(struct workers *w, void (*fn)(void *arg), void *arg)
{
	struct workers_job *j;
	int r = 0;

	j = malloc(sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->fn = fn;
	j->arg = arg;
	j->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->stopping)
		r = -ESHUTDOWN;
	else if (w->queued >= WORKERS_QUEUE_MAX)
		r = -EAGAIN;
	if (!r) {
		if (w->tail)
			w->tail->next = j;
		else
			w->head = j;
		w->tail = j;
		w->queued++;
		pthread_cond_signal(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	if (r)
		free(j);
	return r;
}

int workers_hand(struct workers *w, fuse_req_t req, void (*run)(void *job), void *job,
		 void (*drop)(void *job))
{
	int r = job ? workers_submit(w, run, job) : -ENOMEM;

	if (!r)
		return 0;
	if (job && drop)
		drop(job);
	else
		free(job);
	fuse_reply_err(req, -r);
	return r;
}

bool workers_idle(struct workers *w)
{
	bool idle;

	if (!w)
		return true;
	pthread_mutex_lock(&w->lock);
	idle = !w->queued && !w->running;
	pthread_mutex_unlock(&w->lock);
	return idle;
}
