/* The scripted HTTP server of fakehttp.h: one thread, one connection at a time. */
#include "fakehttp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Reads one request (head and Content-Length body), keeping its first cap-1
 * bytes in keep; 0 on EOF or error. */
static int fakehttp_read_request(int fd, char *keep, size_t cap)
{
	char buf[65536], *end, *cl;
	size_t have = 0, want = 0, head = 0, k;
	ssize_t n;

	keep[0] = '\0';
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return 0;
		if (have < cap - 1) {
			k = (size_t)n < cap - 1 - have ? (size_t)n : cap - 1 - have;
			memcpy(keep + have, buf, k);
			keep[have + k] = '\0';
		}
		have += (size_t)n;
		if (!head && (end = strstr(keep, "\r\n\r\n"))) {
			head = (size_t)(end - keep) + 4;
			cl = strcasestr(keep, "\r\nContent-Length:");
			want = head + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (head && have >= want)
			return 1;
	}
}

static void fakehttp_answer(int fd, const struct fakehttp_step *s)
{
	char head[256];
	size_t len = s->big ? s->big : strlen(s->body), i;
	char chunk[4096];

	if (s->delay_ms)
		nanosleep(&(struct timespec){s->delay_ms / 1000, (s->delay_ms % 1000) * 1000000L},
			  NULL);
	snprintf(head, sizeof(head),
		 "HTTP/1.1 %d X\r\nContent-Type: text/xml\r\nContent-Length: %zu\r\n\r\n",
		 s->status, len);
	if (send(fd, head, strlen(head), MSG_NOSIGNAL) < 0)
		return;
	if (!s->big) {
		if (send(fd, s->body, len, MSG_NOSIGNAL) < 0)
			return;
		return;
	}
	memset(chunk, 'x', sizeof(chunk));
	for (i = 0; i < len; i += sizeof(chunk))
		if (send(fd, chunk, len - i < sizeof(chunk) ? len - i : sizeof(chunk),
			 MSG_NOSIGNAL) < 0)
			return;
}

/* Serves requests on one connection until the client closes it or a step closes it. */
static void fakehttp_serve(struct fakehttp *f, int fd)
{
	struct fakehttp_step s;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char scratch[FAKEHTTP_REQ_MAX];
	int i;

	while (!f->stop) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		pthread_mutex_lock(&f->lock);
		i = f->served < FAKEHTTP_MAX_STEPS ? f->served : FAKEHTTP_MAX_STEPS - 1;
		pthread_mutex_unlock(&f->lock);
		if (!fakehttp_read_request(fd, scratch, sizeof(scratch)))
			return;
		pthread_mutex_lock(&f->lock);
		memcpy(f->reqs[i], scratch, sizeof(scratch));
		s = f->steps[f->served < f->nsteps ? f->served : f->nsteps - 1];
		f->served++;
		pthread_mutex_unlock(&f->lock);
		if (s.kind == FAKEHTTP_DROP)
			return;
		if (s.kind == FAKEHTTP_HANG) {
			/* Keep the connection open without answering until the client gives up. */
			while (!f->stop && read(fd, scratch, sizeof(scratch)) > 0)
				;
			return;
		}
		fakehttp_answer(fd, &s);
	}
}

static void *fakehttp_main(void *arg)
{
	struct fakehttp *f = arg;
	struct pollfd p = {.fd = f->lfd, .events = POLLIN};
	int fd;

	while (!f->stop) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		fd = accept(f->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&f->lock);
		f->connections++;
		pthread_mutex_unlock(&f->lock);
		fakehttp_serve(f, fd);
		close(fd);
	}
	return NULL;
}

void fakehttp_start(struct fakehttp *f, const struct fakehttp_step *steps, int n)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);

	memset(f, 0, sizeof(*f));
	memcpy(f->steps, steps, sizeof(*steps) * (size_t)n);
	f->nsteps = n;
	pthread_mutex_init(&f->lock, NULL);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(f->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(f->lfd, 8) < 0 ||
	    getsockname(f->lfd, (struct sockaddr *)&a, &len) < 0) {
		perror("fake server");
		exit(2);
	}
	f->port = ntohs(a.sin_port);
	pthread_create(&f->thread, NULL, fakehttp_main, f);
}

void fakehttp_stop(struct fakehttp *f)
{
	f->stop = 1;
	pthread_join(f->thread, NULL);
	close(f->lfd);
	pthread_mutex_destroy(&f->lock);
}

void fakehttp_url(const struct fakehttp *f, char *out, size_t n)
{
	snprintf(out, n, "http://127.0.0.1:%d/", f->port);
}

const char *fakehttp_body(const char *req)
{
	const char *b = strstr(req, "\r\n\r\n");

	return b ? b + 4 : "";
}
