/*
 * Fetching credentials from each kind of source: a credential_process child
 * (bounded in time and output, stderr passed through), STS AssumeRole and
 * AssumeRoleWithWebIdentity, the ECS container endpoint, and EC2 instance
 * metadata with an IMDSv2 session token. Every buffer that held a secret is wiped.
 */
#include "aws/creds_source.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "aws/buf.h"
#include "aws/secret.h"
#include "aws/creds_json.h"
#include "aws/endpoint.h"
#include "aws/http.h"
#include "aws/iam_types.h"
#include "aws/iso8601.h"
#include "aws/sts.h"

#define FETCH_MAX_OUTPUT     (64u << 10) /* credential_process stdout, HTTP answers */
#define FETCH_MAX_TOKEN	     (64u << 10) /* web identity and container token files */
#define IMDS_TIMEOUT_MS	     1000
#define CONTAINER_TIMEOUT_MS 2000

extern char **environ;

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int spawn_shell(const char *command, int out_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	char *argv[] = {"sh", "-c", (char *)command, NULL};
	int rc;

	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGCHLD);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	/* Its own process group, so a timeout can kill whatever the shell started. */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					      POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	rc = posix_spawn(pid, "/bin/sh", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return -rc;
}

/* Reads the child's stdout until EOF, the cap or the deadline. */
static int read_child(int fd, long long deadline, struct buf *out)
{
	char chunk[4096];
	ssize_t got;
	int rc = 0;

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - mono_ms();

		if (left <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			rc = got < 0 ? -errno : 0;
			break;
		}
		rc = buf_append(out, chunk, (size_t)got);
		if (rc)
			break;
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
	return rc;
}

/* Waits for the child until the deadline, then kills its group. */
static int reap_child(pid_t pid, long long deadline, bool kill_now, int *status)
{
	struct timespec tick = {0, 5 * 1000 * 1000};
	pid_t r;

	if (kill_now)
		kill(-pid, SIGKILL);
	for (;;) {
		r = waitpid(pid, status, kill_now ? 0 : WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r == 0 && mono_ms() >= deadline) {
			kill(-pid, SIGKILL);
			kill_now = true;
		} else if (r == 0) {
			nanosleep(&tick, NULL);
		}
	}
}

static int run_process(const struct creds_source *s, struct buf *out, struct aws_error *err)
{
	long long deadline = mono_ms() + s->timeout_ms;
	int fds[2], rc, status = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	rc = spawn_shell(s->command, fds[1], &pid);
	close(fds[1]);
	if (rc) {
		close(fds[0]);
		aws_error_set(err, "CredentialProcessError", "cannot start credential_process: %s",
			      strerror(-rc));
		return -EIO;
	}
	rc = read_child(fds[0], deadline, out);
	close(fds[0]);
	reap_child(pid, deadline, rc != 0, &status);
	if (rc == -ETIMEDOUT || rc == -EFBIG) {
		aws_error_set(err, "CredentialProcessError", "credential_process %s",
			      rc == -EFBIG ? "wrote more than 64 KiB" : "timed out");
		return rc;
	}
	if (!rc && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		aws_error_set(err, "CredentialProcessError", "credential_process failed (%s %d)",
			      WIFEXITED(status) ? "exit status" : "signal",
			      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		rc = -EIO;
	}
	return rc;
}

static int fetch_process(const struct creds_source *s, struct aws_creds *out, struct aws_error *err)
{
	struct buf b;
	int rc;

	buf_init(&b, FETCH_MAX_OUTPUT);
	rc = run_process(s, &b, err);
	if (!rc)
		rc = creds_json_parse(b.data ? b.data : "", b.len, CREDS_JSON_PROCESS, out, err);
	buf_wipe(&b);
	return rc;
}

/* Reads a whole small file (a token), trailing whitespace trimmed. */
static int read_token(const char *path, struct buf *out, struct aws_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		rc = -errno;
		aws_error_set(err, "InvalidConfig", "cannot read token file %s: %s", path,
			      strerror(-rc));
		return rc;
	}
	rc = buf_read_fd(out, fd);
	close(fd);
	while (out->len && strchr(" \t\r\n", out->data[out->len - 1]))
		out->data[--out->len] = '\0';
	if (!rc && !out->len)
		rc = -EINVAL;
	if (rc)
		aws_error_set(err, "InvalidConfig", "cannot read token file %s: %s", path,
			      rc == -EINVAL ? "it is empty" : strerror(-rc));
	return rc;
}

