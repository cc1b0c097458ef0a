/*
 * Chooses the credentials source the way the AWS CLI (botocore) does, reading
 * only the injected environment and the shared files: environment keys (unless
 * a profile was named on the command line), the profile's assume-role settings,
 * web identity, static keys of the credentials file, credential_process, static
 * keys of the config file, the ECS container endpoint, then instance metadata.
 * Also lists every profile the shared files name (creds_profile_names).
 */
#include "aws/creds_source.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/buf.h"
#include "aws/creds.h"
#include "aws/secret.h"
#include "aws/iam_types.h"
#include "aws/ini.h"

#define CHAIN_MAX_DEPTH 16
#define CHAIN_PATH_MAX	4096

struct chain {
	const struct creds_options *o;
	const char *profile;
	bool explicit_profile; /* named by the option: environment keys are skipped */
	struct ini_file config, credentials;
	char config_path[CHAIN_PATH_MAX], credentials_path[CHAIN_PATH_MAX];
	long process_timeout_ms;
	struct aws_error *err;
};

/* The injected variable, or NULL when unset or empty (as botocore treats "" too). */
static const char *env_get(const struct creds_options *o, const char *name)
{
	const char *v;

	if (o->env && o->env->getenv)
		v = o->env->getenv(o->env->ctx, name);
	else
		v = getenv(name);
	return v && *v ? v : NULL;
}

/* Expands a leading "~/" with $HOME (or the password database). */
static int expand_home(const struct creds_options *o, const char *path, char *out, size_t n)
{
	const char *home = env_get(o, "HOME");
	struct passwd pw, *res = NULL;
	char pwbuf[1024];
	int len;

	if (strncmp(path, "~/", 2)) {
		len = snprintf(out, n, "%s", path);
		return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
	}
	if (!home && !getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &res) && res)
		home = pw.pw_dir;
	if (!home)
		return -ENOENT;
	len = snprintf(out, n, "%s/%s", home, path + 2);
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

