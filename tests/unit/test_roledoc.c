/*
 * Unit tests of cache/roledoc.c: role.json as render_role writes it parses
 * back to its fields; each editable field is held to IAM's rules; a refusal
 * names the field (or the line and column of text that is not JSON); and
 * cache/roleplan.c: the calls that take a role from one role.json to another.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aws/buf.h"
#include "cache/render.h"
#include "cache/roledoc.h"
#include "cache/roleplan.h"
#include "check.h"

#define ARN "arn:aws:iam::123456789012:policy/boundary"

static int parse(const char *s, struct roledoc *d, char *msg, size_t cap)
{
	return roledoc_parse(s, strlen(s), d, msg, cap);
}

/* A role.json rendered by render_role reads back field by field. */
static void test_rendered(void)
{
	struct iam_tag tags[] = {{"team", "data"}, {"env", ""}};
	struct iam_attached_policy att[] = {{"B", "arn:aws:iam::aws:policy/B"},
					    {"A", "arn:aws:iam::aws:policy/A"}};
	struct iam_role r = {.name = "states-lambda-role",
			     .id = "AROAEXAMPLE",
			     .arn = "arn:aws:iam::123456789012:role/states-lambda-role",
			     .path = "/",
			     .create_date = "2024-01-02T03:04:05Z",
			     .description = "Runs lambdas \xc3\xa9t\xc3\xa9",
			     .max_session_duration = 7200,
			     .boundary_arn = ARN,
			     .tags = tags,
			     .ntags = 2,
			     .attached = att,
			     .nattached = 2};
	struct buf b;
	struct roledoc d;
	char msg[ROLEDOC_MSG_MAX];

	buf_init(&b, 1 << 20);
	CHECK_INT(render_role(&r, &b), 0);
	CHECK_INT(roledoc_parse(b.data, b.len, &d, msg, sizeof(msg)), 0);
	CHECK_STR(msg, "");
	CHECK_INT(d.present, (1u << ROLEDOC_FIELD_COUNT) - 1);
	CHECK_STR(d.role_name, "states-lambda-role");
	CHECK_STR(d.arn, r.arn);
	CHECK_STR(d.role_id, "AROAEXAMPLE");
	CHECK_STR(d.path, "/");
	CHECK_STR(d.create_date, "2024-01-02T03:04:05Z");
	CHECK_STR(d.description, r.description);
	CHECK_INT(d.max_session_duration, 7200);
	CHECK_STR(d.boundary_arn, ARN);
	CHECK_INT(d.ntags, 2);
	CHECK_STR(d.tags[0].key, "team");
	CHECK_STR(d.tags[1].value, "");
	CHECK_INT(d.nattached, 2);
	CHECK_STR(d.attached[0], "arn:aws:iam::aws:policy/A");
	roledoc_cleanup(&d);
	CHECK(d.role_name == NULL && d.present == 0);
	roledoc_cleanup(NULL);
	buf_cleanup(&b);
}

static void test_partial(void)
{
	struct roledoc d;
	char msg[ROLEDOC_MSG_MAX];

	CHECK_INT(parse("{}", &d, msg, sizeof(msg)), 0);
	CHECK_INT(d.present, 0);
	roledoc_cleanup(&d);
	CHECK_INT(parse("{\"PermissionsBoundary\": \"" ARN "\", \"Description\": null,"
			" \"Tags\": null, \"MaxSessionDuration\": 43200.0}",
			&d, msg, sizeof(msg)),
		  0);
	CHECK_INT(d.present, ROLEDOC_BIT(ROLEDOC_PERMISSIONS_BOUNDARY) |
				     ROLEDOC_BIT(ROLEDOC_MAX_SESSION_DURATION));
	CHECK_STR(d.boundary_arn, ARN);
	CHECK_INT(d.max_session_duration, 43200);
	CHECK(d.description == NULL && d.ntags == 0);
	roledoc_cleanup(&d);
	CHECK_INT(parse("{\"PermissionsBoundary\": {\"PermissionsBoundaryType\": "
			"\"PermissionsBoundaryPolicy\", \"PermissionsBoundaryArn\": "
			"\"arn:aws-us-gov:iam::aws:policy/service-role/X+y=1\"}, \"Path\": "
			"\"/a/b/\"}",
			&d, msg, sizeof(msg)),
		  0);
	CHECK_STR(d.boundary_arn, "arn:aws-us-gov:iam::aws:policy/service-role/X+y=1");
	CHECK_STR(d.path, "/a/b/");
	roledoc_cleanup(&d);
}

