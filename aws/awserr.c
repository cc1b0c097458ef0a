/*
 * AWS error detail and the one table that maps IAM/STS error codes to errno.
 * Codes not in the table fall back on the HTTP status class.
 */
#include "aws/awserr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct code_errno {
	const char *code;
	int err;
};

static const struct code_errno code_table[] = {
	{"MalformedPolicyDocument", EINVAL},
	{"MalformedPolicyDocumentException", EINVAL},
	{"InvalidInput", EINVAL},
	{"ValidationError", EINVAL},
	{"InvalidParameterValue", EINVAL},
	{"PackedPolicyTooLarge", EFBIG},
	{"AccessDenied", EACCES},
	{"AccessDeniedException", EACCES},
	{"OptInRequired", EACCES},
	{"AWSOrganizationsNotInUseException", EACCES},
	{"ExpiredToken", EKEYEXPIRED},
	{"ExpiredTokenException", EKEYEXPIRED},
	{"InvalidClientTokenId", EKEYEXPIRED},
	{"UnrecognizedClientException", EKEYEXPIRED},
	{"InvalidAccessKeyId", EKEYEXPIRED},
	{"SignatureDoesNotMatch", EKEYEXPIRED},
	{"IncompleteSignature", EKEYEXPIRED},
	{"MissingAuthenticationToken", EKEYEXPIRED},
	{"RequestExpired", EKEYEXPIRED},
	{"NoCredentials", EKEYEXPIRED},
	{"NoSuchEntity", ENOENT},
	{"UnmodifiableEntity", EPERM},
	{"EntityAlreadyExists", EEXIST},
	{"DeleteConflict", EBUSY},
	{"ConcurrentModification", EAGAIN},
	{"Throttling", EAGAIN},
	{"ThrottlingException", EAGAIN},
	{"ThrottledException", EAGAIN},
	{"RequestThrottled", EAGAIN},
	{"RequestThrottledException", EAGAIN},
	{"RequestLimitExceeded", EAGAIN},
	{"TooManyRequestsException", EAGAIN},
	{"SlowDown", EAGAIN},
	{"ServiceFailure", EIO},
	{"InternalFailure", EIO},
	{"ServiceUnavailable", EIO},
	{"Unavailable", EIO},
	{"ConnectionError", EIO},
	{"Timeout", EIO},
	{"ResponseTooLarge", EIO},
};

void aws_error_clear(struct aws_error *e)
{
	if (!e)
		return;
	memset(e, 0, sizeof(*e));
}

void aws_error_set(struct aws_error *e, const char *code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	snprintf(e->code, sizeof(e->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

static int limit_exceeded_errno(const char *message)
{
	/* IAM says "Cannot exceed quota for PolicyVersionsPerPolicy: 5" for the
	 * version quota and "...PolicySize..." / "ACLSizePerRole" for sizes. */
	if (strstr(message, "PolicyVersionsPerPolicy") || strstr(message, "versions"))
		return -EDQUOT;
	/* "...PolicyPerRole: 10": the managed policies one role may attach. */
	if (strstr(message, "PolicyPerRole") || strstr(message, "PoliciesPerRole"))
		return -EDQUOT;
	return -EFBIG;
}

int aws_error_errno(const struct aws_error *e)
{
	size_t i;

	if (!strcmp(e->code, "LimitExceeded"))
		return limit_exceeded_errno(e->message);
	for (i = 0; i < sizeof(code_table) / sizeof(code_table[0]); i++)
		if (!strcasecmp(e->code, code_table[i].code))
			return -code_table[i].err;
	if (e->http_status == 403 || e->http_status == 401)
		return -EACCES;
	if (e->http_status == 404)
		return -ENOENT;
	if (e->http_status == 429)
		return -EAGAIN;
	if (e->http_status >= 400 && e->http_status < 500)
		return -EINVAL;
	return -EIO;
}

int aws_code_is_expired_token(const char *code)
{
	return !strcmp(code, "ExpiredToken") || !strcmp(code, "ExpiredTokenException") ||
	       !strcmp(code, "RequestExpired") || !strcmp(code, "TokenRefreshRequired");
}

int aws_code_is_throttling(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(code_table) / sizeof(code_table[0]); i++)
		if (code_table[i].err == EAGAIN && !strcasecmp(code, code_table[i].code))
			return strcmp(code, "ConcurrentModification") != 0;
	return 0;
}