static int conn_open(const struct creds_fetch_ctx *fc, long timeout_ms, struct http_conn **c)
{
	struct http_options ho = {0};

	ho.connect_timeout_ms = timeout_ms;
	ho.timeout_ms = timeout_ms;
	ho.max_response = FETCH_MAX_OUTPUT;
	ho.ca_bundle = fc->ca_bundle;
	return http_conn_new(fc->share, &ho, c);
}

/* The STS endpoint and a connection to it, for AssumeRole and web identity. */
static int sts_open(const struct creds_fetch_ctx *fc, struct aws_endpoint *ep, struct http_conn **c,
		    struct aws_error *err)
{
	if (endpoint_sts(fc->sts_url, fc->region, ep)) {
		aws_error_set(err, "InvalidConfig", "bad STS endpoint URL");
		return -EINVAL;
	}
	return conn_open(fc, 0, c);
}

/* STS credentials to aws_creds; the expiration must parse. */
static int from_sts(struct iam_sts_credentials *sc, struct aws_creds *out, struct aws_error *err)
{
	struct aws_creds c = {0};

	if (!sc->expiration || iso8601_parse(sc->expiration, &c.expiration)) {
		aws_error_set(err, "InvalidCredentials", "STS answered without a valid Expiration");
		return -EINVAL;
	}
	/* Copied into secure memory; the caller wipes sc. */
	c.access_key_id = sc->access_key_id;
	sc->access_key_id = NULL;
	c.secret_access_key = secret_strdup(sc->secret_access_key);
	c.session_token = sc->session_token ? secret_strdup(sc->session_token) : NULL;
	if (!c.secret_access_key || (sc->session_token && !c.session_token)) {
		aws_creds_cleanup(&c);
		return -ENOMEM;
	}
	memcpy(c.source, out->source, sizeof(c.source));
	*out = c;
	return 0;
}

static void session_name(const struct creds_fetch_ctx *fc, const struct creds_source *s, char *out,
			 size_t n)
{
	if (s->session_name)
		snprintf(out, n, "%s", s->session_name);
	else
		snprintf(out, n, "iamfs-%lld", fc->now);
}

int creds_fetch_assume(const struct creds_fetch_ctx *fc, const struct creds_source *s,
		       const struct aws_creds *base, struct aws_creds *out, struct aws_error *err)
{
	struct iam_sts_credentials sc = {0};
	struct aws_endpoint ep;
	struct http_conn *c = NULL;
	char name[128];
	int rc;

	snprintf(out->source, sizeof(out->source), "%s", s->name);
	rc = sts_open(fc, &ep, &c, err);
	session_name(fc, s, name, sizeof(name));
	if (!rc)
		rc = sts_assume_role(c, &ep, base, NULL, s->role_arn, name, s->external_id,
				     s->duration_s, &sc, err);
	if (!rc)
		rc = from_sts(&sc, out, err);
	iam_sts_credentials_cleanup(&sc);
	http_conn_free(c);
	return rc;
}

static int fetch_assume_role(const struct creds_fetch_ctx *fc, const struct creds_source *s,
			     struct aws_creds *out, struct aws_error *err)
{
	struct aws_creds base = {0};
	int rc;

	rc = creds_fetch(fc, s->base, &base, err);
	if (!rc)
		rc = creds_fetch_assume(fc, s, &base, out, err);
	aws_creds_cleanup(&base);
	return rc;
}