struct bad_case {
	const char *text;
	int rc;
	const char *says; /* a part of the message */
};

static const struct bad_case bad_cases[] = {
	{"", -EINVAL, "the file is empty"},
	{"{\n  \"Description\": \"x\",\n}", -EINVAL, "line 3, column 1"},
	{"[]", -EINVAL, "must be a JSON object"},
	{"{\"Colour\": 1}", -EINVAL, "unknown key \"Colour\""},
	{"{\"RoleName\": 5}", -EINVAL, "\"RoleName\" must be a string"},
	{"{\"RoleName\": null}", -EINVAL, "\"RoleName\""},
	{"{\"Path\": \"a/\"}", -EINVAL, "\"Path\""},
	{"{\"Path\": \"/a b/\"}", -EINVAL, "\"Path\""},
	{"{\"Description\": 3}", -EINVAL, "\"Description\" must be a string"},
	{"{\"Description\": \"bell\\u0007\"}", -EINVAL, "\"Description\" holds a character"},
	{"{\"Description\": \"\xe2\x82\xac\"}", -EINVAL, "\"Description\" holds a character"},
	{"{\"Description\": \"a\", \"Description\": \"b\"}", -EINVAL, "appears twice"},
	{"{\"MaxSessionDuration\": 3599}", -EINVAL, "\"MaxSessionDuration\""},
	{"{\"MaxSessionDuration\": 43201}", -EINVAL, "\"MaxSessionDuration\""},
	{"{\"MaxSessionDuration\": 3600.5}", -EINVAL, "whole number"},
	{"{\"MaxSessionDuration\": \"3600\"}", -EINVAL, "\"MaxSessionDuration\""},
	{"{\"PermissionsBoundary\": 1}", -EINVAL, "\"PermissionsBoundary\" must be"},
	{"{\"PermissionsBoundary\": \"arn:aws:iam::123456789012:role/x\"}", -EINVAL,
	 "not a managed policy ARN"},
	{"{\"PermissionsBoundary\": \"arn:aws:iam::12345678901:policy/x\"}", -EINVAL,
	 "not a managed policy ARN"},
	{"{\"PermissionsBoundary\": \"arn:aws:s3:::bucket/policy/abcdef\"}", -EINVAL,
	 "not a managed policy ARN"},
	{"{\"PermissionsBoundary\": {\"PermissionsBoundaryType\": \"Policy\"}}", -EINVAL,
	 "needs a \"PermissionsBoundaryArn\""},
	{"{\"PermissionsBoundary\": {\"PermissionsBoundaryType\": \"Role\", "
	 "\"PermissionsBoundaryArn\": \"" ARN "\"}}",
	 -EINVAL, "must be \"PermissionsBoundaryPolicy\""},
	{"{\"PermissionsBoundary\": {\"Arn\": \"" ARN "\"}}", -EINVAL, "unknown key \"Arn\""},
	{"{\"Tags\": {}}", -EINVAL, "\"Tags\" must be an array"},
	{"{\"Tags\": [{\"Key\": \"a\"}]}", -EINVAL, "\"Tags\" entry 1 must be"},
	{"{\"Tags\": [{\"Key\": \"a\", \"Value\": \"b\", \"X\": \"c\"}]}", -EINVAL,
	 "\"Tags\" entry 1 must be"},
	{"{\"Tags\": [{\"Key\": \"\", \"Value\": \"b\"}]}", -EINVAL, "1 to 128"},
	{"{\"Tags\": [{\"Key\": \"a\", \"Value\": \"b\"}, {\"Key\": \"a!\", \"Value\": \"\"}]}",
	 -EINVAL, "\"Tags\" entry 2: keys and values"},
	{"{\"Tags\": [{\"Key\": \"Env\", \"Value\": \"b\"}, {\"Key\": \"env\", \"Value\": "
	 "\"\"}]}",
	 -EINVAL, "appears twice"},
	{"{\"Tags\": [{\"Key\": \"aws:x\", \"Value\": \"b\"}]}", -EINVAL, "reserved"},
	{"{\"AttachedPolicies\": [1]}", -EINVAL, "\"AttachedPolicies\""},
};

