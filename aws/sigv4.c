/*
 * AWS Signature Version 4, stage by stage, with OpenSSL's one-shot digest and
 * HMAC calls. Everything is a pure function of the request and the caller's
 * date. Derived keys live on the stack and are wiped with OPENSSL_cleanse;
 * the canonical request holds the session token, so its buffer is wiped too.
 */
#include "aws/sigv4.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
/* HMAC-SHA256 hashes keys longer than SHA-256's block size first. */
#define SIGV4_BLOCK 64
/* Caps on what we sign: IAM's bodies are small; one canonical request holds one body hash. */
#define SIGV4_MAX_TEXT (1u << 20)

static const char sigv4_hexdigits[] = "0123456789abcdef";

static void sigv4_hex(const unsigned char *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = sigv4_hexdigits[in[i] >> 4];
		out[2 * i + 1] = sigv4_hexdigits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* Lower-case hex SHA-256 of data (65 bytes incl. NUL). */
static int sigv4_sha256_hex(const void *data, size_t n, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!EVP_Digest(data ? data : "", n, md, &len, EVP_sha256(), NULL) || len != 32)
		return -EIO;
	sigv4_hex(md, 32, hex);
	return 0;
}

static void sigv4_hmac(const void *key, size_t klen, const void *msg, size_t mlen,
		       unsigned char out[32])
{
	unsigned int len = 32;

	if (!HMAC(EVP_sha256(), key, (int)klen, msg, mlen, out, &len))
		OPENSSL_cleanse(out, 32);
}

/* Python's str.split() whitespace, restricted to ASCII (header values are ASCII). */
static int sigv4_is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* Appends "name:value\n" with value trimmed and inner whitespace runs collapsed to one space. */
static int sigv4_put_header(struct buf *out, const char *name, const char *value)
{
	const unsigned char *p = (const unsigned char *)value;
	int rc, gap = 0, any = 0;

	rc = buf_printf(out, "%s:", name);
	for (; !rc && *p; p++) {
		if (sigv4_is_space(*p)) {
			gap = any;
			continue;
		}
		if (gap)
			rc = buf_putc(out, ' ');
		if (!rc)
			rc = buf_putc(out, (char)*p);
		gap = 0;
		any = 1;
	}
	return rc ? rc : buf_putc(out, '\n');
}

static int sigv4_has_token(const struct sigv4_request *r)
{
	return r->session_token && r->session_token[0];
}

static int sigv4_has_target(const struct sigv4_request *r)
{
	return r->target && r->target[0];
}

const char *sigv4_signed_headers(const struct sigv4_request *r)
{
	/* Indexed by content-type (1), security token (2), target (4). */
	static const char *const lists[] = {
		"host;x-amz-date",
		"content-type;host;x-amz-date",
		"host;x-amz-date;x-amz-security-token",
		"content-type;host;x-amz-date;x-amz-security-token",
		"host;x-amz-date;x-amz-target",
		"content-type;host;x-amz-date;x-amz-target",
		"host;x-amz-date;x-amz-security-token;x-amz-target",
		"content-type;host;x-amz-date;x-amz-security-token;x-amz-target",
	};

	return lists[(r->content_type ? 1 : 0) | (sigv4_has_token(r) ? 2 : 0) |
		     (sigv4_has_target(r) ? 4 : 0)];
}

/* "YYYYMMDDTHHMMSSZ": the only x-amz-date form SigV4 accepts. */
static int sigv4_date_ok(const char *d)
{
	size_t i;

	if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
		return 0;
	for (i = 0; i < 15; i++) {
		if (i != 8 && (d[i] < '0' || d[i] > '9'))
			return 0;
	}
	return 1;
}

static int sigv4_request_ok(const struct sigv4_request *r)
{
	return r->method && r->host && r->path && r->amz_date && r->region && r->service &&
	       sigv4_date_ok(r->amz_date) && (r->body || !r->body_len);
}

