/*
 * Shared by the tests of the AWS clients: a scripted HTTP/1.1 server on
 * 127.0.0.1 in a thread. Each request is read whole (head and Content-Length
 * body), its first FAKEHTTP_REQ_MAX - 1 bytes kept in reqs, and answered by the
 * next step of the script; past the end the last step repeats.
 */
#ifndef IAMFS_TESTS_FAKEHTTP_H
#define IAMFS_TESTS_FAKEHTTP_H

#include <pthread.h>
#include <stddef.h>

#define FAKEHTTP_MAX_STEPS 16
#define FAKEHTTP_REQ_MAX   8192

enum fakehttp_kind {
	FAKEHTTP_ANSWER, /* status and body (the kind of a step that names none) */
	FAKEHTTP_DROP,	 /* the connection closed with no answer */
	FAKEHTTP_HANG,	 /* the connection held open, never answered, until the client closes */
};

/* A step of a script, written with designated initializers: {.status = 200,
 * .body = "<ok/>"}, {.status = 200, .big = 5000}, {.kind = FAKEHTTP_DROP}. */
struct fakehttp_step {
	enum fakehttp_kind kind;
	int status;
	const char *body;
	size_t big;   /* when non-zero: a body of this many 'x' instead of body */
	int delay_ms; /* waited before answering */
};

struct fakehttp {
	int lfd;
	int port;
	pthread_t thread;
	volatile int stop;
	struct fakehttp_step steps[FAKEHTTP_MAX_STEPS];
	int nsteps;
	pthread_mutex_t lock;
	int served;					 /* requests read */
	int connections;				 /* connections accepted */
	char reqs[FAKEHTTP_MAX_STEPS][FAKEHTTP_REQ_MAX]; /* past the last, the last slot */
};

/* Starts f (the caller's storage, filled here) on a free port, serving steps[0..n)
 * (1 <= n <= FAKEHTTP_MAX_STEPS, copied; the bodies are borrowed until
 * fakehttp_stop). Exits the program when no socket can be had. */
void fakehttp_start(struct fakehttp *f, const struct fakehttp_step *steps, int n);

/* Stops the thread and closes the socket; f's counts and reqs stay readable. */
void fakehttp_stop(struct fakehttp *f);

/* "http://127.0.0.1:PORT/" of f into out (cap n). */
void fakehttp_url(const struct fakehttp *f, char *out, size_t n);

/* The body of a kept request (a pointer into req; "" when it has none). */
const char *fakehttp_body(const char *req);

#endif