static void test_bad(void)
{
	struct roledoc d;
	char msg[ROLEDOC_MSG_MAX];
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		int rc = parse(c->text, &d, msg, sizeof(msg));

		CHECK_INT(rc, c->rc);
		if (!strstr(msg, c->says))
			fprintf(stderr, "  case %zu: \"%s\" lacks \"%s\"\n", i, msg, c->says);
		CHECK(strstr(msg, c->says) != NULL);
		roledoc_cleanup(&d);
	}
}

/* The limits themselves: 1000 characters, 50 tags, 128/256 characters. */
static void test_limits(void)
{
	struct buf b;
	struct roledoc d;
	char msg[ROLEDOC_MSG_MAX];
	int i;

	buf_init(&b, 1 << 20);
	buf_puts(&b, "{\"Description\": \"");
	for (i = 0; i < 1000; i++)
		buf_puts(&b, "\xc3\xa9");
	buf_puts(&b, "\"}");
	CHECK_INT(roledoc_parse(b.data, b.len, &d, msg, sizeof(msg)), 0);
	roledoc_cleanup(&d);
	b.len -= 2;
	buf_puts(&b, "x\"}");
	CHECK_INT(roledoc_parse(b.data, b.len, &d, msg, sizeof(msg)), -EINVAL);
	CHECK(strstr(msg, "1001 characters") != NULL);
	roledoc_cleanup(&d);
	b.len = 0;
	buf_puts(&b, "{\"Tags\": [");
	for (i = 0; i < 51; i++)
		buf_printf(&b, "%s{\"Key\": \"k%d\", \"Value\": \"v\"}", i ? "," : "", i);
	buf_puts(&b, "]}");
	CHECK_INT(roledoc_parse(b.data, b.len, &d, msg, sizeof(msg)), -EINVAL);
	CHECK(strstr(msg, "51 tags") != NULL);
	roledoc_cleanup(&d);
	b.len = 0;
	buf_puts(&b, "{\"Tags\": [{\"Key\": \"");
	for (i = 0; i < 128; i++)
		buf_puts(&b, "k");
	buf_puts(&b, "\", \"Value\": \"");
	for (i = 0; i < 256; i++)
		buf_puts(&b, "v");
	buf_puts(&b, "\"}]}");
	CHECK_INT(roledoc_parse(b.data, b.len, &d, msg, sizeof(msg)), 0);
	CHECK_INT(d.ntags, 1);
	roledoc_cleanup(&d);
	buf_cleanup(&b);
}

static void test_names(void)
{
	CHECK_STR(roledoc_field_name(ROLEDOC_MAX_SESSION_DURATION), "MaxSessionDuration");
	CHECK_STR(roledoc_field_name(ROLEDOC_ATTACHED_POLICIES), "AttachedPolicies");
	CHECK_STR(roledoc_field_name(ROLEDOC_FIELD_COUNT), "?");
}