/* Reads and parses one shared file; a missing file is an empty one. */
static int load_file(struct chain *ch, const char *path, struct ini_file *f)
{
	struct buf b;
	int fd, rc, line = 0;

	buf_init(&b, INI_MAX_BYTES);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		rc = -errno;
		aws_error_set(ch->err, "InvalidConfig", "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	rc = buf_read_fd(&b, fd);
	close(fd);
	if (!rc)
		rc = ini_parse(f, b.data ? b.data : "", b.len, &line);
	if (rc == -EINVAL)
		aws_error_set(ch->err, "InvalidConfig", "cannot parse %s: line %d is not valid",
			      path, line);
	else if (rc)
		aws_error_set(ch->err, "InvalidConfig", "cannot read %s: %s", path, strerror(-rc));
	buf_wipe(&b);
	return rc ? -EINVAL : 0;
}

static int load_files(struct chain *ch)
{
	const char *cfg = env_get(ch->o, "AWS_CONFIG_FILE");
	const char *cred = env_get(ch->o, "AWS_SHARED_CREDENTIALS_FILE");
	int rc;

	rc = expand_home(ch->o, cfg ? cfg : "~/.aws/config", ch->config_path,
			 sizeof(ch->config_path));
	if (!rc)
		rc = expand_home(ch->o, cred ? cred : "~/.aws/credentials", ch->credentials_path,
				 sizeof(ch->credentials_path));
	if (rc) {
		aws_error_set(ch->err, "InvalidConfig", "cannot locate the AWS shared files: %s",
			      strerror(-rc));
		return -EINVAL;
	}
	rc = load_file(ch, ch->config_path, &ch->config);
	if (!rc)
		rc = load_file(ch, ch->credentials_path, &ch->credentials);
	return rc;
}

static bool profile_exists(const struct chain *ch, const char *name)
{
	return ini_has_section(&ch->credentials, name) || ini_config_section(&ch->config, name);
}

/* A profile setting: the credentials file wins over the config file. */
static const char *prof_get(const struct chain *ch, const char *name, const char *key)
{
	const char *v = ini_get(&ch->credentials, name, key);

	if (!v)
		v = ini_get(&ch->config, ini_config_section(&ch->config, name), key);
	return v && *v ? v : NULL;
}

struct creds_source *creds_source_new(enum creds_kind kind, const char *name)
{
	struct creds_source *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->kind = kind;
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

void creds_source_free(struct creds_source *s)
{
	if (!s)
		return;
	aws_creds_cleanup(&s->fixed);
	free(s->command);
	creds_source_free(s->base);
	free(s->role_arn);
	free(s->external_id);
	free(s->session_name);
	free(s->token_file);
	free(s->url);
	buf_str_wipe_free(s->auth_token);
	free(s);
}

/* Copies src into *dst when src is non-NULL; -ENOMEM on failure. */
static int dup_opt(char **dst, const char *src)
{
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

/* The same for a secret (secret.h), freed with buf_str_wipe_free. */
static int dup_secret(char **dst, const char *src)
{
	if (!src)
		return 0;
	*dst = secret_strdup(src);
	return *dst ? 0 : -ENOMEM;
}

/* A static source from a key pair; -EINVAL when only one half is there. */
static int static_source(struct chain *ch, const char *name, const char *where, const char *akid,
			 const char *secret, const char *token, struct creds_source **out)
{
	struct creds_source *s;

	if (!akid != !secret) {
		aws_error_set(ch->err, "InvalidConfig", "%s has %s but no %s", where,
			      akid ? "an access key id" : "a secret access key",
			      akid ? "secret access key" : "access key id");
		return -EINVAL;
	}
	s = creds_source_new(CREDS_STATIC, name);
	if (!s)
		return -ENOMEM;
	snprintf(s->fixed.source, sizeof(s->fixed.source), "%s", name);
	if (dup_opt(&s->fixed.access_key_id, akid) ||
	    dup_secret(&s->fixed.secret_access_key, secret) ||
	    dup_secret(&s->fixed.session_token, token)) {
		creds_source_free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

static int env_static(struct chain *ch, struct creds_source **out)
{
	const char *akid = env_get(ch->o, "AWS_ACCESS_KEY_ID");
	const char *secret = env_get(ch->o, "AWS_SECRET_ACCESS_KEY");
	const char *token = env_get(ch->o, "AWS_SESSION_TOKEN");

	if (!token)
		token = env_get(ch->o, "AWS_SECURITY_TOKEN");
	if (!akid && !secret)
		return 0;
	return static_source(ch, "env", "the environment", akid, secret, token, out);
}

/* Static keys of profile name in one file (section is its section there). */
static int file_static(struct chain *ch, const char *name, const struct ini_file *f,
		       const char *section, const char *source, const char *path,
		       struct creds_source **out)
{
	const char *akid = ini_get(f, section, "aws_access_key_id");
	const char *secret = ini_get(f, section, "aws_secret_access_key");
	const char *token = ini_get(f, section, "aws_session_token");
	char where[CHAIN_PATH_MAX + 300];

	if (!token)
		token = ini_get(f, section, "aws_security_token");
	if ((!akid || !*akid) && (!secret || !*secret))
		return 0;
	snprintf(where, sizeof(where), "profile '%s' in %s", name, path);
	return static_source(ch, source, where, akid && *akid ? akid : NULL,
			     secret && *secret ? secret : NULL, token && *token ? token : NULL,
			     out);
}

static bool has_static(const struct chain *ch, const char *name)
{
	return prof_get(ch, name, "aws_access_key_id") ||
	       prof_get(ch, name, "aws_secret_access_key");
}

/* duration_seconds: 900..43200 when set. */
static int parse_duration(struct chain *ch, const char *name, const char *v, int *out)
{
	char *end;
	long d;

	if (!v)
		return 0;
	errno = 0;
	d = strtol(v, &end, 10);
	if (errno || *end || end == v || d < 900 || d > 43200) {
		aws_error_set(ch->err, "InvalidConfig",
			      "profile '%s' has duration_seconds '%.32s' (want 900 to 43200)", name,
			      v);
		return -EINVAL;
	}
	*out = (int)d;
	return 0;
}

static bool is_loopback_or_ecs(const char *host, size_t n)
{
	static const char *const ok[] = {"localhost", "[::1]", "169.254.170.2", "169.254.170.23",
					 "[fd00:ec2::23]"};
	size_t i;

	if (n > 4 && !strncmp(host, "127.", 4))
		return true;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strlen(ok[i]) == n && !strncasecmp(host, ok[i], n))
			return true;
	return false;
}

/* AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback or ECS/EKS host. */
static bool full_uri_allowed(const char *url)
{
	const char *host, *end;

	if (!strncasecmp(url, "https://", 8))
		return true;
	if (strncasecmp(url, "http://", 7))
		return false;
	host = url + 7;
	if (*host == '[')
		end = strchr(host, ']') ? strchr(host, ']') + 1 : host + strlen(host);
	else
		end = host + strcspn(host, ":/?#");
	return is_loopback_or_ecs(host, (size_t)(end - host));
}

static int container_source(struct chain *ch, bool required, struct creds_source **out)
{
	const char *rel = env_get(ch->o, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env_get(ch->o, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct creds_source *s;
	struct buf url;
	int rc;

	if (!rel && !full) {
		if (!required)
			return 0;
		aws_error_set(ch->err, "InvalidConfig",
			      "credential_source EcsContainer needs "
			      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI");
		return -EINVAL;
	}
	if (!rel && !full_uri_allowed(full)) {
		aws_error_set(ch->err, "InvalidConfig",
			      "AWS_CONTAINER_CREDENTIALS_FULL_URI must use https, or http to a "
			      "loopback or container host");
		return -EINVAL;
	}
	buf_init(&url, 8192);
	rc = rel ? buf_printf(&url, "http://169.254.170.2%s%s", *rel == '/' ? "" : "/", rel)
		 : buf_puts(&url, full);
	s = rc ? NULL : creds_source_new(CREDS_CONTAINER, "container-role");
	if (!s) {
		buf_cleanup(&url);
		return rc ? rc : -ENOMEM;
	}
	s->url = buf_steal(&url);
	if (!s->url ||
	    dup_opt(&s->auth_token, env_get(ch->o, "AWS_CONTAINER_AUTHORIZATION_TOKEN")) ||
	    dup_opt(&s->token_file, env_get(ch->o, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))) {
		creds_source_free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

static int imds_source(struct chain *ch, const char *name, bool fallback, struct creds_source **out)
{
	const char *off = env_get(ch->o, "AWS_EC2_METADATA_DISABLED");
	const char *ep = env_get(ch->o, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
	struct creds_source *s;

	if (off && !strcasecmp(off, "true")) {
		if (fallback)
			return 0;
		aws_error_set(ch->err, "InvalidConfig",
			      "profile '%s' has credential_source Ec2InstanceMetadata but "
			      "AWS_EC2_METADATA_DISABLED is true",
			      name);
		return -EINVAL;
	}
	if (!ep)
		ep = prof_get(ch, name, "ec2_metadata_service_endpoint");
	s = creds_source_new(CREDS_IMDS, "iam-role");
	if (!s || dup_opt(&s->url, ep ? ep : "http://169.254.169.254")) {
		creds_source_free(s);
		return -ENOMEM;
	}
	s->fallback = fallback;
	*out = s;
	return 0;
}

static int web_identity_source(struct chain *ch, const char *name, bool allow_env,
			       struct creds_source **out)
{
	const char *file = allow_env ? env_get(ch->o, "AWS_WEB_IDENTITY_TOKEN_FILE") : NULL;
	const char *arn = allow_env ? env_get(ch->o, "AWS_ROLE_ARN") : NULL;
	const char *sess = allow_env ? env_get(ch->o, "AWS_ROLE_SESSION_NAME") : NULL;
	char path[CHAIN_PATH_MAX];
	struct creds_source *s;
	int rc;

	file = file ? file : prof_get(ch, name, "web_identity_token_file");
	arn = arn ? arn : prof_get(ch, name, "role_arn");
	sess = sess ? sess : prof_get(ch, name, "role_session_name");
	if (!file)
		return 0;
	if (!arn) {
		aws_error_set(ch->err, "InvalidConfig",
			      "a web identity token file is set but no role ARN "
			      "(AWS_ROLE_ARN or role_arn in profile '%s')",
			      name);
		return -EINVAL;
	}
	if (expand_home(ch->o, file, path, sizeof(path)))
		return -EINVAL;
	s = creds_source_new(CREDS_WEB_IDENTITY, "assume-role-with-web-identity");
	if (!s)
		return -ENOMEM;
	rc = parse_duration(ch, name, prof_get(ch, name, "duration_seconds"), &s->duration_s);
	if (!rc && (dup_opt(&s->token_file, path) || dup_opt(&s->role_arn, arn) ||
		    dup_opt(&s->session_name, sess)))
		rc = -ENOMEM;
	if (rc) {
		creds_source_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static int process_source(struct chain *ch, const char *name, struct creds_source **out)
{
	const char *cmd = prof_get(ch, name, "credential_process");
	struct creds_source *s;

	if (!cmd)
		return 0;
	s = creds_source_new(CREDS_PROCESS, "custom-process");
	if (!s || dup_opt(&s->command, cmd)) {
		creds_source_free(s);
		return -ENOMEM;
	}
	s->timeout_ms = ch->process_timeout_ms;
	*out = s;
	return 0;
}

/* The providers of one profile that need no AssumeRole: web identity, credentials
 * file keys, credential_process, config file keys. *out stays NULL when none. */
static int profile_plain(struct chain *ch, const char *name, bool allow_env,
			 struct creds_source **out)
{
	int rc = web_identity_source(ch, name, allow_env, out);

	if (!rc && !*out)
		rc = file_static(ch, name, &ch->credentials, name, "shared-credentials-file",
				 ch->credentials_path, out);
	if (!rc && !*out)
		rc = process_source(ch, name, out);
	if (!rc && !*out)
		rc = file_static(ch, name, &ch->config, ini_config_section(&ch->config, name),
				 "config-file", ch->config_path, out);
	return rc;
}

/* role_arn without web_identity_token_file means AssumeRole (as botocore decides). */
static bool is_assume(const struct chain *ch, const char *name)
{
	return prof_get(ch, name, "role_arn") && !prof_get(ch, name, "web_identity_token_file");
}

static int credential_source(struct chain *ch, const char *name, const char *cs,
			     struct creds_source **out)
{
	int rc;

	if (!strcmp(cs, "Environment")) {
		rc = env_static(ch, out);
		if (!rc && !*out) {
			aws_error_set(ch->err, "InvalidConfig",
				      "profile '%s' has credential_source Environment but "
				      "AWS_ACCESS_KEY_ID is not set",
				      name);
			rc = -EINVAL;
		}
		return rc;
	}
	if (!strcmp(cs, "Ec2InstanceMetadata"))
		return imds_source(ch, name, false, out);
	if (!strcmp(cs, "EcsContainer"))
		return container_source(ch, true, out);
	aws_error_set(ch->err, "InvalidConfig",
		      "profile '%s' has credential_source '%.64s' (want Environment, "
		      "Ec2InstanceMetadata or EcsContainer)",
		      name, cs);
	return -EINVAL;
}

static int assume_role_source(struct chain *ch, const char *name, const char **visited, int depth,
			      struct creds_source **out);

/* The base credentials named by source_profile sp; visited[0..depth) are the
 * profiles already on the chain. A profile may name itself when it has keys. */
static int source_profile(struct chain *ch, const char *from, const char *sp, const char **visited,
			  int depth, struct creds_source **out)
{
	bool seen = false;
	int i, rc;

	for (i = 0; i < depth; i++)
		seen = seen || !strcmp(visited[i], sp);
	if (!profile_exists(ch, sp)) {
		aws_error_set(ch->err, "InvalidConfig",
			      "source_profile '%s' of profile '%s' not found in %s or %s", sp, from,
			      ch->config_path, ch->credentials_path);
		return -EINVAL;
	}
	if (has_static(ch, sp) || !is_assume(ch, sp)) {
		rc = profile_plain(ch, sp, false, out);
		if (!rc && !*out) {
			aws_error_set(ch->err, "InvalidConfig",
				      "source_profile '%s' of profile '%s' has no credentials", sp,
				      from);
			rc = -EINVAL;
		}
		return rc;
	}
	if (seen || depth >= CHAIN_MAX_DEPTH) {
		aws_error_set(ch->err, "InvalidConfig",
			      "profile '%s': source_profile '%s' makes a loop in the role chain",
			      from, sp);
		return -EINVAL;
	}
	return assume_role_source(ch, sp, visited, depth, out);
}

static int assume_role_source(struct chain *ch, const char *name, const char **visited, int depth,
			      struct creds_source **out)
{
	const char *sp = prof_get(ch, name, "source_profile");
	const char *cs = prof_get(ch, name, "credential_source");
	struct creds_source *s;
	int rc;

	if (!sp == !cs) {
		aws_error_set(ch->err, "InvalidConfig",
			      "profile '%s' has role_arn and needs exactly one of source_profile "
			      "and credential_source",
			      name);
		return -EINVAL;
	}
	s = creds_source_new(CREDS_ASSUME_ROLE, "assume-role");
	if (!s)
		return -ENOMEM;
	rc = parse_duration(ch, name, prof_get(ch, name, "duration_seconds"), &s->duration_s);
	if (!rc && (dup_opt(&s->role_arn, prof_get(ch, name, "role_arn")) ||
		    dup_opt(&s->external_id, prof_get(ch, name, "external_id")) ||
		    dup_opt(&s->session_name, prof_get(ch, name, "role_session_name"))))
		rc = -ENOMEM;
	visited[depth] = name;
	if (!rc)
		rc = sp ? source_profile(ch, name, sp, visited, depth + 1, &s->base)
			: credential_source(ch, name, cs, &s->base);
	if (rc) {
		creds_source_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* The chain proper; *out stays NULL when no source is configured. */
static int chain_pick(struct chain *ch, struct creds_source **out)
{
	const char *visited[CHAIN_MAX_DEPTH + 1];
	int rc = 0;

	/* As in the AWS CLI, a profile named on the command line disables the
	 * environment keys; AWS_PROFILE does not. */
	if (!ch->explicit_profile)
		rc = env_static(ch, out);
	if (!rc && !*out && is_assume(ch, ch->profile))
		rc = assume_role_source(ch, ch->profile, visited, 0, out);
	if (!rc && !*out)
		rc = profile_plain(ch, ch->profile, true, out);
	if (!rc && !*out)
		rc = container_source(ch, false, out);
	if (!rc && !*out)
		rc = imds_source(ch, ch->profile, true, out);
	return rc;
}

static long process_timeout(const struct creds_options *o)
{
	const char *v = env_get(o, "IAMFS_CREDENTIAL_PROCESS_TIMEOUT_MS");
	char *end;
	long t;

	if (!v)
		return 30000;
	errno = 0;
	t = strtol(v, &end, 10);
	if (errno || *end || t <= 0 || t > 300000)
		return 30000;
	return t;
}

static int fill_result(struct chain *ch, struct creds_chain_result *out)
{
	const char *region = env_get(ch->o, "AWS_REGION");
	const char *sts = ch->o->sts_endpoint_url;
	const char *ca = ch->o->ca_bundle;

	region = region ? region : env_get(ch->o, "AWS_DEFAULT_REGION");
	region = region ? region : prof_get(ch, ch->profile, "region");
	sts = sts ? sts : env_get(ch->o, "AWS_ENDPOINT_URL_STS");
	sts = sts ? sts : env_get(ch->o, "AWS_ENDPOINT_URL");
	ca = ca ? ca : env_get(ch->o, "AWS_CA_BUNDLE");
	ca = ca ? ca : prof_get(ch, ch->profile, "ca_bundle");
	snprintf(out->profile, sizeof(out->profile), "%s", ch->profile);
	snprintf(out->region, sizeof(out->region), "%s", region ? region : "");
	snprintf(out->nocreds, sizeof(out->nocreds),
		 "no AWS credentials found for profile '%.200s' (looked in the environment, "
		 "%.300s, %.300s, "
		 "container and instance metadata)",
		 ch->profile, ch->credentials_path, ch->config_path);
	if (dup_opt(&out->sts_url, sts) || dup_opt(&out->ca_bundle, ca))
		return -ENOMEM;
	return 0;
}

void creds_chain_result_cleanup(struct creds_chain_result *r)
{
	if (!r)
		return;
	creds_source_free(r->src);
	free(r->sts_url);
	free(r->ca_bundle);
	memset(r, 0, sizeof(*r));
}

int creds_chain_resolve(const struct creds_options *o, struct creds_chain_result *out,
			struct aws_error *err)
{
	struct chain ch = {.o = o, .err = err};
	struct creds_chain_result r = {0};
	bool named;
	int rc;

	ch.explicit_profile = o->profile && *o->profile;
	ch.profile = ch.explicit_profile ? o->profile : env_get(o, "AWS_PROFILE");
	ch.profile = ch.profile ? ch.profile : env_get(o, "AWS_DEFAULT_PROFILE");
	named = ch.profile != NULL;
	ch.profile = ch.profile ? ch.profile : "default";
	ch.process_timeout_ms = process_timeout(o);
	ini_init(&ch.config);
	ini_init(&ch.credentials);
	rc = load_files(&ch);
	/* As botocore does, a profile that was named (option or variable) must exist,
	 * even "default"; only the implicit default may be missing. */
	if (!rc && named && !profile_exists(&ch, ch.profile)) {
		aws_error_set(err, "ProfileNotFound", "profile '%s' not found in %s or %s",
			      ch.profile, ch.config_path, ch.credentials_path);
		rc = -EINVAL;
	}
	if (!rc)
		rc = fill_result(&ch, &r);
	if (!rc)
		rc = chain_pick(&ch, &r.src);
	if (!rc && !r.src) {
		aws_error_set(err, "NoCredentials", "%s", r.nocreds);
		rc = -ENOENT;
	}
	if (rc)
		creds_chain_result_cleanup(&r);
	else
		*out = r;
	ini_cleanup(&ch.config);
	ini_cleanup(&ch.credentials);
	return rc;
}

static int names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every profile of both files, unsorted and with repeats. */
static int names_collect(const struct chain *ch, struct iam_string_list *l)
{
	const char *name;
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < ch->config.nsections; i++)
		if ((name = ini_config_profile_name(ch->config.sections[i])))
			rc = iam_string_list_push(l, name);
	for (i = 0; !rc && i < ch->credentials.nsections; i++)
		rc = iam_string_list_push(l, ch->credentials.sections[i]);
	return rc;
}

int creds_profile_names(const struct creds_options *o, char ***names, size_t *n)
{
	struct aws_error err;
	struct chain ch = {.o = o, .err = &err};
	struct iam_string_list l = {0};
	size_t i, keep = 0;
	int rc;

	ini_init(&ch.config);
	ini_init(&ch.credentials);
	rc = load_files(&ch);
	if (!rc)
		rc = names_collect(&ch, &l);
	ini_cleanup(&ch.config);
	ini_cleanup(&ch.credentials);
	if (rc) {
		iam_string_list_cleanup(&l);
		return rc;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), names_cmp);
	for (i = 0; i < l.n; i++) {
		if (keep && !strcmp(l.v[keep - 1], l.v[i]))
			free(l.v[i]);
		else
			l.v[keep++] = l.v[i];
	}
	*names = l.v;
	*n = keep;
	return 0;
}

void creds_profile_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}