static int fetch_web_identity(const struct creds_fetch_ctx *fc, const struct creds_source *s,
			      struct aws_creds *out, struct aws_error *err)
{
	struct iam_sts_credentials sc = {0};
	struct aws_endpoint ep;
	struct http_conn *c = NULL;
	struct buf tok;
	char name[128];
	int rc;

	buf_init(&tok, FETCH_MAX_TOKEN);
	rc = read_token(s->token_file, &tok, err);
	if (!rc)
		rc = sts_open(fc, &ep, &c, err);
	session_name(fc, s, name, sizeof(name));
	if (!rc)
		rc = sts_assume_role_with_web_identity(c, &ep, NULL, s->role_arn, name, tok.data,
						       s->duration_s, &sc, err);
	if (!rc)
		rc = from_sts(&sc, out, err);
	iam_sts_credentials_cleanup(&sc);
	buf_wipe(&tok);
	http_conn_free(c);
	return rc;
}

/* One GET/PUT whose answer must be 200; the body lands in resp. */
static int http_ok(struct http_conn *c, const char *what, const char *method, const char *url,
		   const char *const *headers, struct buf *resp, long *status,
		   struct aws_error *err)
{
	int rc;

	*status = 0;
	buf_reset(resp);
	rc = http_request(c, method, url, headers, NULL, 0, status, resp, err);
	if (rc)
		return rc;
	if (*status != 200) {
		aws_error_clear(err);
		err->http_status = *status;
		aws_error_set(err, "CredentialsEndpointError", "%s answered HTTP %ld", what,
			      *status);
		return *status == 404 ? -ENOENT : *status == 401 || *status == 403 ? -EACCES : -EIO;
	}
	return 0;
}

/* The Authorization header value: the token file (re-read each time) wins. */
static int container_auth(const struct creds_source *s, struct buf *hdr, struct aws_error *err)
{
	struct buf tok;
	const char *t = s->auth_token;
	int rc = 0;

	buf_init(&tok, FETCH_MAX_TOKEN);
	if (s->token_file) {
		rc = read_token(s->token_file, &tok, err);
		t = tok.data;
	}
	if (!rc && t && strpbrk(t, "\r\n")) {
		aws_error_set(err, "InvalidConfig",
			      "the container authorization token has a newline");
		rc = -EINVAL;
	}
	if (!rc && t)
		rc = buf_printf(hdr, "Authorization: %s", t);
	buf_wipe(&tok);
	return rc;
}

static int fetch_container(const struct creds_fetch_ctx *fc, const struct creds_source *s,
			   struct aws_creds *out, struct aws_error *err)
{
	struct http_conn *c = NULL;
	struct buf hdr, resp;
	const char *headers[3] = {"Accept: application/json", NULL, NULL};
	long status;
	int rc;

	buf_init(&hdr, FETCH_MAX_TOKEN + 64);
	buf_init(&resp, FETCH_MAX_OUTPUT);
	rc = container_auth(s, &hdr, err);
	headers[1] = hdr.len ? hdr.data : NULL;
	if (!rc)
		rc = conn_open(fc, CONTAINER_TIMEOUT_MS, &c);
	if (!rc)
		rc = http_ok(c, "the container credentials endpoint", "GET", s->url, headers, &resp,
			     &status, err);
	if (!rc)
		rc = creds_json_parse(resp.data ? resp.data : "", resp.len, CREDS_JSON_CONTAINER,
				      out, err);
	buf_wipe(&hdr);
	buf_wipe(&resp);
	http_conn_free(c);
	return rc;
}