#define HAVE                                                                                       \
	"{\"RoleName\": \"r\", \"Arn\": \"arn:aws:iam::123456789012:role/r\", \"Path\": \"/\", "   \
	"\"Description\": \"old\", \"MaxSessionDuration\": 3600, \"PermissionsBoundary\": "        \
	"{\"PermissionsBoundaryType\": \"PermissionsBoundaryPolicy\", "                            \
	"\"PermissionsBoundaryArn\": "                                                             \
	"\"" ARN "\"}, \"Tags\": [{\"Key\": \"a\", \"Value\": \"1\"}, {\"Key\": \"b\", "           \
	"\"Value\": \"2\"}], \"AttachedPolicies\": [\"arn:aws:iam::aws:policy/A\", "               \
	"\"arn:aws:iam::aws:policy/B\"]}"

/* The plan of want against HAVE. */
static void plan_of(const char *want, struct roledoc *w, struct roledoc *h, struct roleplan *p)
{
	char msg[ROLEDOC_MSG_MAX];

	CHECK_INT(parse(HAVE, h, msg, sizeof(msg)), 0);
	CHECK_INT(parse(want, w, msg, sizeof(msg)), 0);
	CHECK_INT(roleplan_make(w, h, p), 0);
}

static void plan_done(struct roledoc *w, struct roledoc *h, struct roleplan *p)
{
	roleplan_cleanup(p);
	roledoc_cleanup(w);
	roledoc_cleanup(h);
}

static void test_plan(void)
{
	struct roledoc w, h;
	struct roleplan p;

	/* The same file, and one reduced to its editable fields: nothing to send. */
	plan_of(HAVE, &w, &h, &p);
	CHECK(roleplan_empty(&p));
	CHECK_INT(roleplan_read_only_change(&w, &h), ROLEDOC_FIELD_COUNT);
	CHECK(roleplan_same_editable(&w, &h));
	plan_done(&w, &h, &p);
	plan_of("{\"Description\": \"old\", \"PermissionsBoundary\": \"" ARN "\", \"Tags\": "
		"[{\"Key\": \"b\", \"Value\": \"2\"}, {\"Key\": \"a\", \"Value\": \"1\"}], "
		"\"AttachedPolicies\": [\"arn:aws:iam::aws:policy/B\", "
		"\"arn:aws:iam::aws:policy/A\"]}",
		&w, &h, &p);
	CHECK(roleplan_empty(&p));
	CHECK_INT(roleplan_read_only_change(&w, &h), ROLEDOC_FIELD_COUNT);
	plan_done(&w, &h, &p);
	/* Everything changes; the keys left out mean none. */
	plan_of("{\"Description\": \"new\", \"MaxSessionDuration\": 7200, \"Tags\": [{\"Key\": "
		"\"b\", \"Value\": \"3\"}, {\"Key\": \"c\", \"Value\": \"\"}]}",
		&w, &h, &p);
	CHECK(p.step[ROLEPLAN_UPDATE] && p.step[ROLEPLAN_UNTAG] && p.step[ROLEPLAN_TAG]);
	CHECK(p.step[ROLEPLAN_DELETE_BOUNDARY] && !p.step[ROLEPLAN_PUT_BOUNDARY]);
	CHECK_STR(p.description, "new");
	CHECK_INT(p.max_session_duration, 7200);
	CHECK_INT(p.nuntag, 1);
	CHECK_STR(p.untag[0], "a");
	CHECK_INT(p.ntag, 2);
	CHECK_STR(p.tag[0].key, "b");
	CHECK_STR(p.tag[0].value, "3");
	CHECK_STR(p.tag[1].key, "c");
	CHECK(!roleplan_same_editable(&w, &h));
	/* Settling: h holds none of it, w all of it. */
	CHECK(!roleplan_step_landed(&p, ROLEPLAN_UPDATE, &h));
	CHECK(!roleplan_step_landed(&p, ROLEPLAN_UNTAG, &h));
	CHECK(!roleplan_step_landed(&p, ROLEPLAN_TAG, &h));
	CHECK(!roleplan_step_landed(&p, ROLEPLAN_DELETE_BOUNDARY, &h));
	CHECK(roleplan_step_landed(&p, ROLEPLAN_UPDATE, &w));
	CHECK(roleplan_step_landed(&p, ROLEPLAN_UNTAG, &w));
	CHECK(roleplan_step_landed(&p, ROLEPLAN_TAG, &w));
	CHECK(roleplan_step_landed(&p, ROLEPLAN_DELETE_BOUNDARY, &w));
	plan_done(&w, &h, &p);
	/* A new boundary and a description cleared. */
	plan_of("{\"PermissionsBoundary\": \"arn:aws:iam::aws:policy/Other\", \"Description\": "
		"\"\", "
		"\"Tags\": [{\"Key\": \"a\", \"Value\": \"1\"}, {\"Key\": \"b\", \"Value\": "
		"\"2\"}]}",
		&w, &h, &p);
	CHECK(p.step[ROLEPLAN_PUT_BOUNDARY] && p.step[ROLEPLAN_UPDATE]);
	CHECK(!p.step[ROLEPLAN_TAG] && !p.step[ROLEPLAN_UNTAG] &&
	      !p.step[ROLEPLAN_DELETE_BOUNDARY]);
	CHECK_STR(p.boundary, "arn:aws:iam::aws:policy/Other");
	CHECK_STR(p.description, "");
	CHECK_INT(p.max_session_duration, 3600); /* unchanged, sent as it is */
	plan_done(&w, &h, &p);
	/* Only MaxSessionDuration: the Description goes along unchanged. */
	plan_of("{\"Description\": \"old\", \"MaxSessionDuration\": 5000, \"PermissionsBoundary\": "
		"\"" ARN "\", \"Tags\": [{\"Key\": \"a\", \"Value\": \"1\"}, {\"Key\": \"b\", "
		"\"Value\": \"2\"}]}",
		&w, &h, &p);
	CHECK(p.step[ROLEPLAN_UPDATE] && !p.step[ROLEPLAN_TAG] && !p.step[ROLEPLAN_PUT_BOUNDARY]);
	CHECK_STR(p.description, "old");
	CHECK_INT(p.max_session_duration, 5000);
	plan_done(&w, &h, &p);
	CHECK_STR(roleplan_step_name(ROLEPLAN_DELETE_BOUNDARY), "DeleteRolePermissionsBoundary");
}