int sigv4_canonical_request(const struct sigv4_request *r, struct buf *out)
{
	size_t start = out->len;
	char hash[65];
	int rc;

	if (!sigv4_request_ok(r))
		return -EINVAL;
	rc = sigv4_sha256_hex(r->body, r->body_len, hash);
	if (!rc)
		rc = buf_printf(out, "%s\n%s\n%s\n", r->method, r->path[0] ? r->path : "/",
				r->query ? r->query : "");
	if (!rc && r->content_type)
		rc = sigv4_put_header(out, "content-type", r->content_type);
	if (!rc)
		rc = sigv4_put_header(out, "host", r->host);
	if (!rc)
		rc = sigv4_put_header(out, "x-amz-date", r->amz_date);
	if (!rc && sigv4_has_token(r))
		rc = sigv4_put_header(out, "x-amz-security-token", r->session_token);
	if (!rc && sigv4_has_target(r))
		rc = sigv4_put_header(out, "x-amz-target", r->target);
	if (!rc)
		rc = buf_printf(out, "\n%s\n%s", sigv4_signed_headers(r), hash);
	if (rc) {
		if (out->data) {
			OPENSSL_cleanse(out->data + start, out->len - start);
			out->data[start] = '\0';
		}
		out->len = start;
	}
	return rc;
}

int sigv4_string_to_sign(const struct sigv4_request *r, const char *canonical, size_t len,
			 struct buf *out)
{
	char hash[65];
	int rc;

	if (!sigv4_request_ok(r))
		return -EINVAL;
	rc = sigv4_sha256_hex(canonical, len, hash);
	if (rc)
		return rc;
	return buf_printf(out, SIGV4_ALGORITHM "\n%s\n%.8s/%s/%s/aws4_request\n%s", r->amz_date,
			  r->amz_date, r->region, r->service, hash);
}

void sigv4_signing_key(const char *secret, const char *date8, const char *region,
		       const char *service, unsigned char key[32])
{
	unsigned char k[SIGV4_BLOCK], t[32];
	size_t slen = strlen(secret), klen;
	EVP_MD_CTX *ctx;
	unsigned int mdlen = 0;

	if (slen + 4 <= SIGV4_BLOCK) {
		memcpy(k, "AWS4", 4);
		memcpy(k + 4, secret, slen);
		klen = slen + 4;
	} else {
		/* HMAC would hash a long key anyway; hashing it in two parts needs no copy. */
		ctx = EVP_MD_CTX_new();
		if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) ||
		    !EVP_DigestUpdate(ctx, "AWS4", 4) || !EVP_DigestUpdate(ctx, secret, slen) ||
		    !EVP_DigestFinal_ex(ctx, k, &mdlen))
			mdlen = 0;
		EVP_MD_CTX_free(ctx);
		klen = mdlen;
	}
	/* Each step's output becomes the next step's key; never alias the two. */
	sigv4_hmac(k, klen, date8, strnlen(date8, 8), t);
	sigv4_hmac(t, 32, region, strlen(region), k);
	sigv4_hmac(k, 32, service, strlen(service), t);
	sigv4_hmac(t, 32, "aws4_request", 12, key);
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(t, sizeof(t));
}

void sigv4_signature(const unsigned char key[32], const char *sts, size_t len, char hex[65])
{
	unsigned char mac[32];

	sigv4_hmac(key, 32, sts, len, mac);
	sigv4_hex(mac, 32, hex);
	OPENSSL_cleanse(mac, sizeof(mac));
}

int sigv4_authorization(const struct sigv4_request *r, const char *access_key_id,
			const char *secret_access_key, struct buf *out)
{
	struct buf canonical, sts;
	unsigned char key[32];
	char date8[9], sig[65];
	int rc;

	buf_init(&canonical, SIGV4_MAX_TEXT);
	buf_init(&sts, SIGV4_MAX_TEXT);
	rc = (access_key_id && secret_access_key) ? 0 : -EINVAL;
	if (!rc)
		rc = sigv4_canonical_request(r, &canonical);
	if (!rc)
		rc = sigv4_string_to_sign(r, canonical.data, canonical.len, &sts);
	if (rc)
		goto out;
	memcpy(date8, r->amz_date, 8);
	date8[8] = '\0';
	sigv4_signing_key(secret_access_key, date8, r->region, r->service, key);
	sigv4_signature(key, sts.data, sts.len, sig);
	OPENSSL_cleanse(key, sizeof(key));
	rc = buf_printf(out,
			SIGV4_ALGORITHM " Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, "
					"Signature=%s",
			access_key_id, date8, r->region, r->service, sigv4_signed_headers(r), sig);
out:
	buf_wipe(&canonical);
	buf_wipe(&sts);
	return rc;
}

void sigv4_amz_date(long long t, char out[17])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if ((long long)tt != t || !gmtime_r(&tt, &tm) ||
	    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
		memcpy(out, "19700101T000000Z", 17);
}