/* IMDSv2 session token; "" when the service answers 403/404/405 (IMDSv1 only). */
static int imds_token(struct http_conn *c, const char *base, struct buf *hdr, struct aws_error *err)
{
	static const char *const put_headers[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600",
						  NULL};
	struct buf url, resp;
	long status = 0;
	int rc;

	buf_init(&url, 4096);
	buf_init(&resp, 4096);
	rc = buf_printf(&url, "%s/latest/api/token", base);
	if (!rc)
		rc = http_ok(c, "instance metadata", "PUT", url.data, put_headers, &resp, &status,
			     err);
	if (!rc && resp.len)
		rc = buf_printf(hdr, "X-aws-ec2-metadata-token: %s", resp.data);
	else if (rc && (status == 403 || status == 404 || status == 405))
		rc = 0;
	buf_cleanup(&url);
	buf_wipe(&resp);
	return rc;
}

/* The first line of the role listing, or -ENOENT when the instance has no role. */
static int imds_role(struct http_conn *c, const char *base, const char *const *headers, char *role,
		     size_t n, struct aws_error *err)
{
	struct buf url, resp;
	long status;
	size_t len;
	int rc;

	buf_init(&url, 4096);
	buf_init(&resp, 4096);
	rc = buf_printf(&url, "%s/latest/meta-data/iam/security-credentials/", base);
	if (!rc)
		rc = http_ok(c, "instance metadata", "GET", url.data, headers, &resp, &status, err);
	len = rc ? 0 : strcspn(resp.data ? resp.data : "", "\r\n");
	if (!rc && (len == 0 || len >= n)) {
		aws_error_set(err, "NoCredentials", "the instance has no IAM role");
		rc = -ENOENT;
	}
	if (!rc)
		snprintf(role, n, "%.*s", (int)len, resp.data);
	buf_cleanup(&url);
	buf_cleanup(&resp);
	return rc;
}

static int fetch_imds(const struct creds_fetch_ctx *fc, const struct creds_source *s,
		      struct aws_creds *out, struct aws_error *err)
{
	struct http_conn *c = NULL;
	struct buf hdr, url, resp;
	const char *headers[2] = {NULL, NULL};
	char base[1024], role[256];
	long status;
	int rc;

	snprintf(base, sizeof(base), "%s", s->url);
	while (strlen(base) && base[strlen(base) - 1] == '/')
		base[strlen(base) - 1] = '\0';
	buf_init(&hdr, 4096);
	buf_init(&url, 4096);
	buf_init(&resp, FETCH_MAX_OUTPUT);
	rc = conn_open(fc, IMDS_TIMEOUT_MS, &c);
	if (!rc)
		rc = imds_token(c, base, &hdr, err);
	headers[0] = hdr.len ? hdr.data : NULL;
	if (!rc)
		rc = imds_role(c, base, headers, role, sizeof(role), err);
	if (!rc)
		rc = buf_printf(&url, "%s/latest/meta-data/iam/security-credentials/%s", base,
				role);
	if (!rc)
		rc = http_ok(c, "instance metadata", "GET", url.data, headers, &resp, &status, err);
	if (!rc)
		rc = creds_json_parse(resp.data ? resp.data : "", resp.len, CREDS_JSON_IMDS, out,
				      err);
	buf_wipe(&hdr);
	buf_cleanup(&url);
	buf_wipe(&resp);
	http_conn_free(c);
	return rc;
}

int creds_fetch(const struct creds_fetch_ctx *fc, const struct creds_source *s,
		struct aws_creds *out, struct aws_error *err)
{
	int rc;

	snprintf(out->source, sizeof(out->source), "%s", s->name);
	switch (s->kind) {
	case CREDS_STATIC:
		rc = aws_creds_copy(out, &s->fixed);
		break;
	case CREDS_PROCESS:
		rc = fetch_process(s, out, err);
		break;
	case CREDS_ASSUME_ROLE:
		rc = fetch_assume_role(fc, s, out, err);
		break;
	case CREDS_WEB_IDENTITY:
		rc = fetch_web_identity(fc, s, out, err);
		break;
	case CREDS_CONTAINER:
		rc = fetch_container(fc, s, out, err);
		break;
	default:
		rc = fetch_imds(fc, s, out, err);
		break;
	}
	if (!rc)
		snprintf(out->source, sizeof(out->source), "%s", s->name);
	return rc;
}