static void test_read_only(void)
{
	static const struct {
		const char *text;
		enum roledoc_field f;
	} cases[] = {
		{"{\"RoleName\": \"R\"}", ROLEDOC_ROLE_NAME},
		{"{\"Arn\": \"arn:aws:iam::123456789012:role/x\"}", ROLEDOC_ARN},
		{"{\"RoleId\": \"AROA\"}", ROLEDOC_ROLE_ID},
		{"{\"Path\": \"/x/\"}", ROLEDOC_PATH},
		{"{\"CreateDate\": \"2020-01-01T00:00:00Z\"}", ROLEDOC_CREATE_DATE},
		{"{\"AttachedPolicies\": [\"arn:aws:iam::aws:policy/A\"]}",
		 ROLEDOC_ATTACHED_POLICIES},
		{"{\"AttachedPolicies\": [\"arn:aws:iam::aws:policy/A\", "
		 "\"arn:aws:iam::aws:policy/C\"]}",
		 ROLEDOC_ATTACHED_POLICIES},
	};
	struct roledoc w, h;
	struct roleplan p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		plan_of(cases[i].text, &w, &h, &p);
		CHECK_INT(roleplan_read_only_change(&w, &h), cases[i].f);
		plan_done(&w, &h, &p);
	}
}

int main(void)
{
	test_plan();
	test_read_only();
	test_rendered();
	test_partial();
	test_bad();
	test_limits();
	test_names();
	return check_done("roledoc");
}
